/**
 * Credit: rulebooks as data, credit events with due process, the score and stars that follow from
 * them, their history, risk classes and the integrity pledge. The arithmetic is the pure rules of
 * credit.rules.ts; this service stores, checks who may do what, and re-scores on every change.
 */
import { sql, type Selectable, type Transaction } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import { reachFilter } from '../../db/reach.js';
import { AppError, conflict, forbidden, invalid, notFound } from '../../shared/errors.js';
import { ALERT_TYPES, alreadyRecorded, type AlertsService } from '../alerts/index.js';
import { appendAuditEntries } from '../audit/index.js';
import type { Actor, By } from '../auth/index.js';
import { calendarDate, type RegistryService } from '../registry/index.js';
import { DEFAULT_RULEBOOK } from './credit.rulebook.default.js';
import {
  bulkScoringTerms,
  canApplyForRepair,
  canObject,
  creditItemForAlert,
  CREDIT_SOURCES,
  quickScore,
  riskClass,
  rulebookProblems,
  scoreMerchant,
  scoreOfPoints,
  type CreditEvent,
  type CreditEventStatus,
  type CreditRulebook,
  type CreditSource,
  type MerchantScore,
  type RiskClass,
} from './credit.rules.js';

type Q = Db | Transaction<Database>;
type EventRow = Selectable<Database['credit_event']>;

const SERIOUS_PENALTIES = new Set(['licence_suspension', 'qualification_downgrade', 'licence_revocation', 'business_restriction']);

/** Roles whose word confirms a deduction: a person with authority behind it. */
const CONFIRMING_ROLES = new Set(['admin', 'city_bureau', 'office_inspector']);

export interface RecordEventInput {
  merchantId: number;
  itemCode: string;
  occurredAt: Date;
  evidence: string;
  source?: CreditSource;
  origin?: string | null;
}

export function toRuleEvent(r: Pick<EventRow, 'id' | 'merchant_id' | 'item_code' | 'points' | 'occurred_at' | 'recorded_by' | 'source' | 'status' | 'confirmed_by' | 'confirmed_at' | 'objected_at' | 'objection' | 'objection_outcome' | 'objection_decided_at' | 'repair_applied_at' | 'repair_decided_at' | 'repair_outcome'>): CreditEvent {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    itemCode: r.item_code,
    points: r.points,
    occurredAt: r.occurred_at,
    recordedBy: r.recorded_by,
    source: r.source as CreditSource,
    status: r.status as CreditEventStatus,
    confirmedBy: r.confirmed_by,
    confirmedAt: r.confirmed_at,
    objection: r.objected_at ? { filedAt: r.objected_at, reason: r.objection ?? '', decidedAt: r.objection_decided_at, outcome: (r.objection_outcome as 'upheld' | 'rejected' | null) ?? null } : null,
    repair: r.repair_applied_at
      ? { appliedAt: r.repair_applied_at, grantedAt: r.repair_outcome === 'granted' ? r.repair_decided_at : null, refusedAt: r.repair_outcome === 'refused' ? r.repair_decided_at : null }
      : null,
  };
}

/** What credit needs of the alerts module to turn a finding into a credit event. */
export type AlertsForCredit = Pick<AlertsService, 'lockForCredit' | 'linkCreditEvent' | 'pushChanged'>;

export function createCreditService(db: Db, registry: RegistryService, opts: { timezone: string; now?: () => Date; parallel?: number; alerts?: AlertsForCredit }) {
  const parallelWriters = opts.parallel ?? 1;
  const now = opts.now ?? (() => new Date());
  const rulebooks = new Map<number, Promise<{ id: number; version: number; rulebook: CreditRulebook }>>();

  /**
   * The rulebook in force in a city; the platform default is published as version 1 on first need.
   * Inside a transaction pass it as `q`: PGlite has one connection, so `db` would wait for the transaction.
   */
  function rulebookFor(cityId: number, q: Q = db) {
    let p = rulebooks.get(cityId);
    if (!p) {
      p = (async () => {
        let row = await q.selectFrom('credit_rulebook').select(['id', 'version', 'body']).where('city_id', '=', cityId).orderBy('version', 'desc').limit(1).executeTakeFirst();
        if (!row) {
          await q
            .insertInto('credit_rulebook')
            .values({ city_id: cityId, version: 1, body: JSON.stringify({ ...DEFAULT_RULEBOOK, cityId }) })
            .onConflict((oc) => oc.columns(['city_id', 'version']).doNothing())
            .execute();
          row = await q.selectFrom('credit_rulebook').select(['id', 'version', 'body']).where('city_id', '=', cityId).orderBy('version', 'desc').limit(1).executeTakeFirstOrThrow();
        }
        return { id: row.id, version: row.version, rulebook: row.body as CreditRulebook };
      })();
      p.catch(() => rulebooks.delete(cityId));
      rulebooks.set(cityId, p);
    }
    return p;
  }

  async function cityOfMerchant(q: Q, merchantId: number): Promise<number> {
    const r = await q.selectFrom('merchant as m').innerJoin('district as d', 'd.id', 'm.district_id').select('d.city_id').where('m.id', '=', merchantId).executeTakeFirst();
    if (!r) throw notFound('merchant', merchantId);
    return r.city_id;
  }

  /** Staff in reach, or the merchant itself. */
  async function checkMerchant(actor: Actor, merchantId: number) {
    if (actor.role === 'merchant') {
      if (actor.merchantId !== merchantId) throw notFound('merchant', merchantId);
      return;
    }
    await registry.getMerchant(actor, merchantId);
  }

  async function loadEvent(q: Q, id: number, lock = false) {
    let sel = q.selectFrom('credit_event').selectAll().where('id', '=', id);
    if (lock) sel = sel.forUpdate();
    const r = await sel.executeTakeFirst();
    if (!r) throw notFound('credit event', id);
    return r;
  }

  /**
   * Re-scores merchants from their events: the stored score, stars, objection count and risk class
   * follow; a change of stars is kept in the history. Runs inside the caller's transaction.
   */
  async function rescoreIn(q: Q, merchantIds: readonly number[], cause: string): Promise<void> {
    if (!merchantIds.length) return;
    const at = now();
    const yearAgo = new Date(at.getTime() - 365 * 86_400_000);
    const [events, merchants, before, upheld, penalties] = await Promise.all([
      q.selectFrom('credit_event').selectAll().where('merchant_id', 'in', merchantIds).execute(),
      q.selectFrom('merchant as m').innerJoin('district as d', 'd.id', 'm.district_id').select(['m.id', 'd.city_id', 'm.created_at']).where('m.id', 'in', merchantIds).execute(),
      q.selectFrom('merchant_credit').select(['merchant_id', 'stars']).where('merchant_id', 'in', merchantIds).execute(),
      q.selectFrom('complaint').select(['merchant_id', (eb) => eb.fn.countAll<number>().as('n')]).where('merchant_id', 'in', merchantIds).where('is_upheld', '=', true).where('received_at', '>=', yearAgo).groupBy('merchant_id').execute(),
      q.selectFrom('penalty').select(['merchant_id', 'penalty_type']).where('merchant_id', 'in', merchantIds).where('decided_on', '>=', calendarDate(yearAgo, opts.timezone)).execute(),
    ]);
    const byMerchant = new Map<number, CreditEvent[]>();
    for (const e of events) (byMerchant.get(e.merchant_id) ?? byMerchant.set(e.merchant_id, []).get(e.merchant_id)!).push(toRuleEvent(e));
    const starsBefore = new Map(before.map((b) => [b.merchant_id, b.stars]));
    const upheldOf = new Map(upheld.map((u) => [u.merchant_id, Number(u.n)]));
    const rows: { merchant_id: number; score: number; stars: number; rulebook_id: number; under_objection: number; risk_class: RiskClass; computed_at: Date }[] = [];
    const history: { merchant_id: number; at: Date; score: number; stars: number; rulebook_id: number; cause: string }[] = [];
    for (const m of merchants) {
      const rb = await rulebookFor(m.city_id, q);
      const s = quickScore(byMerchant.get(m.id) ?? [], rb.rulebook, at);
      const pens = penalties.filter((p) => p.merchant_id === m.id);
      const risk = riskClass({
        score: s.score,
        stars: s.stars,
        upheldComplaintsLastYear: upheldOf.get(m.id) ?? 0,
        penaltiesLastYear: pens.length,
        seriousPenaltiesLastYear: pens.filter((p) => SERIOUS_PENALTIES.has(p.penalty_type)).length,
        daysOnRecord: Math.floor((at.getTime() - m.created_at.getTime()) / 86_400_000),
      }).riskClass;
      rows.push({ merchant_id: m.id, score: s.score, stars: s.stars, rulebook_id: rb.id, under_objection: s.underObjection, risk_class: risk, computed_at: at });
      if (starsBefore.get(m.id) !== s.stars) history.push({ merchant_id: m.id, at, score: s.score, stars: s.stars, rulebook_id: rb.id, cause });
    }
    for (let i = 0; i < rows.length; i += 2000) {
      await q
        .insertInto('merchant_credit')
        .values(rows.slice(i, i + 2000))
        .onConflict((oc) =>
          oc.column('merchant_id').doUpdateSet((eb) => ({
            score: eb.ref('excluded.score'),
            stars: eb.ref('excluded.stars'),
            rulebook_id: eb.ref('excluded.rulebook_id'),
            under_objection: eb.ref('excluded.under_objection'),
            risk_class: eb.ref('excluded.risk_class'),
            computed_at: eb.ref('excluded.computed_at'),
          })),
        )
        .execute();
    }
    for (let i = 0; i < history.length; i += 2000) await q.insertInto('credit_star_history').values(history.slice(i, i + 2000)).execute();
  }

  /** Writes one change to an event and re-scores its merchant, with an audit entry, in one transaction. */
  async function changeEvent(by: By, id: number, action: string, change: (row: Awaited<ReturnType<typeof loadEvent>>, trx: Transaction<Database>) => Promise<Partial<Record<string, unknown>> | void>) {
    // Reach is checked before the transaction: the registry reads through `db`.
    await checkMerchant(by.actor, (await loadEvent(db, id)).merchant_id);
    return db.transaction().execute(async (trx) => {
      const row = await loadEvent(trx, id, true);
      const set = await change(row, trx);
      if (set && Object.keys(set).length) await trx.updateTable('credit_event').set(set as never).where('id', '=', id).execute();
      await rescoreIn(trx, [row.merchant_id], action);
      await appendAuditEntries(trx, [{ staffId: by.actor.staffId, action, entity: 'credit_event', entityId: id, before: { status: row.status }, after: set ?? {}, requestId: by.requestId }]);
      return loadEvent(trx, id);
    });
  }

  /**
   * One range of a city's merchants (id in (from, to]), re-scored in one transaction. The counted
   * points are summed in SQL by the terms of `bulkScoringTerms` (only one small row per merchant
   * crosses the wire); the few merchants whose result depends on the order of their events are
   * replayed through `quickScore`; score, stars and risk class follow from the pure rules.
   */
  async function rescoreRange(cityId: number, from: number, to: number, rb: { id: number; rulebook: CreditRulebook }, cause: string): Promise<number> {
    return db.transaction().execute(async (trx) => {
      // One range is small work: parallel workers would each repeat the scan, and JIT compiling costs more than it saves.
      await sql`select set_config('mashang.bulk', 'on', true), set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true), set_config('work_mem', '64MB', true)`.execute(trx);
      const at = now();
      const yearAgo = new Date(at.getTime() - 365 * 86_400_000);
      const t = bulkScoringTerms(rb.rulebook, at);
      const { rows } = await sql<{ id: number; created: Date; prev: number | null; points: number; objected: number; replay: boolean }>`
        -- The events are read in the order of credit_event_merchant_idx (merchant, item), from the index alone.
        with rb(code, points, since, cap) as (
          select * from unnest(${t.codes}::text[], ${t.points}::int[], ${t.since}::timestamptz[], ${t.caps}::int[])
        ), item as (
          select e.merchant_id, min(rb.cap) as cap, sum(greatest(e.points, rb.points)) as total, sum(abs(greatest(e.points, rb.points))) as mag,
                 min(greatest(e.points, rb.points)) as lo, max(greatest(e.points, rb.points)) as hi, count(*) filter (where e.status = 'objected') as objected
          from credit_event e join rb on rb.code = e.item_code
          where e.merchant_id > ${from} and e.merchant_id <= ${to}
            and e.status in ('confirmed', 'objected') and (e.confirmed_by is not null or e.points >= 0 or rb.points >= 0)
            and e.occurred_at < ${t.before} and e.occurred_at >= rb.since
          group by e.merchant_id, e.item_code
        ), per as (
          select merchant_id,
                 sum(case when cap is null or mag <= cap then total when lo > 0 then cap when hi < 0 then -cap else 0 end)::int as points,
                 sum(objected)::int as objected,
                 bool_or(cap is not null and mag > cap and (objected > 0 or (lo < 0 and hi > 0))) as replay
          from item group by merchant_id
        )
        select m.id, m.created_at as created, mc.stars as prev, coalesce(p.points, 0) as points, coalesce(p.objected, 0) as objected, coalesce(p.replay, false) as replay
        from merchant m join district d on d.id = m.district_id
          left join merchant_credit mc on mc.merchant_id = m.id left join per p on p.merchant_id = m.id
        where d.city_id = ${cityId} and m.id > ${from} and m.id <= ${to}`.execute(trx);
      if (!rows.length) return 0;
      const ids = rows.map((r) => r.id);
      const replayIds = rows.filter((r) => r.replay).map((r) => r.id);
      const [upheld, penalties, replayed] = await Promise.all([
        sql<{ merchant_id: number; n: number }>`select merchant_id, count(*)::int as n from complaint where merchant_id = any(${ids}::bigint[]) and is_upheld and received_at >= ${yearAgo} group by merchant_id`.execute(trx),
        sql<{ merchant_id: number; penalty_type: string }>`select merchant_id, penalty_type from penalty where merchant_id = any(${ids}::bigint[]) and decided_on >= ${calendarDate(yearAgo, opts.timezone)}::date`.execute(trx),
        replayIds.length ? trx.selectFrom('credit_event').selectAll().where('merchant_id', 'in', replayIds).execute() : Promise.resolve([]),
      ]);
      const upheldOf = new Map(upheld.rows.map((u) => [u.merchant_id, u.n]));
      const pensOf = new Map<number, string[]>();
      for (const p of penalties.rows) (pensOf.get(p.merchant_id) ?? pensOf.set(p.merchant_id, []).get(p.merchant_id)!).push(p.penalty_type);
      const eventsOf = new Map<number, CreditEvent[]>();
      for (const e of replayed) (eventsOf.get(e.merchant_id) ?? eventsOf.set(e.merchant_id, []).get(e.merchant_id)!).push(toRuleEvent(e));
      const upd = { id: [] as number[], score: [] as number[], stars: [] as number[], objected: [] as number[], risk: [] as string[] };
      const ins = { id: [] as number[], score: [] as number[], stars: [] as number[], objected: [] as number[], risk: [] as string[] };
      const hist = { id: [] as number[], score: [] as number[], stars: [] as number[] };
      for (const r of rows) {
        const s = r.replay ? quickScore(eventsOf.get(r.id) ?? [], rb.rulebook, at) : { ...scoreOfPoints(r.points, rb.rulebook), underObjection: r.objected };
        const pens = pensOf.get(r.id) ?? [];
        const risk = riskClass({
          score: s.score,
          stars: s.stars,
          upheldComplaintsLastYear: upheldOf.get(r.id) ?? 0,
          penaltiesLastYear: pens.length,
          seriousPenaltiesLastYear: pens.filter((p) => SERIOUS_PENALTIES.has(p)).length,
          daysOnRecord: Math.floor((at.getTime() - r.created.getTime()) / 86_400_000),
        }).riskClass;
        const out = r.prev === null ? ins : upd;
        out.id.push(r.id);
        out.score.push(s.score);
        out.stars.push(s.stars);
        out.objected.push(s.underObjection);
        out.risk.push(risk);
        if (r.prev !== s.stars) {
          hist.id.push(r.id);
          hist.score.push(s.score);
          hist.stars.push(s.stars);
        }
      }
      if (upd.id.length)
        await sql`update merchant_credit mc set score = k.score, stars = k.stars, rulebook_id = ${rb.id}, under_objection = k.objected, risk_class = k.risk, computed_at = ${at}
            from unnest(${upd.id}::bigint[], ${upd.score}::int[], ${upd.stars}::int[], ${upd.objected}::int[], ${upd.risk}::text[]) as k(id, score, stars, objected, risk)
            where mc.merchant_id = k.id`.execute(trx);
      if (ins.id.length)
        await sql`insert into merchant_credit (merchant_id, score, stars, rulebook_id, under_objection, risk_class, computed_at)
            select k.id, k.score, k.stars, ${rb.id}, k.objected, k.risk, ${at} from unnest(${ins.id}::bigint[], ${ins.score}::int[], ${ins.stars}::int[], ${ins.objected}::int[], ${ins.risk}::text[]) as k(id, score, stars, objected, risk)
            on conflict (merchant_id) do update set score = excluded.score, stars = excluded.stars, rulebook_id = excluded.rulebook_id, under_objection = excluded.under_objection, risk_class = excluded.risk_class, computed_at = excluded.computed_at`.execute(trx);
      if (hist.id.length)
        await sql`insert into credit_star_history (merchant_id, at, score, stars, rulebook_id, cause)
            select k.id, ${at}, k.score, k.stars, ${rb.id}, ${cause} from unnest(${hist.id}::bigint[], ${hist.score}::int[], ${hist.stars}::int[]) as k(id, score, stars)`.execute(trx);
      return rows.length;
    });
  }

  const ruleOf = async (merchantId: number, q: Q = db) => (await rulebookFor(await cityOfMerchant(q, merchantId), q)).rulebook;

  return {
    rulebookFor,

    /** Publishes a new version of a city's rulebook and re-scores every merchant of the city under it. */
    async publishRulebook(by: By, cityId: number, body: CreditRulebook): Promise<{ id: number; version: number; rescored: number }> {
      if (by.actor.reach.kind !== 'all' && by.actor.cityId !== cityId) throw notFound('city', cityId);
      const problems = rulebookProblems(body);
      if (problems.length) throw invalid(`评分细则有误 (the rulebook has problems): ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems);
      const published = await db.transaction().execute(async (trx) => {
        const last = await trx.selectFrom('credit_rulebook').select('version').where('city_id', '=', cityId).orderBy('version', 'desc').limit(1).executeTakeFirst();
        const version = (last?.version ?? 0) + 1;
        const row = await trx
          .insertInto('credit_rulebook')
          .values({ city_id: cityId, version, body: JSON.stringify({ ...body, cityId, version: String(version), publishedAt: now().toISOString() }), published_at: now(), published_by: by.actor.staffId })
          .returning(['id', 'version'])
          .executeTakeFirstOrThrow();
        await appendAuditEntries(trx, [{ staffId: by.actor.staffId, action: 'credit.rulebook_publish', entity: 'city', entityId: cityId, after: { version }, requestId: by.requestId }]);
        return row;
      });
      rulebooks.delete(cityId);
      const rescored = await this.rescoreCity(cityId, `rulebook v${published.version}`);
      return { id: published.id, version: published.version, rescored };
    },

    /**
     * Every merchant of a city under the rulebook in force: ranges of merchants, each read in one
     * query (its events folded into one text per merchant), scored in memory, written back in one
     * statement. Several ranges run at once on PostgreSQL. The per-row page notifications are
     * replaced by one that drops every cached page.
     */
    async rescoreCity(cityId: number, cause: string, opts: { batch?: number; parallel?: number } = {}): Promise<number> {
      const batch = opts.batch ?? 5000;
      const parallel = opts.parallel ?? parallelWriters;
      const rb = await rulebookFor(cityId);
      const bounds = (
        await sql<{ id: number }>`select id from (select m.id, row_number() over (order by m.id) as rn from merchant m join district d on d.id = m.district_id where d.city_id = ${cityId}) x
          where rn % ${batch} = 0 order by id`.execute(db)
      ).rows.map((r) => r.id);
      const ranges: [number, number][] = [];
      let lo = 0;
      for (const hi of bounds) {
        ranges.push([lo, hi]);
        lo = hi;
      }
      ranges.push([lo, Number.MAX_SAFE_INTEGER]);
      let n = 0;
      let next = 0;
      const worker = async () => {
        while (next < ranges.length) {
          const [from, to] = ranges[next++]!;
          // Not `n += await …`: that reads n before the await and loses the other worker's ranges.
          const done = await rescoreRange(cityId, from, to, rb, cause);
          n += done;
        }
      };
      await Promise.all(Array.from({ length: parallel }, worker));
      await sql`select pg_notify('mashang_public', '*')`.execute(db);
      return n;
    },

    rescore: (merchantIds: readonly number[], cause = 'rescore') => db.transaction().execute((trx) => rescoreIn(trx, merchantIds, cause)),
    rescoreIn,

    /**
     * Records a bonus or deduction against the rulebook. An inspector's (or the bureau's) record is
     * a decision and counts at once; a market manager's evaluation or a system finding is evidence
     * that counts only once an inspector confirms it.
     */
    async recordEvent(by: By, input: RecordEventInput, trxIn?: Transaction<Database>) {
      // Within a caller's transaction the caller has checked the merchant (and `db` must not be used).
      if (!trxIn) await checkMerchant(by.actor, input.merchantId);
      if (by.actor.role === 'merchant') throw forbidden();
      const rb = await ruleOf(input.merchantId, trxIn ?? db);
      const item = rb.items.find((i) => i.code === input.itemCode);
      if (!item) throw invalid(`评分细则中没有条目 ${input.itemCode} (no item ${input.itemCode} in the rulebook in force)`, [{ field: 'itemCode', message: 'unknown item' }]);
      if (!(input.occurredAt instanceof Date) || Number.isNaN(input.occurredAt.getTime()) || input.occurredAt.getTime() > now().getTime() + 60_000)
        throw invalid('发生时间无效或在未来 (occurredAt is invalid or in the future)', [{ field: 'occurredAt', message: 'invalid or future' }]);
      if (!input.evidence.trim()) throw invalid(`须提供证据：${item.evidenceRequired.zh} (evidence required: ${item.evidenceRequired.en})`, [{ field: 'evidence', message: 'required' }]);
      const confirms = CONFIRMING_ROLES.has(by.actor.role);
      const source: CreditSource = input.source ?? (by.actor.role === 'market_manager' ? 'evaluation' : 'inspection');
      if (!(source in CREDIT_SOURCES)) throw invalid(`unknown source ${source}`);
      const write = async (trx: Transaction<Database>) => {
        const at = now();
        const row = await trx
          .insertInto('credit_event')
          .values({
            merchant_id: input.merchantId,
            item_code: item.code,
            points: item.points,
            occurred_at: input.occurredAt,
            recorded_at: at,
            recorded_by: by.actor.staffId,
            source,
            status: confirms ? 'confirmed' : 'proposed',
            evidence: input.evidence.trim(),
            confirmed_by: confirms ? by.actor.staffId : null,
            confirmed_at: confirms ? at : null,
            origin: input.origin ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await rescoreIn(trx, [input.merchantId], 'event');
        await appendAuditEntries(trx, [{ staffId: by.actor.staffId, action: 'credit.event_record', entity: 'merchant', entityId: input.merchantId, after: { eventId: row.id, item: item.code, points: item.points, status: row.status }, requestId: by.requestId }]);
        return row;
      };
      return trxIn ? write(trxIn) : db.transaction().execute(write);
    },

    /**
     * Turns a system finding (an alert) into a credit event for its merchant, with the alert as its
     * evidence, through `recordEvent`: an inspector's record counts at once. The item is the one
     * the alert type suggests unless another is chosen. One event per alert: a second is refused
     * (409 naming the first), and the alert links to its event.
     */
    async recordFromAlert(by: By, alertId: number, input: { itemCode?: string; note?: string }) {
      const alerts = opts.alerts;
      if (!alerts) throw new Error('createCreditService: opts.alerts is required to record from an alert');
      const note = (input.note ?? '').trim();
      // Reach on the merchant is checked before the transaction: the registry reads through `db`.
      const peek = await db.transaction().execute((trx) => alerts.lockForCredit(trx, by.actor, alertId));
      if (peek.merchant_id === null) throw conflict('该预警未关联经营主体，不能记录信用事件 (the alert names no merchant)');
      await checkMerchant(by.actor, peek.merchant_id);
      const event = await db.transaction().execute(async (trx) => {
        const alert = await alerts.lockForCredit(trx, by.actor, alertId);
        if (alert.credit_event_id !== null) throw alreadyRecorded(alert.credit_event_id);
        const merchantId = alert.merchant_id!;
        const rb = await ruleOf(merchantId, trx);
        const itemCode = input.itemCode ?? creditItemForAlert(alert.type, rb);
        if (!itemCode) throw invalid('此类预警没有对应的评分条目，请选择条目 (no rulebook item fits this alert type: choose one)', [{ field: 'itemCode', message: 'required for this alert type' }]);
        const label = ALERT_TYPES[alert.type as keyof typeof ALERT_TYPES] ?? { zh: alert.type, en: alert.type };
        const evidence = [
          `平台预警 #${alert.id}（${label.zh} / ${label.en}）：${alert.title}`,
          `${alert.summary}`,
          `证据 ${alert.evidence_count} 条，${alert.first_seen_at.toISOString()} 至 ${alert.last_seen_at.toISOString()} (${alert.evidence_count} pieces of evidence)`,
          ...(note ? [`核实意见 (inspector's note)：${note}`] : []),
        ].join('\n');
        const row = await this.recordEvent(by, { merchantId, itemCode, occurredAt: alert.first_seen_at, evidence, source: 'system_finding', origin: `alert:${alert.id}` }, trx);
        await alerts.linkCreditEvent(trx, by, alert.id, row.id, note || `${itemCode} ${row.points}`);
        return row;
      });
      await alerts.pushChanged(alertId);
      return event;
    },

    /** An inspector confirms a proposed event: from now it counts. */
    confirmEvent: (by: By, id: number) =>
      changeEvent(by, id, 'credit.event_confirm', async (row) => {
        if (!CONFIRMING_ROLES.has(by.actor.role)) throw forbidden('只有监管人员可以确认扣分 (only an inspector confirms)');
        if (row.status !== 'proposed') throw conflict(`该记录状态为 ${row.status}，不能确认 (only a proposed event can be confirmed)`);
        return { status: 'confirmed', confirmed_by: by.actor.staffId, confirmed_at: now() };
      }),

    /** Sets an event aside (recorded in error); it stays in the history. */
    withdrawEvent: (by: By, id: number, note: string) =>
      changeEvent(by, id, 'credit.event_withdraw', async (row) => {
        if (!CONFIRMING_ROLES.has(by.actor.role)) throw forbidden();
        if (!note.trim()) throw invalid('须说明撤销理由 (a note is required)');
        if (row.status === 'withdrawn' || row.status === 'repaired') throw conflict('该记录已撤销或已修复 (already withdrawn or repaired)');
        return { status: 'withdrawn', objection_note: note.trim() };
      }),

    /** The merchant's public reply, shown beside the record. */
    reply: (by: By, id: number, text: string) =>
      changeEvent(by, id, 'credit.event_reply', async () => {
        if (by.actor.role !== 'merchant') throw forbidden('只有商户本人可以回复 (only the merchant replies)');
        const t = text.trim();
        if (!t || t.length > 500) throw invalid('回复须为1到500字 (a reply has 1 to 500 characters)');
        return { reply: t, replied_at: now() };
      }),

    /** The merchant objects to a deduction within the rulebook's window; the public page says so while it is open. */
    object: (by: By, id: number, reason: string) =>
      changeEvent(by, id, 'credit.event_object', async (row, trx) => {
        if (by.actor.role !== 'merchant') throw forbidden('只有商户本人可以提出异议 (only the merchant objects)');
        if (!reason.trim()) throw invalid('须说明异议理由 (a reason is required)');
        const check = canObject(toRuleEvent(row), now(), await ruleOf(row.merchant_id, trx));
        if (!check.allowed) throw new AppError('objection_refused', `不能提出异议 (cannot object: ${check.reason}${check.lastDay ? `, last day ${check.lastDay}` : ''})`, 409);
        return { status: 'objected', objection: reason.trim(), objected_at: now() };
      }),

    /** An inspector decides an objection: upheld withdraws the event, rejected restores it. */
    decideObjection: (by: By, id: number, outcome: 'upheld' | 'rejected', note: string) =>
      changeEvent(by, id, 'credit.objection_decide', async (row) => {
        if (!CONFIRMING_ROLES.has(by.actor.role)) throw forbidden();
        if (row.status !== 'objected') throw conflict('没有待处理的异议 (no open objection)');
        if (!note.trim()) throw invalid('须说明处理意见 (a note is required)');
        return { status: outcome === 'upheld' ? 'withdrawn' : 'confirmed', objection_outcome: outcome, objection_decided_at: now(), objection_decided_by: by.actor.staffId, objection_note: note.trim() };
      }),

    /** Credit repair (信用修复): after the minimum period, with a written commitment and evidence. */
    applyRepair: (by: By, id: number, commitment: string, evidence: string) =>
      changeEvent(by, id, 'credit.repair_apply', async (row, trx) => {
        if (by.actor.role !== 'merchant') throw forbidden('只有商户本人可以申请信用修复 (only the merchant applies)');
        if (!commitment.trim() || !evidence.trim()) throw invalid('须提交书面承诺和整改证据 (a written commitment and evidence are required)');
        const check = canApplyForRepair(toRuleEvent(row), now(), await ruleOf(row.merchant_id, trx));
        if (!check.allowed) throw new AppError('repair_refused', `暂不能申请信用修复 (cannot apply for repair: ${check.reason}${check.earliestOn ? `, earliest ${check.earliestOn}` : ''})`, 409);
        return { repair_commitment: commitment.trim(), repair_evidence: evidence.trim(), repair_applied_at: now(), repair_outcome: null, repair_decided_at: null, repair_decided_by: null, repair_note: null };
      }),

    /** A decision on a repair: granted restores the points and keeps the history. */
    decideRepair: (by: By, id: number, outcome: 'granted' | 'refused', note: string) =>
      changeEvent(by, id, 'credit.repair_decide', async (row, trx) => {
        if (!CONFIRMING_ROLES.has(by.actor.role)) throw forbidden();
        if (!row.repair_applied_at || row.repair_outcome) throw conflict('没有待处理的修复申请 (no pending repair application)');
        if (!note.trim()) throw invalid('须说明处理意见 (a note is required)');
        if (outcome === 'granted') await trx.updateTable('penalty').set({ repaired_on: calendarDate(now(), opts.timezone) }).where('credit_event_id', '=', id).execute();
        return { ...(outcome === 'granted' ? { status: 'repaired' } : {}), repair_outcome: outcome, repair_decided_at: now(), repair_decided_by: by.actor.staffId, repair_note: note.trim() };
      }),

    /** The merchant signs the integrity pledge of the rulebook in force; it counts as the pledge bonus. */
    async signPledge(by: By, signedBy: string) {
      if (by.actor.role !== 'merchant' || !by.actor.merchantId) throw forbidden('只有商户本人可以签署承诺 (only the merchant signs its pledge)');
      const merchantId = by.actor.merchantId;
      const name = signedBy.trim();
      const m = await db.selectFrom('merchant').select(['legal_rep']).where('id', '=', merchantId).executeTakeFirstOrThrow();
      if (!name) throw invalid('须填写签署人姓名 (the signer’s name is required)');
      if (name !== m.legal_rep.trim()) throw invalid(`须由法定代表人或经营者 ${m.legal_rep} 本人签署 (the pledge is signed by the legal representative or operator, ${m.legal_rep})`, [{ field: 'signedBy', message: 'must be the legal representative or operator' }]);
      const rb = await rulebookFor(await cityOfMerchant(db, merchantId));
      return db.transaction().execute(async (trx) => {
        const at = now();
        await trx.updateTable('integrity_pledge').set({ withdrawn_at: at }).where('merchant_id', '=', merchantId).where('withdrawn_at', 'is', null).where('broken_at', 'is', null).execute();
        const pledge = await trx
          .insertInto('integrity_pledge')
          .values({ merchant_id: merchantId, rulebook_id: rb.id, text_zh: rb.rulebook.pledgeText.zh, text_en: rb.rulebook.pledgeText.en, signed_by: name, signed_on: calendarDate(at, opts.timezone), signed_at: at, account_id: by.actor.staffId })
          .returningAll()
          .executeTakeFirstOrThrow();
        const pledgeItem = rb.rulebook.items.find((i) => i.category === 'pledge' && i.points > 0);
        if (pledgeItem)
          await trx
            .insertInto('credit_event')
            .values({ merchant_id: merchantId, item_code: pledgeItem.code, points: pledgeItem.points, occurred_at: at, recorded_at: at, recorded_by: by.actor.staffId, source: 'pledge', status: 'confirmed', evidence: `诚信经营承诺 #${pledge.id}`, confirmed_at: at, origin: `pledge:${pledge.id}` })
            .execute();
        await rescoreIn(trx, [merchantId], 'pledge');
        await appendAuditEntries(trx, [{ staffId: by.actor.staffId, action: 'credit.pledge_sign', entity: 'merchant', entityId: merchantId, after: { pledgeId: pledge.id, signedBy: name }, requestId: by.requestId }]);
        return pledge;
      });
    },

    /** Withdrawing the pledge takes its bonus away (the event is withdrawn, kept in history). */
    async withdrawPledge(by: By) {
      if (by.actor.role !== 'merchant' || !by.actor.merchantId) throw forbidden();
      const merchantId = by.actor.merchantId;
      return db.transaction().execute(async (trx) => {
        const p = await trx.selectFrom('integrity_pledge').selectAll().where('merchant_id', '=', merchantId).where('withdrawn_at', 'is', null).where('broken_at', 'is', null).forUpdate().executeTakeFirst();
        if (!p) throw notFound('pledge');
        await trx.updateTable('integrity_pledge').set({ withdrawn_at: now() }).where('id', '=', p.id).execute();
        await trx.updateTable('credit_event').set({ status: 'withdrawn', objection_note: '承诺已撤回 (pledge withdrawn)' }).where('origin', '=', `pledge:${p.id}`).execute();
        await rescoreIn(trx, [merchantId], 'pledge withdrawn');
        await appendAuditEntries(trx, [{ staffId: by.actor.staffId, action: 'credit.pledge_withdraw', entity: 'merchant', entityId: merchantId, before: { pledgeId: p.id }, requestId: by.requestId }]);
      });
    },

    /** An inspector records that the pledge was broken: the bonus goes; a deduction is recorded on its own. */
    async markPledgeBroken(by: By, merchantId: number, note: string) {
      await checkMerchant(by.actor, merchantId);
      if (!CONFIRMING_ROLES.has(by.actor.role)) throw forbidden();
      if (!note.trim()) throw invalid('须说明违背承诺的事实 (a note is required)');
      return db.transaction().execute(async (trx) => {
        const p = await trx.selectFrom('integrity_pledge').selectAll().where('merchant_id', '=', merchantId).where('withdrawn_at', 'is', null).where('broken_at', 'is', null).forUpdate().executeTakeFirst();
        if (!p) throw notFound('pledge');
        await trx.updateTable('integrity_pledge').set({ broken_at: now(), broken_note: note.trim() }).where('id', '=', p.id).execute();
        await trx.updateTable('credit_event').set({ status: 'withdrawn', objection_note: `违背承诺 (pledge broken): ${note.trim()}` }).where('origin', '=', `pledge:${p.id}`).execute();
        await rescoreIn(trx, [merchantId], 'pledge broken');
        await appendAuditEntries(trx, [{ staffId: by.actor.staffId, action: 'credit.pledge_broken', entity: 'merchant', entityId: merchantId, after: { pledgeId: p.id, note }, requestId: by.requestId }]);
      });
    },

    /** A merchant's whole credit record: score and its explanation, every event with its due-process state, the pledge, star history. */
    async record(actor: Actor, merchantId: number) {
      await checkMerchant(actor, merchantId);
      return this.explain(merchantId);
    },

    /** The public explanation: exactly which events make the score. No reach check: the public page shows it. */
    async explain(merchantId: number): Promise<{
      score: MerchantScore;
      rulebookVersion: number;
      events: (CreditEvent & { evidence: string; reply: string | null; objectionText: string | null; repairOutcome: string | null; title: { zh: string; en: string } | null })[];
      pledge: { signedBy: string; signedOn: string; text: { zh: string; en: string } } | null;
      history: { at: string; score: number; stars: number; cause: string }[];
      riskClass: RiskClass | null;
      /** The pledge text of the rulebook in force, for signing. */
      pledgeText: { zh: string; en: string };
      merchant: { name: string; legalRep: string };
    }> {
      const cityId = await cityOfMerchant(db, merchantId);
      const rb = await rulebookFor(cityId);
      const [rows, pledge, history, stored, merchant] = await Promise.all([
        db.selectFrom('credit_event').selectAll().where('merchant_id', '=', merchantId).orderBy('occurred_at', 'desc').execute(),
        db.selectFrom('integrity_pledge').selectAll().where('merchant_id', '=', merchantId).where('withdrawn_at', 'is', null).where('broken_at', 'is', null).executeTakeFirst(),
        db.selectFrom('credit_star_history').selectAll().where('merchant_id', '=', merchantId).orderBy('at', 'desc').limit(50).execute(),
        db.selectFrom('merchant_credit').select('risk_class').where('merchant_id', '=', merchantId).executeTakeFirst(),
        db.selectFrom('merchant').select(['name', 'legal_rep']).where('id', '=', merchantId).executeTakeFirstOrThrow(),
      ]);
      const titles = new Map(rb.rulebook.items.map((i) => [i.code, i.title]));
      return {
        score: scoreMerchant(rows.map(toRuleEvent), rb.rulebook, now()),
        rulebookVersion: rb.version,
        events: rows.map((r) => ({ ...toRuleEvent(r), evidence: r.evidence, reply: r.reply, objectionText: r.objection, repairOutcome: r.repair_outcome, title: titles.get(r.item_code) ?? null })),
        pledge: pledge ? { signedBy: pledge.signed_by, signedOn: pledge.signed_on, text: { zh: pledge.text_zh, en: pledge.text_en } } : null,
        history: history.map((h) => ({ at: h.at.toISOString(), score: h.score, stars: h.stars, cause: h.cause })),
        riskClass: (stored?.risk_class as RiskClass | undefined) ?? null,
        pledgeText: rb.rulebook.pledgeText,
        merchant: { name: merchant.name, legalRep: merchant.legal_rep },
      };
    },

    /** Events awaiting an inspector within reach: proposed ones and open objections and repair applications. */
    async pending(actor: Actor) {
      const rows = await db
        .selectFrom('credit_event as e')
        .innerJoin('merchant as m', 'm.id', 'e.merchant_id')
        .select(['e.id', 'e.merchant_id', 'm.name as merchant_name', 'e.item_code', 'e.points', 'e.status', 'e.occurred_at', 'e.source', 'e.evidence', 'e.objection', 'e.repair_applied_at', 'e.repair_outcome', 'e.repair_commitment'])
        .where((eb) => eb.or([eb('e.status', 'in', ['proposed', 'objected']), eb.and([eb('e.repair_applied_at', 'is not', null), eb('e.repair_outcome', 'is', null)])]))
        .where(reachOf(actor))
        .orderBy('e.occurred_at')
        .limit(500)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        merchantId: r.merchant_id,
        merchantName: r.merchant_name,
        itemCode: r.item_code,
        points: r.points,
        status: r.status,
        occurredAt: r.occurred_at.toISOString(),
        source: r.source,
        evidence: r.evidence,
        objection: r.objection,
        repairPending: Boolean(r.repair_applied_at && !r.repair_outcome),
        repairCommitment: r.repair_commitment,
      }));
    },
  };
}

const reachOf = (actor: Actor) => reachFilter(actor.reach, 'm.district_id', 'm.market_id');

export type CreditService = ReturnType<typeof createCreditService>;
