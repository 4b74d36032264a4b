/**
 * Consumer complaints (消费投诉) taken online: filed from a merchant or scale page with the sale
 * attached when there is a receipt, routed to the office of the merchant's district, decided,
 * mediated between consumer and merchant, closed with an outcome. The statutory clocks are the
 * pure complaint-clock.rules.ts, fed the stored pauses for 检定、检验、检测、鉴定 wherever they are
 * counted; a step gone late raises one alert. The consumer's phone never leaves this service unmasked.
 */
import { timingSafeEqual } from 'node:crypto';
import { sql, type Selectable, type Transaction, type Updateable } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import { reachFilter } from '../../db/reach.js';
import { conflict, forbidden, invalid, notFound } from '../../shared/errors.js';
import type { AlertsService, Finding } from '../alerts/index.js';
import { appendAuditEntries } from '../audit/index.js';
import { isWithinReach, type Actor, type By } from '../auth/index.js';
import type { CreditService } from '../credit/index.js';
import { calendarDate } from '../registry/index.js';
import { CN_CALENDAR, type WorkingDayCalendar } from './calendar.rules.js';
import { maskPersonalData, type Bilingual } from './comment.rules.js';
import { COMPLAINT_STEPS, complaintClockStatus, complaintDeadlines, type ComplaintClockStatus, type ComplaintDates, type ComplaintStep, type StepClock } from './complaint-clock.rules.js';
import { endOpenPause, findPausesOf, findPausesWithStaff, insertPause, type PauseRow } from './complaint-pause.repository.js';
import { isPauseKind, PAUSE_KINDS, PAUSE_REASON_MAX, pauseEndProblem, pausedWorkingDays, pauseStartProblem, type PauseDates, type PauseKind, type PauseProblem } from './complaint-pause.rules.js';
import {
  canWrite,
  COMPLAINT_LIMITS,
  COMPLAINT_STATUSES,
  complaintReference,
  isComplaintReference,
  isVisibleToMerchant,
  maskName,
  maskPhone,
  MEDIATION_OUTCOMES,
  normaliseMobile,
  normaliseReceipt,
  phoneLast4,
  referencePrefix,
  screenName,
  screenText,
  type ComplaintStatus,
  type MediationOutcome,
  type MessageAuthor,
} from './complaint.rules.js';

type Row = Selectable<Database['complaint']>;
type Q = Db | Transaction<Database>;

/** Roles that decide complaints: a person of the supervision office or above. Market managers do not. */
const HANDLING_ROLES = new Set(['admin', 'city_bureau', 'office_inspector']);
/** Statuses in which a step may still be running, so a complaint can be late now. */
const OPEN_STATUSES: ComplaintStatus[] = ['received', 'accepted', 'mediating'];
/** Complaints (aliased `c`) with a step that may still be running: only these can be late now. */
const STILL_RUNNING = sql<boolean>`(c.status in ('received', 'accepted', 'mediating') or (c.status = 'closed' and c.mediation_outcome = 'terminated' and c.termination_notified_on is null))`;

export interface ComplaintInput {
  /** From a merchant page. */
  merchantId?: number | null;
  /** From a scale page, or the scale chosen on a merchant page; its merchant is the one complained of. */
  scaleId?: number | null;
  /** The receipt number (小票号) or sale sequence number, to attach the sale. */
  receipt?: string | null;
  consumerName: string;
  consumerPhone: string;
  content: string;
}

export type ComplaintField = 'consumerName' | 'consumerPhone' | 'content' | 'receipt' | 'scaleId';
export type FileOutcome = { status: 'filed'; id: number; reference: string; phoneLast4: string } | { status: 'invalid'; problems: { field: ComplaintField; message: Bilingual }[] };

export interface ComplaintListFilter {
  /** A status, or 'open' for every complaint not yet refused or closed. */
  status?: ComplaintStatus | 'open';
  /** True: the step due now is past its deadline; false: it is not. */
  overdue?: boolean;
  merchantId?: number;
  page: number;
  pageSize: number;
}

export interface PauseInput {
  kind: PauseKind;
  /** What is being verified, inspected, tested or appraised, and by whom; both parties read it. */
  reason: string;
  /** Defaults to today. */
  startedOn?: string;
}

export interface CloseInput {
  outcome: MediationOutcome;
  /** The complaint was found justified: an inspector's finding, so it deducts credit (CMP-01). */
  upheld: boolean;
  note: string;
}

const stepOut = (s: StepClock) => ({
  step: s.step,
  title: s.title,
  state: s.state,
  startsOn: s.startsOn,
  deadline: s.deadline,
  doneOn: s.doneOn,
  workingDaysLeft: s.workingDaysLeft,
  dueToday: s.dueToday,
  overdue: s.overdue,
  daysOverdue: s.daysOverdue,
});
const clockOut = (c: ComplaintClockStatus) => ({
  today: c.today,
  due: c.due ? stepOut(c.due) : null,
  /** The step due now is past its deadline. */
  isOverdue: Boolean(c.due?.overdue),
  /** Steps late now or done late. */
  overdueSteps: c.overdue,
  provisional: c.provisional,
  steps: c.steps.map(stepOut),
});
export type ComplaintClock = ReturnType<typeof clockOut>;

const datesOf = (r: Row, pauses: readonly PauseRow[]): ComplaintDates => ({
  receivedOn: r.received_on,
  acceptedOn: r.accepted_on,
  refusedOn: r.refused_on,
  mediationEndedOn: r.mediation_ended_on,
  mediationOutcome: r.mediation_outcome as MediationOutcome | null,
  terminationNotifiedOn: r.termination_notified_on,
  mediationPauses: pauses.map((p) => ({ from: p.started_on, to: p.ended_on })),
});
const pauseDatesOf = (p: PauseRow): PauseDates => ({ kind: p.kind as PauseKind, startedOn: p.started_on, endedOn: p.ended_on });
/** A refused pause: its state (409) or the date given (400), in Chinese with English in brackets. */
const pauseError = (p: PauseProblem) => {
  const message = `${p.message.zh} (${p.message.en})`;
  return p.kind === 'conflict' ? conflict(message) : invalid(message, [{ field: p.field ?? 'request', message: p.message.en }]);
};
const MEDIATING_STATUSES: ComplaintStatus[] = ['accepted', 'mediating'];

const sameDigits = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function createComplaintService(
  db: Db,
  opts: {
    credit: Pick<CreditService, 'recordEvent' | 'withdrawEvent' | 'rescore'>;
    alerts: Pick<AlertsService, 'raiseIn' | 'publish'>;
    timezone: string;
    calendar?: WorkingDayCalendar;
    now?: () => Date;
  },
) {
  const now = opts.now ?? (() => new Date());
  const calendar = opts.calendar ?? CN_CALENDAR;
  const today = () => calendarDate(now(), opts.timezone);
  const clockOf = (r: Row, on: string, pauses: readonly PauseRow[]) => clockOut(complaintClockStatus(datesOf(r, pauses), on, calendar));
  const pausesOf = async (q: Q, id: number) => (await findPausesOf(q, [id])).get(id) ?? [];

  /** A pause as the parties (consumer, merchant) see it: why and since when, personal data in the reason masked. */
  const pauseForParties = (p: PauseRow, on: string, acceptedOn: string | null) => ({
    kind: p.kind as PauseKind,
    kindLabel: PAUSE_KINDS[p.kind as PauseKind],
    reason: maskPersonalData(p.reason).text,
    startedOn: p.started_on,
    endedOn: p.ended_on,
    isUnderWay: p.ended_on === null,
    /** Working days the pause holds, both ends included; one under way counts through today. */
    workingDays: pausedWorkingDays(pauseDatesOf(p), on, calendar, acceptedOn),
  });
  /** A pause as staff see it: the reason as written, and who started and ended it. */
  const pauseForStaff = (p: PauseRow & { started_by_name: string | null; ended_by_name: string | null }, on: string, acceptedOn: string | null) => ({
    id: p.id,
    ...pauseForParties(p, on, acceptedOn),
    reason: p.reason,
    startedByName: p.started_by_name,
    endedByName: p.ended_by_name,
  });

  async function findSale(scaleId: number, receipt: string, merchantId: number) {
    const n = /^\d{1,15}$/.test(receipt) ? Number(receipt) : null;
    const sale = await db
      .selectFrom('sale')
      .select(['scale_id', 'seq', 'merchant_id'])
      .where('scale_id', '=', scaleId)
      .where((eb) => (n !== null ? eb.or([eb('seq', '=', n), eb('receipt_no', '=', receipt)]) : eb('receipt_no', '=', receipt)))
      .orderBy('at', 'desc')
      .limit(1)
      .executeTakeFirst();
    // A sale made on this scale by another merchant (before it changed hands) is not this merchant's.
    return sale && (sale.merchant_id === null || sale.merchant_id === merchantId) ? sale : null;
  }

  async function loadInReach(q: Q, actor: Actor, id: number, lock = false) {
    let sel = q.selectFrom('complaint').selectAll().where('id', '=', id);
    if (lock) sel = sel.forUpdate();
    const r = await sel.executeTakeFirst();
    if (!r || !isWithinReach(actor.reach, { districtId: r.district_id, marketId: r.market_id })) throw notFound('complaint', id);
    return r;
  }

  async function namesOf(r: Row) {
    const [m, s] = await Promise.all([
      db.selectFrom('merchant').select('name').where('id', '=', r.merchant_id).executeTakeFirstOrThrow(),
      r.scale_id ? db.selectFrom('scale').select('serial_no').where('id', '=', r.scale_id).executeTakeFirst() : undefined,
    ]);
    return { merchantName: m.name, scaleSerialNo: s?.serial_no ?? null };
  }

  const messagesOf = async (id: number) =>
    (await db.selectFrom('complaint_message').select(['id', 'at', 'author', 'body']).where('complaint_id', '=', id).orderBy('at').orderBy('id').execute()).map((m) => ({
      id: m.id,
      at: m.at.toISOString(),
      author: m.author as MessageAuthor,
      body: m.body,
    }));

  async function saleOf(r: Row) {
    if (r.sale_scale_id === null || r.sale_seq === null) return null;
    const s = await db
      .selectFrom('sale')
      .select(['scale_id', 'seq', 'at', 'name', 'weight_g', 'unit_price_fen_per_kg', 'total_fen', 'receipt_no', 'is_over_cap'])
      .where('scale_id', '=', r.sale_scale_id)
      .where('seq', '=', r.sale_seq)
      .orderBy('at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!s) return { scaleId: r.sale_scale_id, seq: r.sale_seq, at: null, product: null, weightG: null, unitPriceFenPerKg: null, totalFen: null, receiptNo: null, isOverCap: null };
    return { scaleId: s.scale_id, seq: s.seq, at: s.at.toISOString(), product: s.name, weightG: s.weight_g, unitPriceFenPerKg: s.unit_price_fen_per_kg, totalFen: s.total_fen, receiptNo: s.receipt_no, isOverCap: s.is_over_cap };
  }

  /** The complaint as staff see it: everything but the consumer's number, which is masked. */
  function present(r: Row, names: { merchantName: string; scaleSerialNo: string | null }, on: string, pauses: readonly PauseRow[]) {
    const status = r.status as ComplaintStatus;
    return {
      id: r.id,
      reference: r.reference,
      merchantId: r.merchant_id,
      merchantName: names.merchantName,
      scaleId: r.scale_id,
      scaleSerialNo: names.scaleSerialNo,
      districtId: r.district_id,
      marketId: r.market_id,
      consumerName: r.consumer_name,
      consumerPhone: maskPhone(r.consumer_phone),
      content: r.content,
      receivedAt: r.received_at.toISOString(),
      receivedOn: r.received_on,
      status,
      statusLabel: COMPLAINT_STATUSES[status],
      acceptedOn: r.accepted_on,
      refusedOn: r.refused_on,
      refusalReason: r.refusal_reason,
      mediationEndedOn: r.mediation_ended_on,
      mediationOutcome: r.mediation_outcome as MediationOutcome | null,
      outcomeNote: r.outcome_note,
      terminationNotifiedOn: r.termination_notified_on,
      upheld: r.is_upheld,
      creditEventId: r.credit_event_id,
      clock: clockOf(r, on, pauses),
    };
  }
  type Presented = ReturnType<typeof present>;

  async function detail(r: Row) {
    const [names, messages, sale, pauses] = await Promise.all([namesOf(r), messagesOf(r.id), saleOf(r), findPausesWithStaff(db, r.id)]);
    const on = today();
    return { ...present(r, names, on, pauses), sale, messages, pauses: pauses.map((p) => pauseForStaff(p, on, r.accepted_on)) };
  }

  /**
   * One handling step in one transaction: the row locked, its reach checked (404 outside it), the
   * change written with an audit entry. `change` throws to refuse; returns the columns to set, may
   * write the complaint's other rows in `trx`, and notes in `audit` what else the entry records.
   */
  async function handle(
    by: By,
    id: number,
    action: string,
    change: (r: Row, trx: Transaction<Database>, audit: Record<string, unknown>) => Updateable<Database['complaint']> | Promise<Updateable<Database['complaint']>>,
    message?: { author: MessageAuthor; body: string },
  ) {
    await db.transaction().execute(async (trx) => {
      const r = await loadInReach(trx, by.actor, id, true);
      const audit: Record<string, unknown> = {};
      const set = await change(r, trx, audit);
      if (Object.keys(set).length) await trx.updateTable('complaint').set(set).where('id', '=', id).execute();
      if (message) await trx.insertInto('complaint_message').values({ complaint_id: id, at: now(), author: message.author, staff_id: by.actor.staffId, body: message.body }).execute();
      await appendAuditEntries(trx, [{ staffId: by.actor.staffId, action, entity: 'complaint', entityId: id, before: { status: r.status }, after: { ...set, ...audit, ...(message ? { message: message.author } : {}) }, requestId: by.requestId }]);
    });
  }

  const mustHandle = (by: By) => {
    if (!HANDLING_ROLES.has(by.actor.role)) throw forbidden('只有监管所执法人员可以处理投诉 (only the supervision office handles complaints)');
  };
  const officeText = (text: string, what: Bilingual, max: number = COMPLAINT_LIMITS.message.max, field = 'text') => {
    const t = text.trim();
    if (!t || [...t].length > max) throw invalid(`${what.zh}须为1到${max}字 (${what.en}: 1 to ${max} characters)`, [{ field, message: 'length' }]);
    return t;
  };
  const screened = (text: string) => {
    const s = screenText(text, COMPLAINT_LIMITS.message, { zh: '留言', en: 'message' });
    if (!s.ok) throw invalid(`${s.message.zh} (${s.message.en})`, [{ field: 'body', message: s.message.en }]);
    return s.text;
  };
  /** After a message in an accepted complaint, mediation is under way. */
  const afterMessage = (r: Row): Updateable<Database['complaint']> => (r.status === 'accepted' ? { status: 'mediating' } : {});

  return {
    /**
     * Files a consumer's complaint. Bad input is answered field by field, never thrown; an unknown
     * merchant or scale (or a scale with no merchant) is not found.
     */
    async file(input: ComplaintInput): Promise<FileOutcome> {
      const problems: { field: ComplaintField; message: Bilingual }[] = [];
      const name = screenName(input.consumerName);
      if (!name.ok) problems.push({ field: 'consumerName', message: name.message });
      const phone = normaliseMobile(String(input.consumerPhone ?? ''));
      if (!phone) problems.push({ field: 'consumerPhone', message: { zh: '请填写正确的11位手机号码。', en: 'Please give a valid 11-digit mainland mobile number.' } });
      const content = screenText(input.content, COMPLAINT_LIMITS.content, { zh: '投诉内容', en: 'complaint' });
      if (!content.ok) problems.push({ field: 'content', message: content.message });
      const receipt = normaliseReceipt(input.receipt);
      if (receipt === null) problems.push({ field: 'receipt', message: { zh: '小票号只能包含字母、数字和 - _ . /，最多40位。', en: 'A receipt number has letters, digits and - _ . / only, at most 40.' } });

      let merchantId = input.merchantId ?? null;
      let scaleId: number | null = null;
      if (input.scaleId) {
        const s = await db.selectFrom('scale').select(['id', 'merchant_id']).where('id', '=', input.scaleId).executeTakeFirst();
        if (merchantId !== null && (!s || s.merchant_id !== merchantId)) problems.push({ field: 'scaleId', message: { zh: '请选择该商户的电子秤。', en: 'Choose one of this merchant’s scales.' } });
        else if (!s) throw notFound('scale', input.scaleId);
        else if (s.merchant_id === null) throw notFound('merchant of scale', input.scaleId);
        else {
          merchantId = s.merchant_id;
          scaleId = s.id;
        }
      }
      if (merchantId === null) throw notFound('merchant');
      const m = await db.selectFrom('merchant').select(['id', 'district_id', 'market_id']).where('id', '=', merchantId).executeTakeFirst();
      if (!m) throw notFound('merchant', merchantId);

      let sale: { scale_id: number; seq: number } | null = null;
      if (receipt && !problems.some((p) => p.field === 'scaleId')) {
        if (scaleId === null) {
          const scales = await db.selectFrom('scale').select('id').where('merchant_id', '=', m.id).limit(2).execute();
          if (scales.length === 1) scaleId = scales[0]!.id;
          else problems.push({ field: 'scaleId', message: { zh: '填写小票号时，请选择称重所用的电子秤。', en: 'With a receipt number, choose the scale the goods were weighed on.' } });
        }
        if (scaleId !== null) {
          sale = await findSale(scaleId, receipt, m.id);
          if (!sale) problems.push({ field: 'receipt', message: { zh: '这台秤上没有找到这张小票的交易，请核对小票号，或留空后提交。', en: 'No sale with this receipt number on this scale. Check the number, or leave it empty.' } });
        }
      }
      if (problems.length || !name.ok || !content.ok || !phone) return { status: 'invalid', problems };

      const at = now();
      const on = calendarDate(at, opts.timezone);
      const row = await db.transaction().execute(async (trx) => {
        // One numbering per day: filings take the next number one at a time.
        await sql`select pg_advisory_xact_lock(7311002)`.execute(trx);
        const prefix = referencePrefix(on);
        const last = await trx.selectFrom('complaint').select('reference').where('reference', 'like', `${prefix}%`).orderBy(sql`length(reference)`, 'desc').orderBy('reference', 'desc').limit(1).executeTakeFirst();
        const reference = complaintReference(on, last ? Number(last.reference.slice(prefix.length)) + 1 : 1);
        return trx
          .insertInto('complaint')
          .values({
            reference,
            merchant_id: m.id,
            scale_id: scaleId,
            sale_scale_id: sale?.scale_id ?? null,
            sale_seq: sale?.seq ?? null,
            district_id: m.district_id,
            market_id: m.market_id,
            consumer_name: name.text,
            consumer_phone: phone,
            content: content.text,
            received_at: at,
            received_on: on,
          })
          .returning(['id', 'reference'])
          .executeTakeFirstOrThrow();
      });
      return { status: 'filed', id: row.id, reference: row.reference, phoneLast4: phoneLast4(phone) };
    },

    /**
     * Who a complaint form is about: the merchant (with its scales to choose from) or the scale
     * (and its merchant). Null when there is no such record, or the scale has no merchant.
     */
    async formSubject(target: { merchantId: number } | { scaleId: number }) {
      let merchantId: number;
      let scaleSerialNo: string | null = null;
      if ('scaleId' in target) {
        const s = await db.selectFrom('scale').select(['merchant_id', 'serial_no']).where('id', '=', target.scaleId).executeTakeFirst();
        if (!s?.merchant_id) return null;
        merchantId = s.merchant_id;
        scaleSerialNo = s.serial_no;
      } else merchantId = target.merchantId;
      const m = await db
        .selectFrom('merchant as m')
        .leftJoin('market as mk', 'mk.id', 'm.market_id')
        .leftJoin('stall as st', 'st.id', 'm.stall_id')
        .select(['m.id', 'm.name', 'mk.name as market_name', 'st.number as stall_number'])
        .where('m.id', '=', merchantId)
        .executeTakeFirst();
      if (!m) return null;
      const scales = scaleSerialNo === null ? await db.selectFrom('scale').select(['id', 'serial_no']).where('merchant_id', '=', merchantId).orderBy('serial_no').limit(50).execute() : [];
      return {
        merchantId: m.id,
        merchantName: m.name,
        marketName: m.market_name,
        stallNumber: m.stall_number,
        scaleSerialNo,
        scales: scales.map((s) => ({ id: s.id, serialNo: s.serial_no })),
      };
    },

    /**
     * The consumer's view of their complaint: only with its reference and the last four digits of
     * the phone it was filed with; null otherwise (the same for a wrong reference and wrong digits).
     */
    async follow(reference: string, last4: string) {
      if (!isComplaintReference(reference) || !/^\d{4}$/.test(last4)) return null;
      const r = await db.selectFrom('complaint').selectAll().where('reference', '=', reference).executeTakeFirst();
      if (!r || !sameDigits(phoneLast4(r.consumer_phone), last4)) return null;
      const [names, messages, pauses] = await Promise.all([namesOf(r), messagesOf(r.id), pausesOf(db, r.id)]);
      const status = r.status as ComplaintStatus;
      const on = today();
      return {
        reference: r.reference,
        merchantName: names.merchantName,
        scaleSerialNo: names.scaleSerialNo,
        consumerPhone: maskPhone(r.consumer_phone),
        content: r.content,
        saleAttached: r.sale_seq !== null,
        receivedOn: r.received_on,
        status,
        acceptedOn: r.accepted_on,
        refusedOn: r.refused_on,
        refusalReason: r.refusal_reason,
        mediationEndedOn: r.mediation_ended_on,
        mediationOutcome: r.mediation_outcome as MediationOutcome | null,
        outcomeNote: r.outcome_note,
        terminationNotifiedOn: r.termination_notified_on,
        upheld: r.is_upheld,
        clock: clockOf(r, on, pauses),
        pauses: pauses.map((p) => pauseForParties(p, on, r.accepted_on)),
        messages,
        canWrite: canWrite('consumer', status),
      };
    },

    /** A consumer's message in the mediation, with the same proof as `follow`; null when that fails. */
    async postConsumerMessage(reference: string, last4: string, body: string): Promise<null | { status: 'posted' } | { status: 'closed' } | { status: 'invalid'; message: Bilingual }> {
      if (!isComplaintReference(reference) || !/^\d{4}$/.test(last4)) return null;
      const s = screenText(body, COMPLAINT_LIMITS.message, { zh: '留言', en: 'message' });
      return db.transaction().execute(async (trx) => {
        const r = await trx.selectFrom('complaint').selectAll().where('reference', '=', reference).forUpdate().executeTakeFirst();
        if (!r || !sameDigits(phoneLast4(r.consumer_phone), last4)) return null;
        if (!canWrite('consumer', r.status as ComplaintStatus)) return { status: 'closed' as const };
        if (!s.ok) return { status: 'invalid' as const, message: s.message };
        await trx.insertInto('complaint_message').values({ complaint_id: r.id, at: now(), author: 'consumer', staff_id: null, body: s.text }).execute();
        const set = afterMessage(r);
        if (Object.keys(set).length) await trx.updateTable('complaint').set(set).where('id', '=', r.id).execute();
        return { status: 'posted' as const };
      });
    },

    // ---------------- the office

    /** Complaints within reach, newest first, each with its clocks; `overdue` filters on the step due now. */
    async list(actor: Actor, f: ComplaintListFilter): Promise<{ items: Presented[]; total: number; page: number; pageSize: number }> {
      let q = db.selectFrom('complaint as c').innerJoin('merchant as m', 'm.id', 'c.merchant_id').leftJoin('scale as s', 's.id', 'c.scale_id').selectAll('c').select(['m.name as merchant_name', 's.serial_no as scale_serial_no']).where(reachFilter(actor.reach, 'c.district_id', 'c.market_id'));
      if (f.status === 'open') q = q.where('c.status', 'in', OPEN_STATUSES);
      else if (f.status) q = q.where('c.status', '=', f.status);
      if (f.merchantId) q = q.where('c.merchant_id', '=', f.merchantId);
      const on = today();
      type ListRow = Row & { merchant_name: string; scale_serial_no: string | null };
      const showAll = async (rows: ListRow[]) => {
        const pauses = await findPausesOf(db, rows.map((r) => r.id));
        return rows.map((r) => present(r, { merchantName: r.merchant_name, scaleSerialNo: r.scale_serial_no }, on, pauses.get(r.id) ?? []));
      };
      const offset = (f.page - 1) * f.pageSize;
      if (f.overdue === undefined) {
        const [rows, count] = await Promise.all([
          q.orderBy('c.id', 'desc').limit(f.pageSize).offset(offset).execute(),
          q.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
        ]);
        return { items: await showAll(rows), total: Number(count.n), page: f.page, pageSize: f.pageSize };
      }
      // Lateness is a matter of the working-day calendar and the pauses: counted here, not in SQL.
      const rows = await (f.overdue ? q.where(STILL_RUNNING) : q).orderBy('c.id', 'desc').execute();
      const items = (await showAll(rows)).filter((c) => c.clock.isOverdue === f.overdue);
      return { items: items.slice(offset, offset + f.pageSize), total: items.length, page: f.page, pageSize: f.pageSize };
    },

    /** One complaint within reach, with the attached sale and the mediation messages. */
    async get(actor: Actor, id: number) {
      return detail(await loadInReach(db, actor, id));
    },

    /** 受理: within 7 working days of receipt. */
    async accept(by: By, id: number) {
      mustHandle(by);
      await handle(by, id, 'complaint.accept', (r) => {
        if (r.status !== 'received') throw conflict(`投诉状态为“${COMPLAINT_STATUSES[r.status as ComplaintStatus].zh}”，不能受理 (only a received complaint can be accepted)`);
        return { status: 'accepted', accepted_on: today(), handled_by: by.actor.staffId };
      });
      return this.get(by.actor, id);
    },

    /** 不予受理, with the reason the consumer is told. */
    async refuse(by: By, id: number, reason: string) {
      mustHandle(by);
      const why = officeText(reason, { zh: '不予受理理由', en: 'the reason' });
      await handle(by, id, 'complaint.refuse', (r) => {
        if (r.status !== 'received') throw conflict(`投诉状态为“${COMPLAINT_STATUSES[r.status as ComplaintStatus].zh}”，不能作出不予受理决定 (only a received complaint can be refused)`);
        return { status: 'refused', refused_on: today(), refusal_reason: why, handled_by: by.actor.staffId };
      });
      return this.get(by.actor, id);
    },

    /** The office writes in the mediation (both parties read it). */
    async addOfficeMessage(by: By, id: number, body: string) {
      mustHandle(by);
      const text = officeText(body, { zh: '留言', en: 'a message' });
      await handle(
        by,
        id,
        'complaint.message',
        (r) => {
          if (!canWrite('office', r.status as ComplaintStatus)) throw conflict('投诉已办结，不能再留言 (the complaint is closed)');
          return afterMessage(r);
        },
        { author: 'office', body: text },
      );
      return this.get(by.actor, id);
    },

    /**
     * Ends mediation with its outcome. Upheld, it deducts the merchant's credit (CMP-01) as an
     * inspector's decision. The event is recorded before the complaint's own transaction: recordEvent
     * reads through the pool before it writes, which on PGlite (one connection) would wait on ours.
     */
    async close(by: By, id: number, input: CloseInput) {
      mustHandle(by);
      if (!(input.outcome in MEDIATION_OUTCOMES)) throw invalid('调解结果应为 agreement 或 terminated (outcome: agreement or terminated)');
      const note = officeText(input.note, { zh: '办结意见', en: 'the note' }, 2000);
      const before = await loadInReach(db, by.actor, id);
      const closable = (r: Row) => r.status === 'accepted' || r.status === 'mediating';
      if (!closable(before)) throw conflict(`投诉状态为“${COMPLAINT_STATUSES[before.status as ComplaintStatus].zh}”，不能办结 (only a complaint in mediation can be closed)`);
      const event = input.upheld
        ? await opts.credit.recordEvent(by, {
            merchantId: before.merchant_id,
            itemCode: 'CMP-01',
            occurredAt: before.received_at,
            evidence: `消费投诉 ${before.reference} 经查属实 (complaint found justified): ${note}`,
            source: 'complaint',
            origin: `complaint:${id}`,
          })
        : null;
      try {
        await handle(by, id, 'complaint.close', async (r, trx, audit) => {
          if (!closable(r)) throw conflict('投诉已被他人办结 (the complaint was closed meanwhile)');
          const on = today();
          // Mediation is over: a pause still under way ends with it.
          const ended = await endOpenPause(trx, id, { endedOn: on, endedBy: by.actor.staffId, at: now() });
          if (ended) audit.pauseEnded = { id: ended.id, kind: ended.kind, startedOn: ended.started_on, endedOn: ended.ended_on };
          return { status: 'closed', mediation_ended_on: on, mediation_outcome: input.outcome, is_upheld: input.upheld, outcome_note: note, handled_by: by.actor.staffId, credit_event_id: event?.id ?? null };
        });
      } catch (err) {
        if (event) await opts.credit.withdrawEvent(by, event.id, `投诉 ${before.reference} 未能办结，扣分撤销 (the complaint was not closed: deduction withdrawn)`).catch(() => undefined);
        throw err;
      }
      // The risk class counts upheld complaints: score again now the complaint says so.
      if (event) await opts.credit.rescore([before.merchant_id], 'complaint upheld');
      return this.get(by.actor, id);
    },

    /**
     * Stops the mediation clock for 检定、检验、检测、鉴定 (暂行办法 第二十一条) from `startedOn` (today by
     * default): in mediation only, one pause at a time, not in the future, not before acceptance.
     */
    async startPause(by: By, id: number, input: PauseInput) {
      mustHandle(by);
      if (!isPauseKind(input.kind)) throw invalid('暂停事由应为检定、检验、检测或鉴定 (kind: verification, inspection, testing or appraisal)', [{ field: 'kind', message: 'unknown kind' }]);
      const reason = officeText(input.reason, { zh: '暂停原因', en: 'the reason' }, PAUSE_REASON_MAX, 'reason');
      const on = today();
      const startedOn = input.startedOn ?? on;
      await handle(by, id, 'complaint.pause', async (r, trx, audit) => {
        const pauses = await pausesOf(trx, r.id);
        const status = r.status as ComplaintStatus;
        const mediationDue = complaintDeadlines(datesOf(r, pauses), calendar, on).mediationDue;
        const problem = pauseStartProblem({ status, acceptedOn: r.accepted_on, mediationDue, pauses: pauses.map(pauseDatesOf), startedOn, today: on }, COMPLAINT_STATUSES[status]);
        if (problem) throw pauseError(problem);
        const p = await insertPause(trx, { complaintId: r.id, kind: input.kind, reason, startedOn, startedBy: by.actor.staffId, at: now() });
        audit.pause = { id: p.id, kind: p.kind, reason: p.reason, startedOn: p.started_on };
        return {};
      });
      return this.get(by.actor, id);
    },

    /** Restarts the mediation clock: the pause under way ends on `endedOn` (today by default), not before it started. */
    async endPause(by: By, id: number, input: { endedOn?: string } = {}) {
      mustHandle(by);
      const on = today();
      const endedOn = input.endedOn ?? on;
      await handle(by, id, 'complaint.pause_end', async (r, trx, audit) => {
        const status = r.status as ComplaintStatus;
        if (!MEDIATING_STATUSES.includes(status)) throw conflict(`投诉状态为“${COMPLAINT_STATUSES[status].zh}”，没有进行中的暂停 (only a complaint in mediation has a pause to end)`);
        const open = (await pausesOf(trx, r.id)).find((p) => p.ended_on === null);
        const problem = pauseEndProblem(open && pauseDatesOf(open), endedOn, on);
        if (problem) throw pauseError(problem);
        const ended = (await endOpenPause(trx, r.id, { endedOn, endedBy: by.actor.staffId, at: now() }))!;
        audit.pause = { id: ended.id, kind: ended.kind, startedOn: ended.started_on, endedOn: ended.ended_on };
        return {};
      });
      return this.get(by.actor, id);
    },

    /** Both parties were told that mediation was terminated (within 7 working days of the decision). */
    async recordTerminationNotified(by: By, id: number) {
      mustHandle(by);
      await handle(by, id, 'complaint.termination_notified', (r) => {
        if (r.status !== 'closed' || r.mediation_outcome !== 'terminated') throw conflict('只有终止调解的投诉需要告知 (only a terminated mediation is notified)');
        if (r.termination_notified_on) throw conflict(`已于 ${r.termination_notified_on} 告知 (already notified)`);
        return { termination_notified_on: today() };
      });
      return this.get(by.actor, id);
    },

    // ---------------- the merchant

    /** The merchant's own complaints once accepted, newest first; the consumer's name and phone masked. */
    async listMine(actor: Actor) {
      const merchantId = ownMerchant(actor);
      const [rows, m] = await Promise.all([
        db.selectFrom('complaint as c').leftJoin('scale as s', 's.id', 'c.scale_id').selectAll('c').select('s.serial_no').where('c.merchant_id', '=', merchantId).where('c.status', 'in', ['accepted', 'mediating', 'closed']).orderBy('c.id', 'desc').limit(500).execute(),
        db.selectFrom('merchant').select('name').where('id', '=', merchantId).executeTakeFirstOrThrow(),
      ]);
      const on = today();
      const pauses = await findPausesOf(db, rows.map((r) => r.id));
      return rows.map((r) => forMerchant(present(r, { merchantName: m.name, scaleSerialNo: r.serial_no }, on, pauses.get(r.id) ?? []), r));
    },

    async getMine(actor: Actor, id: number) {
      const merchantId = ownMerchant(actor);
      const r = await db.selectFrom('complaint').selectAll().where('id', '=', id).where('merchant_id', '=', merchantId).executeTakeFirst();
      if (!r || !isVisibleToMerchant(r.status as ComplaintStatus)) throw notFound('complaint', id);
      const [names, messages, sale, pauses] = await Promise.all([namesOf(r), messagesOf(r.id), saleOf(r), pausesOf(db, r.id)]);
      const on = today();
      return { ...forMerchant(present(r, names, on, pauses), r), sale, messages, pauses: pauses.map((p) => pauseForParties(p, on, r.accepted_on)) };
    },

    /** The merchant's answer in the mediation. */
    async postMerchantMessage(by: By, id: number, body: string) {
      const merchantId = ownMerchant(by.actor);
      const text = screened(body);
      await db.transaction().execute(async (trx) => {
        const r = await trx.selectFrom('complaint').selectAll().where('id', '=', id).where('merchant_id', '=', merchantId).forUpdate().executeTakeFirst();
        if (!r || !isVisibleToMerchant(r.status as ComplaintStatus)) throw notFound('complaint', id);
        if (!canWrite('merchant', r.status as ComplaintStatus)) throw conflict('投诉已办结，不能再留言 (the complaint is closed)');
        await trx.insertInto('complaint_message').values({ complaint_id: id, at: now(), author: 'merchant', staff_id: by.actor.staffId, body: text }).execute();
        const set = afterMessage(r);
        if (Object.keys(set).length) await trx.updateTable('complaint').set(set).where('id', '=', id).execute();
        await appendAuditEntries(trx, [{ staffId: by.actor.staffId, action: 'complaint.merchant_message', entity: 'complaint', entityId: id, after: { status: set.status ?? r.status }, requestId: by.requestId }]);
      });
      return this.getMine(by.actor, id);
    },

    // ---------------- the clocks

    /**
     * Raises `complaint_overdue` for every complaint whose step due now is past its deadline, once
     * per complaint and step: the (complaint, step) is claimed in the same transaction as the alert.
     */
    async sweepOverdue(): Promise<{ overdue: number; raised: number }> {
      const on = today();
      const rows = await db.selectFrom('complaint as c').selectAll('c').where(STILL_RUNNING).execute();
      // Paused days do not count: a complaint is late only by its clock with its pauses.
      const pauses = await findPausesOf(db, rows.map((r) => r.id));
      const late = rows.flatMap((r) => {
        const due = complaintClockStatus(datesOf(r, pauses.get(r.id) ?? []), on, calendar).due;
        return due?.overdue ? [{ r, due }] : [];
      });
      if (!late.length) return { overdue: 0, raised: 0 };
      const raised = await db.transaction().execute(async (trx) => {
        const claimed = await trx
          .insertInto('complaint_overdue_alert')
          .values(late.map(({ r, due }) => ({ complaint_id: r.id, step: due.step, alerted_at: now() })))
          .onConflict((oc) => oc.columns(['complaint_id', 'step']).doNothing())
          .returning(['complaint_id', 'step'])
          .execute();
        const fresh = new Set(claimed.map((c) => `${c.complaint_id}:${c.step}`));
        const findings: Finding[] = late
          .filter(({ r, due }) => fresh.has(`${r.id}:${due.step}`))
          .map(({ r, due }) => overdueFinding(r, due.step, due.deadline!, due.daysOverdue));
        return opts.alerts.raiseIn(trx, findings);
      });
      await opts.alerts.publish(raised);
      return { overdue: late.length, raised: raised.length };
    },
  };

  function overdueFinding(r: Row, step: ComplaintStep, deadline: string, daysOverdue: number): Finding {
    const s = COMPLAINT_STEPS[step];
    return {
      type: 'complaint_overdue',
      subject: { scaleId: r.scale_id, merchantId: r.merchant_id, marketId: r.market_id, districtId: r.district_id },
      aggregationKey: `complaint:${r.id}:${step}`,
      title: `消费投诉 ${r.reference} 超期：${s.zh} (complaint ${r.reference} overdue: ${s.en.toLowerCase()})`,
      evidence: {
        at: now(),
        summary: `期限 ${deadline}，已超期 ${daysOverdue} 天 (deadline ${deadline}, ${daysOverdue} day${daysOverdue === 1 ? '' : 's'} late)`,
        data: { complaintId: r.id, reference: r.reference, step, deadline, daysOverdue, basis: s.basis.zh },
      },
    };
  }
}

function ownMerchant(actor: Actor): number {
  if (actor.role !== 'merchant' || !actor.merchantId) throw forbidden('不是商户账号 (not a merchant account)');
  return actor.merchantId;
}

/** What the merchant sees: the consumer's name masked too, and nothing of the office's internal links. */
function forMerchant<T extends { consumerName: string; creditEventId: number | null }>(c: T, r: Row) {
  const { creditEventId: _e, ...rest } = c;
  return { ...rest, consumerName: maskName(r.consumer_name) };
}

export type ComplaintService = ReturnType<typeof createComplaintService>;
