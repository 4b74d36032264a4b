/**
 * Administrative penalties (行政处罚): decisions recorded by the office, each deducting the
 * merchant's credit under the rulebook (PEN-01/02/03) as the recorder's decision, and each public
 * on the merchant page for the disclosure period its type sets (penaltyDisclosure), kept after.
 */
import type { Selectable } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import { reachFilter } from '../../db/reach.js';
import { conflict, forbidden, invalid, notFound } from '../../shared/errors.js';
import { appendAuditEntries } from '../audit/index.js';
import { isWithinReach, type Actor, type By } from '../auth/index.js';
import { PENALTY_TYPES, penaltyDisclosure, type CreditRulebook, type CreditService, type PenaltyType } from '../credit/index.js';
import { calendarDate, type RegistryService } from '../registry/index.js';
import { penaltyItemCode, penaltyProblems, type PenaltyInput } from './penalty.rules.js';

type Row = Selectable<Database['penalty']>;
type ListedRow = Row & { merchant_name: string; district_id: number; market_id: number | null; city_id: number };

/** Roles whose record of a decision is itself a decision: the deduction counts at once. */
const RECORDING_ROLES = new Set(['admin', 'city_bureau', 'office_inspector']);

const isUniqueViolation = (e: unknown) => (e as { code?: string } | null)?.code === '23505';

export interface PenaltyListFilter {
  merchantId?: number;
  /** Decision number, violation or merchant name contains. */
  q?: string;
  page: number;
  pageSize: number;
}

export function createPenaltyService(db: Db, opts: { registry: Pick<RegistryService, 'getMerchant'>; credit: Pick<CreditService, 'recordEvent' | 'rulebookFor'>; timezone: string; now?: () => Date }) {
  const now = opts.now ?? (() => new Date());
  const today = () => calendarDate(now(), opts.timezone);

  const select = () =>
    db
      .selectFrom('penalty as p')
      .innerJoin('merchant as m', 'm.id', 'p.merchant_id')
      .innerJoin('district as d', 'd.id', 'm.district_id')
      .selectAll('p')
      .select(['m.name as merchant_name', 'm.district_id', 'm.market_id', 'd.city_id']);

  /** The penalty as staff see it, with where it stands in its disclosure period today. */
  function present(r: ListedRow, rb: CreditRulebook) {
    const type = r.penalty_type as PenaltyType;
    const d = penaltyDisclosure({ type, decidedOn: r.decided_on, simpleProcedure: r.simple_procedure, restrictionEndsOn: r.restriction_ends_on }, rb, now(), r.repaired_on);
    return {
      id: r.id,
      merchantId: r.merchant_id,
      merchantName: r.merchant_name,
      districtId: r.district_id,
      marketId: r.market_id,
      decisionNo: r.decision_no,
      violation: r.violation,
      legalBasis: r.legal_basis,
      penaltyType: type,
      penaltyTypeLabel: { zh: PENALTY_TYPES[type]?.zh ?? type, en: PENALTY_TYPES[type]?.en ?? type },
      penaltyText: r.penalty_text,
      authority: r.authority,
      decidedOn: r.decided_on,
      simpleProcedure: r.simple_procedure,
      restrictionEndsOn: r.restriction_ends_on,
      recordedBy: r.recorded_by,
      recordedAt: r.recorded_at.toISOString(),
      repairedOn: r.repaired_on,
      creditEventId: r.credit_event_id,
      disclosure: { published: d.published, isPublic: d.isPublic, publicFrom: d.publicFrom, publicUntil: d.publicUntil, withdrawnEarly: d.withdrawnEarly, basis: d.basis },
    };
  }
  type Penalty = ReturnType<typeof present>;

  async function presentAll(rows: ListedRow[]): Promise<Penalty[]> {
    const rulebooks = new Map<number, CreditRulebook>();
    for (const city of new Set(rows.map((r) => r.city_id))) rulebooks.set(city, (await opts.credit.rulebookFor(city)).rulebook);
    return rows.map((r) => present(r, rulebooks.get(r.city_id)!));
  }

  return {
    /**
     * Records a decision and the credit deduction that follows from it (the recorder's decision:
     * confirmed at once). The penalty is written first so the event can name it (`penalty:<id>`);
     * recordEvent then runs in its own transaction, because it reads through the pool before
     * writing and on PGlite (one connection) would wait on ours. If it fails the penalty is removed.
     */
    async record(by: By, input: PenaltyInput): Promise<Penalty> {
      await opts.registry.getMerchant(by.actor, input.merchantId);
      if (!RECORDING_ROLES.has(by.actor.role)) throw forbidden('只有监管人员可以录入行政处罚 (only the supervision office records penalties)');
      const problems = penaltyProblems(input, today());
      if (problems.length) throw invalid(`行政处罚决定有误 (the decision has problems): ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems);
      const decisionNo = input.decisionNo.trim();
      const taken = await db.selectFrom('penalty').select('id').where('decision_no', '=', decisionNo).executeTakeFirst();
      if (taken) throw conflict(`决定书文号 ${decisionNo} 已录入 (decision number already recorded)`, [{ field: 'decisionNo', message: '决定书文号已录入 (already recorded)' }]);

      let id: number;
      try {
        ({ id } = await db
          .insertInto('penalty')
          .values({
            merchant_id: input.merchantId,
            decision_no: decisionNo,
            violation: input.violation.trim(),
            legal_basis: input.legalBasis.trim(),
            penalty_type: input.penaltyType,
            penalty_text: input.penaltyText.trim(),
            authority: input.authority.trim(),
            decided_on: input.decidedOn,
            simple_procedure: input.simpleProcedure ?? false,
            restriction_ends_on: input.restrictionEndsOn ?? null,
            recorded_by: by.actor.staffId,
            recorded_at: now(),
          })
          .returning('id')
          .executeTakeFirstOrThrow());
      } catch (e) {
        if (isUniqueViolation(e)) throw conflict(`决定书文号 ${decisionNo} 已录入 (decision number already recorded)`);
        throw e;
      }
      let eventId: number;
      try {
        const event = await opts.credit.recordEvent(by, {
          merchantId: input.merchantId,
          itemCode: penaltyItemCode(input.penaltyType),
          // The start of the decision's day in China: never "in the future" on the day it is recorded.
          occurredAt: new Date(`${input.decidedOn}T00:00:00+08:00`),
          evidence: `行政处罚决定书 ${decisionNo}：${input.penaltyText.trim()}`,
          source: 'penalty',
          origin: `penalty:${id}`,
        });
        eventId = event.id;
      } catch (e) {
        await db.deleteFrom('penalty').where('id', '=', id).execute();
        throw e;
      }
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('penalty').set({ credit_event_id: eventId }).where('id', '=', id).execute();
        await appendAuditEntries(trx, [
          { staffId: by.actor.staffId, action: 'penalty.record', entity: 'merchant', entityId: input.merchantId, after: { penaltyId: id, decisionNo, type: input.penaltyType, decidedOn: input.decidedOn, creditEventId: eventId }, requestId: by.requestId },
        ]);
      });
      return this.get(by.actor, id);
    },

    /** Penalties within reach, newest decision first. */
    async list(actor: Actor, f: PenaltyListFilter) {
      let q = select().where(reachFilter(actor.reach, 'm.district_id', 'm.market_id'));
      if (f.merchantId) q = q.where('p.merchant_id', '=', f.merchantId);
      if (f.q?.trim()) {
        const like = `%${f.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        q = q.where((eb) => eb.or([eb('p.decision_no', 'ilike', like), eb('p.violation', 'ilike', like), eb('m.name', 'ilike', like)]));
      }
      const [rows, count] = await Promise.all([
        q.orderBy('p.decided_on', 'desc').orderBy('p.id', 'desc').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute(),
        q.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: await presentAll(rows), total: Number(count.n), page: f.page, pageSize: f.pageSize };
    },

    /** A merchant's penalties (the merchant within reach), public or not. */
    async listForMerchant(actor: Actor, merchantId: number) {
      await opts.registry.getMerchant(actor, merchantId);
      return presentAll(await select().where('p.merchant_id', '=', merchantId).orderBy('p.decided_on', 'desc').orderBy('p.id', 'desc').execute());
    },

    async get(actor: Actor, id: number): Promise<Penalty> {
      const r = await select().where('p.id', '=', id).executeTakeFirst();
      if (!r || !isWithinReach(actor.reach, { districtId: r.district_id, marketId: r.market_id })) throw notFound('penalty', id);
      return (await presentAll([r]))[0]!;
    },
  };
}

export type PenaltyService = ReturnType<typeof createPenaltyService>;
