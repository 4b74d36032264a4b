/**
 * Consumers' scale ratings in the back office: a scale's light (绿灯/黄灯/红灯) with its evidence
 * and ratings, and the red-light scales page (红灯秤) that ranks red and yellow scales for
 * inspection. The light is computed by the server (src/modules/feedback/rating.rules.ts).
 */
import { useGet } from '../api';
import { LIGHT_LABELS, formatGrams, formatTime } from '../labels';
import { Link, setQuery, useLocation } from '../router';
import { useSession } from '../session';
import type { Light, RankedScale, ScaleRatings } from '../types';
import { EmptyRow, ErrorBox, Loading, PageHeader, Panel } from '../ui';

const CSS = `
.light { display: inline-flex; align-items: center; gap: 5px; padding: 0 8px; border-radius: 10px; font-size: 12px; line-height: 20px; white-space: nowrap; font-weight: 600; }
.light .dot { width: 10px; height: 10px; border-radius: 50%; flex: none; box-shadow: inset 0 0 0 1px rgba(0, 0, 0, 0.15); }
.light-red { background: var(--red-bg); color: var(--red); }
.light-red .dot { background: #d7302a; }
.light-yellow { background: var(--amber-bg); color: var(--amber); }
.light-yellow .dot { background: #f0b429; }
.light-green { background: var(--green-bg); color: var(--green); }
.light-green .dot { background: #2e9e4f; }
.light-none { background: var(--grey-bg); color: #4d5869; font-weight: 400; }
.light-none .dot { background: #fff; box-shadow: inset 0 0 0 1.5px #98a2b3; }
.stars { color: #e09a1a; letter-spacing: 1px; white-space: nowrap; }
.stars .off { color: #d3d9e2; }
.reasons { margin: 0; padding-left: 18px; }
.reasons li { margin: 1px 0; }
.short { color: var(--red); font-weight: 600; }
`;
const RatingStyle = () => <style>{CSS}</style>;

/** A light in colour and in words, so it reads without colour too. */
export function LightBadge({ light }: { light: Light }) {
  const l = LIGHT_LABELS[light] ?? { zh: light, en: light };
  return (
    <span className={`light light-${light}`} data-light={light}>
      <span className="dot" aria-hidden="true" />
      {l.zh} <span className="en">{l.en}</span>
    </span>
  );
}

function Stars({ n }: { n: number }) {
  return (
    <span className="stars" title={`${n} 星 / 5 stars`} aria-label={`${n} 星 ${n} of 5 stars`}>
      {'★'.repeat(n)}
      <span className="off">{'★'.repeat(Math.max(0, 5 - n))}</span>
    </span>
  );
}

/** The fair scale's re-weighing against the receipt; a positive difference is short weight. */
function FairScale({ fairG, receiptG }: { fairG: number | null; receiptG: number | null }) {
  if (fairG == null || receiptG == null) return <span className="muted">—</span>;
  const short = receiptG - fairG;
  return (
    <span>
      小票 {formatGrams(receiptG)} · 公平秤 {formatGrams(fairG)}
      {short > 0 ? <span className="short"> · 短秤 {short} g short</span> : <span className="muted"> · 足秤 full weight</span>}
    </span>
  );
}

/** A scale's light, the evidence behind it and its ratings, newest first. For roles with rating.read. */
export function ScaleRatingsPanel({ scaleId }: { scaleId: number }) {
  const r = useGet<ScaleRatings>(`/api/scales/${scaleId}/ratings`);
  const d = r.data;
  const inaccurate = d?.ratings.filter((x) => !x.accurate).length ?? 0;
  const suspect = d?.ratings.filter((x) => x.isSuspect).length ?? 0;
  const meanStars = d?.evidence?.meanStars;
  return (
    <Panel title="消费者评价" en="Consumer ratings" className="ratings-panel">
      <RatingStyle />
      <ErrorBox error={r.error} />
      {!d && !r.error && <Loading />}
      {d && (
        <>
          <div className="stat-row compact">
            <div className="stat">
              <div className="stat-n" data-testid="scale-light">
                <LightBadge light={d.light} />
              </div>
              <div className="stat-label">
                评价灯 <span className="en">Light</span>
              </div>
            </div>
            <div className="stat">
              <div className="stat-n">{d.ratings.length}</div>
              <div className="stat-label">
                评价 <span className="en">Ratings{d.ratings.length >= 100 ? ' (latest 100)' : ''}</span>
              </div>
            </div>
            <div className={`stat ${inaccurate ? 'stat-expired' : ''}`}>
              <div className="stat-n">{inaccurate}</div>
              <div className="stat-label">
                反映不准 <span className="en">Say inaccurate</span>
              </div>
            </div>
            <div className="stat">
              <div className="stat-n">{meanStars == null ? '—' : meanStars.toFixed(1)}</div>
              <div className="stat-label">
                平均星级 <span className="en">Mean stars (weighted)</span>
              </div>
            </div>
            {suspect > 0 && (
              <div className="stat stat-expiring">
                <div className="stat-n">{suspect}</div>
                <div className="stat-label">
                  可疑评价 <span className="en">Suspect</span>
                </div>
              </div>
            )}
          </div>
          {!!d.evidence?.reasons?.length && (
            <>
              <div className="hint">
                判定依据 <span className="en">Why this light</span>
              </div>
              <ul className="reasons" data-testid="light-reasons">
                {d.evidence.reasons.map((x) => (
                  <li key={x}>{x}</li>
                ))}
              </ul>
            </>
          )}
          <table className="grid" style={{ marginTop: 10 }}>
            <thead>
              <tr>
                <th>时间 Time</th>
                <th>计量 Accuracy</th>
                <th>星级 Stars</th>
                <th>留言 Comment</th>
                <th>公平秤复核 Fair scale</th>
                <th>标记 Flag</th>
              </tr>
            </thead>
            <tbody>
              {d.ratings.map((x) => (
                <tr key={x.id} className={x.accurate ? '' : 'row-expiring'}>
                  <td>{formatTime(x.at)}</td>
                  <td>{x.accurate ? <span className="badge v-valid">准确 Accurate</span> : <span className="badge v-expired">不准确 Inaccurate</span>}</td>
                  <td>
                    <Stars n={x.stars} />
                  </td>
                  <td>{x.comment ?? <span className="muted">—</span>}</td>
                  <td>
                    <FairScale fairG={x.fairWeightG} receiptG={x.receiptWeightG} />
                  </td>
                  <td>{x.isSuspect ? <span className="badge v-expiring" title="疑似刷评 (possibly part of a burst of coordinated ratings)">可疑 Suspect</span> : ''}</td>
                </tr>
              ))}
              {d.ratings.length === 0 && <EmptyRow cols={6} text="暂无消费者评价 No ratings yet" />}
            </tbody>
          </table>
        </>
      )}
    </Panel>
  );
}

/** Red-light scales: red and yellow scales within the viewer's jurisdiction, ranked for inspection. */
export function RedLightScalesPage() {
  const loc = useLocation();
  const { can } = useSession();
  const light = loc.query.get('light') ?? '';
  const list = useGet<{ items: RankedScale[] }>('/api/ratings/inspection?limit=500');
  const all = list.data?.items ?? [];
  const shown = all.map((s, i) => ({ s, rank: i + 1 })).filter((x) => !light || x.s.light === light);
  const red = all.filter((s) => s.light === 'red').length;
  return (
    <>
      <RatingStyle />
      <PageHeader title="红灯秤" en="Red-light scales">
        <p className="sub">
          依据消费者评价和公平秤复核，按证据强弱排序，红灯在前，供安排检查。{' '}
          <span className="en">Scales consumers rate as inaccurate (and fair-scale re-weighings), strongest evidence first, red before yellow: where to inspect next.</span>
        </p>
      </PageHeader>
      <ErrorBox error={list.error} />
      {list.data && (
        <div className="stat-row">
          <button type="button" className="stat stat-expired" style={{ textAlign: 'left', cursor: 'pointer' }} onClick={() => setQuery(loc, { light: 'red' })} data-stat="Red">
            <div className="stat-n">{red}</div>
            <div className="stat-label">
              红灯 <span className="en">Red</span>
            </div>
          </button>
          <button type="button" className="stat stat-expiring" style={{ textAlign: 'left', cursor: 'pointer' }} onClick={() => setQuery(loc, { light: 'yellow' })} data-stat="Yellow">
            <div className="stat-n">{all.length - red}</div>
            <div className="stat-label">
              黄灯 <span className="en">Yellow</span>
            </div>
          </button>
        </div>
      )}
      <div className="filters">
        <label className="filter">
          评价灯 <span className="en">Light</span>
          <select value={light} onChange={(e) => setQuery(loc, { light: e.target.value })}>
            <option value="">红灯和黄灯 Red and yellow</option>
            <option value="red">红灯 Red</option>
            <option value="yellow">黄灯 Yellow</option>
          </select>
        </label>
      </div>
      <table className="grid" data-testid="red-light-list">
        <thead>
          <tr>
            <th className="num">排序 Rank</th>
            <th>评价灯 Light</th>
            <th>出厂编号 Serial no.</th>
            <th>市场 / 摊位 Market / stall</th>
            <th>商户 Merchant</th>
            <th className="num">评价 Ratings</th>
            <th className="num">不准 Inaccurate</th>
            <th>依据 Reasons</th>
            <th>更新 Updated</th>
          </tr>
        </thead>
        <tbody>
          {shown.map(({ s, rank }) => (
            <tr key={s.scaleId} className={s.light === 'red' ? 'row-expired' : 'row-expiring'}>
              <td className="num">{rank}</td>
              <td>
                <LightBadge light={s.light} />
              </td>
              <td className="mono">
                <Link to={`/scales/${s.scaleId}`}>{s.serialNo}</Link>
              </td>
              <td>
                {s.marketId && can('market.read') ? <Link to={`/markets/${s.marketId}`}>{s.marketName}</Link> : (s.marketName ?? '—')}
                {s.stallNumber ? ` · ${s.stallNumber}` : ''}
              </td>
              <td>{s.merchantId && can('merchant.read') ? <Link to={`/merchants/${s.merchantId}`}>{s.merchantName}</Link> : (s.merchantName ?? <span className="muted">未分配 Unassigned</span>)}</td>
              <td className="num">{s.ratings}</td>
              <td className="num">{s.inaccurate}</td>
              <td>
                <ul className="reasons">
                  {s.reasons.map((x) => (
                    <li key={x}>{x}</li>
                  ))}
                </ul>
              </td>
              <td>{formatTime(s.updatedAt)}</td>
            </tr>
          ))}
          {list.data && shown.length === 0 && <EmptyRow cols={9} text="辖区内暂无红灯、黄灯电子秤 No red or yellow scales in your jurisdiction" />}
        </tbody>
      </table>
      {list.loading && !list.data && <Loading />}
      {list.data && all.length >= 500 && <p className="hint">仅显示前 500 台 Showing the first 500</p>}
    </>
  );
}

/** A merchant's own scales with their lights and what consumers said (GET /api/me/ratings). */
export function MyScaleRatingsPanel() {
  const r = useGet<{ scales: (Pick<ScaleRatings, 'light' | 'ratings'> & { scaleId: number; serialNo: string })[] }>('/api/me/ratings');
  return (
    <Panel title="我的电子秤评价" en="My scales' consumer ratings" className="ratings-panel">
      <RatingStyle />
      <ErrorBox error={r.error} />
      {!r.data && !r.error && <Loading />}
      {r.data && (
        <table className="grid" data-testid="my-scale-ratings">
          <thead>
            <tr>
              <th>出厂编号 Serial</th>
              <th>评价灯 Light</th>
              <th>评价 Ratings</th>
              <th>反映不准 Inaccurate</th>
              <th>最近留言 Latest comment</th>
            </tr>
          </thead>
          <tbody>
            {!r.data.scales.length && <EmptyRow cols={5} text="没有登记的电子秤 No scales registered" />}
            {r.data.scales.map((s) => (
              <tr key={s.scaleId}>
                <td>{s.serialNo}</td>
                <td>
                  <LightBadge light={s.light} />
                </td>
                <td>{s.ratings.length}</td>
                <td>{s.ratings.filter((x) => !x.accurate).length}</td>
                <td>{s.ratings.find((x) => x.comment)?.comment ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
