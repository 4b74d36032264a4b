/**
 * Credit (信用) in the web app: a merchant's score, stars and the events that make them, with the
 * due process around each event. Staff record events and decide on them (the merchant detail page,
 * 信用待办); a merchant's own account replies, objects, applies for repair and signs its integrity
 * pledge (我的信用). The rules are the server's (src/modules/credit/credit.rules.ts): the app only
 * shows them and shows the server's answer, refusals included, word for word.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, useGet } from '../api';
import { useForm } from '../form';
import { CREDIT_SOURCE_LABELS, CREDIT_STATUS_LABELS, NOT_COUNTED_LABELS, RISK_CLASS_LABELS, both, formatTime } from '../labels';
import { Link } from '../router';
import { useSession } from '../session';
import type { CreditEvent, CreditEventStatus, CreditRecord, PendingCreditEvent, RiskClass, RulebookInForce } from '../types';
import { EmptyRow, ErrorBox, Facts, Field, FormActions, Loading, Modal, PageHeader, Panel } from '../ui';
import { DEFAULT_RULEBOOK } from '../../../src/modules/credit/credit.rulebook.default';
import { MyScaleRatingsPanel } from './ratings';

const CSS = `
.stars { color: #e09a1a; letter-spacing: 1px; white-space: nowrap; font-size: 16px; }
.stars .off { color: #d3d9e2; }
.credit-head { display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: baseline; margin-bottom: 10px; }
.credit-head .score { font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }
.credit-explain { margin: 4px 0 0; padding-left: 18px; }
.credit-explain li { margin: 2px 0; }
.pts { font-weight: 600; font-variant-numeric: tabular-nums; white-space: nowrap; }
.pts.minus { color: var(--red); }
.pts.plus { color: var(--green); }
.cs-proposed { background: var(--amber-bg); color: var(--amber); }
.cs-confirmed { background: #e8f0fc; color: var(--blue-d); }
.cs-objected { background: #fff0d6; color: #8a4b00; font-weight: 600; }
.cs-withdrawn { background: var(--grey-bg); color: #4d5869; text-decoration: line-through; }
.cs-repaired { background: var(--green-bg); color: var(--green); }
.cs-repair-pending { background: #efe7fb; color: #5b2d91; }
.ev-text { min-width: 6em; max-width: 18em; white-space: pre-wrap; overflow-wrap: anywhere; }
.ev-item { min-width: 11em; }
.credit-scroll { overflow-x: auto; }
.ev-when { white-space: nowrap; }
.ev-counts { min-width: 8em; }
.pledge-text { background: #f8fafc; border: 1px solid var(--line-2); padding: 10px 12px; border-radius: 3px; white-space: pre-wrap; max-width: 62em; margin: 6px 0 10px; }
.pledge-text .en { display: block; margin-top: 6px; }
.risk { font-weight: 600; }
.grid td.credit-actions { white-space: normal; width: 1%; }
.credit-actions .btn { display: block; width: 100%; margin: 0 0 4px; white-space: nowrap; text-align: center; }
.action-error { color: var(--red); white-space: normal; max-width: 24em; text-align: left; margin-top: 4px; }
`;
export const CreditStyle = () => <style>{CSS}</style>;

/** Stars in colour and in words, so they read without colour too. */
export function Stars({ n }: { n: number }) {
  return (
    <span className="stars-wrap" data-stars={n}>
      <span className="stars" aria-hidden="true">
        {'★'.repeat(n)}
        <span className="off">{'★'.repeat(Math.max(0, 5 - n))}</span>
      </span>{' '}
      {n} 星 <span className="en">{n} of 5 stars</span>
    </span>
  );
}

function Points({ n }: { n: number }) {
  return <span className={`pts ${n < 0 ? 'minus' : 'plus'}`}>{n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0'}</span>;
}

function CreditStatusBadge({ status, repairPending }: { status: CreditEventStatus; repairPending?: boolean }) {
  return (
    <>
      <span className={`badge cs-${status}`} data-status={status}>
        {both(CREDIT_STATUS_LABELS[status], status)}
      </span>
      {repairPending && <span className="badge cs-repair-pending">修复申请待审核 Repair pending</span>}
    </>
  );
}

function RiskClassText({ c }: { c: RiskClass | null }) {
  if (!c) return <span className="muted">尚未评定 Not yet classed</span>;
  const l = RISK_CLASS_LABELS[c];
  return (
    <span title={`${l.description.zh} ${l.description.en}`}>
      <span className="risk">{l.title.zh}</span> <span className="en">{l.title.en}</span>
    </span>
  );
}

/** Stars, score, risk class and the lines that explain the score. */
function CreditSummary({ record }: { record: CreditRecord }) {
  return (
    <div data-testid="credit-summary">
      <div className="credit-head">
        <div>
          <div className="muted">信用星级 Credit stars</div>
          <Stars n={record.stars} />
        </div>
        <div>
          <div className="muted">信用分 Score</div>
          <span className="score" data-testid="credit-score">
            {record.score}
          </span>
        </div>
        <div>
          <div className="muted">信用风险分类 Risk class</div>
          <RiskClassText c={record.riskClass} />
        </div>
        <div>
          <div className="muted">评分细则 Rulebook</div>第 {record.rulebookVersion} 版 <span className="en">version {record.rulebookVersion}</span>
        </div>
        {record.underObjection > 0 && (
          <div>
            <span className="badge cs-objected">
              {record.underObjection} 条异议处理中 {record.underObjection} under objection
            </span>
          </div>
        )}
      </div>
      <div className="muted">得分说明 How the score came about</div>
      <ul className="credit-explain" data-testid="credit-explanation">
        {record.explanation.map((l, i) => (
          <li key={i}>
            {l.zh} <span className="en">{l.en}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** What the event counts for now: its points after caps, or why it does not count. */
function Counts({ record, eventId }: { record: CreditRecord; eventId: number }) {
  const c = record.counted.find((x) => x.eventId === eventId);
  if (c)
    return (
      <span>
        计入 <Points n={c.points} /> <span className="en">counts until {c.expiresOn}</span>
      </span>
    );
  const n = record.notCounted.find((x) => x.eventId === eventId);
  return n ? <span className="muted">不计分：{both(NOT_COUNTED_LABELS[n.reason], n.reason)}</span> : <span className="muted">—</span>;
}

/** Every event of the record, with what it counts for, its due-process state and per-row actions. */
function EventsTable({ record, actions, repairPending }: { record: CreditRecord; actions?: (e: CreditEvent) => ReactNode; repairPending?: ReadonlySet<number> }) {
  const cols = actions ? 10 : 9;
  return (
    <div className="credit-scroll">
      <table className="grid" data-testid="credit-events">
        <thead>
          <tr>
            <th>发生时间 Occurred</th>
            <th>事项 Item</th>
            <th>来源 Source</th>
            <th className="num">分值 Points</th>
            <th>计分 Counts</th>
            <th>状态 Status</th>
            <th>证据 Evidence</th>
            <th>商户回复 Reply</th>
            <th>异议 Objection</th>
            {actions && <th />}
          </tr>
        </thead>
        <tbody>
          {record.events.map((e) => (
            <tr key={e.id} data-event-id={e.id} data-item={e.itemCode}>
              <td className="ev-when">{formatTime(e.occurredAt)}</td>
              <td className="ev-item">
                <span className="mono">{e.itemCode}</span> {e.title ? <>{e.title.zh} <span className="en">{e.title.en}</span></> : <span className="muted">现行细则无此项 not in the rulebook in force</span>}
              </td>
              <td>{both(CREDIT_SOURCE_LABELS[e.source], e.source)}</td>
              <td className="num">
                <Points n={e.points} />
              </td>
              <td className="ev-counts">
                <Counts record={record} eventId={e.id} />
              </td>
              <td>
                <CreditStatusBadge status={e.status} repairPending={repairPending?.has(e.id)} />
                {e.repairOutcome === 'refused' && <span className="badge v-unverified">修复未通过 Repair refused</span>}
              </td>
              <td className="ev-text">{e.evidence}</td>
              <td className="ev-text" data-testid="event-reply">
                {e.reply ?? <span className="muted">—</span>}
              </td>
              <td className="ev-text">{e.objection ?? <span className="muted">—</span>}</td>
              {actions && <td className="row-actions credit-actions">{actions(e)}</td>}
            </tr>
          ))}
          {record.events.length === 0 && <EmptyRow cols={cols} text="暂无加分或扣分记录 No bonus or deduction records" />}
        </tbody>
      </table>
    </div>
  );
}

function StarHistory({ history }: { history: CreditRecord['history'] }) {
  if (!history.length) return null;
  return (
    <details>
      <summary>
        星级变化 <span className="en">Star history ({history.length})</span>
      </summary>
      <table className="grid">
        <thead>
          <tr>
            <th>时间 When</th>
            <th className="num">信用分 Score</th>
            <th>星级 Stars</th>
            <th>原因 Cause</th>
          </tr>
        </thead>
        <tbody>
          {history.map((h, i) => (
            <tr key={i}>
              <td>{formatTime(h.at)}</td>
              <td className="num">{h.score}</td>
              <td>
                <Stars n={h.stars} />
              </td>
              <td className="mono">{h.cause}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

// ---------------------------------------------------------------- staff: deciding

type Decision = 'withdraw' | 'objection' | 'repair';

const DECISIONS: Record<Decision, { zh: string; en: string; path: string; outcomes?: [string, string][]; hint: string }> = {
  withdraw: { zh: '撤销', en: 'Withdraw', path: 'withdraw', hint: '说明撤销理由（如：记录有误）；该记录保留在历史中 (why it is set aside; it stays in the history)' },
  objection: {
    zh: '异议处理',
    en: 'Decide objection',
    path: 'objection-decision',
    outcomes: [
      ['upheld', '异议成立，撤销该记录 Upheld: withdraw the event'],
      ['rejected', '异议不成立，维持该记录 Rejected: keep the event'],
    ],
    hint: '说明处理意见，商户可见 (the decision and its reasons)',
  },
  repair: {
    zh: '修复审核',
    en: 'Decide repair',
    path: 'repair-decision',
    outcomes: [
      ['granted', '准予信用修复，恢复分值 Granted: restore the points'],
      ['refused', '不予修复 Refused'],
    ],
    hint: '说明审核意见 (the decision and its reasons)',
  },
};

/** The decisions an inspector may take on one event, by its state; the server has the last word. */
export function DecideActions({ event, repairPending, onDone }: { event: { id: number; status: CreditEventStatus }; repairPending: boolean; onDone: () => void }) {
  const [dialog, setDialog] = useState<Decision | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const confirmEvent = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/credit-events/${event.id}/confirm`);
      onDone();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const open = event.status !== 'withdrawn' && event.status !== 'repaired';
  return (
    <>
      {event.status === 'proposed' && (
        <button type="button" className="btn btn-sm btn-primary" disabled={busy} onClick={() => void confirmEvent()}>
          确认 Confirm
        </button>
      )}
      {event.status === 'objected' && (
        <button type="button" className="btn btn-sm" onClick={() => setDialog('objection')}>
          异议处理 Decide objection
        </button>
      )}
      {repairPending && (
        <button type="button" className="btn btn-sm" onClick={() => setDialog('repair')}>
          修复审核 Decide repair
        </button>
      )}
      {open && (
        <button type="button" className="btn btn-sm btn-link danger" onClick={() => setDialog('withdraw')}>
          撤销 Withdraw
        </button>
      )}
      {error && (
        <div className="action-error" role="alert">
          {error}
        </div>
      )}
      {dialog && (
        <Modal title={DECISIONS[dialog].zh} en={`${DECISIONS[dialog].en} · #${event.id}`} onClose={() => setDialog(null)}>
          <DecisionForm
            eventId={event.id}
            decision={dialog}
            onDone={() => {
              setDialog(null);
              onDone();
            }}
          />
        </Modal>
      )}
    </>
  );
}

function DecisionForm({ eventId, decision, onDone }: { eventId: number; decision: Decision; onDone: () => void }) {
  const d = DECISIONS[decision];
  const f = useForm({ outcome: d.outcomes?.[0]?.[0] ?? '', note: '' });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = d.outcomes ? { outcome: f.values.outcome, note: f.values.note.trim() } : { note: f.values.note.trim() };
    const done = await f.submit(() => api.post(`/api/credit-events/${eventId}/${d.path}`, body).then(() => true));
    if (done) onDone();
  };
  return (
    <form className="form-grid one" onSubmit={submit} noValidate>
      <ErrorBox message={f.topError} />
      {d.outcomes && (
        <Field label="结论" en="Outcome" name="outcome" error={f.errors.outcome} required>
          <div className="checks" id="f-outcome">
            {d.outcomes.map(([v, l]) => (
              <label key={v} className="check">
                <input type="radio" name="outcome" value={v} checked={f.values.outcome === v} onChange={() => f.set('outcome', v)} /> {l}
              </label>
            ))}
          </div>
        </Field>
      )}
      <Field label="说明" en="Note" name="note" error={f.errors.note} required hint={d.hint}>
        <textarea {...f.bind('note')} rows={4} maxLength={1000} autoFocus style={{ width: '100%' }} />
      </Field>
      <FormActions>
        <button className="btn btn-primary" disabled={f.submitting || !f.values.note.trim()}>
          {d.zh} {d.en}
        </button>
      </FormActions>
    </form>
  );
}

/** Repair applications awaiting a decision, by event (the credit record itself does not say). */
function useRepairPending(enabled: boolean, merchantId?: number) {
  const pending = useGet<{ items: PendingCreditEvent[] }>(enabled ? '/api/credit/pending' : null);
  const ids = new Set((pending.data?.items ?? []).filter((p) => p.repairPending && (merchantId === undefined || p.merchantId === merchantId)).map((p) => p.id));
  return { ids, reload: pending.reload };
}

// ---------------------------------------------------------------- staff: the merchant's credit panel

/** The 信用 panel of a merchant's page: the record, recording an event, and the decisions on each event. */
export function MerchantCreditPanel({ merchantId, cityId }: { merchantId: number; cityId: number }) {
  const { can } = useSession();
  const record = useGet<CreditRecord>(`/api/merchants/${merchantId}/credit`);
  const canDecide = can('credit.decide');
  const repairs = useRepairPending(canDecide, merchantId);
  const [recording, setRecording] = useState(false);
  const [pledgeBroken, setPledgeBroken] = useState(false);
  const reload = () => {
    record.reload();
    repairs.reload();
  };
  const r = record.data;
  return (
    <Panel
      title="信用"
      en="Credit"
      className="credit-panel"
      actions={
        can('credit.record') &&
        !recording && (
          <button type="button" className="btn btn-sm" onClick={() => setRecording(true)}>
            ＋ 记录加分/扣分 Record an event
          </button>
        )
      }
    >
      <CreditStyle />
      <ErrorBox error={record.error} />
      {recording && (
        <RecordEventForm
          merchantId={merchantId}
          cityId={cityId}
          onDone={(saved) => {
            setRecording(false);
            if (saved) reload();
          }}
        />
      )}
      {!r ? (
        record.loading && <Loading />
      ) : (
        <>
          <CreditSummary record={r} />
          <p>
            诚信经营承诺 <span className="en">Integrity pledge</span>：
            {r.pledge ? (
              <>
                由 {r.pledge.signedBy} 于 {r.pledge.signedOn} 签署 <span className="en">signed by {r.pledge.signedBy} on {r.pledge.signedOn}</span>
                {canDecide && (
                  <button type="button" className="btn btn-sm btn-link danger" onClick={() => setPledgeBroken(true)}>
                    记录违背承诺 Pledge broken
                  </button>
                )}
              </>
            ) : (
              <span className="muted">尚未签署 Not signed</span>
            )}
          </p>
          <EventsTable record={r} repairPending={repairs.ids} actions={canDecide ? (e) => <DecideActions event={e} repairPending={repairs.ids.has(e.id)} onDone={reload} /> : undefined} />
          <StarHistory history={r.history} />
        </>
      )}
      {pledgeBroken && (
        <Modal title="记录违背承诺" en="Record a broken pledge" onClose={() => setPledgeBroken(false)}>
          <PledgeBrokenForm
            merchantId={merchantId}
            onDone={() => {
              setPledgeBroken(false);
              reload();
            }}
          />
        </Modal>
      )}
    </Panel>
  );
}

function PledgeBrokenForm({ merchantId, onDone }: { merchantId: number; onDone: () => void }) {
  const f = useForm({ note: '' });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const done = await f.submit(() => api.post(`/api/merchants/${merchantId}/pledge/broken`, { note: f.values.note.trim() }).then(() => true));
    if (done) onDone();
  };
  return (
    <form className="form-grid one" onSubmit={submit} noValidate>
      <ErrorBox message={f.topError} />
      <Field label="违背承诺的事实" en="What was broken" name="note" error={f.errors.note} required hint="承诺加分随之取消；相应扣分须另行记录 (the pledge bonus goes; record any deduction on its own)">
        <textarea {...f.bind('note')} rows={4} maxLength={1000} autoFocus style={{ width: '100%' }} />
      </Field>
      <FormActions>
        <button className="btn btn-danger" disabled={f.submitting || !f.values.note.trim()}>
          确认记录 Record
        </button>
      </FormActions>
    </form>
  );
}

/** Now, as a datetime-local value in the browser's time zone. */
function localNow(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Records a bonus or deduction against an item of the city's rulebook in force. */
function RecordEventForm({ merchantId, cityId, onDone }: { merchantId: number; cityId: number; onDone: (saved: boolean) => void }) {
  const { me } = useSession();
  const rulebook = useGet<RulebookInForce>(`/api/cities/${cityId}/rulebook`);
  const f = useForm({ itemCode: '', occurredAt: localNow(), evidence: '' });
  const items = rulebook.data?.rulebook.items ?? [];
  const categories = rulebook.data?.rulebook.categories ?? [];
  const item = items.find((i) => i.code === f.values.itemCode);
  const waits = me.staff.role === 'market_manager';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const at = new Date(f.values.occurredAt);
    const saved = await f.submit(() =>
      api.post<CreditEvent>(`/api/merchants/${merchantId}/credit-events`, { itemCode: f.values.itemCode, occurredAt: Number.isNaN(at.getTime()) ? f.values.occurredAt : at.toISOString(), evidence: f.values.evidence.trim() }),
    );
    if (saved) onDone(true);
  };
  return (
    <form className="inline-form" onSubmit={submit} noValidate data-testid="credit-record-form">
      <ErrorBox error={rulebook.error} />
      <ErrorBox message={f.topError} />
      <div className="form-grid">
        <Field
          label="评分细则条目"
          en="Rulebook item"
          name="itemCode"
          error={f.errors.itemCode}
          required
          wide
          hint={rulebook.data && `${rulebook.data.rulebook.title.zh}（第 ${rulebook.data.version} 版 version ${rulebook.data.version}）`}
        >
          <select {...f.bind('itemCode')}>
            <option value="">{rulebook.loading ? '加载中… Loading…' : '请选择 Select'}</option>
            {categories.map((c) => {
              const inCat = items.filter((i) => i.category === c.code);
              return (
                inCat.length > 0 && (
                  <optgroup key={c.code} label={`${c.title.zh} ${c.title.en}`}>
                    {inCat.map((i) => (
                      <option key={i.code} value={i.code}>
                        {i.code} · {i.points > 0 ? `加 ${i.points} 分` : `扣 ${-i.points} 分`} · {i.title.zh}
                      </option>
                    ))}
                  </optgroup>
                )
              );
            })}
          </select>
        </Field>
        {item && (
          <div className="field wide" data-testid="evidence-required">
            <Facts
              rows={[
                ['分值', 'Points', <Points n={item.points} />],
                ['须提供的证据', 'Evidence required', `${item.evidenceRequired.zh} (${item.evidenceRequired.en})`],
                ['有效期', 'Counts for', `${item.validForDays} 天 days`],
              ]}
            />
          </div>
        )}
        <Field label="发生时间" en="Occurred at" name="occurredAt" error={f.errors.occurredAt} required>
          <input type="datetime-local" {...f.bind('occurredAt')} />
        </Field>
        <Field label="证据" en="Evidence" name="evidence" error={f.errors.evidence} required wide hint={item ? `${item.evidenceRequired.zh}：如笔录编号、照片或视频的存放位置 (record numbers, where photos or video are kept)` : undefined}>
          <textarea {...f.bind('evidence')} rows={3} maxLength={2000} style={{ width: '100%' }} />
        </Field>
        {waits && (
          <div className="alert alert-info">
            市场管理方的评价须经监管人员确认后才计分 <span className="en">A market manager&rsquo;s evaluation counts once an inspector confirms it.</span>
          </div>
        )}
        <FormActions>
          <button className="btn btn-primary" disabled={f.submitting || !f.values.itemCode}>
            记录 Record
          </button>
          <button type="button" className="btn" onClick={() => onDone(false)}>
            取消 Cancel
          </button>
        </FormActions>
      </div>
    </form>
  );
}

// ---------------------------------------------------------------- staff: 信用待办

/** Events awaiting a decision within the viewer's jurisdiction: proposed ones, objections, repair applications. */
export function CreditPendingPage() {
  const { me } = useSession();
  const pending = useGet<{ items: PendingCreditEvent[] }>('/api/credit/pending');
  // Item titles come from the viewer's city rulebook; an administrator (no city) sees the codes.
  const rulebook = useGet<RulebookInForce>(me.staff.cityId ? `/api/cities/${me.staff.cityId}/rulebook` : null, { cached: true });
  const titleOf = (code: string) => rulebook.data?.rulebook.items.find((i) => i.code === code)?.title;
  const items = pending.data?.items;
  return (
    <>
      <CreditStyle />
      <PageHeader title="信用待办" en="Credit decisions">
        <p className="sub">
          待确认的扣分、商户异议和信用修复申请。 <span className="en">Proposed events, merchants&rsquo; objections and repair applications awaiting your decision.</span>
        </p>
      </PageHeader>
      <ErrorBox error={pending.error} />
      <table className="grid" data-testid="credit-pending">
        <thead>
          <tr>
            <th>商户 Merchant</th>
            <th>事项 Item</th>
            <th className="num">分值 Points</th>
            <th>发生时间 Occurred</th>
            <th>来源 Source</th>
            <th>状态 Status</th>
            <th>证据 Evidence</th>
            <th>异议 / 修复承诺 Objection / commitment</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items?.map((p) => {
            const title = titleOf(p.itemCode);
            return (
              <tr key={p.id} data-event-id={p.id}>
                <td>
                  <Link to={`/merchants/${p.merchantId}`}>{p.merchantName}</Link>
                </td>
                <td>
                  <span className="mono">{p.itemCode}</span> {title && <>{title.zh} <span className="en">{title.en}</span></>}
                </td>
                <td className="num">
                  <Points n={p.points} />
                </td>
                <td>{formatTime(p.occurredAt)}</td>
                <td>{both(CREDIT_SOURCE_LABELS[p.source], p.source)}</td>
                <td>
                  <CreditStatusBadge status={p.status} repairPending={p.repairPending} />
                </td>
                <td className="ev-text">{p.evidence}</td>
                <td className="ev-text">
                  {p.objection && (
                    <div>
                      异议 <span className="en">Objection</span>：{p.objection}
                    </div>
                  )}
                  {p.repairPending && (
                    <div>
                      修复承诺 <span className="en">Commitment</span>：{p.repairCommitment ?? '—'}
                    </div>
                  )}
                  {!p.objection && !p.repairPending && <span className="muted">—</span>}
                </td>
                <td className="row-actions credit-actions">
                  <DecideActions event={p} repairPending={p.repairPending} onDone={pending.reload} />
                </td>
              </tr>
            );
          })}
          {items && items.length === 0 && <EmptyRow cols={9} text="暂无待办 Nothing awaits a decision" />}
        </tbody>
      </table>
      {pending.loading && !items && <Loading />}
    </>
  );
}

// ---------------------------------------------------------------- the merchant's own account

type MerchantAction = 'reply' | 'objection' | 'repair';

/** 我的信用: a merchant's home. Its score and how it came about, its pledge, and its say on each event. */
export function MyCreditPage() {
  const { me } = useSession();
  const merchantId = me.staff.merchantId;
  const record = useGet<CreditRecord>('/api/me/credit');
  const [action, setAction] = useState<{ kind: MerchantAction; event: CreditEvent } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const r = record.data;
  const done = (msg: string) => {
    setAction(null);
    setNotice(msg);
    record.reload();
  };
  return (
    <>
      <CreditStyle />
      <PageHeader
        title="我的信用"
        en="My credit"
        actions={
          merchantId && (
            <a className="btn" href={`/p/merchants/${merchantId}`} target="_blank" rel="noopener" data-testid="public-page-link">
              查看公示页面 Public page ↗
            </a>
          )
        }
      >
        <p className="sub">
          {me.staff.displayName}，您好。以下是您的信用评价、每一分的来由及诚信经营承诺。{' '}
          <span className="en">Your credit rating, how each point came about, and your integrity pledge.</span>
        </p>
      </PageHeader>
      <ErrorBox error={record.error} />
      {notice && <div className="alert alert-ok">{notice}</div>}
      {!r ? (
        record.loading && <Loading />
      ) : (
        <>
          <Panel title="信用评价" en="Credit rating">
            <CreditSummary record={r} />
          </Panel>
          <PledgePanel
            record={r}
            onChanged={(msg) => {
              setNotice(msg);
              record.reload();
            }}
          />
          <Panel title="信用加分 / 扣分记录" en="Bonus and deduction records">
            <p className="muted">
              对扣分有异议，可在细则规定的期限内提出；整改到位并满最短期限后，可申请信用修复。您的回复将显示在公示页面该记录旁。{' '}
              <span className="en">Object to a deduction within the period the rulebook allows; apply for credit repair once it is put right and the minimum period has passed. Your reply is shown beside the record on the public page.</span>
            </p>
            <EventsTable
              record={r}
              actions={(e) => {
                const deduction = e.points < 0 && e.status === 'confirmed';
                return (
                  <>
                    <button type="button" className="btn btn-sm" onClick={() => setAction({ kind: 'reply', event: e })}>
                      回复 Reply
                    </button>
                    {deduction && (
                      <button type="button" className="btn btn-sm" onClick={() => setAction({ kind: 'objection', event: e })}>
                        提出异议 Object
                      </button>
                    )}
                    {deduction && (
                      <button type="button" className="btn btn-sm" onClick={() => setAction({ kind: 'repair', event: e })}>
                        申请信用修复 Apply for repair
                      </button>
                    )}
                  </>
                );
              }}
            />
            <StarHistory history={r.history} />
          </Panel>
          <MyScaleRatingsPanel />
        </>
      )}
      {action && (
        <Modal title={MERCHANT_ACTIONS[action.kind].zh} en={`${MERCHANT_ACTIONS[action.kind].en} · ${action.event.itemCode}`} onClose={() => setAction(null)}>
          <MerchantActionForm kind={action.kind} event={action.event} onDone={() => done(`${MERCHANT_ACTIONS[action.kind].zh}已提交 ${MERCHANT_ACTIONS[action.kind].en}: sent`)} />
        </Modal>
      )}
    </>
  );
}

const MERCHANT_ACTIONS: Record<MerchantAction, { zh: string; en: string }> = {
  reply: { zh: '回复', en: 'Reply' },
  objection: { zh: '提出异议', en: 'Object' },
  repair: { zh: '申请信用修复', en: 'Apply for repair' },
};

function MerchantActionForm({ kind, event, onDone }: { kind: MerchantAction; event: CreditEvent; onDone: () => void }) {
  const f = useForm({ text: event.reply ?? '', reason: '', commitment: '', evidence: '' });
  const v = f.values;
  const ready = kind === 'reply' ? !!v.text.trim() : kind === 'objection' ? !!v.reason.trim() : !!v.commitment.trim() && !!v.evidence.trim();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const [path, body] =
      kind === 'reply' ? ['reply', { text: v.text.trim() }] : kind === 'objection' ? ['objection', { reason: v.reason.trim() }] : ['repair', { commitment: v.commitment.trim(), evidence: v.evidence.trim() }];
    const ok = await f.submit(() => api.post(`/api/me/credit-events/${event.id}/${path}`, body).then(() => true));
    if (ok) onDone();
  };
  return (
    <form className="form-grid one" onSubmit={submit} noValidate data-testid={`merchant-${kind}-form`}>
      <p className="muted">
        <span className="mono">{event.itemCode}</span> {event.title?.zh} · <Points n={event.points} /> · {formatTime(event.occurredAt)}
      </p>
      <ErrorBox message={f.topError} />
      {kind === 'reply' && (
        <Field label="回复内容" en="Your reply" name="text" error={f.errors.text} required hint="公开显示在公示页面该记录旁，最多500字 (shown publicly beside the record; up to 500 characters)">
          <textarea {...f.bind('text')} rows={4} maxLength={500} autoFocus style={{ width: '100%' }} />
        </Field>
      )}
      {kind === 'objection' && (
        <Field label="异议理由" en="Why you object" name="reason" error={f.errors.reason} required hint="异议期间公示页面显示“申诉中” (while it is open the public page shows it as under objection)">
          <textarea {...f.bind('reason')} rows={5} maxLength={2000} autoFocus style={{ width: '100%' }} />
        </Field>
      )}
      {kind === 'repair' && (
        <>
          <Field label="信用修复承诺" en="Written commitment" name="commitment" error={f.errors.commitment} required>
            <textarea {...f.bind('commitment')} rows={4} maxLength={2000} autoFocus style={{ width: '100%' }} />
          </Field>
          <Field label="整改证据" en="Evidence of correction" name="evidence" error={f.errors.evidence} required hint="如整改照片、检定证书编号等 (e.g. photos of the correction, a verification certificate number)">
            <textarea {...f.bind('evidence')} rows={3} maxLength={2000} style={{ width: '100%' }} />
          </Field>
        </>
      )}
      <FormActions>
        <button className="btn btn-primary" disabled={f.submitting || !ready}>
          提交 Submit
        </button>
      </FormActions>
    </form>
  );
}

/**
 * The pledge: who signed it and when, with its text; or, unsigned, the text and a form to sign it.
 * A merchant's account cannot read the city's rulebook, so unsigned it shows the platform default
 * text; what is signed is the text of the rulebook in force, shown here once signed.
 */
function PledgePanel({ record, onChanged }: { record: CreditRecord; onChanged: (msg: string) => void }) {
  const p = record.pledge;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const f = useForm({ signedBy: '' });
  const sign = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await f.submit(() => api.post('/api/me/pledge', { signedBy: f.values.signedBy.trim() }).then(() => true));
    if (ok) onChanged('诚信经营承诺已签署 Integrity pledge signed');
  };
  const withdraw = async () => {
    if (!confirm('撤回诚信经营承诺？承诺加分将随之取消。 Withdraw the pledge? Its bonus goes.')) return;
    setBusy(true);
    setError(null);
    try {
      await api.del('/api/me/pledge');
      onChanged('诚信经营承诺已撤回 Integrity pledge withdrawn');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel
      title="诚信经营承诺"
      en="Integrity pledge"
      className="pledge-panel"
      actions={
        p && (
          <button type="button" className="btn btn-sm btn-link danger" disabled={busy} onClick={() => void withdraw()}>
            撤回承诺 Withdraw pledge
          </button>
        )
      }
    >
      <ErrorBox message={error} />
      {p ? (
        <>
          <p data-testid="pledge-signed">
            <span className="badge v-valid">已签署 Signed</span> 由 <b>{p.signedBy}</b> 于 {p.signedOn} 签署 <span className="en">signed by {p.signedBy} on {p.signedOn}</span>
          </p>
          <div className="pledge-text">
            {p.text.zh}
            <span className="en">{p.text.en}</span>
          </div>
        </>
      ) : (
        <>
          <p>
            <span className="badge v-unverified">尚未签署 Not signed</span> 签署后公示页面将展示您的承诺，并按评分细则计入加分。{' '}
            <span className="en">Once signed, the public page shows your pledge and the rulebook&rsquo;s pledge bonus counts.</span>
          </p>
          <div className="pledge-text" data-testid="pledge-text">
            {DEFAULT_RULEBOOK.pledgeText.zh}
            <span className="en">{DEFAULT_RULEBOOK.pledgeText.en}</span>
          </div>
          <p className="muted">
            以上为平台默认承诺文本，签署的是本市现行评分细则中的承诺文本。 <span className="en">This is the platform&rsquo;s default text; you sign the pledge of your city&rsquo;s rulebook in force.</span>
          </p>
          <form className="form-grid narrow" onSubmit={sign} noValidate data-testid="pledge-form">
            <ErrorBox message={f.topError} />
            <Field label="签署人" en="Signed by" name="signedBy" error={f.errors.signedBy} required hint="须为登记的法定代表人或经营者本人姓名，与登记信息完全一致 (the registered legal representative or operator, exactly as registered)">
              <input {...f.bind('signedBy')} autoComplete="name" />
            </Field>
            <FormActions>
              <button className="btn btn-primary" disabled={f.submitting || !f.values.signedBy.trim()}>
                签署承诺 Sign the pledge
              </button>
            </FormActions>
          </form>
        </>
      )}
    </Panel>
  );
}
