import { useEffect, useState, type FormEvent } from 'react';
import { api, qs, useGet } from '../api';
import { changed, errorId, fieldId, numberOrUndefined, useForm } from '../form';
import { both } from '../labels';
import { MerchantPicker, useMarkets } from '../options';
import { ROLES, ROLE_LABELS, type Role } from '../permissions';
import { Link, pageOf, setQuery, useLocation } from '../router';
import { useSession } from '../session';
import type { City, Merchant, Paged, Staff } from '../types';
import { EmptyRow, ErrorBox, Field, FormActions, Loading, Modal, PageHeader, Pager } from '../ui';

type Dialog = { kind: 'create' } | { kind: 'edit'; staff: Staff } | { kind: 'password'; staff: Staff };

const isLocked = (s: Staff) => !!s.lockedUntil && new Date(s.lockedUntil).getTime() > Date.now();

/** Staff accounts (administrator): list, create, edit role and posting, disable, unlock, reset password. */
export function StaffPage() {
  const loc = useLocation();
  const { me } = useSession();
  const q = loc.query.get('q') ?? '';
  const page = pageOf(loc);
  const list = useGet<Paged<Staff>>(`/api/staff${qs({ q, page, pageSize: 20 })}`);
  const cities = useGet<City[]>('/api/jurisdictions', { cached: true });
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const act = async (s: Staff, body: Record<string, unknown> | 'logout', done: string) => {
    setRowError(null);
    setNotice(null);
    try {
      if (body === 'logout') await api.post(`/api/staff/${s.id}/logout-everywhere`);
      else await api.patch(`/api/staff/${s.id}`, body);
      setNotice(`${s.username}：${done}`);
      list.reload();
    } catch (e) {
      setRowError(`${s.username}：${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const posting = (s: Staff) => {
    const city = cities.data?.find((c) => c.id === s.cityId);
    const office = city?.offices.find((o) => o.id === s.officeId);
    return [city?.name, office?.name, s.marketIds.length ? `${s.marketIds.length} 个市场 markets` : '', s.organisation].filter(Boolean).join(' · ');
  };
  const merchantLink = (s: Staff) =>
    s.merchantId ? (
      <>
        {' · '}
        <Link to={`/merchants/${s.merchantId}`}>商户 #{s.merchantId} Merchant</Link>
      </>
    ) : null;

  return (
    <>
      <PageHeader
        title="人员账号"
        en="Staff accounts"
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setDialog({ kind: 'create' })}>
            ＋ 新建账号 New account
          </button>
        }
      />
      <div className="filters">
        <form
          className="search"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery(loc, { q: String(new FormData(e.currentTarget).get('q') ?? '').trim() });
          }}
        >
          <input type="search" name="q" defaultValue={q} placeholder="用户名或姓名 Username or name" aria-label="用户名或姓名 Username or name" />
          <button className="btn">查询 Search</button>
        </form>
      </div>
      <ErrorBox error={list.error} />
      <ErrorBox message={rowError} />
      {notice && <div className="alert alert-ok">{notice}</div>}
      <table className="grid">
        <thead>
          <tr>
            <th>用户名 Username</th>
            <th>姓名 Name</th>
            <th>角色 Role</th>
            <th>所属 Posting</th>
            <th>状态 Status</th>
            <th>操作 Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((s) => (
            <tr key={s.id} className={s.isDisabled ? 'row-disabled' : ''}>
              <td className="mono">{s.username}</td>
              <td>{s.displayName}</td>
              <td>{both(ROLE_LABELS[s.role], s.role)}</td>
              <td>
                {posting(s)}
                {merchantLink(s)}
              </td>
              <td>
                {s.isDisabled ? (
                  <span className="badge v-unverified">已停用 Disabled</span>
                ) : isLocked(s) ? (
                  <span className="badge v-expired" title={s.lockedUntil ?? ''}>
                    已锁定 Locked
                  </span>
                ) : (
                  <span className="badge v-valid">正常 Active</span>
                )}
              </td>
              <td className="row-actions">
                <button type="button" className="btn btn-sm btn-link" onClick={() => setDialog({ kind: 'edit', staff: s })}>
                  编辑 Edit
                </button>
                <button type="button" className="btn btn-sm btn-link" onClick={() => setDialog({ kind: 'password', staff: s })}>
                  重置密码 Reset password
                </button>
                {isLocked(s) && (
                  <button type="button" className="btn btn-sm btn-link" onClick={() => void act(s, { unlock: true }, '已解锁 unlocked')}>
                    解锁 Unlock
                  </button>
                )}
                {s.id !== me.staff.id &&
                  (s.isDisabled ? (
                    <button type="button" className="btn btn-sm btn-link" onClick={() => void act(s, { isDisabled: false }, '已启用 enabled')}>
                      启用 Enable
                    </button>
                  ) : (
                    <button type="button" className="btn btn-sm btn-link danger" onClick={() => confirm(`停用 ${s.username}？ Disable this account?`) && void act(s, { isDisabled: true }, '已停用 disabled')}>
                      停用 Disable
                    </button>
                  ))}
                {s.id !== me.staff.id && (
                  <button type="button" className="btn btn-sm btn-link" onClick={() => void act(s, 'logout', '已强制下线 signed out everywhere')}>
                    强制下线 Sign out
                  </button>
                )}
              </td>
            </tr>
          ))}
          {list.data && list.data.items.length === 0 && <EmptyRow cols={6} />}
        </tbody>
      </table>
      {list.loading && !list.data && <Loading />}
      {list.data && <Pager page={list.data.page} pageSize={list.data.pageSize} total={list.data.total} onPage={(p) => setQuery(loc, { page: p })} />}
      {dialog?.kind === 'create' && (
        <Modal title="新建账号" en="New staff account" onClose={() => setDialog(null)}>
          <StaffForm
            cities={cities.data ?? []}
            onDone={(s) => {
              setDialog(null);
              setNotice(`${s.username}：已创建 created`);
              list.reload();
            }}
          />
        </Modal>
      )}
      {dialog?.kind === 'edit' && (
        <Modal title={`编辑账号 ${dialog.staff.username}`} en="Edit staff account" onClose={() => setDialog(null)}>
          <StaffForm
            staff={dialog.staff}
            cities={cities.data ?? []}
            onDone={(s) => {
              setDialog(null);
              setNotice(`${s.username}：已保存 saved`);
              list.reload();
            }}
          />
        </Modal>
      )}
      {dialog?.kind === 'password' && (
        <Modal title={`重置密码 ${dialog.staff.username}`} en="Reset password" onClose={() => setDialog(null)}>
          <PasswordForm
            staff={dialog.staff}
            onDone={() => {
              setNotice(`${dialog.staff.username}：密码已重置 password reset`);
              setDialog(null);
            }}
          />
        </Modal>
      )}
    </>
  );
}

type StaffValues = { username: string; displayName: string; password: string; role: Role; cityId: string; officeId: string; marketIds: string[]; merchantId: string; organisation: string };

function StaffForm({ staff, cities, onDone }: { staff?: Staff; cities: City[]; onDone: (s: Staff) => void }) {
  const { markets } = useMarkets();
  const original: StaffValues = {
    username: staff?.username ?? '',
    displayName: staff?.displayName ?? '',
    password: '',
    role: staff?.role ?? 'office_inspector',
    cityId: staff?.cityId ? String(staff.cityId) : '',
    officeId: staff?.officeId ? String(staff.officeId) : '',
    marketIds: (staff?.marketIds ?? []).map(String),
    merchantId: staff?.merchantId ? String(staff.merchantId) : '',
    organisation: staff?.organisation ?? '',
  };
  const f = useForm<StaffValues>(original);
  const v = f.values;
  const city = cities.find((c) => String(c.id) === v.cityId);
  const needsCity = v.role !== 'admin';
  const needsOffice = v.role === 'office_inspector';
  const needsMarkets = v.role === 'market_manager';
  const needsMerchant = v.role === 'merchant';
  // The merchant an account speaks for, shown by name; loaded when editing an existing merchant account.
  const [merchant, setMerchant] = useState<Merchant | null>(null);
  const current = useGet<Merchant>(staff?.merchantId ? `/api/merchants/${staff.merchantId}` : null);
  useEffect(() => {
    if (current.data) setMerchant(current.data);
  }, [current.data]);
  const pickMerchant = (m: Merchant | null) => {
    setMerchant(m);
    f.set('merchantId', m ? String(m.id) : '');
    // A merchant account belongs to its merchant's city; a new one is named after the merchant unless named already.
    if (m) {
      f.set('cityId', String(m.cityId));
      f.set('officeId', '');
      if (!v.displayName.trim()) f.set('displayName', m.name);
    }
  };

  const posting = (x: StaffValues) => ({
    displayName: x.displayName,
    role: x.role,
    cityId: x.role !== 'admin' ? (numberOrUndefined(x.cityId) ?? null) : null,
    officeId: x.role === 'office_inspector' ? (numberOrUndefined(x.officeId) ?? null) : null,
    marketIds: x.role === 'market_manager' ? x.marketIds.map(Number) : [],
    merchantId: x.role === 'merchant' ? (numberOrUndefined(x.merchantId) ?? null) : null,
    organisation: x.organisation,
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await f.submit(() =>
      staff ? api.patch<Staff>(`/api/staff/${staff.id}`, changed(posting(original), posting(v))) : api.post<Staff>('/api/staff', { username: v.username.trim(), password: v.password, ...posting(v) }),
    );
    if (saved) onDone(saved);
  };
  return (
    <form className="form-grid" onSubmit={submit} noValidate>
      <ErrorBox message={f.topError} />
      {!staff && (
        <Field label="用户名" en="Username" name="username" error={f.errors.username} required>
          <input {...f.bind('username')} autoComplete="off" />
        </Field>
      )}
      <Field label="姓名" en="Display name" name="displayName" error={f.errors.displayName} required>
        <input {...f.bind('displayName')} />
      </Field>
      {!staff && (
        <Field label="初始密码" en="Initial password" name="password" error={f.errors.password} required hint="至少10位，含字母和数字 (10+ characters, letters and digits)">
          <input type="password" {...f.bind('password')} autoComplete="new-password" />
        </Field>
      )}
      <Field label="角色" en="Role" name="role" error={f.errors.role} required>
        <select {...f.bind('role')}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {both(ROLE_LABELS[r])}
            </option>
          ))}
        </select>
      </Field>
      {needsCity && (
        <Field label="所属城市" en="City" name="cityId" error={f.errors.cityId}>
          <select
            {...f.bind('cityId')}
            onChange={(e) => {
              f.set('cityId', e.target.value);
              f.set('officeId', '');
            }}
          >
            <option value="">请选择 Select</option>
            {cities.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} {c.nameEn}
              </option>
            ))}
          </select>
        </Field>
      )}
      {needsOffice && (
        <Field label="监管所" en="Supervision office" name="officeId" error={f.errors.officeId}>
          <select {...f.bind('officeId')} disabled={!city}>
            <option value="">{city ? '请选择 Select' : '请先选择城市 Choose a city first'}</option>
            {city?.offices.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name} {o.nameEn}
              </option>
            ))}
          </select>
        </Field>
      )}
      {needsMarkets && (
        <Field label="管理的市场" en="Markets managed" name="marketIds" error={f.errors.marketIds} wide>
          <div className="checks" id={fieldId('marketIds')}>
            {markets
              .filter((m) => !city || m.cityId === city.id)
              .map((m) => (
                <label key={m.id} className="check">
                  <input
                    type="checkbox"
                    checked={v.marketIds.includes(String(m.id))}
                    onChange={(e) => f.set('marketIds', e.target.checked ? [...v.marketIds, String(m.id)] : v.marketIds.filter((x) => x !== String(m.id)))}
                  />
                  {m.name} <span className="muted">{m.districtName}</span>
                </label>
              ))}
          </div>
        </Field>
      )}
      {needsMerchant && (
        <Field label="商户" en="Merchant" name="merchantId" error={f.errors.merchantId} wide required hint="商户账号只能查看和处理本商户的信用记录 (a merchant account sees and answers its own credit record only)">
          <MerchantPicker id={fieldId('merchantId')} value={merchant} onChange={pickMerchant} invalid={!!f.errors.merchantId} describedBy={f.errors.merchantId ? errorId('merchantId') : undefined} />
        </Field>
      )}
      <Field label="所属机构" en="Organisation" name="organisation" error={f.errors.organisation} wide>
        <input {...f.bind('organisation')} placeholder="如：测试市计量检定所 e.g. the verification institute" />
      </Field>
      <FormActions>
        <button className="btn btn-primary" disabled={f.submitting}>
          保存 Save
        </button>
      </FormActions>
    </form>
  );
}

function PasswordForm({ staff, onDone }: { staff: Staff; onDone: () => void }) {
  const f = useForm({ password: '' });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await f.submit(() => api.patch(`/api/staff/${staff.id}`, { password: f.values.password }));
    if (ok) onDone();
  };
  return (
    <form className="form-grid one" onSubmit={submit} noValidate>
      <ErrorBox message={f.topError} />
      <Field label="新密码" en="New password" name="password" error={f.errors.password} required hint="至少10位，含字母和数字；该账号的所有会话将失效 (10+ characters, letters and digits)">
        <input type="password" {...f.bind('password')} autoComplete="new-password" autoFocus />
      </Field>
      <FormActions>
        <button className="btn btn-primary" disabled={f.submitting}>
          重置密码 Reset password
        </button>
      </FormActions>
    </form>
  );
}
