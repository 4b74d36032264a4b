/**
 * The read model behind the public scan pages: one query per page, across the registry, ratings
 * and codes tables. It only reads; every write goes through the owning module's service, and the
 * tables' triggers tell the page cache what changed (migration 0007).
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { calendarDate, verificationState, type VerificationFact } from '../modules/registry/index.js';
import { penaltyDisclosure, type CreditService, type PenaltyType } from '../modules/credit/index.js';
import type { LightView, MarketView, MerchantView, ScaleView, VerificationView } from './views.js';

export const merchantHref = (id: number) => `/p/merchants/${id}`;
export const scaleHref = (id: number) => `/p/scales/${id}`;
export const marketHref = (id: number) => `/p/markets/${id}`;

interface VerificationRow {
  v_on: string | null;
  v_result: 'pass' | 'fail' | null;
  v_until: string | null;
  v_institution: string | null;
  v_cert: string | null;
}

function verificationOf(r: VerificationRow, today: string): VerificationView {
  const facts: VerificationFact[] = r.v_on ? [{ verifiedOn: r.v_on, result: r.v_result!, validUntil: r.v_until }] : [];
  const st = verificationState(facts, today);
  return { status: st.status, validUntil: r.v_until, verifiedOn: r.v_on, institution: r.v_institution, certificateNo: r.v_cert };
}

const lightOf = (r: { light: string | null; ratings: number | null; inaccurate: number | null }): LightView => ({
  light: (r.light ?? 'none') as LightView['light'],
  ratings: r.ratings ?? 0,
  inaccurate: r.inaccurate ?? 0,
});

/** The latest verification record of scale `s`, as columns v_on, v_result, v_until, v_institution, v_cert. */
const LATEST_VERIFICATION = sql`left join lateral (
    select v.verified_on::text as v_on, v.result as v_result, v.valid_until::text as v_until, v.institution as v_institution, v.certificate_no as v_cert
    from verification_record v where v.scale_id = s.id order by v.verified_on desc, v.id desc limit 1) vr on true`;

export interface Deps {
  /** The record keys a page shows, for invalidation. */
  deps: string[];
}

/** Scales of a merchant, in the form both the merchant and the market page use. */
async function scalesWhere(db: Db, column: 'merchant_id' | 'market_id', id: number) {
  const rows = await sql<
    VerificationRow & { id: number; serial_no: string; manufacturer: string; model: string; merchant_id: number | null; merchant_name: string | null; stall: string | null; light: string | null; ratings: number | null; inaccurate: number | null }
  >`select s.id, s.serial_no, s.manufacturer, s.model, s.merchant_id, m.name as merchant_name, st.number as stall, vr.*, l.light, l.ratings, l.inaccurate
      from scale s
      left join merchant m on m.id = s.merchant_id
      left join stall st on st.id = s.stall_id
      ${LATEST_VERIFICATION}
      left join scale_light l on l.scale_id = s.id
      where ${sql.ref(`s.${column}`)} = ${id}
      order by st.number nulls last, s.serial_no`.execute(db);
  return rows.rows;
}

export async function loadMerchantView(db: Db, id: number, today: string): Promise<(MerchantView & Deps) | null> {
  const r = (
    await sql<{
      name: string; legal_rep: string; entity_type: string; uscc: string | null; address: string; status: MerchantView['status']; categories: string[];
      market_id: number | null; market_name: string | null; stall: string | null; trade: string | null; district: string; city: string;
    }>`select m.name, m.legal_rep, m.entity_type, m.uscc, m.address, m.status, m.categories, m.market_id, mk.name as market_name, st.number as stall, st.trade,
              d.name as district, c.name as city
         from merchant m join district d on d.id = m.district_id join city c on c.id = d.city_id
         left join market mk on mk.id = m.market_id left join stall st on st.id = m.stall_id
        where m.id = ${id}`.execute(db)
  ).rows[0];
  if (!r) return null;
  const scales = await scalesWhere(db, 'merchant_id', id);
  return {
    name: r.name,
    legalRep: r.legal_rep,
    entityType: r.entity_type,
    uscc: r.uscc,
    address: r.address,
    status: r.status,
    market: r.market_id ? { name: r.market_name!, href: marketHref(r.market_id) } : null,
    stallNumber: r.stall,
    trade: r.trade,
    district: r.district,
    city: r.city,
    categories: r.categories,
    credit: null,
    pledge: null,
    complaints: null,
    penalties: [],
    scales: scales.map((s) => ({ serialNo: s.serial_no, manufacturer: s.manufacturer, model: s.model, verification: verificationOf(s, today), light: lightOf(s), href: scaleHref(s.id) })),
    complainHref: null,
    deps: [`merchant:${id}`, ...(r.market_id ? [`market-row:${r.market_id}`] : [])],
  };
}

export async function loadScaleView(db: Db, id: number, today: string): Promise<(Omit<ScaleView, 'rating'> & Deps) | null> {
  const r = (
    await sql<
      VerificationRow & {
        serial_no: string; manufacturer: string; model: string; accuracy_class: string; max_capacity_g: number; division_g: number; type_approval_no: string; is_iot: boolean;
        district: string; city: string; market_id: number | null; market_name: string | null; stall: string | null; merchant_id: number | null; merchant_name: string | null;
        light: string | null; ratings: number | null; inaccurate: number | null;
      }
    >`select s.serial_no, s.manufacturer, s.model, s.accuracy_class, s.max_capacity_g, s.division_g, s.type_approval_no, s.is_iot,
             d.name as district, c.name as city, s.market_id, mk.name as market_name, st.number as stall, s.merchant_id, m.name as merchant_name,
             vr.*, l.light, l.ratings, l.inaccurate
        from scale s join district d on d.id = s.district_id join city c on c.id = d.city_id
        left join market mk on mk.id = s.market_id left join stall st on st.id = s.stall_id left join merchant m on m.id = s.merchant_id
        ${LATEST_VERIFICATION}
        left join scale_light l on l.scale_id = s.id
       where s.id = ${id}`.execute(db)
  ).rows[0];
  if (!r) return null;
  return {
    serialNo: r.serial_no,
    manufacturer: r.manufacturer,
    model: r.model,
    accuracyClass: r.accuracy_class,
    maxCapacityG: r.max_capacity_g,
    divisionG: r.division_g,
    typeApprovalNo: r.type_approval_no,
    isIot: r.is_iot,
    city: r.city,
    district: r.district,
    market: r.market_id ? { name: r.market_name!, href: marketHref(r.market_id) } : null,
    stallNumber: r.stall,
    merchant: r.merchant_id ? { name: r.merchant_name!, href: merchantHref(r.merchant_id) } : null,
    verification: verificationOf(r, today),
    light: lightOf(r),
    complainHref: null,
    deps: [`scale:${id}`, ...(r.merchant_id ? [`merchant:${r.merchant_id}`] : []), ...(r.market_id ? [`market-row:${r.market_id}`] : [])],
  };
}

/** Lists are cut here to keep the page under its size budget; a search narrows them. */
export const MARKET_LIST_MAX = { merchants: 150, scales: 250 };

export async function loadMarketView(db: Db, id: number, q: string, today: string): Promise<(MarketView & Deps) | null> {
  const r = (
    await sql<{ name: string; address: string; managing_org: string; district: string; city: string; city_code: string }>`
      select mk.name, mk.address, mk.managing_org, d.name as district, c.name as city, c.code as city_code
        from market mk join district d on d.id = mk.district_id join city c on c.id = d.city_id where mk.id = ${id}`.execute(db)
  ).rows[0];
  if (!r) return null;
  const merchants = (
    await sql<{ id: number; name: string; stall: string | null; trade: string | null; categories: string[]; stars: number | null }>`
      select m.id, m.name, st.number as stall, st.trade, m.categories, mc.stars from merchant m left join stall st on st.id = m.stall_id
        left join merchant_credit mc on mc.merchant_id = m.id
       where m.market_id = ${id} and m.status <> 'closed' order by st.number nulls last, m.name`.execute(db)
  ).rows;
  const scales = await scalesWhere(db, 'market_id', id);
  const needle = q.trim().toLowerCase();
  const hit = (...fields: (string | null | undefined)[]) => !needle || fields.some((f) => f && f.toLowerCase().includes(needle));
  const ms = merchants.filter((m) => hit(m.name, m.stall, m.trade, ...m.categories));
  const ss = scales.filter((s) => hit(s.serial_no, s.model, s.merchant_name, s.stall));
  return {
    name: r.name,
    address: r.address,
    managingOrg: r.managing_org,
    district: r.district,
    city: r.city,
    q,
    merchants: ms.slice(0, MARKET_LIST_MAX.merchants).map((m) => ({ name: m.name, stallNumber: m.stall, trade: m.trade, stars: m.stars, href: merchantHref(m.id) })),
    scales: ss.slice(0, MARKET_LIST_MAX.scales).map((s) => ({
      serialNo: s.serial_no,
      model: s.model,
      merchantName: s.merchant_name,
      stallNumber: s.stall,
      verification: verificationOf(s, today).status,
      light: lightOf(s).light,
      href: scaleHref(s.id),
    })),
    totals: { merchants: merchants.length, scales: scales.length },
    truncated: ms.length > MARKET_LIST_MAX.merchants || ss.length > MARKET_LIST_MAX.scales,
    pricesHref: `/p/prices/${encodeURIComponent(r.city_code)}`,
    deps: [`market:${id}`],
  };
}

/** The display name of a code's subject (verification page, revoked notice). */
export async function subjectName(db: Db, kind: string, id: number): Promise<string | null> {
  const table = kind === 'merchant' ? 'merchant' : kind === 'scale' ? 'scale' : kind === 'market' ? 'market' : 'city';
  const col = kind === 'scale' ? 'serial_no' : 'name';
  const row = (await sql<{ n: string }>`select ${sql.ref(col)} as n from ${sql.table(table)} where id = ${id}`.execute(db)).rows[0];
  return row?.n ?? null;
}

/**
 * The credit part of the merchant page: the score and exactly the events that make it (with the
 * merchant's replies and open objections), the pledge, complaint figures, and the penalties within
 * their disclosure period.
 */
export async function loadMerchantCredit(db: Db, credit: CreditService, merchantId: number, now: Date, timeZone: string): Promise<Pick<MerchantView, 'credit' | 'pledge' | 'complaints' | 'penalties'>> {
  const [explained, complaints, penalties] = await Promise.all([
    credit.explain(merchantId),
    db
      .selectFrom('complaint')
      .select([(eb) => eb.fn.countAll<number>().as('received'), (eb) => eb.fn.sum<number>(sql`case when is_upheld then 1 else 0 end`).as('upheld')])
      .where('merchant_id', '=', merchantId)
      // Received but not yet accepted is no public fact about the merchant; refused ones never are.
      .where('status', 'in', ['accepted', 'mediating', 'closed'])
      .where('received_on', '>=', `${Number(calendarDate(now, timeZone).slice(0, 4)) - 1}-01-01`)
      .executeTakeFirstOrThrow(),
    db.selectFrom('penalty').selectAll().where('merchant_id', '=', merchantId).orderBy('decided_on', 'desc').execute(),
  ]);
  const rb = (await credit.rulebookFor((await db.selectFrom('merchant as m').innerJoin('district as d', 'd.id', 'm.district_id').select('d.city_id').where('m.id', '=', merchantId).executeTakeFirstOrThrow()).city_id)).rulebook;
  const byId = new Map(explained.events.map((e) => [e.id, e]));
  const s = explained.score;
  return {
    credit: {
      score: s.score,
      stars: s.stars,
      asOf: calendarDate(now, timeZone),
      events: s.counted.map((c) => ({
        title: c.title,
        points: c.points,
        occurredOn: c.occurredOn,
        status: c.underObjection ? ('under_objection' as const) : ('counted' as const),
        ...(byId.get(c.eventId)?.reply ? { reply: byId.get(c.eventId)!.reply! } : {}),
      })),
    },
    pledge: explained.pledge,
    complaints: { received: Number(complaints.received ?? 0), upheld: Number(complaints.upheld ?? 0), sinceYear: Number(calendarDate(now, timeZone).slice(0, 4)) - 1 },
    penalties: penalties
      .filter((p) => penaltyDisclosure({ type: p.penalty_type as PenaltyType, decidedOn: p.decided_on, simpleProcedure: p.simple_procedure, restrictionEndsOn: p.restriction_ends_on }, rb, now, p.repaired_on).isPublic)
      .map((p) => ({ decisionNo: p.decision_no, violation: p.violation, penalty: p.penalty_text, authority: p.authority, decidedOn: p.decided_on })),
  };
}
