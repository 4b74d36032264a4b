import { useState, type FormEvent } from 'react';
import { ApiError, request } from '../api';
import type { Me } from '../types';
import { ErrorBox, Notice } from '../ui';

/** Sign-in: shows the API's own message (wrong password, locked account, too many attempts). */
export function LoginPage({ notice, onSignedIn }: { notice: string | null; onSignedIn: (me: Me) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await request<Me>('POST', '/api/auth/login', { username, password }, { expect401: true }));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <div className="login-page">
      <form className="login-card" onSubmit={submit}>
        <div className="login-brand">
          <div className="logo">码</div>
          <div>
            <h1>码上 · 智慧市场监管平台</h1>
            <div className="en">Mashang smart market supervision</div>
          </div>
        </div>
        <h2>
          工作人员 / 商户登录 <span className="en">Staff and merchant sign-in</span>
        </h2>
        {notice && <Notice>{notice}</Notice>}
        <ErrorBox message={error} />
        <div className="field">
          <label htmlFor="login-username">
            用户名 <span className="en">Username</span>
          </label>
          <input id="login-username" name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
        </div>
        <div className="field">
          <label htmlFor="login-password">
            密码 <span className="en">Password</span>
          </label>
          <input id="login-password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </div>
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? '登录中… Signing in…' : '登录 Sign in'}
        </button>
        <p className="login-foot">市场监督管理局 · 监管所 · 市场管理方 · 检定机构 <br />City bureau · supervision offices · market managers · verification institutions</p>
      </form>
    </div>
  );
}
