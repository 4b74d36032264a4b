import type { FormEvent } from 'react';
import { api } from '../api';
import { useForm } from '../form';
import { useSession } from '../session';
import { ErrorBox, Facts, Field, FormActions, PageHeader, Panel } from '../ui';

/** The signed-in account: who, and changing one's own password (which ends every session). */
export function AccountPage() {
  const { me, signedOut } = useSession();
  const f = useForm({ currentPassword: '', newPassword: '' });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await f.submit(() => api.post('/api/auth/password', f.values).then(() => true));
    if (ok) signedOut('密码已修改，请用新密码登录 (password changed; sign in with the new one)');
  };
  return (
    <>
      <PageHeader title="我的账号" en="My account" />
      <Panel title="账号信息" en="Account">
        <Facts
          rows={[
            ['用户名', 'Username', me.staff.username],
            ['姓名', 'Name', me.staff.displayName],
            ['角色', 'Role', `${me.roleLabel.zh} ${me.roleLabel.en}`],
            ['所属机构', 'Organisation', me.staff.organisation],
          ]}
        />
      </Panel>
      <Panel title="修改密码" en="Change password">
        <form onSubmit={submit} className="form-grid narrow">
          <ErrorBox message={f.topError} />
          <Field label="当前密码" en="Current password" name="currentPassword" error={f.errors.currentPassword} wide>
            <input type="password" autoComplete="current-password" {...f.bind('currentPassword')} />
          </Field>
          <Field label="新密码" en="New password" name="newPassword" error={f.errors.newPassword} hint="至少10位，含字母和数字 (at least 10 characters, letters and digits)" wide>
            <input type="password" autoComplete="new-password" {...f.bind('newPassword')} />
          </Field>
          <FormActions>
            <button className="btn btn-primary" disabled={f.submitting}>
              修改密码 Change password
            </button>
          </FormActions>
        </form>
      </Panel>
    </>
  );
}
