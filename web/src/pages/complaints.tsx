/**
 * Consumer complaints (消费投诉) in the web app. The supervision office works the complaints of its
 * jurisdiction against their statutory clocks (受理 7, 调解 45, 终止告知 7 working days) and
 * decides them (消费投诉); a merchant's own account answers the complaints about it that the office
 * accepted (我的投诉). The clocks, the masking of the consumer's phone and what may happen in each
 * status are the server's (src/modules/feedback/complaint*.rules.ts); the app shows them, and the
 * server's answer, refusals included, word for word.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { api, qs, useGet } from '../api';
import { useForm } from '../form';
import { COMPLAINT_STATUS_LABELS, COMPLAINT_STATUS_LIST, COMPLAINT_STEP_LABELS, MEDIATION_OUTCOME_LABELS, MESSAGE_AUTHOR_LABELS, PAUSE_KIND_LABELS, PAUSE_KIND_ORDER, STEP_STATE_LABELS, both, formatTime, formatTimeSec, kgOf, yuanOf } from '../labels';
import { Link, navigate, pageOf, setQuery, useLocation } from '../router';
import { useSession } from '../session';
import type { Complaint, ComplaintClock, ComplaintDetail, ComplaintMessage, ComplaintPause, ComplaintSale, ComplaintStatus, ComplaintStepClock, MediationOutcome, MessageAuthor, Paged, PauseKind, RulebookInForce } from '../types';
import { EmptyRow, ErrorBox, Facts, Field, FormActions, Loading, Modal, PageHeader, Pager, Panel } from '../ui';
import { CN_CALENDAR, workingDaysBetween } from '../../../src/modules/feedback/calendar.rules';

const CSS = `
.cps { font-weight: 600; }
.cps-received { background: var(--amber-bg); color: var(--amber); }
.cps-accepted, .cps-mediating { background: #e8f0fc; color: var(--blue-d); }
.cps-refused { background: var(--grey-bg); color: #4d5869; }
.cps-closed { background: var(--green-bg); color: var(--green); }
.clock-due { white-space: nowrap; }
.clock-late { color: var(--red); font-weight: 600; white-space: nowrap; }
.clock-today { color: var(--amber); font-weight: 600; white-space: nowrap; }
.clock-left { white-space: nowrap; }
.grid .clock-late .en, .grid .clock-today .en, .grid .clock-left .en { display: block; font-weight: 400; }
.step-basis { color: var(--muted); font-size: 12px; max-width: 30em; }
.grid tr.step-now td { background: #f5f9ff; }
.complaint-text { white-space: pre-wrap; overflow-wrap: anywhere; max-width: 62em; margin: 0; }
.cell-text { max-width: 26em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.thread { list-style: none; margin: 0 0 12px; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.thread li { max-width: 46em; border: 1px solid var(--line-2); border-radius: 6px; padding: 6px 10px; background: #fff; }
.thread li.by-consumer { align-self: flex-start; background: #fbfbfc; }
.thread li.by-merchant { align-self: flex-start; background: #fff9ee; border-color: #f3e3c3; }
.thread li.by-office { align-self: flex-end; background: #eef4fd; border-color: #cfe0f7; }
.thread li.mine { box-shadow: inset 3px 0 0 var(--blue); }
.thread .who { font-weight: 600; font-size: 12px; }
.thread .when { color: var(--muted); font-size: 12px; margin-left: 6px; }
.thread .body { white-space: pre-wrap; overflow-wrap: anywhere; margin-top: 2px; }
.message-box { max-width: 46em; }
.message-box textarea { width: 100%; }
.pause-now { background: #fff8e6; border: 1px solid #f0d9a4; border-radius: 3px; padding: 8px 10px; margin-bottom: 10px; }
.pause-reason { white-space: pre-wrap; overflow-wrap: anywhere; max-width: 30em; }
.consequence { background: #fff6f5; border: 1px solid #f2c4bf; color: #7d1d16; border-radius: 3px; padding: 8px 10px; }
`;
export const ComplaintStyle = () => <style>{CSS}</style>;

/** Statuses in which the office and the consumer may still write (complaint.rules.ts MAY_WRITE). */
const OFFICE_MAY_WRITE: ComplaintStatus[] = ['received', 'accepted', 'mediating'];
const MERCHANT_MAY_WRITE: ComplaintStatus[] = ['accepted', 'mediating'];

export function ComplaintStatusBadge({ status }: { status: ComplaintStatus }) {
  return (
    <span className={`badge cps cps-${status}`} data-status={status}>
      {both(COMPLAINT_STATUS_LABELS[status], status)}
    </span>
  );
}

/**
 * How late a step is, in working days as its deadline is counted, with the calendar days the API
 * gives (daysOverdue). The API has no working-day figure, so it is counted here with the server's
 * own calendar rules; a step late only over a weekend or holiday is 0 working days late.
 */
function lateness(s: ComplaintStepClock, today: string): { zh: string; en: string } {
  const days = s.daysOverdue;
  const working = s.deadline ? workingDaysBetween(s.deadline, s.doneOn ?? today, CN_CALENDAR) : 0;
  const plural = (n: number) => (n === 1 ? '' : 's');
  return working > 0
    ? { zh: `${working} 个工作日（${days} 天）`, en: `${working} working day${plural(working)}` }
    : { zh: `${days} 天`, en: `${days} day${plural(days)}` };
}

/** Where one step's clock stands: late in red, due today, or the working days left. */
function ClockState({ s, today }: { s: ComplaintStepClock; today: string }) {
  if (s.state === 'done')
    return s.overdue ? (
      <span className="clock-late">
        超期 {lateness(s, today).zh}完成 <span className="en">done {lateness(s, today).en} late</span>
      </span>
    ) : (
      <span className="badge v-valid">按期完成 Done in time</span>
    );
  if (s.state !== 'running' && s.state !== 'paused') return <span className="muted">{both(STEP_STATE_LABELS[s.state], s.state)}</span>;
  const paused = s.state === 'paused' ? <span className="badge v-unverified" data-paused="1">{both(STEP_STATE_LABELS.paused)}</span> : null;
  if (s.overdue)
    return (
      <span className="clock-late" data-overdue={s.daysOverdue}>
        逾期 {lateness(s, today).zh} <span className="en">{lateness(s, today).en} overdue</span> {paused}
      </span>
    );
  if (s.dueToday || s.workingDaysLeft === 0)
    return (
      <span className="clock-today">
        今日到期 <span className="en">Due today</span> {paused}
      </span>
    );
  return (
    <span className="clock-left">
      剩 {s.workingDaysLeft} 个工作日 <span className="en">{s.workingDaysLeft} working day{s.workingDaysLeft === 1 ? '' : 's'} left</span> {paused}
    </span>
  );
}

/** The list's clock cells: the step due now, its deadline and what is left of it. */
function DueCells({ clock }: { clock: ComplaintClock }) {
  const d = clock.due;
  if (!d)
    return (
      <>
        <td className="muted">—</td>
        <td className="muted">—</td>
        <td>{clock.overdueSteps.length > 0 ? <span className="badge v-expiring">曾超期 Was late</span> : <span className="muted">—</span>}</td>
      </>
    );
  return (
    <>
      <td>
        {d.title.zh} <span className="en">{d.title.en}</span>
      </td>
      <td className="clock-due">
        {d.deadline ?? '—'}
        {clock.provisional && <span title="节假日安排未公布，暂按周末计算 (the holiday calendar of a year is not loaded: weekends only)"> *</span>}
      </td>
      <td>
        <ClockState s={d} today={clock.today} />
      </td>
    </>
  );
}

/** The three statutory clocks of one complaint, with their legal basis; the mediation deadline says how far pauses moved it. */
function ClocksTable({ clock, pauses = [] }: { clock: ComplaintClock; pauses?: ComplaintPause[] }) {
  const pausedDays = pauses.reduce((n, p) => n + p.workingDays, 0);
  return (
    <>
      <table className="grid" data-testid="complaint-clocks">
        <thead>
          <tr>
            <th>环节 Step</th>
            <th>依据 Legal basis</th>
            <th>起算日 Counts from</th>
            <th>期限 Deadline</th>
            <th>完成日 Done on</th>
            <th>状态 State</th>
          </tr>
        </thead>
        <tbody>
          {clock.steps.map((s) => (
            <tr key={s.step} data-step={s.step} className={`${s.overdue && s.state !== 'done' ? 'row-expired' : ''} ${clock.due?.step === s.step ? 'step-now' : ''}`}>
              <td>
                {s.title.zh} <span className="en">{s.title.en}</span>
              </td>
              <td className="step-basis" title={COMPLAINT_STEP_LABELS[s.step]?.basis.en}>
                {COMPLAINT_STEP_LABELS[s.step]?.basis.zh}
              </td>
              <td>{s.startsOn ?? '—'}</td>
              <td className="clock-due">
                {s.deadline ?? '—'}
                {s.step === 'mediation' && s.deadline && pausedDays > 0 && (
                  <div className="hint">
                    含暂停顺延 {pausedDays} 个工作日 <span className="en">moved by {pausedDays} paused working day{pausedDays === 1 ? '' : 's'}</span>
                  </div>
                )}
              </td>
              <td>{s.doneOn ?? '—'}</td>
              <td>
                <ClockState s={s} today={clock.today} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">
        期限按工作日计算（含法定节假日调休），起算日次日为第 1 日；今天是 {clock.today}。{' '}
        <span className="en">Deadlines count working days of the Chinese calendar from the day after the start; today is {clock.today}.</span>
        {clock.provisional && (
          <span className="warn-text">
            {' '}
            部分期限跨越尚未公布节假日安排的年份，暂按周末计算。 <span className="en">A deadline runs into a year whose holiday calendar is not loaded: counted with weekends only for now.</span>
          </span>
        )}
      </p>
    </>
  );
}

function SaleFacts({ sale, canOpenScale }: { sale: ComplaintSale | null; canOpenScale: boolean }) {
  if (!sale)
    return (
      <p className="muted" data-testid="complaint-sale">
        投诉人未附交易小票 <span className="en">No sale attached</span>
      </p>
    );
  return (
    <div data-testid="complaint-sale">
      <Facts
        rows={[
          ['小票号', 'Receipt no.', sale.receiptNo ? <span className="mono">{sale.receiptNo}</span> : null],
          ['交易序号', 'Sale seq', <span className="mono">{sale.scaleId} · {sale.seq}</span>],
          ['交易时间', 'Sold at', sale.at ? formatTimeSec(sale.at) : <span className="muted">交易记录已不在保存期内 no longer kept</span>],
          ['商品', 'Product', sale.product],
          ['重量', 'Weight', sale.weightG == null ? null : `${kgOf(sale.weightG)} kg`],
          ['单价', 'Unit price', sale.unitPriceFenPerKg == null ? null : `${yuanOf(sale.unitPriceFenPerKg)} 元/kg`],
          ['金额', 'Total', sale.totalFen == null ? null : `${yuanOf(sale.totalFen)} 元`],
          ['超调控价', 'Over cap', sale.isOverCap == null ? null : sale.isOverCap ? <span className="badge v-expired">超调控价 Over cap</span> : '否 No'],
          ['电子秤', 'Scale', canOpenScale ? <Link to={`/scales/${sale.scaleId}`}>#{sale.scaleId}</Link> : `#${sale.scaleId}`],
        ]}
      />
    </div>
  );
}

/** What the consumer wrote, and the sale attached to it. */
function ContentPanel({ c, canOpenScale }: { c: ComplaintDetail; canOpenScale: boolean }) {
  return (
    <Panel title="投诉内容" en="What the consumer wrote">
      <p className="complaint-text" data-testid="complaint-content">
        {c.content}
      </p>
      <h3 style={{ fontSize: 13, margin: '12px 0 6px' }}>
        关联交易 <span className="en">Attached sale</span>
      </h3>
      <SaleFacts sale={c.sale} canOpenScale={canOpenScale} />
    </Panel>
  );
}

/** The mediation messages, oldest first; the viewer's own side is marked. */
function Thread({ messages, me }: { messages: ComplaintMessage[]; me: MessageAuthor }) {
  if (!messages.length)
    return (
      <p className="muted" data-testid="complaint-thread">
        暂无留言 <span className="en">No messages yet</span>
      </p>
    );
  return (
    <ol className="thread" data-testid="complaint-thread">
      {messages.map((m) => (
        <li key={m.id} className={`by-${m.author} ${m.author === me ? 'mine' : ''}`} data-author={m.author}>
          <span className="who">
            {MESSAGE_AUTHOR_LABELS[m.author]?.zh ?? m.author} <span className="en">{MESSAGE_AUTHOR_LABELS[m.author]?.en}</span>
          </span>
          <span className="when">{formatTime(m.at)}</span>
          <div className="body">{m.body}</div>
        </li>
      ))}
    </ol>
  );
}

/** Writes one message in the mediation; `path` is the API's messages path for the viewer. */
function MessageBox({ path, hint, onSent }: { path: string; hint: string; onSent: () => void }) {
  const f = useForm({ body: '' });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const sent = await f.submit(() => api.post<ComplaintDetail>(path, { body: f.values.body.trim() }));
    if (sent) {
      f.set('body', '');
      onSent();
    }
  };
  return (
    <form className="message-box" onSubmit={submit} noValidate data-testid="message-form">
      <ErrorBox message={f.topError} />
      <Field label="留言" en="Message" name="body" error={f.errors.body} hint={hint}>
        <textarea {...f.bind('body')} rows={3} maxLength={1000} />
      </Field>
      <FormActions>
        <button className="btn btn-primary" disabled={f.submitting || !f.values.body.trim()}>
          发送 Send
        </button>
      </FormActions>
    </form>
  );
}

/**
 * The pauses of the mediation clock (检定、检验、检测、鉴定, 暂行办法 第二十一条): the one under way on
 * top, then every pause with the working days it did not count. Staff also see who started and ended each.
 */
function PausesPanel({ pauses, staff }: { pauses: ComplaintPause[]; staff: boolean }) {
  const open = pauses.find((p) => p.isUnderWay);
  return (
    <div data-testid="complaint-pauses">
      {open && (
        <div className="pause-now" data-testid="pause-now">
          <b>
            调解暂停计时：{open.kindLabel.zh}，自 {open.startedOn} 起
          </b>{' '}
          <span className="en">
            Mediation clock paused: {open.kindLabel.en.toLowerCase()} since {open.startedOn}
          </span>
          <div className="pause-reason">{open.reason}</div>
        </div>
      )}
      {pauses.length > 0 ? (
        <table className="grid">
          <thead>
            <tr>
              <th>事由 Kind</th>
              <th>原因 Reason</th>
              <th>开始 From</th>
              <th>结束 To</th>
              <th>不计工作日 Days not counted</th>
              {staff && <th>经办 By</th>}
            </tr>
          </thead>
          <tbody>
            {pauses.map((p) => (
              <tr key={`${p.startedOn}-${p.kind}`} data-under-way={p.isUnderWay ? '1' : undefined}>
                <td>{both(PAUSE_KIND_LABELS[p.kind] ?? p.kindLabel)}</td>
                <td className="pause-reason">{p.reason}</td>
                <td>{p.startedOn}</td>
                <td>{p.endedOn ?? <span className="badge v-unverified">进行中 Under way</span>}</td>
                <td>{p.workingDays}</td>
                {staff && (
                  <td>
                    {p.startedByName ?? '—'}
                    {p.endedByName && p.endedByName !== p.startedByName ? ` / ${p.endedByName}` : ''}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">
          未暂停过调解计时 <span className="en">The mediation clock was never paused</span>
        </p>
      )}
      <p className="hint">
        依《市场监督管理投诉举报处理暂行办法》第二十一条，检定、检验、检测、鉴定的时间不计入调解期限；开始和结束当日均不计入。{' '}
        <span className="en">Time spent on verification, inspection, testing or appraisal does not count towards the mediation period (art. 21); the first and last day are not counted.</span>
      </p>
    </div>
  );
}

/** What the complaint came to: the decision, the mediation outcome, whether it was found justified. */
function outcomeRows(c: Complaint): [string, string, ReactNode][] {
  const rows: [string, string, ReactNode][] = [];
  if (c.acceptedOn) rows.push(['受理日期', 'Accepted on', c.acceptedOn]);
  if (c.refusedOn) rows.push(['不予受理日期', 'Refused on', c.refusedOn], ['不予受理理由', 'Reason', c.refusalReason]);
  if (c.mediationEndedOn) {
    rows.push(['调解结束日期', 'Mediation ended', c.mediationEndedOn]);
    rows.push(['调解结果', 'Outcome', c.mediationOutcome ? both(MEDIATION_OUTCOME_LABELS[c.mediationOutcome], c.mediationOutcome) : null]);
    rows.push(['是否属实', 'Upheld', c.upheld == null ? null : c.upheld ? <span className="badge v-expired">经查属实 Upheld</span> : <span className="badge v-unverified">不属实或证据不足 Not upheld</span>]);
    rows.push(['办结意见', 'Note', c.outcomeNote]);
  }
  if (c.mediationOutcome === 'terminated') rows.push(['终止调解告知', 'Termination notified', c.terminationNotifiedOn ?? <span className="warn-text">尚未告知 Not yet notified</span>]);
  return rows;
}

// ---------------------------------------------------------------- the office: 消费投诉

type Filters = { status: string; overdue: boolean };

/** Complaints within the viewer's jurisdiction with their statutory clocks; the late ones in red. */
export function ComplaintsPage() {
  const loc = useLocation();
  const f: Filters = { status: loc.query.get('status') ?? 'open', overdue: loc.query.get('overdue') === '1' };
  const page = pageOf(loc);
  const list = useGet<Paged<Complaint>>(`/api/complaints${qs({ status: f.status === 'all' ? '' : f.status, overdue: f.overdue ? 'true' : '', page, pageSize: 50 })}`);
  // Only the totals are wanted: one row each.
  const open = useGet<Paged<Complaint>>('/api/complaints?status=open&pageSize=1');
  const overdue = useGet<Paged<Complaint>>('/api/complaints?overdue=true&pageSize=1');
  const items = list.data?.items;
  return (
    <>
      <ComplaintStyle />
      <PageHeader title="消费投诉" en="Complaints">
        <p className="sub">
          辖区内的消费投诉及其法定时限：7 个工作日内决定是否受理，受理后 45 个工作日内结束调解，终止调解的 7 个工作日内告知双方。{' '}
          <span className="en">Complaints within your jurisdiction against their statutory clocks: accept or refuse within 7 working days, end mediation within 45, notify a termination within 7.</span>
        </p>
      </PageHeader>
      <div className="stat-row">
        <button type="button" className="stat" style={{ textAlign: 'left', cursor: 'pointer' }} onClick={() => setQuery(loc, { status: 'open', overdue: null })} data-stat="Open">
          <div className="stat-n">{open.data ? open.data.total.toLocaleString('zh-CN') : '—'}</div>
          <div className="stat-label">
            未办结 <span className="en">Open</span>
          </div>
        </button>
        <button type="button" className={`stat ${overdue.data?.total ? 'stat-expired' : 'stat-valid'}`} style={{ textAlign: 'left', cursor: 'pointer' }} onClick={() => setQuery(loc, { status: 'all', overdue: '1' })} data-stat="Overdue">
          <div className="stat-n">{overdue.data ? overdue.data.total.toLocaleString('zh-CN') : '—'}</div>
          <div className="stat-label">
            逾期未办 <span className="en">Overdue now</span>
          </div>
        </button>
      </div>
      <div className="filters">
        <label className="filter">
          状态 <span className="en">Status</span>
          <select value={f.status} onChange={(e) => setQuery(loc, { status: e.target.value })} name="status">
            <option value="open">未办结 Open</option>
            {COMPLAINT_STATUS_LIST.map((s) => (
              <option key={s} value={s}>
                {both(COMPLAINT_STATUS_LABELS[s])}
              </option>
            ))}
            <option value="all">全部 All</option>
          </select>
        </label>
        <label className="filter check">
          <input type="checkbox" name="overdue" checked={f.overdue} onChange={(e) => setQuery(loc, { overdue: e.target.checked ? '1' : null })} /> 仅看逾期 <span className="en">Overdue only</span>
        </label>
      </div>
      <ErrorBox error={list.error ?? open.error} />
      <table className="grid" data-testid="complaint-list">
        <thead>
          <tr>
            <th>投诉编号 Reference</th>
            <th>商户 Merchant</th>
            <th>投诉内容 Complaint</th>
            <th>收到日期 Received</th>
            <th>状态 Status</th>
            <th style={{ minWidth: '9em' }}>当前环节 Step due</th>
            <th>期限 Deadline</th>
            <th>剩余 Time left</th>
          </tr>
        </thead>
        <tbody>
          {items?.map((c) => (
            <tr key={c.id} className={c.clock.isOverdue ? 'row-expired' : c.clock.due?.dueToday ? 'row-expiring' : ''} data-reference={c.reference}>
              <td className="mono">
                <Link to={`/complaints/${c.id}`}>{c.reference}</Link>
              </td>
              <td>
                <Link to={`/merchants/${c.merchantId}`}>{c.merchantName}</Link>
                {c.scaleSerialNo && <div className="mono muted">{c.scaleSerialNo}</div>}
              </td>
              <td className="cell-text" title={c.content}>
                {c.content}
              </td>
              <td>{c.receivedOn}</td>
              <td>
                <ComplaintStatusBadge status={c.status} />
                {c.upheld && <span className="badge v-expired">属实 Upheld</span>}
              </td>
              <DueCells clock={c.clock} />
            </tr>
          ))}
          {items && items.length === 0 && <EmptyRow cols={8} text={f.overdue ? '没有逾期的投诉 No overdue complaints' : '暂无投诉 No complaints'} />}
        </tbody>
      </table>
      {list.loading && !items && <Loading />}
      {list.data && <Pager page={list.data.page} pageSize={list.data.pageSize} total={list.data.total} onPage={(p) => setQuery(loc, { page: p })} />}
    </>
  );
}

type OfficeAction = 'accept' | 'refuse' | 'pause' | 'end-pause' | 'close' | 'notified';

const OFFICE_ACTIONS: Record<OfficeAction, { zh: string; en: string }> = {
  accept: { zh: '受理', en: 'Accept' },
  refuse: { zh: '不予受理', en: 'Refuse' },
  pause: { zh: '暂停调解计时', en: 'Pause the clock' },
  'end-pause': { zh: '结束暂停', en: 'End the pause' },
  close: { zh: '结束调解', en: 'Close' },
  notified: { zh: '已告知终止', en: 'Termination notified' },
};

/** The decisions the office may take now, by status; the server has the last word. */
function allowedActions(c: ComplaintDetail): OfficeAction[] {
  if (c.status === 'received') return ['accept', 'refuse'];
  if (c.status === 'accepted' || c.status === 'mediating') return [c.pauses.some((p) => p.isUnderWay) ? 'end-pause' : 'pause', 'close'];
  if (c.status === 'closed' && c.mediationOutcome === 'terminated' && !c.terminationNotifiedOn) return ['notified'];
  return [];
}

/** One complaint: what the consumer wrote, the sale, the three clocks, the mediation and the office's decisions. */
export function ComplaintDetailPage({ id }: { id: number }) {
  const { can } = useSession();
  const detail = useGet<ComplaintDetail>(`/api/complaints/${id}`);
  const [action, setAction] = useState<OfficeAction | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const c = detail.data;
  if (detail.error) return <ErrorBox error={detail.error} />;
  if (!c) return <Loading />;
  const canHandle = can('complaint.handle');
  const done = (msg: string) => {
    setAction(null);
    setNotice(msg);
    detail.reload();
  };
  return (
    <>
      <ComplaintStyle />
      <PageHeader
        title={`消费投诉 ${c.reference}`}
        en="Complaint"
        actions={
          canHandle &&
          allowedActions(c).map((a) => (
            <button key={a} type="button" className={`btn ${a === 'refuse' ? 'btn-danger' : a === 'pause' || a === 'end-pause' ? '' : 'btn-primary'}`} onClick={() => setAction(a)} data-action={a}>
              {OFFICE_ACTIONS[a].zh} {OFFICE_ACTIONS[a].en}
            </button>
          ))
        }
      >
        <div className="crumbs">
          <Link to="/complaints">消费投诉 Complaints</Link> › {c.reference}
        </div>
        <div style={{ marginTop: 6 }} data-testid="complaint-status">
          <ComplaintStatusBadge status={c.status} />
          {c.upheld != null && (c.upheld ? <span className="badge v-expired">经查属实 Upheld</span> : <span className="badge v-unverified">不属实 Not upheld</span>)}
          {c.clock.isOverdue && c.clock.due && (
            <span className="badge v-expired">
              {c.clock.due.title.zh}逾期 {lateness(c.clock.due, c.clock.today).zh} <span className="en">{lateness(c.clock.due, c.clock.today).en} overdue</span>
            </span>
          )}
        </div>
      </PageHeader>
      {notice && <div className="alert alert-ok">{notice}</div>}
      <div className="two-col">
        <Panel title="投诉" en="Complaint">
          <Facts
            rows={[
              ['投诉编号', 'Reference', <span className="mono">{c.reference}</span>],
              ['被投诉商户', 'Merchant', <Link to={`/merchants/${c.merchantId}`}>{c.merchantName}</Link>],
              ['电子秤', 'Scale', c.scaleId ? can('scale.read') ? <Link to={`/scales/${c.scaleId}`}>{c.scaleSerialNo}</Link> : c.scaleSerialNo : null],
              ['投诉人', 'Consumer', c.consumerName],
              ['联系电话', 'Phone', <span className="mono" data-testid="consumer-phone" title="号码已隐藏 (masked: the full number stays with the service)">{c.consumerPhone}</span>],
              ['收到时间', 'Received', formatTime(c.receivedAt)],
              ...outcomeRows(c),
              ...(c.creditEventId ? ([['信用扣分', 'Credit deduction', <Link to={`/merchants/${c.merchantId}`}>已记录 Recorded (#{c.creditEventId})</Link>]] as [string, string, ReactNode][]) : []),
            ]}
          />
        </Panel>
        <ContentPanel c={c} canOpenScale={can('scale.read')} />
      </div>
      <Panel title="法定时限" en="Statutory clocks">
        <ClocksTable clock={c.clock} pauses={c.pauses} />
      </Panel>
      <Panel title="暂停调解计时" en="Clock pauses">
        <PausesPanel pauses={c.pauses} staff />
      </Panel>
      <Panel title="调解记录" en="Mediation">
        <Thread messages={c.messages} me="office" />
        {canHandle && OFFICE_MAY_WRITE.includes(c.status) && (
          <MessageBox
            path={`/api/complaints/${c.id}/messages`}
            hint={c.status === 'received' ? '投诉人可见；受理后商户也能看到 (the consumer reads it; the merchant too once the complaint is accepted)' : '投诉人和商户都能看到 (the consumer and the merchant both read it)'}
            onSent={detail.reload}
          />
        )}
        {!OFFICE_MAY_WRITE.includes(c.status) && (
          <p className="muted">
            投诉已{c.status === 'refused' ? '不予受理' : '办结'}，不能再留言 <span className="en">The complaint is {c.status === 'refused' ? 'refused' : 'closed'}: no more messages.</span>
          </p>
        )}
      </Panel>
      {action && (
        <Modal title={OFFICE_ACTIONS[action].zh} en={`${OFFICE_ACTIONS[action].en} · ${c.reference}`} onClose={() => setAction(null)}>
          <OfficeActionForm complaint={c} action={action} onDone={() => done(`${OFFICE_ACTIONS[action].zh}：已完成 ${OFFICE_ACTIONS[action].en}: done`)} />
        </Modal>
      )}
    </>
  );
}

/** The rulebook item an upheld complaint deducts under, from the viewer's city rulebook when it can be read. */
function useComplaintItem() {
  const { me, can } = useSession();
  const rulebook = useGet<RulebookInForce>(me.staff.cityId && can('credit.read') ? `/api/cities/${me.staff.cityId}/rulebook` : null, { cached: true });
  return rulebook.data?.rulebook.items.find((i) => i.code === 'CMP-01');
}

function OfficeActionForm({ complaint, action, onDone }: { complaint: ComplaintDetail; action: OfficeAction; onDone: () => void }) {
  const today = complaint.clock.today;
  const open = complaint.pauses.find((p) => p.isUnderWay);
  const f = useForm({ reason: '', outcome: '' as '' | MediationOutcome, upheld: '' as '' | 'yes' | 'no', note: '', kind: '' as '' | PauseKind, startedOn: today, endedOn: today });
  const item = useComplaintItem();
  const v = f.values;
  const ready =
    action === 'refuse' ? !!v.reason.trim() : action === 'close' ? !!v.outcome && !!v.upheld && !!v.note.trim() : action === 'pause' ? !!v.kind && !!v.reason.trim() && !!v.startedOn : action === 'end-pause' ? !!v.endedOn : true;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const base = `/api/complaints/${complaint.id}`;
    const calls: Record<OfficeAction, () => Promise<ComplaintDetail>> = {
      accept: () => api.post<ComplaintDetail>(`${base}/accept`),
      refuse: () => api.post<ComplaintDetail>(`${base}/refuse`, { reason: v.reason.trim() }),
      pause: () => api.post<ComplaintDetail>(`${base}/pauses`, { kind: v.kind, reason: v.reason.trim(), startedOn: v.startedOn }),
      'end-pause': () => api.post<ComplaintDetail>(`${base}/pauses/end`, { endedOn: v.endedOn }),
      close: () => api.post<ComplaintDetail>(`${base}/close`, { outcome: v.outcome, upheld: v.upheld === 'yes', note: v.note.trim() }),
      notified: () => api.post<ComplaintDetail>(`${base}/termination-notified`),
    };
    if (await f.submit(calls[action])) onDone();
  };
  const deduction = item ? `${item.code} ${item.title.zh}，扣 ${-item.points} 分 (${item.title.en}: −${-item.points} points)` : 'CMP-01 消费投诉经查属实 (complaint found justified)';
  return (
    <form className="form-grid one" onSubmit={submit} noValidate data-testid={`complaint-${action}-form`}>
      <ErrorBox message={f.topError} />
      {action === 'accept' && (
        <p>
          受理后，商户即可看到这件投诉并参与调解；调解须在受理之日起 45 个工作日内结束。{' '}
          <span className="en">Once accepted the merchant sees the complaint and takes part in mediation, which must end within 45 working days of acceptance.</span>
        </p>
      )}
      {action === 'refuse' && (
        <Field label="不予受理理由" en="Reason" name="reason" error={f.errors.reason ?? f.errors.text} required hint="将告知投诉人，商户看不到此投诉 (the consumer is told; the merchant never sees a refused complaint)">
          <textarea {...f.bind('reason')} rows={4} maxLength={1000} autoFocus style={{ width: '100%' }} />
        </Field>
      )}
      {action === 'pause' && (
        <>
          <p>
            检定、检验、检测、鉴定期间不计入 45 个工作日的调解期限（暂行办法第二十一条）；暂停期间调解期限逐日顺延。{' '}
            <span className="en">Time spent on verification, inspection, testing or appraisal does not count towards the 45 working days (art. 21): the deadline moves on while the pause lasts.</span>
          </p>
          <Field label="暂停事由" en="Kind" name="kind" error={f.errors.kind} required>
            <div className="checks" id="f-kind">
              {PAUSE_KIND_ORDER.map((k) => (
                <label key={k} className="check">
                  <input type="radio" name="kind" value={k} checked={v.kind === k} onChange={() => f.set('kind', k)} /> {both(PAUSE_KIND_LABELS[k])}
                </label>
              ))}
            </div>
          </Field>
          <Field label="暂停原因" en="Reason" name="reason" error={f.errors.reason ?? f.errors.text} required hint="检定、检验、检测或鉴定的对象和机构；投诉人和商户可见，其中的电话等个人信息对双方隐藏 (what is examined and by whom; both parties read it, phone numbers and other personal data masked)">
            <textarea {...f.bind('reason')} rows={3} maxLength={500} style={{ width: '100%' }} />
          </Field>
          <Field label="开始日期" en="From" name="startedOn" error={f.errors.startedOn} required hint={`不晚于今天，不早于受理日期 ${complaint.acceptedOn ?? ''} (not after today, not before acceptance)`}>
            <input type="date" {...f.bind('startedOn')} max={today} min={complaint.acceptedOn ?? undefined} />
          </Field>
        </>
      )}
      {action === 'end-pause' && open && (
        <>
          <p>
            {open.kindLabel.zh}自 {open.startedOn} 起暂停计时；结束日当天仍不计入，次日起恢复计时。{' '}
            <span className="en">
              {open.kindLabel.en} since {open.startedOn}; the end day is not counted either, the clock runs again the day after.
            </span>
          </p>
          <Field label="结束日期" en="To" name="endedOn" error={f.errors.endedOn} required hint={`不早于 ${open.startedOn}，不晚于今天 (from the start date up to today)`}>
            <input type="date" {...f.bind('endedOn')} min={open.startedOn} max={today} />
          </Field>
        </>
      )}
      {action === 'close' && (
        <>
          {open && (
            <div className="alert alert-warn">
              正在暂停计时（{open.kindLabel.zh}），结束调解时暂停一并结束。 <span className="en">The pause under way ({open.kindLabel.en.toLowerCase()}) ends with mediation.</span>
            </div>
          )}
          <Field label="调解结果" en="Outcome" name="outcome" error={f.errors.outcome} required>
            <div className="checks" id="f-outcome">
              {(['agreement', 'terminated'] as const).map((o) => (
                <label key={o} className="check">
                  <input type="radio" name="outcome" value={o} checked={v.outcome === o} onChange={() => f.set('outcome', o)} /> {both(MEDIATION_OUTCOME_LABELS[o])}
                </label>
              ))}
            </div>
          </Field>
          {v.outcome === 'terminated' && (
            <div className="alert alert-warn">
              终止调解后，须在 7 个工作日内告知投诉人和被投诉人，并在此记录“已告知终止”。{' '}
              <span className="en">Tell both parties within 7 working days, then record it here (Termination notified).</span>
            </div>
          )}
          <Field label="投诉是否属实" en="Upheld" name="upheld" error={f.errors.upheld} required>
            <div className="checks" id="f-upheld">
              <label className="check">
                <input type="radio" name="upheld" value="yes" checked={v.upheld === 'yes'} onChange={() => f.set('upheld', 'yes')} /> 经查属实 Upheld
              </label>
              <label className="check">
                <input type="radio" name="upheld" value="no" checked={v.upheld === 'no'} onChange={() => f.set('upheld', 'no')} /> 不属实或证据不足 Not upheld
              </label>
            </div>
          </Field>
          <div className={v.upheld === 'yes' ? 'consequence' : 'hint'} data-testid="upheld-consequence">
            经查属实即为您的认定：按评分细则对商户信用扣分（{deduction}），立即生效，商户可提出异议；公示页面的“经查属实”投诉数加一。{' '}
            <span className="en">Upheld is your finding: it deducts the merchant&rsquo;s credit under the rulebook at once (the merchant may object), and the public page counts one more upheld complaint.</span>
          </div>
          <Field label="办结意见" en="Note" name="note" error={f.errors.note ?? f.errors.text} required hint="查明的事实和处理结果，投诉人和商户可见 (the facts found and what was done; both parties read it)">
            <textarea {...f.bind('note')} rows={4} maxLength={2000} style={{ width: '100%' }} />
          </Field>
        </>
      )}
      {action === 'notified' && (
        <p>
          记录今天已将终止调解告知投诉人和被投诉人。 <span className="en">Records that both parties were told today that mediation was terminated.</span>
        </p>
      )}
      <FormActions>
        <button className={`btn ${action === 'refuse' ? 'btn-danger' : 'btn-primary'}`} disabled={f.submitting || !ready}>
          确认{OFFICE_ACTIONS[action].zh} {OFFICE_ACTIONS[action].en}
        </button>
      </FormActions>
    </form>
  );
}

// ---------------------------------------------------------------- the merchant's own account: 我的投诉

/** 我的投诉: the complaints about the merchant that the office accepted, newest first. */
export function MyComplaintsPage() {
  const list = useGet<{ items: Complaint[] }>('/api/me/complaints');
  const items = list.data?.items;
  return (
    <>
      <ComplaintStyle />
      <PageHeader title="我的投诉" en="My complaints">
        <p className="sub">
          监管所受理的针对您的消费投诉。请在调解中如实说明情况；经查属实的投诉将按评分细则扣减信用分。{' '}
          <span className="en">Complaints about you that the supervision office accepted. Answer in the mediation; a complaint found justified deducts credit under the rulebook.</span>
        </p>
      </PageHeader>
      <ErrorBox error={list.error} />
      <table className="grid" data-testid="my-complaint-list">
        <thead>
          <tr>
            <th>投诉编号 Reference</th>
            <th>收到日期 Received</th>
            <th>投诉内容 Complaint</th>
            <th>状态 Status</th>
            <th>调解期限 Mediation ends by</th>
            <th>结果 Outcome</th>
          </tr>
        </thead>
        <tbody>
          {items?.map((c) => {
            const mediation = c.clock.steps.find((s) => s.step === 'mediation');
            return (
              <tr key={c.id} data-reference={c.reference}>
                <td className="mono">
                  <Link to={`/my/complaints/${c.id}`}>{c.reference}</Link>
                </td>
                <td>{c.receivedOn}</td>
                <td className="cell-text" title={c.content}>
                  {c.content}
                </td>
                <td>
                  <ComplaintStatusBadge status={c.status} />
                </td>
                <td>{mediation?.deadline ?? '—'}</td>
                <td>
                  {c.mediationOutcome ? both(MEDIATION_OUTCOME_LABELS[c.mediationOutcome]) : <span className="muted">—</span>}
                  {c.upheld && <span className="badge v-expired">经查属实 Upheld</span>}
                </td>
              </tr>
            );
          })}
          {items && items.length === 0 && <EmptyRow cols={6} text="暂无受理的投诉 No accepted complaints about you" />}
        </tbody>
      </table>
      {list.loading && !items && <Loading />}
    </>
  );
}

/** One complaint about the merchant: what the consumer wrote, the sale, the clocks, and the mediation to answer in. */
export function MyComplaintDetailPage({ id }: { id: number }) {
  const detail = useGet<ComplaintDetail>(`/api/me/complaints/${id}`);
  const c = detail.data;
  if (detail.error)
    return (
      <>
        <ErrorBox error={detail.error} />
        <button type="button" className="btn" onClick={() => navigate('/my/complaints')}>
          ‹ 我的投诉 My complaints
        </button>
      </>
    );
  if (!c) return <Loading />;
  return (
    <>
      <ComplaintStyle />
      <PageHeader title={`投诉 ${c.reference}`} en="Complaint about you">
        <div className="crumbs">
          <Link to="/my/complaints">我的投诉 My complaints</Link> › {c.reference}
        </div>
        <div style={{ marginTop: 6 }} data-testid="complaint-status">
          <ComplaintStatusBadge status={c.status} />
          {c.upheld != null && (c.upheld ? <span className="badge v-expired">经查属实 Upheld</span> : <span className="badge v-unverified">不属实 Not upheld</span>)}
        </div>
      </PageHeader>
      <div className="two-col">
        <Panel title="投诉" en="Complaint">
          <Facts
            rows={[
              ['投诉编号', 'Reference', <span className="mono">{c.reference}</span>],
              ['电子秤', 'Scale', c.scaleSerialNo],
              ['投诉人', 'Consumer', c.consumerName],
              ['联系电话', 'Phone', <span className="mono">{c.consumerPhone}</span>],
              ['收到时间', 'Received', formatTime(c.receivedAt)],
              ...outcomeRows(c),
            ]}
          />
          {c.upheld && (
            <p className="hint">
              该投诉经查属实，已计入信用扣分；如有异议，请在“我的信用”中提出。 <span className="en">Found justified, it deducts credit; object to it under My credit.</span>
            </p>
          )}
        </Panel>
        <ContentPanel c={c} canOpenScale={false} />
      </div>
      <Panel title="法定时限" en="Statutory clocks">
        <ClocksTable clock={c.clock} pauses={c.pauses} />
        {c.pauses.length > 0 && <PausesPanel pauses={c.pauses} staff={false} />}
      </Panel>
      <Panel title="调解记录" en="Mediation">
        <Thread messages={c.messages} me="merchant" />
        {MERCHANT_MAY_WRITE.includes(c.status) ? (
          <MessageBox
            path={`/api/me/complaints/${c.id}/messages`}
            hint="投诉人和监管所都能看到；不能包含网址，电话号码等个人信息会被隐藏 (the consumer and the office read it; no web addresses; phone numbers and other personal data are masked)"
            onSent={detail.reload}
          />
        ) : (
          <p className="muted">
            投诉已办结，不能再留言 <span className="en">The complaint is closed: no more messages.</span>
          </p>
        )}
      </Panel>
    </>
  );
}
