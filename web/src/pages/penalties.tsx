/**
 * Administrative penalties (行政处罚) in the web app: the decisions on a merchant's page, with the
 * form to record one, and the list of every decision within reach (行政处罚). Recording a decision
 * deducts the merchant's credit at once (PEN-01/02/03) and publishes it on the merchant's public
 * page for the period the rulebook sets for its type; both are the server's to decide and to say.
 */
import { useState, type FormEvent } from 'react';
import { api, qs, useGet } from '../api';
import { useForm } from '../form';
import { PENALTY_TYPE_LABELS, PENALTY_TYPE_LIST, both } from '../labels';
import { SearchBox } from '../options';
import { Link, pageOf, setQuery, useLocation } from '../router';
import { useSession } from '../session';
import type { Paged, Penalty, RulebookInForce } from '../types';
import { EmptyRow, ErrorBox, Field, FormActions, Loading, PageHeader, Pager, Panel } from '../ui';

const CSS = `
.pen-text { max-width: 22em; white-space: pre-wrap; overflow-wrap: anywhere; }
.pen-basis { color: var(--muted); font-size: 12px; margin-top: 2px; }
.pen-no { white-space: nowrap; }
.pen-scroll { overflow-x: auto; }
`;
const PenaltyStyle = () => <style>{CSS}</style>;

/** Whether the decision is on the public merchant page today, and until when. */
function Disclosure({ p }: { p: Penalty }) {
  const d = p.disclosure;
  const basis = (
    <div className="pen-basis" title={d.basis.en}>
      {d.basis.zh}
    </div>
  );
  if (!d.published)
    return (
      <span data-public="no">
        <span className="badge v-unverified">不予公示 Not published</span>
        {basis}
      </span>
    );
  if (d.isPublic)
    return (
      <span data-public="yes">
        <span className="badge v-expiring">公示中 Public</span> 至 {d.publicUntil} <span className="en">until {d.publicUntil}</span>
        {basis}
      </span>
    );
  return (
    <span data-public="ended">
      <span className="badge v-valid">{d.withdrawnEarly ? '信用修复，提前撤下 Withdrawn early (repaired)' : '公示期满 Period over'}</span>
      <div className="pen-basis">
        {d.publicFrom} – {d.publicUntil}
      </div>
    </span>
  );
}

/** Decisions, newest first; with the merchant's column on the list page. */
function PenaltiesTable({ items, showMerchant, canOpenMerchant }: { items: Penalty[] | undefined; showMerchant?: boolean; canOpenMerchant?: boolean }) {
  const cols = showMerchant ? 8 : 7;
  return (
    <div className="pen-scroll">
      <table className="grid" data-testid="penalty-list">
        <thead>
          <tr>
            <th>决定书文号 Decision no.</th>
            {showMerchant && <th>商户 Merchant</th>}
            <th>违法行为 Violation</th>
            <th>处罚依据 Legal basis</th>
            <th>处罚种类与内容 Penalty</th>
            <th>处罚机关 Authority</th>
            <th>处罚日期 Decided on</th>
            <th>公示 Public</th>
          </tr>
        </thead>
        <tbody>
          {items?.map((p) => (
            <tr key={p.id} data-decision-no={p.decisionNo}>
              <td className="mono pen-no">{p.decisionNo}</td>
              {showMerchant && <td>{canOpenMerchant ? <Link to={`/merchants/${p.merchantId}`}>{p.merchantName}</Link> : p.merchantName}</td>}
              <td className="pen-text">{p.violation}</td>
              <td className="pen-text">{p.legalBasis}</td>
              <td className="pen-text">
                <span className="badge v-expired">
                  {p.penaltyTypeLabel.zh} <span className="en">{p.penaltyTypeLabel.en}</span>
                </span>
                <div>{p.penaltyText}</div>
                {p.simpleProcedure && <div className="pen-basis">简易程序 Simple procedure</div>}
                {p.restrictionEndsOn && <div className="pen-basis">限制至 {p.restrictionEndsOn} restricted until {p.restrictionEndsOn}</div>}
              </td>
              <td>{p.authority}</td>
              <td className="pen-no">{p.decidedOn}</td>
              <td>
                <Disclosure p={p} />
              </td>
            </tr>
          ))}
          {items && items.length === 0 && <EmptyRow cols={cols} text="暂无行政处罚记录 No penalty decisions" />}
        </tbody>
      </table>
    </div>
  );
}

// ---------------------------------------------------------------- the merchant's page

/** The 行政处罚 panel of a merchant's page: its decisions, public or not, and recording one. */
export function MerchantPenaltiesPanel({ merchantId, cityId, onRecorded }: { merchantId: number; cityId: number; onRecorded?: () => void }) {
  const { can } = useSession();
  const list = useGet<{ items: Penalty[] }>(`/api/merchants/${merchantId}/penalties`);
  const [recording, setRecording] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <Panel
      title="行政处罚"
      en="Administrative penalties"
      className="penalty-panel"
      actions={
        can('penalty.record') &&
        !recording && (
          <button type="button" className="btn btn-sm" onClick={() => setRecording(true)}>
            ＋ 录入处罚决定 Record a decision
          </button>
        )
      }
    >
      <PenaltyStyle />
      <ErrorBox error={list.error} />
      {notice && <div className="alert alert-ok">{notice}</div>}
      {recording && (
        <RecordPenaltyForm
          merchantId={merchantId}
          cityId={cityId}
          onDone={(saved) => {
            setRecording(false);
            if (!saved) return;
            setNotice(`已录入 ${saved.decisionNo}，信用扣分已记录 Recorded; the credit deduction is recorded`);
            list.reload();
            onRecorded?.();
          }}
        />
      )}
      {list.loading && !list.data ? <Loading /> : <PenaltiesTable items={list.data?.items} />}
    </Panel>
  );
}

/** Today as a date input value in the browser's time zone (the office works in China time). */
function localToday(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Records a decision as it stands in the 行政处罚决定书. */
function RecordPenaltyForm({ merchantId, cityId, onDone }: { merchantId: number; cityId: number; onDone: (saved: Penalty | null) => void }) {
  const { can } = useSession();
  const rulebook = useGet<RulebookInForce>(can('credit.read') ? `/api/cities/${cityId}/rulebook` : null, { cached: true });
  const f = useForm({ decisionNo: '', violation: '', legalBasis: '', penaltyType: '', penaltyText: '', authority: '', decidedOn: localToday(), simpleProcedure: false, restrictionEndsOn: '' });
  const v = f.values;
  const rule = v.penaltyType ? rulebook.data?.rulebook.disclosure?.[v.penaltyType] : undefined;
  const ready = !!(v.decisionNo.trim() && v.violation.trim() && v.legalBasis.trim() && v.penaltyType && v.penaltyText.trim() && v.authority.trim() && v.decidedOn);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await f.submit(() =>
      api.post<Penalty>(`/api/merchants/${merchantId}/penalties`, {
        decisionNo: v.decisionNo.trim(),
        violation: v.violation.trim(),
        legalBasis: v.legalBasis.trim(),
        penaltyType: v.penaltyType,
        penaltyText: v.penaltyText.trim(),
        authority: v.authority.trim(),
        decidedOn: v.decidedOn,
        simpleProcedure: v.simpleProcedure,
        restrictionEndsOn: v.restrictionEndsOn || null,
      }),
    );
    if (saved) onDone(saved);
  };
  const published =
    v.simpleProcedure ? (
      <>适用简易程序作出的处罚不予公示 <span className="en">Decided by the simple procedure: not published.</span></>
    ) : rule === undefined ? null : rule.months === null ? (
      <>仅受此类处罚不予公示 <span className="en">This penalty alone is not published.</span></>
    ) : (
      <>
        在商户公示页面公示 {rule.months} 个月{rule.earliestWithdrawalMonths ? `，信用修复后最早 ${rule.earliestWithdrawalMonths} 个月可撤下` : ''}；限制期限更长的，按实际限制期限公示。{' '}
        <span className="en">
          Public on the merchant page for {rule.months} months{rule.earliestWithdrawalMonths ? ` (after credit repair, at the earliest ${rule.earliestWithdrawalMonths})` : ''}; longer while a restriction lasts.
        </span>
      </>
    );
  return (
    <form className="inline-form" onSubmit={submit} noValidate data-testid="penalty-record-form">
      <ErrorBox message={f.topError} />
      <div className="form-grid">
        <Field label="决定书文号" en="Decision no." name="decisionNo" error={f.errors.decisionNo} required hint="如：三市监处罚〔2026〕12号，不可重复 (as on the decision; unique)">
          <input {...f.bind('decisionNo')} maxLength={80} autoFocus />
        </Field>
        <Field label="处罚日期" en="Decided on" name="decidedOn" error={f.errors.decidedOn} required>
          <input type="date" {...f.bind('decidedOn')} max={localToday()} />
        </Field>
        <Field label="违法行为" en="Violation" name="violation" error={f.errors.violation} required wide>
          <textarea {...f.bind('violation')} rows={2} maxLength={2000} style={{ width: '100%' }} />
        </Field>
        <Field label="处罚依据" en="Legal basis" name="legalBasis" error={f.errors.legalBasis} required wide hint="如：《中华人民共和国价格法》第四十二条 (the provisions applied)">
          <textarea {...f.bind('legalBasis')} rows={2} maxLength={1000} style={{ width: '100%' }} />
        </Field>
        <Field label="处罚种类" en="Penalty type" name="penaltyType" error={f.errors.penaltyType} required>
          <select {...f.bind('penaltyType')}>
            <option value="">请选择 Select</option>
            {PENALTY_TYPE_LIST.map((t) => (
              <option key={t} value={t}>
                {both(PENALTY_TYPE_LABELS[t], t)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="处罚内容" en="Penalty" name="penaltyText" error={f.errors.penaltyText} required hint="如：罚款人民币5000元 (the penalty in words)">
          <input {...f.bind('penaltyText')} maxLength={1000} />
        </Field>
        <Field label="处罚机关" en="Authority" name="authority" error={f.errors.authority} required hint="作出决定的市场监督管理部门 (the authority that decided)">
          <input {...f.bind('authority')} maxLength={100} />
        </Field>
        <Field label="限制期限至" en="Restriction ends on" name="restrictionEndsOn" error={f.errors.restrictionEndsOn} hint="暂扣许可证件、限制生产经营等有期限的，填写最后一日 (for a restriction with an end; its last day)">
          <input type="date" {...f.bind('restrictionEndsOn')} min={v.decidedOn || undefined} />
        </Field>
        <div className="field wide">
          <label className="check">
            <input type="checkbox" checked={v.simpleProcedure} onChange={(e) => f.set('simpleProcedure', e.target.checked)} /> 适用简易程序（当场作出） <span className="en">Simple procedure (decided on the spot)</span>
          </label>
        </div>
        <div className="field wide alert alert-info" data-testid="penalty-consequence">
          录入后立即按评分细则对商户信用扣分（警告、通报批评 PEN-01；罚款、没收 PEN-02；暂扣或吊销许可、限制经营 PEN-03）。 <span className="en">Recording deducts the merchant&rsquo;s credit at once under the rulebook (PEN-01/02/03 by type).</span>
          {published && <div style={{ marginTop: 4 }}>{published}</div>}
        </div>
        <FormActions>
          <button className="btn btn-primary" disabled={f.submitting || !ready}>
            录入 Record
          </button>
          <button type="button" className="btn" onClick={() => onDone(null)}>
            取消 Cancel
          </button>
        </FormActions>
      </div>
    </form>
  );
}

// ---------------------------------------------------------------- 行政处罚

/** Every decision within the viewer's jurisdiction, newest first. */
export function PenaltiesPage() {
  const loc = useLocation();
  const { can } = useSession();
  const q = loc.query.get('q') ?? '';
  const page = pageOf(loc);
  const list = useGet<Paged<Penalty>>(`/api/penalties${qs({ q, page, pageSize: 50 })}`);
  return (
    <>
      <PenaltyStyle />
      <PageHeader title="行政处罚" en="Administrative penalties">
        <p className="sub">
          辖区内商户的行政处罚决定及其公示情况。录入处罚决定请到商户页面。{' '}
          <span className="en">Penalty decisions on merchants within your jurisdiction, and whether each is public now. Record a decision on the merchant&rsquo;s page.</span>
        </p>
      </PageHeader>
      <div className="filters">
        <SearchBox value={q} placeholder="文号、违法行为或商户 Decision no., violation or merchant" onSearch={(v) => setQuery(loc, { q: v })} />
      </div>
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? <Loading /> : <PenaltiesTable items={list.data?.items} showMerchant canOpenMerchant={can('merchant.read')} />}
      {list.data && <Pager page={list.data.page} pageSize={list.data.pageSize} total={list.data.total} onPage={(p) => setQuery(loc, { page: p })} />}
    </>
  );
}
