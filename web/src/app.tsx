/**
 * The shell: signs in, then frames every page with the sidebar and the signed-in bar. Later
 * sections (command centre, alerts, complaints, credit) slot into NAV and ROUTES.
 */
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, clearCache, request, setCsrfToken, setUnauthorizedHandler } from './api';
import type { Permission } from './permissions';
import { Link, match, navigate, useLocation } from './router';
import { makeCan, SessionContext, useSession, type Session } from './session';
import type { Me } from './types';
import { ErrorBox, Loading } from './ui';
import { LoginPage } from './pages/login';
import { HomePage } from './pages/home';
import { MarketDetailPage, MarketEditPage, MarketsPage } from './pages/markets';
import { MerchantDetailPage, MerchantEditPage, MerchantsPage } from './pages/merchants';
import { ScaleDetailPage, ScaleEditPage, ScalesPage } from './pages/scales';
import { ImportsPage } from './pages/imports';
import { PricesPage } from './pages/prices';
import { PriceListPage } from './pages/prices-list';
import { AlertDetailPage, AlertsPage } from './pages/alerts';
import { SalesPage } from './pages/sales';
import { DevicesPage } from './pages/devices';
import { StaffPage } from './pages/staff';
import { AccountPage } from './pages/account';
import { CodesPage } from './pages/codes';
import { RedLightScalesPage } from './pages/ratings';
import { CreditPendingPage, MyCreditPage } from './pages/credit';
import { ComplaintDetailPage, ComplaintsPage, MyComplaintDetailPage, MyComplaintsPage } from './pages/complaints';
import { PenaltiesPage } from './pages/penalties';

interface NavItem {
  to: string;
  zh: string;
  en: string;
  perm?: Permission;
  soon?: boolean;
  /** A server page outside the app (the public scan pages), opened in a new tab. */
  external?: boolean;
}
const NAV: { zh: string; en: string; items: NavItem[] }[] = [
  {
    zh: '工作台',
    en: 'Workspace',
    items: [
      { to: '/', zh: '概览', en: 'Overview', perm: 'market.read' },
      { to: '/', zh: '我的信用', en: 'My credit', perm: 'merchant.self' },
      { to: '/my/complaints', zh: '我的投诉', en: 'My complaints', perm: 'merchant.self' },
    ],
  },
  {
    zh: '主体登记',
    en: 'Registry',
    items: [
      { to: '/markets', zh: '市场', en: 'Markets', perm: 'market.read' },
      { to: '/merchants', zh: '商户', en: 'Merchants', perm: 'merchant.read' },
      { to: '/scales', zh: '电子秤', en: 'Scales', perm: 'scale.read' },
      { to: '/imports', zh: '导入导出', en: 'Import / export', perm: 'import.run' },
      { to: '/codes', zh: '二维码', en: 'Codes', perm: 'code.print' },
    ],
  },
  {
    zh: '智慧监管',
    en: 'Supervision',
    items: [
      { to: '/command', zh: '指挥中心', en: 'Command centre', soon: true },
      { to: '/prices', zh: '价格', en: 'Prices', perm: 'price.read' },
      { to: '/alerts', zh: '预警', en: 'Alerts', perm: 'alert.read' },
      { to: '/red-light', zh: '红灯秤', en: 'Red-light scales', perm: 'rating.read' },
      { to: '/sales', zh: '销售记录', en: 'Sales', perm: 'sale.read' },
      { to: '/devices', zh: '设备在线', en: 'Devices', perm: 'device.read' },
      { to: '/complaints', zh: '消费投诉', en: 'Complaints', perm: 'complaint.read' },
      { to: '/credit', zh: '信用待办', en: 'Credit decisions', perm: 'credit.decide' },
      { to: '/penalties', zh: '行政处罚', en: 'Penalties', perm: 'penalty.read' },
      { to: '/enforcement', zh: '执法', en: 'Enforcement', soon: true },
    ],
  },
  {
    zh: '系统',
    en: 'System',
    items: [
      { to: '/staff', zh: '人员账号', en: 'Staff accounts', perm: 'staff.manage' },
      { to: '/account', zh: '我的账号', en: 'My account' },
    ],
  },
  { zh: '公众服务', en: 'Public', items: [{ to: '/verify', zh: '检验二维码', en: 'Check a code', external: true }] },
];

type Route = { pattern: string; perm?: Permission; render: (p: Record<string, string>) => ReactNode };
const ROUTES: Route[] = [
  { pattern: '/', render: () => <Home /> },
  { pattern: '/markets', perm: 'market.read', render: () => <MarketsPage /> },
  { pattern: '/markets/new', perm: 'market.create', render: () => <MarketEditPage /> },
  { pattern: '/markets/:id', perm: 'market.read', render: (p) => <MarketDetailPage id={Number(p.id)} /> },
  { pattern: '/markets/:id/edit', perm: 'market.update', render: (p) => <MarketEditPage id={Number(p.id)} /> },
  { pattern: '/merchants', perm: 'merchant.read', render: () => <MerchantsPage /> },
  { pattern: '/merchants/new', perm: 'merchant.write', render: () => <MerchantEditPage /> },
  { pattern: '/merchants/:id', perm: 'merchant.read', render: (p) => <MerchantDetailPage id={Number(p.id)} /> },
  { pattern: '/merchants/:id/edit', perm: 'merchant.write', render: (p) => <MerchantEditPage id={Number(p.id)} /> },
  { pattern: '/scales', perm: 'scale.read', render: () => <ScalesPage /> },
  { pattern: '/scales/new', perm: 'scale.write', render: () => <ScaleEditPage /> },
  { pattern: '/scales/:id', perm: 'scale.read', render: (p) => <ScaleDetailPage id={Number(p.id)} /> },
  { pattern: '/scales/:id/edit', perm: 'scale.write', render: (p) => <ScaleEditPage id={Number(p.id)} /> },
  { pattern: '/imports', perm: 'import.run', render: () => <ImportsPage /> },
  { pattern: '/codes', perm: 'code.print', render: () => <CodesPage /> },
  { pattern: '/red-light', perm: 'rating.read', render: () => <RedLightScalesPage /> },
  { pattern: '/prices', perm: 'price.read', render: () => <PricesPage /> },
  { pattern: '/prices/lists/:id', perm: 'price.read', render: (p) => <PriceListPage id={Number(p.id)} /> },
  { pattern: '/alerts', perm: 'alert.read', render: () => <AlertsPage /> },
  { pattern: '/alerts/:id', perm: 'alert.read', render: (p) => <AlertDetailPage id={Number(p.id)} /> },
  { pattern: '/sales', perm: 'sale.read', render: () => <SalesPage /> },
  { pattern: '/devices', perm: 'device.read', render: () => <DevicesPage /> },
  { pattern: '/credit', perm: 'credit.decide', render: () => <CreditPendingPage /> },
  { pattern: '/complaints', perm: 'complaint.read', render: () => <ComplaintsPage /> },
  { pattern: '/complaints/:id', perm: 'complaint.read', render: (p) => <ComplaintDetailPage id={Number(p.id)} /> },
  { pattern: '/penalties', perm: 'penalty.read', render: () => <PenaltiesPage /> },
  { pattern: '/my/complaints', perm: 'merchant.self', render: () => <MyComplaintsPage /> },
  { pattern: '/my/complaints/:id', perm: 'merchant.self', render: (p) => <MyComplaintDetailPage id={Number(p.id)} /> },
  { pattern: '/staff', perm: 'staff.manage', render: () => <StaffPage /> },
  { pattern: '/account', render: () => <AccountPage /> },
];

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  const [bootError, setBootError] = useState<ApiError | null>(null);

  const signedOut = useCallback((msg?: string) => {
    setCsrfToken(null);
    clearCache();
    setMe(null);
    setNotice(msg ?? null);
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => signedOut('登录已失效，请重新登录 (your session has ended; please sign in again)'));
    request<Me>('GET', '/api/auth/me', undefined, { expect401: true }).then(
      (m) => {
        setCsrfToken(m.csrfToken);
        setMe(m);
      },
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 401) setMe(null);
        else setBootError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
      },
    );
  }, [signedOut]);

  const session = useMemo<Session | null>(
    () =>
      me
        ? {
            me,
            can: makeCan(me),
            signedOut,
            signOut: async (everywhere) => {
              try {
                await api.post(everywhere ? '/api/auth/logout-everywhere' : '/api/auth/logout');
              } finally {
                navigate('/', { replace: true });
                signedOut(everywhere ? '已在所有设备上退出 (signed out everywhere)' : '已退出 (signed out)');
              }
            },
          }
        : null,
    [me, signedOut],
  );

  if (bootError) return <div className="boot"><ErrorBox error={bootError} /></div>;
  if (me === undefined) return <div className="boot"><Loading /></div>;
  if (!session)
    return (
      <LoginPage
        notice={notice}
        onSignedIn={(m) => {
          setCsrfToken(m.csrfToken);
          setNotice(null);
          setMe(m);
        }}
      />
    );
  return (
    <SessionContext.Provider value={session}>
      <Shell />
    </SessionContext.Provider>
  );
}

function Shell() {
  const loc = useLocation();
  const { me, can, signOut } = useSession();
  let page: ReactNode = <NotFound />;
  for (const r of ROUTES) {
    const params = match(r.pattern, loc.path);
    if (params) {
      page = r.perm && !can(r.perm) ? <Forbidden /> : r.render(params);
      break;
    }
  }
  // A merchant's own account sees its own pages only: no previews of back-office sections.
  const isMerchant = can('merchant.self');
  const isActive = (to: string) => (to === '/' ? loc.path === '/' : loc.path === to || loc.path.startsWith(to + '/'));
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand">
          <div className="logo">码</div>
          <div>
            <div className="brand-name">码上 · 智慧市场监管</div>
            <div className="brand-en">Mashang market supervision</div>
          </div>
        </div>
        <nav>
          {NAV.map((g) => {
            const items = g.items.filter((i) => (i.soon ? !isMerchant : !i.perm || can(i.perm)));
            if (!items.length) return null;
            return (
              <div className="nav-group" key={g.en}>
                <div className="nav-title">
                  {g.zh} <span>{g.en}</span>
                </div>
                {items.map((i) =>
                  i.soon ? (
                    <span key={i.to + i.en} className="nav-item soon" aria-disabled="true" title="即将上线 Coming soon">
                      {i.zh} <span className="en">{i.en}</span>
                      <em>即将上线</em>
                    </span>
                  ) : i.external ? (
                    <a key={i.to + i.en} href={i.to} target="_blank" rel="noopener" className="nav-item">
                      {i.zh} <span className="en">{i.en} ↗</span>
                    </a>
                  ) : (
                    <Link key={i.to + i.en} to={i.to} className={`nav-item ${isActive(i.to) ? 'active' : ''}`}>
                      {i.zh} <span className="en">{i.en}</span>
                    </Link>
                  ),
                )}
              </div>
            );
          })}
        </nav>
      </aside>
      <div className="main">
        <header className="topbar">
          <div className="topbar-title">
            {isMerchant ? (
              <>
                商户服务 <span className="en">Merchant portal</span>
              </>
            ) : (
              <>
                市场监管后台 <span className="en">Back office</span>
              </>
            )}
          </div>
          <div className="who" data-testid="who">
            <span className="who-name">{me.staff.displayName}</span>
            <span className="role">
              {me.roleLabel.zh} <span className="en">{me.roleLabel.en}</span>
            </span>
            {me.staff.isDemo && <span className="badge v-expiring">演示 Demo</span>}
          </div>
          <div className="topbar-actions">
            <button type="button" className="btn btn-sm btn-ghost" onClick={() => void signOut(false)}>
              退出 Sign out
            </button>
            <button
              type="button"
              className="btn btn-sm btn-ghost"
              onClick={() => {
                if (confirm('在所有设备上退出登录？ Sign out of every session?')) void signOut(true);
              }}
            >
              全部设备退出 Sign out everywhere
            </button>
          </div>
        </header>
        <main className="content">{page}</main>
      </div>
    </div>
  );
}

/** The home page: a merchant's own credit for a merchant account, the overview for staff. */
function Home() {
  const { can } = useSession();
  if (can('merchant.self')) return <MyCreditPage />;
  return can('market.read') ? <HomePage /> : <Forbidden />;
}

function NotFound() {
  return (
    <div className="alert alert-warn">
      页面不存在 Page not found · <Link to="/">返回概览 Back to overview</Link>
    </div>
  );
}

function Forbidden() {
  return <div className="alert alert-warn">您的角色无权访问此页面 (your role may not open this page)</div>;
}
