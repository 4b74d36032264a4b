/**
 * Weighed sales reported by IoT scales (GET /api/sales): the sales page with its filters, and the
 * sales table the scale and merchant pages reuse. Money comes in integer fen and is shown in yuan;
 * an over-cap sale is flagged red (飘红) with how far it is over.
 */
import { useEffect, useMemo, useState } from 'react';
import { cachedGet, qs, useGet } from '../api';
import { SALE_FLAGS, SALE_FLAG_LABELS, both, formatTimeSec, kgOf, yuanOf } from '../labels';
import { MarketSelect, MerchantPicker } from '../options';
import { Link, pageOf, setQuery, useLocation } from '../router';
import { useSession } from '../session';
import type { Merchant, Paged, Sale, SaleFlag, Scale } from '../types';
import { EmptyRow, ErrorBox, Loading, PageHeader, Pager, Panel } from '../ui';

/** Styles of the ingest pages (sales, devices, the scale's IoT panels); the app has no CSS modules. */
export const INGEST_CSS = `
.grid tr.row-over td { background: #fdecea; }
.grid tr.row-over td:first-child { box-shadow: inset 3px 0 0 var(--red); }
.grid tr.row-over .price-over { color: var(--red); font-weight: 700; }
.excess { color: var(--red); font-size: 12px; font-weight: 600; white-space: nowrap; }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 5px; vertical-align: 0; background: #98a2b3; }
.dot.on { background: #22a447; box-shadow: 0 0 0 3px rgba(34, 164, 71, 0.18); }
.dot.off { background: #98a2b3; }
.drift-bad { color: var(--red); font-weight: 700; }
.raw-block summary { cursor: pointer; color: var(--blue); font-size: 12px; }
.raw-block pre { margin: 4px 0 0; padding: 8px; background: #f6f8fb; border: 1px solid var(--line-2); border-radius: 3px; max-height: 240px; max-width: 640px; overflow: auto; white-space: pre-wrap; word-break: break-all; }
.secret-box { display: flex; gap: 6px; align-items: center; margin: 6px 0 4px; }
.secret-box input { flex: 1; font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; font-size: 14px; background: #fffdf3; }
.filters .picker, .filters .picked { width: 300px; }
.chip { display: inline-flex; align-items: center; gap: 4px; background: #eaf2fd; border: 1px solid #c6dbf7; border-radius: 12px; padding: 0 4px 0 10px; }
.chip button { border: 0; background: none; cursor: pointer; color: var(--muted); font-size: 15px; line-height: 1; }
.sales-grid td, .sales-grid th { white-space: nowrap; }
.sales-grid td.wrap { white-space: normal; }
`;
export const IngestStyle = () => <style>{INGEST_CSS}</style>;

/** Per 500 g (斤) from per kg, rounded half up to the fen as the price pages do. */
const perJinFen = (fenPerKg: number) => Math.round(fenPerKg / 2);

/**
 * Display names for ids the ingest API returns bare (sales and devices carry merchantId and
 * scaleId, not names): fetched once per id for the session. Unknown or out-of-reach ids stay absent.
 */
export function useNames(kind: 'merchants' | 'scales', ids: (number | null | undefined)[], enabled = true): Map<number, string> {
  const key = [...new Set(ids.filter((x): x is number => typeof x === 'number'))].sort((a, b) => a - b).join(',');
  const [names, setNames] = useState<Map<number, string>>(new Map());
  useEffect(() => {
    if (!enabled || !key) return;
    let live = true;
    for (const id of key.split(',').map(Number)) {
      cachedGet<Merchant | Scale>(`/api/${kind}/${id}`).then(
        (x) => {
          const name = 'serialNo' in x ? x.serialNo : x.name;
          if (live) setNames((m) => (m.get(id) === name ? m : new Map(m).set(id, name)));
        },
        () => {},
      );
    }
    return () => {
      live = false;
    };
  }, [kind, key, enabled]);
  return names;
}

export function FlagBadge({ flag }: { flag: string }) {
  const l = SALE_FLAG_LABELS[flag as SaleFlag];
  const tone = flag === 'over_cap' ? 'v-expired' : flag === 'unmapped_product' ? 'v-unverified' : 'v-expiring';
  return (
    <span className={`badge ${tone}`} data-flag={flag}>
      {l ? `${l.zh} ${l.en}` : flag}
    </span>
  );
}

const overCap = (s: Sale) => s.isOverCap || s.flags.includes('over_cap');

/** Sales as a table. Columns for scale and merchant can be left out where the page is about one of them. */
export function SalesTable({ sales, scaleNames, merchantNames, showScale = true, showMerchant = true }: { sales: Sale[] | undefined; scaleNames?: Map<number, string>; merchantNames?: Map<number, string>; showScale?: boolean; showMerchant?: boolean }) {
  const cols = 8 + (showScale ? 1 : 0) + (showMerchant ? 1 : 0);
  return (
    <div style={{ overflowX: 'auto' }}>
      <table className="grid sales-grid" data-testid="sales-list">
        <thead>
          <tr>
            <th title="秤上报的时间 the scale's own clock">时间 Time</th>
            {showScale && <th>电子秤 Scale</th>}
            {showMerchant && <th>商户 Merchant</th>}
            <th>商品 / PLU Product</th>
            <th className="num">重量 kg</th>
            <th className="num">单价 ¥/kg</th>
            <th className="num">单价 ¥/斤 (500 g)</th>
            <th className="num">金额 Total ¥</th>
            <th className="num">调控价 Cap ¥/kg</th>
            <th>标记 Flags</th>
          </tr>
        </thead>
        <tbody>
          {sales?.map((s) => {
            const over = overCap(s);
            const excess = over && s.capFenPerKg != null ? s.unitPriceFenPerKg - s.capFenPerKg : null;
            const expected = Math.round((s.weightG * s.unitPriceFenPerKg) / 1000);
            return (
              <tr key={`${s.scaleId}-${s.seq}`} className={over ? 'row-over' : ''} data-over-cap={over ? 'true' : 'false'} data-seq={s.seq} data-scale-id={s.scaleId}>
                <td title={`平台收到 received ${formatTimeSec(s.receivedAt)}`}>{formatTimeSec(s.at)}</td>
                {showScale && (
                  <td>
                    <Link to={`/scales/${s.scaleId}`} className="mono">
                      {scaleNames?.get(s.scaleId) ?? `#${s.scaleId}`}
                    </Link>
                    <div className="muted mono" title="序号 sequence no.">seq {s.seq}</div>
                  </td>
                )}
                {showMerchant && <td className="wrap">{s.merchantId ? <Link to={`/merchants/${s.merchantId}`}>{merchantNames?.get(s.merchantId) ?? `#${s.merchantId}`}</Link> : <span className="muted">未分配 Unassigned</span>}</td>}
                <td className="wrap">
                  {s.name} <span className="muted mono">PLU {s.plu}</span>
                  {!showScale && <div className="muted mono">seq {s.seq}</div>}
                </td>
                <td className="num">{kgOf(s.weightG)}</td>
                <td className={`num ${over ? 'price-over' : ''}`}>{yuanOf(s.unitPriceFenPerKg)}</td>
                <td className={`num ${over ? 'price-over' : ''}`}>{yuanOf(perJinFen(s.unitPriceFenPerKg))}</td>
                <td className="num" title={s.flags.includes('arithmetic_mismatch') ? `按重量×单价应为 ¥${yuanOf(expected)} (weight × price)` : undefined}>
                  {yuanOf(s.totalFen)}
                </td>
                <td className="num">
                  {s.capFenPerKg != null ? yuanOf(s.capFenPerKg) : <span className="muted">—</span>}
                  {excess != null && excess > 0 && (
                    <div className="excess" data-testid="excess">
                      超 +{yuanOf(excess)}/kg（{((excess / s.capFenPerKg!) * 100).toFixed(1)}%）
                    </div>
                  )}
                </td>
                <td className="wrap">
                  {s.flags.length ? s.flags.map((f) => <FlagBadge key={f} flag={f} />) : <span className="muted">—</span>}
                </td>
              </tr>
            );
          })}
          {sales && sales.length === 0 && <EmptyRow cols={cols} text="暂无交易 No sales" />}
        </tbody>
      </table>
    </div>
  );
}

/** The latest sales of a scale or a merchant, with a link to all of them on the sales page. */
export function RecentSalesPanel({ scaleId, merchantId }: { scaleId?: number; merchantId?: number }) {
  const { can } = useSession();
  const filter = scaleId ? { scaleId } : { merchantId };
  const sales = useGet<Paged<Sale>>(`/api/sales${qs({ ...filter, pageSize: 20 })}`);
  const items = sales.data?.items;
  const scaleNames = useNames('scales', items?.map((s) => s.scaleId) ?? [], !scaleId && can('scale.read'));
  const merchantNames = useNames('merchants', items?.map((s) => s.merchantId) ?? [], !merchantId && can('merchant.read'));
  const overCount = items?.filter(overCap).length ?? 0;
  return (
    <Panel
      title="最近交易"
      en="Recent sales"
      className="recent-sales"
      actions={
        <>
          {overCount > 0 && <span className="badge v-expired">{overCount} 笔超调控价 over cap</span>}
          <Link to={`/sales${qs(filter)}`} className="btn btn-sm">
            全部交易 All sales{sales.data ? ` (${sales.data.total})` : ''}
          </Link>
        </>
      }
    >
      <IngestStyle />
      <ErrorBox error={sales.error} />
      {sales.loading && !sales.data && <Loading />}
      <SalesTable sales={items} showScale={!scaleId} showMerchant={!merchantId} scaleNames={scaleNames} merchantNames={merchantNames} />
    </Panel>
  );
}

const dayStart = (d: string) => (d ? new Date(`${d}T00:00:00`).toISOString() : undefined);
/** The API's `to` is exclusive: the start of the next day. */
const dayAfter = (d: string) => {
  if (!d) return undefined;
  const x = new Date(`${d}T00:00:00`);
  x.setDate(x.getDate() + 1);
  return x.toISOString();
};

/** Sales within the viewer's jurisdiction, newest first, with filters in the query string. */
export function SalesPage() {
  const loc = useLocation();
  const { can } = useSession();
  const f = {
    marketId: loc.query.get('marketId') ?? '',
    merchantId: loc.query.get('merchantId') ?? '',
    scaleId: loc.query.get('scaleId') ?? '',
    overCap: loc.query.get('overCap') === 'true',
    flag: loc.query.get('flag') ?? '',
    from: loc.query.get('from') ?? '',
    to: loc.query.get('to') ?? '',
  };
  const page = pageOf(loc);
  const list = useGet<Paged<Sale>>(
    `/api/sales${qs({ marketId: f.marketId, merchantId: f.merchantId, scaleId: f.scaleId, overCap: f.overCap ? true : undefined, flag: f.flag, from: dayStart(f.from), to: dayAfter(f.to), page, pageSize: 50 })}`,
  );
  const picked = useGet<Merchant>(f.merchantId ? `/api/merchants/${f.merchantId}` : null, { cached: true });
  const scale = useGet<Scale>(f.scaleId ? `/api/scales/${f.scaleId}` : null, { cached: true });
  const items = list.data?.items;
  const scaleNames = useNames('scales', items?.map((s) => s.scaleId) ?? [], can('scale.read'));
  const merchantNames = useNames('merchants', items?.map((s) => s.merchantId) ?? [], can('merchant.read'));
  const merchantValue = useMemo(() => (f.merchantId && picked.data && String(picked.data.id) === f.merchantId ? picked.data : null), [f.merchantId, picked.data]);
  return (
    <>
      <IngestStyle />
      <PageHeader title="销售记录" en="Sales">
        <p className="sub">
          物联网电子秤上报的每一笔称重交易；超调控价的交易飘红显示。 <span className="en">Every weighed sale the IoT scales report; sales over the controlled price are shown in red.</span>
        </p>
      </PageHeader>
      <div className="filters">
        <label className="filter">
          市场 <span className="en">Market</span>
          <MarketSelect id="filter-market" name="marketId" value={f.marketId} placeholder="全部 All" onChange={(v) => setQuery(loc, { marketId: v })} />
        </label>
        <div className="filter">
          <label htmlFor="filter-merchant">
            商户 <span className="en">Merchant</span>
          </label>
          {f.merchantId && !merchantValue && !picked.error ? (
            <span className="muted">…</span>
          ) : (
            <MerchantPicker id="filter-merchant" value={merchantValue} onChange={(m) => setQuery(loc, { merchantId: m ? m.id : '' })} />
          )}
        </div>
        {f.scaleId && (
          <span className="chip" data-testid="scale-filter">
            电子秤 Scale <span className="mono">{scale.data?.serialNo ?? `#${f.scaleId}`}</span>
            <button type="button" aria-label="清除 Clear" onClick={() => setQuery(loc, { scaleId: '' })}>
              ×
            </button>
          </span>
        )}
        <label className="filter check">
          <input type="checkbox" name="overCap" checked={f.overCap} onChange={(e) => setQuery(loc, { overCap: e.target.checked ? 'true' : '' })} />
          只看超调控价 <span className="en">Over cap only</span>
        </label>
        <label className="filter">
          标记 <span className="en">Flag</span>
          <select name="flag" value={f.flag} onChange={(e) => setQuery(loc, { flag: e.target.value })}>
            <option value="">全部 All</option>
            {SALE_FLAGS.map((x) => (
              <option key={x} value={x}>
                {both(SALE_FLAG_LABELS[x])}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          自 <span className="en">From</span>
          <input type="date" name="from" value={f.from} onChange={(e) => setQuery(loc, { from: e.target.value })} />
        </label>
        <label className="filter">
          至 <span className="en">To</span>
          <input type="date" name="to" value={f.to} onChange={(e) => setQuery(loc, { to: e.target.value })} />
        </label>
      </div>
      <ErrorBox error={list.error ?? picked.error} />
      <SalesTable sales={items} scaleNames={scaleNames} merchantNames={merchantNames} />
      {list.loading && !list.data && <Loading />}
      {list.data && <Pager page={list.data.page} pageSize={list.data.pageSize} total={list.data.total} onPage={(p) => setQuery(loc, { page: p })} />}
    </>
  );
}
