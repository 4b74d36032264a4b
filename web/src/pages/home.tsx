import { useGet } from '../api';
import { VERIFICATION_LABELS, VERIFICATION_STATUSES } from '../labels';
import { Link } from '../router';
import { useSession } from '../session';
import type { Summary } from '../types';
import { ErrorBox, Loading, PageHeader, Panel } from '../ui';

/** Overview: registry counts within the caller's jurisdiction. */
export function HomePage() {
  const { me, can } = useSession();
  const summary = useGet<Summary>('/api/registry/summary');
  const s = summary.data;
  return (
    <>
      <PageHeader title="概览" en="Overview">
        <p className="sub">
          {me.staff.displayName}，您好。以下为您辖区内的登记情况。 <span className="en">Registry counts within your jurisdiction.</span>
        </p>
      </PageHeader>
      <ErrorBox error={summary.error} />
      {!s ? (
        summary.loading && <Loading />
      ) : (
        <>
          <div className="stat-row">
            <Stat zh="市场" en="Markets" n={s.markets} to={can('market.read') ? '/markets' : undefined} />
            <Stat zh="商户" en="Merchants" n={s.merchants} to={can('merchant.read') ? '/merchants' : undefined} />
            <Stat zh="电子秤" en="Scales" n={s.scales} to={can('scale.read') ? '/scales' : undefined} />
          </div>
          <Panel title="电子秤强制检定状态" en="Scales by mandatory verification status">
            <div className="stat-row">
              {VERIFICATION_STATUSES.map((v) => (
                <Stat key={v} zh={VERIFICATION_LABELS[v].zh} en={VERIFICATION_LABELS[v].en} n={s.scalesByVerification[v] ?? 0} tone={v} to={can('scale.read') ? `/scales?verification=${v}` : undefined} />
              ))}
            </div>
          </Panel>
        </>
      )}
    </>
  );
}

function Stat({ zh, en, n, to, tone }: { zh: string; en: string; n: number; to?: string; tone?: string }) {
  const body = (
    <>
      <div className="stat-n">{n.toLocaleString('zh-CN')}</div>
      <div className="stat-label">
        {zh} <span className="en">{en}</span>
      </div>
    </>
  );
  const cls = `stat ${tone ? `stat-${tone}` : ''}`;
  return to ? (
    <Link to={to} className={cls} data-stat={en}>
      {body}
    </Link>
  ) : (
    <div className={cls} data-stat={en}>
      {body}
    </div>
  );
}
