import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, qs, useGet } from '../api';
import { both, formatTime } from '../labels';
import { DistrictSelect, MarketSelect, SearchBox } from '../options';
import { Link, pageOf, setQuery, useLocation } from '../router';
import { useSession } from '../session';
import type { Paged } from '../types';
import { EmptyRow, ErrorBox, Facts, Field, FormActions, Loading, Modal, PageHeader, Pager, Panel } from '../ui';
import { useForm } from '../form';
import {
  ACTION_LABELS,
  SEVERITIES,
  SEVERITY_LABELS,
  STATUSES,
  STATUS_GROUPS,
  STATUS_LABELS,
  SeverityBadge,
  StatusBadge,
  StreamIndicator,
  formatData,
  useAlertStream,
  type Alert,
  type AlertAction,
  type AlertCounts,
  type AlertDetail,
  type AlertEvent,
} from './alerts-live';

// New and changed rows flash, so a live change is seen without reading every row.
const CSS = `
.grid tr.alert-new td { animation: alert-flash 4s ease-out; }
.grid tr.alert-new td:first-child { box-shadow: inset 3px 0 0 #d7302a; }
@keyframes alert-flash { from { background: #ffe08a; } to { background: transparent; } }
.type-chips { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 10px; }
.type-chip { display: inline-flex; gap: 6px; align-items: center; border: 1px solid var(--line); background: #fff; border-radius: 14px; padding: 2px 10px; cursor: pointer; font: inherit; color: var(--text); }
.type-chip.on { border-color: var(--blue); background: #eaf2fd; }
.type-chip b { font-variant-numeric: tabular-nums; color: var(--red); }
.new-banner { cursor: pointer; }
`;

const dayStart = (d: string) => (d ? new Date(`${d}T00:00:00`).toISOString() : undefined);
const dayEnd = (d: string) => (d ? new Date(`${d}T23:59:59.999`).toISOString() : undefined);

type Filters = { status: string; type: string; severity: string; districtId: string; marketId: string; q: string; from: string; to: string };

/** Whether a live alert belongs in the list as filtered (the server applies the same filters to a reload). */
function matches(a: Alert, f: Filters): boolean {
  const status = f.status === 'active' ? a.status === 'open' || a.status === 'acknowledged' : f.status === 'closed' ? a.status === 'resolved' || a.status === 'dismissed' : !f.status || f.status === 'all' || a.status === f.status;
  return (
    status &&
    (!f.type || a.type === f.type) &&
    (!f.severity || a.severity === f.severity) &&
    (!f.districtId || a.districtId === Number(f.districtId)) &&
    (!f.marketId || a.marketId === Number(f.marketId)) &&
    (!f.q || a.title.toLowerCase().includes(f.q.toLowerCase())) &&
    (!f.from || a.lastSeenAt >= dayStart(f.from)!) &&
    (!f.to || a.firstSeenAt <= dayEnd(f.to)!)
  );
}

/** The number of new alerts in the tab title while the page is open, until they are looked at. */
function useTitleCount(n: number) {
  useEffect(() => {
    const base = document.title.replace(/^\(\d+\) /, '');
    document.title = n > 0 ? `(${n}) ${base}` : base;
    return () => {
      document.title = base;
    };
  }, [n]);
}

/** Alerts within the viewer's jurisdiction: counts by severity and type, filters, and a list that updates live. */
export function AlertsPage() {
  const loc = useLocation();
  const f: Filters = {
    status: loc.query.get('status') ?? 'active',
    type: loc.query.get('type') ?? '',
    severity: loc.query.get('severity') ?? '',
    districtId: loc.query.get('districtId') ?? '',
    marketId: loc.query.get('marketId') ?? '',
    q: loc.query.get('q') ?? '',
    from: loc.query.get('from') ?? '',
    to: loc.query.get('to') ?? '',
  };
  const page = pageOf(loc);
  const path = `/api/alerts${qs({ ...f, status: f.status === 'all' ? '' : f.status, from: dayStart(f.from), to: dayEnd(f.to), page, pageSize: 50 })}`;

  const [list, setList] = useState<Paged<Alert> | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [flash, setFlash] = useState<Set<number>>(new Set());
  const [unseen, setUnseen] = useState(0);
  const counts = useGet<AlertCounts>('/api/alerts/summary');
  const filters = useRef(f);
  filters.current = f;
  const loadSeq = useRef(0);

  const load = useCallback(() => {
    const n = ++loadSeq.current;
    api.get<Paged<Alert>>(path).then(
      (data) => {
        if (n !== loadSeq.current) return;
        setList(data);
        setError(null);
      },
      (e: unknown) => n === loadSeq.current && setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e))),
    );
  }, [path]);
  useEffect(load, [load]);

  // Counts change with every event: reload them at most once a second.
  const countsTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const reloadCounts = counts.reload;
  const countsSoon = useCallback(() => {
    if (countsTimer.current) return;
    countsTimer.current = setTimeout(() => {
      countsTimer.current = null;
      reloadCounts();
    }, 1000);
  }, [reloadCounts]);
  useEffect(() => () => void (countsTimer.current && clearTimeout(countsTimer.current)), []);

  const onAlert = useCallback(
    (a: AlertEvent) => {
      if (a.change === 'created') setUnseen((n) => n + 1);
      countsSoon();
      setList((cur) => {
        if (!cur) return cur;
        const i = cur.items.findIndex((x) => x.id === a.id);
        if (i >= 0) {
          if (cur.items[i]!.version >= a.version) return cur;
          const items = [...cur.items];
          items[i] = a;
          return { ...cur, items };
        }
        // Newest activity comes first: a live alert that fits the filters joins the top of page 1.
        if (cur.page !== 1 || !matches(a, filters.current)) return cur;
        return { ...cur, items: [a, ...cur.items], total: cur.total + 1 };
      });
      setFlash((s) => new Set(s).add(a.id));
      setTimeout(() => setFlash((s) => {
        const next = new Set(s);
        next.delete(a.id);
        return next;
      }), 4000);
    },
    [countsSoon],
  );
  const onSync = useCallback(() => {
    load();
    reloadCounts();
  }, [load, reloadCounts]);
  const stream = useAlertStream(onAlert, onSync);

  useTitleCount(unseen);
  useEffect(() => {
    const seen = () => document.visibilityState === 'visible' && setTimeout(() => setUnseen(0), 3000);
    window.addEventListener('focus', seen);
    document.addEventListener('visibilitychange', seen);
    return () => {
      window.removeEventListener('focus', seen);
      document.removeEventListener('visibilitychange', seen);
    };
  }, []);

  const c = counts.data;
  const activeCount = (x: { open: number; acknowledged: number }) => x.open + x.acknowledged;
  return (
    <>
      <style>{CSS}</style>
      <PageHeader title="预警" en="Alerts" actions={<StreamIndicator state={stream} />}>
        <p className="sub">
          辖区内的超调控价、作弊、检定过期、离线等预警，实时推送。 <span className="en">Over-cap sales, tampering, expired verification, offline scales and more within your jurisdiction, live.</span>
        </p>
      </PageHeader>
      {unseen > 0 && (
        <div className="alert alert-warn new-banner" role="status" onClick={() => setUnseen(0)} data-testid="new-alerts">
          收到 {unseen} 条新预警 <span className="en">{unseen} new alert{unseen > 1 ? 's' : ''} — click to mark as seen</span>
        </div>
      )}
      <ErrorBox error={counts.error} />
      {c && (
        <div className="stat-row">
          <button type="button" className="stat" style={{ textAlign: 'left', cursor: 'pointer' }} onClick={() => setQuery(loc, { status: 'active', severity: '' })} data-stat="Active">
            <div className="stat-n">{activeCount(c).toLocaleString('zh-CN')}</div>
            <div className="stat-label">
              未办结 <span className="en">Open {c.open} · acknowledged {c.acknowledged}</span>
            </div>
          </button>
          {SEVERITIES.map((s) => {
            const row = c.bySeverity.find((x) => x.severity === s);
            const tone = s === 'critical' ? 'failed' : s === 'high' ? 'expired' : s === 'medium' ? 'expiring' : 'unverified';
            return (
              <button key={s} type="button" className={`stat stat-${tone}`} style={{ textAlign: 'left', cursor: 'pointer' }} onClick={() => setQuery(loc, { status: 'active', severity: s })} data-stat={SEVERITY_LABELS[s].en}>
                <div className="stat-n">{row ? activeCount(row).toLocaleString('zh-CN') : 0}</div>
                <div className="stat-label">
                  {SEVERITY_LABELS[s].zh} <span className="en">{SEVERITY_LABELS[s].en}</span>
                </div>
              </button>
            );
          })}
        </div>
      )}
      {c && c.byType.some((x) => activeCount(x) > 0) && (
        <div className="type-chips" aria-label="按类型 By type">
          {c.byType
            .filter((x) => activeCount(x) > 0)
            .map((x) => (
              <button key={x.type} type="button" className={`type-chip ${f.type === x.type ? 'on' : ''}`} onClick={() => setQuery(loc, { type: f.type === x.type ? '' : x.type, status: 'active' })} data-type={x.type}>
                {x.zh} <span className="en">{x.en}</span> <b>{activeCount(x)}</b>
              </button>
            ))}
        </div>
      )}
      <div className="filters">
        <SearchBox value={f.q} placeholder="标题 Title" onSearch={(v) => setQuery(loc, { q: v })} />
        <label className="filter">
          状态 <span className="en">Status</span>
          <select value={f.status} onChange={(e) => setQuery(loc, { status: e.target.value })} name="status">
            <option value="active">{both(STATUS_GROUPS.active)}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {both(STATUS_LABELS[s])}
              </option>
            ))}
            <option value="closed">{both(STATUS_GROUPS.closed)}</option>
            <option value="all">全部 All</option>
          </select>
        </label>
        <label className="filter">
          类型 <span className="en">Type</span>
          <select value={f.type} onChange={(e) => setQuery(loc, { type: e.target.value })} name="type">
            <option value="">全部 All</option>
            {c?.byType.map((x) => (
              <option key={x.type} value={x.type}>
                {x.zh} {x.en}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          级别 <span className="en">Severity</span>
          <select value={f.severity} onChange={(e) => setQuery(loc, { severity: e.target.value })} name="severity">
            <option value="">全部 All</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {both(SEVERITY_LABELS[s])}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          辖区 <span className="en">District</span>
          <DistrictSelect id="filter-district" name="districtId" value={f.districtId} placeholder="全部 All" onChange={(v) => setQuery(loc, { districtId: v })} />
        </label>
        <label className="filter">
          市场 <span className="en">Market</span>
          <MarketSelect id="filter-market" name="marketId" value={f.marketId} placeholder="全部 All" onChange={(v) => setQuery(loc, { marketId: v })} />
        </label>
        <label className="filter">
          自 <span className="en">From</span>
          <input type="date" value={f.from} onChange={(e) => setQuery(loc, { from: e.target.value })} name="from" />
        </label>
        <label className="filter">
          至 <span className="en">To</span>
          <input type="date" value={f.to} onChange={(e) => setQuery(loc, { to: e.target.value })} name="to" />
        </label>
      </div>
      <ErrorBox error={error} />
      <table className="grid" data-testid="alert-list">
        <thead>
          <tr>
            <th>级别 Severity</th>
            <th>类型 Type</th>
            <th>预警 Alert</th>
            <th>商户 / 电子秤 Merchant / scale</th>
            <th>市场 / 辖区 Market / district</th>
            <th className="num">证据 Evidence</th>
            <th>最近 Last seen</th>
            <th>状态 Status</th>
          </tr>
        </thead>
        <tbody>
          {list?.items.map((a) => (
            <tr key={a.id} className={`${flash.has(a.id) ? 'alert-new' : ''} ${a.status === 'open' && (a.severity === 'critical' || a.severity === 'high') ? 'row-expired' : ''}`} data-alert-id={a.id}>
              <td>
                <SeverityBadge severity={a.severity} />
              </td>
              <td>
                {a.typeLabel.zh} <span className="en">{a.typeLabel.en}</span>
              </td>
              <td>
                <Link to={`/alerts/${a.id}`}>{a.title}</Link>
                {a.summary && <div className="muted">{a.summary}</div>}
              </td>
              <td>
                {a.merchantId ? <Link to={`/merchants/${a.merchantId}`}>{a.merchantName}</Link> : '—'}
                {a.scaleId && (
                  <div className="mono">
                    <Link to={`/scales/${a.scaleId}`}>{a.scaleSerialNo}</Link>
                  </div>
                )}
              </td>
              <td>
                {a.marketName ?? '—'}
                <div className="muted">{a.districtName}</div>
              </td>
              <td className="num">{a.evidenceCount.toLocaleString('zh-CN')}</td>
              <td>{formatTime(a.lastSeenAt)}</td>
              <td>
                <StatusBadge status={a.status} />
              </td>
            </tr>
          ))}
          {list && list.items.length === 0 && <EmptyRow cols={8} text="暂无预警 No alerts" />}
        </tbody>
      </table>
      {!list && !error && <Loading />}
      {list && <Pager page={list.page} pageSize={list.pageSize} total={list.total} onPage={(p) => setQuery(loc, { page: p })} />}
    </>
  );
}

/** One alert: what it is about, its evidence (newest first), its history, and the next steps of its lifecycle. */
export function AlertDetailPage({ id }: { id: number }) {
  const loc = useLocation();
  const { can } = useSession();
  const ep = Math.max(1, Math.floor(Number(loc.query.get('ep'))) || 1);
  const detail = useGet<AlertDetail>(`/api/alerts/${id}?evidencePage=${ep}&evidencePageSize=20`);
  const [action, setAction] = useState<AlertAction | null>(null);
  const [toCredit, setToCredit] = useState(false);
  const reload = detail.reload;
  // A busy alert changes many times a second: reload at most twice a second.
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => void (pending.current && clearTimeout(pending.current)), []);
  const reloadSoon = useCallback(() => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      reload();
    }, 500);
  }, [reload]);
  useAlertStream(
    useCallback((a: AlertEvent) => a.id === id && reloadSoon(), [id, reloadSoon]),
    reloadSoon,
  );
  const d = detail.data;
  if (detail.error) return <ErrorBox error={detail.error} />;
  if (!d) return <Loading />;
  const a = d.alert;
  return (
    <>
      <PageHeader
        title={a.title}
        en={`${a.typeLabel.en} #${a.id}`}
        actions={
          can('alert.act') && [
            a.merchantId && a.creditEventId === null && (
              <button key="credit" type="button" className="btn" onClick={() => setToCredit(true)}>
                记为信用事件 Record as credit event
              </button>
            ),
            ...d.allowedActions.map((x) => (
            <button key={x} type="button" className={`btn ${x === 'acknowledge' ? 'btn-primary' : x === 'dismiss' ? 'btn-danger' : ''}`} onClick={() => setAction(x)}>
              {ACTION_LABELS[x].zh} {ACTION_LABELS[x].en}
            </button>
            )),
          ]
        }
      >
        <div className="crumbs">
          <Link to="/alerts">预警 Alerts</Link> › #{a.id}
        </div>
        <div style={{ marginTop: 6 }}>
          <SeverityBadge severity={a.severity} /> <StatusBadge status={a.status} />{' '}
          <span className="badge v-unverified">
            {a.typeLabel.zh} {a.typeLabel.en}
          </span>
        </div>
      </PageHeader>
      <div className="two-col">
        <Panel title="对象" en="Subject">
          <Facts
            rows={[
              ['商户', 'Merchant', a.merchantId ? <Link to={`/merchants/${a.merchantId}`}>{a.merchantName}</Link> : null],
              ['电子秤', 'Scale', a.scaleId ? <Link to={`/scales/${a.scaleId}`}>{a.scaleSerialNo}</Link> : null],
              ['市场', 'Market', a.marketId ? <Link to={`/markets/${a.marketId}`}>{a.marketName}</Link> : null],
              ['辖区', 'District', a.districtName],
              ['承办监管所', 'Routed to office', a.officeName],
              ['最新情况', 'Latest', a.summary],
              ['信用事件', 'Credit event', a.creditEventId && a.merchantId ? <Link to={`/merchants/${a.merchantId}`}>#{a.creditEventId}</Link> : null],
            ]}
          />
        </Panel>
        <Panel title="时间与证据" en="Times and evidence">
          <Facts
            rows={[
              ['首次发现', 'First seen', formatTime(a.firstSeenAt)],
              ['最近发现', 'Last seen', formatTime(a.lastSeenAt)],
              ['立案时间', 'Opened', formatTime(a.openedAt)],
              ['签收时间', 'Acknowledged', a.acknowledgedAt ? formatTime(a.acknowledgedAt) : null],
              ['关闭时间', 'Closed', a.closedAt ? formatTime(a.closedAt) : null],
              [
                '证据条数',
                'Evidence',
                a.evidenceCount > a.evidenceStored
                  ? `${a.evidenceCount}（保存前 ${a.evidenceStored} 条 · first ${a.evidenceStored} kept）`
                  : String(a.evidenceCount),
              ],
            ]}
          />
        </Panel>
      </div>
      <Panel title="证据" en="Evidence">
        <table className="grid">
          <thead>
            <tr>
              <th>时间 Time</th>
              <th>情况 Summary</th>
              <th>数据 Data</th>
              <th>来源 Source</th>
            </tr>
          </thead>
          <tbody>
            {d.evidence.items.map((e) => (
              <tr key={e.id}>
                <td>{formatTime(e.at)}</td>
                <td>{e.summary}</td>
                <td className="mono">{formatData(e.data)}</td>
                <td className="mono">{e.source ? `${e.source.scaleId ? `scale ${e.source.scaleId}` : ''}${e.source.seq ? ` · seq ${e.source.seq}` : ''}` : '—'}</td>
              </tr>
            ))}
            {d.evidence.items.length === 0 && <EmptyRow cols={4} />}
          </tbody>
        </table>
        <Pager page={d.evidence.page} pageSize={d.evidence.pageSize} total={d.evidence.total} onPage={(p) => setQuery(loc, { ep: p }, { keepPage: true })} />
      </Panel>
      <Panel title="处理记录" en="History">
        <table className="grid">
          <thead>
            <tr>
              <th>时间 When</th>
              <th>操作 Action</th>
              <th>状态 Status</th>
              <th>人员 Who</th>
              <th>说明 Note</th>
            </tr>
          </thead>
          <tbody>
            {d.actions.map((x) => (
              <tr key={x.id}>
                <td>{formatTime(x.at)}</td>
                <td>{both(ACTION_LABELS[x.action], x.action)}</td>
                <td>
                  {both(STATUS_LABELS[x.fromStatus], x.fromStatus)} → {both(STATUS_LABELS[x.toStatus], x.toStatus)}
                </td>
                <td>{x.staffName ?? x.staffId}</td>
                <td>{x.note || '—'}</td>
              </tr>
            ))}
            {d.actions.length === 0 && <EmptyRow cols={5} text="尚未处理 Not yet acted on" />}
          </tbody>
        </table>
      </Panel>
      {toCredit && (
        <Modal title="将预警记为信用事件" en="Record the finding as a credit event" onClose={() => setToCredit(false)}>
          <CreditEventForm
            alertId={id}
            onDone={() => {
              setToCredit(false);
              reload();
            }}
          />
        </Modal>
      )}
      {action && (
        <Modal title={`${ACTION_LABELS[action].zh}预警`} en={`${ACTION_LABELS[action].en} the alert`} onClose={() => setAction(null)}>
          <ActionForm
            alertId={id}
            action={action}
            onDone={() => {
              setAction(null);
              reload();
            }}
          />
        </Modal>
      )}
    </>
  );
}

function ActionForm({ alertId, action, onDone }: { alertId: number; action: AlertAction; onDone: () => void }) {
  const f = useForm({ note: '' });
  const required = ACTION_LABELS[action].noteRequired;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const note = f.values.note.trim();
    const done = await f.submit(() => api.post<Alert>(`/api/alerts/${alertId}/${action}`, note ? { note } : {}));
    if (done) onDone();
  };
  return (
    <form className="form-grid one" onSubmit={submit} noValidate>
      <ErrorBox message={f.topError} />
      <Field label="说明" en="Note" name="note" error={f.errors.note} required={required} hint={required ? '办结或排除须说明处理结果或理由 (say what was done, or why)' : '可选 (optional)'}>
        <textarea {...f.bind('note')} rows={4} maxLength={1000} autoFocus style={{ width: '100%' }} />
      </Field>
      <FormActions>
        <button className="btn btn-primary" disabled={f.submitting || (required && !f.values.note.trim())}>
          {ACTION_LABELS[action].zh} {ACTION_LABELS[action].en}
        </button>
      </FormActions>
    </form>
  );
}

/** Turns the finding into a credit event for its merchant: the item the alert type suggests unless another is given. */
function CreditEventForm({ alertId, onDone }: { alertId: number; onDone: () => void }) {
  const f = useForm({ itemCode: '', note: '' });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const itemCode = f.values.itemCode.trim();
    const note = f.values.note.trim();
    const done = await f.submit(() => api.post(`/api/alerts/${alertId}/credit-event`, { ...(itemCode ? { itemCode } : {}), ...(note ? { note } : {}) }));
    if (done) onDone();
  };
  return (
    <form className="form-grid one" onSubmit={submit} noValidate>
      <ErrorBox message={f.topError} />
      <Field label="评分条目" en="Rulebook item" name="itemCode" error={f.errors.itemCode} hint="留空按预警类型：超调控价 CAP-01，检定过期 MET-03，红灯秤 MET-05 (blank: the item the alert type suggests)">
        <input {...f.bind('itemCode')} maxLength={40} placeholder="CAP-01" />
      </Field>
      <Field label="核实意见" en="Inspector's note" name="note" error={f.errors.note} hint="监管人员记录即确认扣分，商户可提出异议 (an inspector's record counts at once; the merchant may object)">
        <textarea {...f.bind('note')} rows={3} maxLength={1000} style={{ width: '100%' }} />
      </Field>
      <FormActions>
        <button className="btn btn-primary" disabled={f.submitting}>
          记为信用事件 Record as credit event
        </button>
      </FormActions>
    </form>
  );
}
