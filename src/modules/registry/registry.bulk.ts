/**
 * Bulk lookups and bulk inserts of the registry's tables, for spreadsheet imports and exports
 * (src/modules/imports). The registry owns these tables; other modules write them only through
 * here or the registry service. Inserts pass one array per column to `unnest`, so a chunk of a
 * thousand rows is one statement with a dozen parameters whatever its size.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import { appendAuditEntries, type AuditWrite } from '../audit/index.js';
import type { By, Reach } from '../auth/index.js';
import { reachFilter, type Q } from './registry.repository.js';

/** Rows per insert statement. */
export const BULK_CHUNK = 1000;
/** Keys per lookup statement. */
const LOOKUP_CHUNK = 10_000;
// Lists travel to `string_to_array` joined by this character, which cleaned cell text never holds.
const LIST_SEP = '\u001f';

// ---------------------------------------------------------------- lookups

export interface DistrictRef {
  id: number;
  cityId: number;
  code: string;
  name: string;
}
export interface MarketRef {
  id: number;
  districtId: number;
  name: string;
}
export interface StallRef {
  id: number;
  marketId: number;
  number: string;
}
export interface MerchantRef {
  id: number;
  uscc: string | null;
  name: string;
  legalRep: string;
  districtId: number;
  marketId: number | null;
  stallId: number | null;
}

async function inChunks<K, R>(keys: readonly K[], run: (chunk: K[]) => Promise<R[]>): Promise<R[]> {
  const unique = [...new Set(keys)];
  const out: R[] = [];
  for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) out.push(...(await run(unique.slice(i, i + LOOKUP_CHUNK))));
  return out;
}
const anyText = (values: readonly string[]) => sql<string>`any(${values}::text[])`;
const anyBigint = (values: readonly number[]) => sql<number>`any(${values}::bigint[])`;

export async function listDistrictRefs(q: Q): Promise<DistrictRef[]> {
  const rows = await q.selectFrom('district').select(['id', 'city_id', 'code', 'name']).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, cityId: r.city_id, code: r.code, name: r.name }));
}

/** Markets bearing any of the names, in every district. */
export function findMarketsByName(q: Q, names: readonly string[]): Promise<MarketRef[]> {
  return inChunks(names, async (chunk) =>
    (await q.selectFrom('market').select(['id', 'district_id', 'name']).where('name', '=', anyText(chunk)).execute()).map((r) => ({ id: r.id, districtId: r.district_id, name: r.name })),
  );
}

export function findStallsOfMarkets(q: Q, marketIds: readonly number[]): Promise<StallRef[]> {
  return inChunks(marketIds, async (chunk) =>
    (await q.selectFrom('stall').select(['id', 'market_id', 'number']).where('market_id', '=', anyBigint(chunk)).execute()).map((r) => ({ id: r.id, marketId: r.market_id, number: r.number })),
  );
}

const merchantRefColumns = ['id', 'uscc', 'name', 'legal_rep', 'district_id', 'market_id', 'stall_id'] as const;
const toMerchantRef = (r: { id: number; uscc: string | null; name: string; legal_rep: string; district_id: number; market_id: number | null; stall_id: number | null }): MerchantRef => ({
  id: r.id,
  uscc: r.uscc,
  name: r.name,
  legalRep: r.legal_rep,
  districtId: r.district_id,
  marketId: r.market_id,
  stallId: r.stall_id,
});

export function findMerchantsByUscc(q: Q, usccs: readonly string[]): Promise<MerchantRef[]> {
  return inChunks(usccs, async (chunk) => (await q.selectFrom('merchant').select(merchantRefColumns).where('uscc', '=', anyText(chunk)).execute()).map(toMerchantRef));
}

/** Merchants bearing any of the names, with or without a USCC, everywhere. */
export function findMerchantsByName(q: Q, names: readonly string[]): Promise<MerchantRef[]> {
  return inChunks(names, async (chunk) => (await q.selectFrom('merchant').select(merchantRefColumns).where('name', '=', anyText(chunk)).execute()).map(toMerchantRef));
}

/** The serial numbers among these that are already registered. */
export function findRegisteredSerials(q: Q, serials: readonly string[]): Promise<string[]> {
  return inChunks(serials, async (chunk) => (await q.selectFrom('scale').select('serial_no').where('serial_no', '=', anyText(chunk)).execute()).map((r) => r.serial_no));
}

// ---------------------------------------------------------------- export pages

/** One page of records within reach, by id after `afterId`; an empty page ends the walk. */
export function listMarketsForExport(q: Q, reach: Reach, afterId: number, limit: number) {
  return q
    .selectFrom('market')
    .innerJoin('district', 'district.id', 'market.district_id')
    .select(['market.id', 'market.name', 'market.address', 'market.managing_org', 'market.contact_name', 'market.contact_phone', 'district.name as district_name', 'district.code as district_code'])
    .where(reachFilter(reach, 'market.district_id', 'market.id'))
    .where('market.id', '>', afterId)
    .orderBy('market.id')
    .limit(limit)
    .execute();
}

export function listMerchantsForExport(q: Q, reach: Reach, afterId: number, limit: number) {
  return q
    .selectFrom('merchant')
    .innerJoin('district', 'district.id', 'merchant.district_id')
    .leftJoin('market', 'market.id', 'merchant.market_id')
    .leftJoin('stall', 'stall.id', 'merchant.stall_id')
    .select([
      'merchant.id',
      'merchant.uscc',
      'merchant.name',
      'merchant.legal_rep',
      'merchant.entity_type',
      'merchant.address',
      'merchant.categories',
      'merchant.licence_numbers',
      'merchant.status',
      'district.name as district_name',
      'market.name as market_name',
      'stall.number as stall_number',
    ])
    .where(reachFilter(reach, 'merchant.district_id', 'merchant.market_id'))
    .where('merchant.id', '>', afterId)
    .orderBy('merchant.id')
    .limit(limit)
    .execute();
}

export function listScalesForExport(q: Q, reach: Reach, afterId: number, limit: number) {
  const latest = q
    .selectFrom('verification_record')
    .distinctOn('scale_id')
    .select(['scale_id', 'certificate_no', 'institution', 'verified_on', 'valid_until', 'result'])
    .orderBy('scale_id')
    .orderBy('verified_on', 'desc')
    .orderBy('id', 'desc');
  const page = q
    .selectFrom('scale')
    .select('id')
    .where(reachFilter(reach, 'scale.district_id', 'scale.market_id'))
    .where('scale.id', '>', afterId)
    .orderBy('scale.id')
    .limit(limit);
  return q
    .selectFrom('scale')
    .innerJoin('district', 'district.id', 'scale.district_id')
    .leftJoin('merchant', 'merchant.id', 'scale.merchant_id')
    .leftJoin('market', 'market.id', 'scale.market_id')
    .leftJoin('stall', 'stall.id', 'scale.stall_id')
    .leftJoin(latest.where('scale_id', 'in', page).as('v'), 'v.scale_id', 'scale.id')
    .select([
      'scale.id',
      'scale.serial_no',
      'scale.manufacturer',
      'scale.model',
      'scale.max_capacity_g',
      'scale.division_g',
      'scale.accuracy_class',
      'scale.type_approval_no',
      'scale.is_iot',
      'district.name as district_name',
      'merchant.uscc as merchant_uscc',
      'merchant.name as merchant_name',
      'market.name as market_name',
      'stall.number as stall_number',
      'v.certificate_no as v_certificate_no',
      'v.institution as v_institution',
      'v.verified_on as v_verified_on',
      'v.valid_until as v_valid_until',
      'v.result as v_result',
    ])
    .where('scale.id', 'in', page)
    .orderBy('scale.id')
    .execute();
}

// ---------------------------------------------------------------- bulk inserts

/** A stall by id, or by number in the record's market (created when the market has none). */
export type StallSpec = { id: number } | { number: string; trade: string } | null;

export interface BulkMarket {
  districtId: number;
  name: string;
  address: string;
  managingOrg: string;
  contactName: string;
  contactPhone: string;
}
export interface BulkMerchant {
  uscc: string | null;
  hasUscc: boolean;
  name: string;
  legalRep: string;
  entityType: string;
  address: string;
  categories: string[];
  licenceNumbers: string[];
  districtId: number;
  marketId: number | null;
  stall: StallSpec;
  status: string;
}
export interface BulkVerification {
  certificateNo: string;
  institution: string;
  verifiedOn: string;
  result: 'pass' | 'fail';
  validUntil: string | null;
}
export interface BulkScale {
  serialNo: string;
  manufacturer: string;
  model: string;
  maxCapacityG: number;
  divisionG: number;
  accuracyClass: string;
  typeApprovalNo: string;
  isIot: boolean;
  districtId: number;
  /** The merchant's market: null for an unassigned scale (which has no stall either) and for a merchant in no market. */
  marketId: number | null;
  merchantId: number | null;
  stall: StallSpec;
  verification: BulkVerification | null;
}

export interface BulkOptions {
  /** Told how many of the records are written after each chunk. Must not throw. */
  onProgress?: (written: number) => void;
}

type Trx = Transaction<Database>;
const arr = (values: readonly unknown[], type: string): RawBuilder<unknown> => sql`${values}::${sql.raw(type)}[]`;
const list = (values: readonly (readonly string[])[]) => arr(values.map((v) => v.join(LIST_SEP)), 'text');

/** Fresh ids from a table's identity sequence, drawn before the insert so no RETURNING order is assumed. */
async function drawIds(trx: Trx, table: 'market' | 'merchant' | 'scale' | 'stall', n: number): Promise<number[]> {
  const r = await sql<{ id: number }>`select nextval(pg_get_serial_sequence(${table}, 'id'))::bigint as id from generate_series(1, ${n}::int)`.execute(trx);
  return r.rows.map((x) => Number(x.id));
}

function auditWriter(by: By) {
  return (action: string, entity: string, entityId: number, after: Record<string, unknown>): AuditWrite => ({ staffId: by.actor.staffId, requestId: by.requestId, action, entity, entityId, after });
}

/** After each chunk: report, then let other work in (PGlite runs queries on this thread and would starve timers and requests). */
async function chunkDone(opts: BulkOptions, written: number) {
  opts.onProgress?.(written);
  await yieldToLoop();
}

/**
 * Resolves every stall given by number to an id, creating those the market lacks (one audit entry
 * each). Returns a lookup by "marketId\u0000number".
 */
async function ensureStalls(trx: Trx, by: By, wanted: { marketId: number; number: string; trade: string }[]) {
  const key = (marketId: number, number: string) => `${marketId}\u0000${number}`;
  const byKey = new Map<string, number>();
  const unique = new Map<string, { marketId: number; number: string; trade: string }>();
  for (const w of wanted) if (!unique.has(key(w.marketId, w.number))) unique.set(key(w.marketId, w.number), w);
  const specs = [...unique.values()];
  const existing = specs.length ? await findStallsOfMarkets(trx, [...new Set(specs.map((s) => s.marketId))]) : [];
  for (const s of existing) byKey.set(key(s.marketId, s.number), s.id);
  const missing = specs.filter((s) => !byKey.has(key(s.marketId, s.number)));
  const audit = auditWriter(by);
  for (let i = 0; i < missing.length; i += BULK_CHUNK) {
    const chunk = missing.slice(i, i + BULK_CHUNK);
    const ids = await drawIds(trx, 'stall', chunk.length);
    await sql`insert into stall (id, market_id, number, trade) overriding system value
      select * from unnest(${arr(ids, 'bigint')}, ${arr(chunk.map((s) => s.marketId), 'bigint')}, ${arr(chunk.map((s) => s.number), 'text')}, ${arr(chunk.map((s) => s.trade), 'text')})`.execute(trx);
    chunk.forEach((s, j) => byKey.set(key(s.marketId, s.number), ids[j]!));
    await appendAuditEntries(
      trx,
      chunk.map((s, j) => audit('stall.create', 'stall', ids[j]!, { marketId: s.marketId, number: s.number, trade: s.trade })),
    );
    await yieldToLoop();
  }
  return { stallId: (marketId: number | null, spec: StallSpec) => (spec === null ? null : 'id' in spec ? spec.id : (byKey.get(key(marketId!, spec.number)) ?? null)) };
}

const stallWants = (rows: readonly { marketId: number | null; stall: StallSpec }[]) =>
  rows.flatMap((r) => (r.stall && !('id' in r.stall) && r.marketId !== null ? [{ marketId: r.marketId, number: r.stall.number, trade: r.stall.trade }] : []));

/**
 * The shared shape of a bulk create: in one transaction, rows in chunks, each chunk given fresh
 * ids of `table` and written by `write`, progress reported after each. Returns the ids in input order.
 */
async function createInChunks<R>(
  db: Db,
  table: 'market' | 'merchant' | 'scale',
  rows: readonly R[],
  opts: BulkOptions,
  write: (trx: Trx, chunk: readonly R[], ids: number[]) => Promise<void>,
  before?: (trx: Trx) => Promise<void>,
): Promise<number[]> {
  return db.transaction().execute(async (trx) => {
    await before?.(trx);
    const all: number[] = [];
    for (let i = 0; i < rows.length; i += BULK_CHUNK) {
      const chunk = rows.slice(i, i + BULK_CHUNK);
      const ids = await drawIds(trx, table, chunk.length);
      await write(trx, chunk, ids);
      all.push(...ids);
      await chunkDone(opts, all.length);
    }
    return all;
  });
}

/** Creates markets in one transaction, with an audit entry each. Returns their ids in input order. */
export async function bulkCreateMarkets(db: Db, by: By, rows: readonly BulkMarket[], opts: BulkOptions = {}): Promise<number[]> {
  const audit = auditWriter(by);
  return createInChunks(db, 'market', rows, opts, async (trx, chunk, ids) => {
    const staff = chunk.map(() => by.actor.staffId);
    await sql`insert into market (id, district_id, name, address, managing_org, contact_name, contact_phone, created_by, updated_by) overriding system value
      select * from unnest(${arr(ids, 'bigint')}, ${arr(chunk.map((r) => r.districtId), 'bigint')}, ${arr(chunk.map((r) => r.name), 'text')}, ${arr(chunk.map((r) => r.address), 'text')},
        ${arr(chunk.map((r) => r.managingOrg), 'text')}, ${arr(chunk.map((r) => r.contactName), 'text')}, ${arr(chunk.map((r) => r.contactPhone), 'text')}, ${arr(staff, 'bigint')}, ${arr(staff, 'bigint')})`.execute(trx);
    await appendAuditEntries(trx, chunk.map((r, j) => audit('market.create', 'market', ids[j]!, { ...r })));
  });
}

/** Creates merchants (and the stalls they name that do not exist yet) in one transaction, with an audit entry each. */
export async function bulkCreateMerchants(db: Db, by: By, rows: readonly BulkMerchant[], opts: BulkOptions = {}): Promise<number[]> {
  const audit = auditWriter(by);
  let stalls!: Awaited<ReturnType<typeof ensureStalls>>;
  return createInChunks(
    db,
    'merchant',
    rows,
    opts,
    async (trx, chunk, ids) => {
      const stallIds = chunk.map((r) => stalls.stallId(r.marketId, r.stall));
      const staff = chunk.map(() => by.actor.staffId);
      await sql`insert into merchant (id, uscc, has_uscc, name, legal_rep, entity_type, address, categories, licence_numbers, district_id, market_id, stall_id, status, created_by, updated_by) overriding system value
        select id, uscc, has_uscc, name, legal_rep, entity_type, address, string_to_array(categories, ${LIST_SEP}), string_to_array(licences, ${LIST_SEP}), district_id, market_id, stall_id, status, created_by, updated_by
        from unnest(${arr(ids, 'bigint')}, ${arr(chunk.map((r) => r.uscc), 'text')}, ${arr(chunk.map((r) => r.hasUscc), 'boolean')}, ${arr(chunk.map((r) => r.name), 'text')},
          ${arr(chunk.map((r) => r.legalRep), 'text')}, ${arr(chunk.map((r) => r.entityType), 'text')}, ${arr(chunk.map((r) => r.address), 'text')}, ${list(chunk.map((r) => r.categories))},
          ${list(chunk.map((r) => r.licenceNumbers))}, ${arr(chunk.map((r) => r.districtId), 'bigint')}, ${arr(chunk.map((r) => r.marketId), 'bigint')}, ${arr(stallIds, 'bigint')},
          ${arr(chunk.map((r) => r.status), 'text')}, ${arr(staff, 'bigint')}, ${arr(staff, 'bigint')})
        as t(id, uscc, has_uscc, name, legal_rep, entity_type, address, categories, licences, district_id, market_id, stall_id, status, created_by, updated_by)`.execute(trx);
      await appendAuditEntries(
        trx,
        chunk.map((r, j) => {
          const { stall: _stall, ...fields } = r;
          return audit('merchant.create', 'merchant', ids[j]!, { ...fields, stallId: stallIds[j] });
        }),
      );
    },
    // Stalls the rows name are made first, in the same transaction.
    async (trx) => {
      stalls = await ensureStalls(trx, by, stallWants(rows));
    },
  );
}

/**
 * Creates scales in one transaction: the stalls they name that do not exist yet, an open
 * assignment for each scale given to a merchant, its verification record when it has one, and
 * an audit entry per created record.
 */
export async function bulkCreateScales(db: Db, by: By, rows: readonly BulkScale[], opts: BulkOptions = {}): Promise<number[]> {
  const audit = auditWriter(by);
  let stalls!: Awaited<ReturnType<typeof ensureStalls>>;
  return createInChunks(
    db,
    'scale',
    rows,
    opts,
    async (trx, chunk, ids) => {
      const stallIds = chunk.map((r) => stalls.stallId(r.marketId, r.stall));
      const staff = chunk.map(() => by.actor.staffId);
      await sql`insert into scale (id, serial_no, manufacturer, model, max_capacity_g, division_g, accuracy_class, type_approval_no, is_iot, district_id, merchant_id, market_id, stall_id, created_by, updated_by) overriding system value
        select * from unnest(${arr(ids, 'bigint')}, ${arr(chunk.map((r) => r.serialNo), 'text')}, ${arr(chunk.map((r) => r.manufacturer), 'text')}, ${arr(chunk.map((r) => r.model), 'text')},
          ${arr(chunk.map((r) => r.maxCapacityG), 'integer')}, ${arr(chunk.map((r) => r.divisionG), 'integer')}, ${arr(chunk.map((r) => r.accuracyClass), 'text')}, ${arr(chunk.map((r) => r.typeApprovalNo), 'text')},
          ${arr(chunk.map((r) => r.isIot), 'boolean')}, ${arr(chunk.map((r) => r.districtId), 'bigint')}, ${arr(chunk.map((r) => r.merchantId), 'bigint')}, ${arr(chunk.map((r) => r.marketId), 'bigint')},
          ${arr(stallIds, 'bigint')}, ${arr(staff, 'bigint')}, ${arr(staff, 'bigint')})`.execute(trx);

      const assigned = chunk.flatMap((r, j) => (r.merchantId !== null ? [{ scaleId: ids[j]!, merchantId: r.merchantId, stallId: stallIds[j] ?? null }] : []));
      if (assigned.length) {
        await sql`insert into scale_assignment (scale_id, merchant_id, stall_id, assigned_by)
          select * from unnest(${arr(assigned.map((a) => a.scaleId), 'bigint')}, ${arr(assigned.map((a) => a.merchantId), 'bigint')}, ${arr(assigned.map((a) => a.stallId), 'bigint')}, ${arr(assigned.map(() => by.actor.staffId), 'bigint')})`.execute(trx);
      }
      const verified = chunk.flatMap((r, j) => (r.verification ? [{ scaleId: ids[j]!, v: r.verification }] : []));
      if (verified.length) {
        await sql`insert into verification_record (scale_id, certificate_no, institution, verified_on, result, valid_until, recorded_by)
          select * from unnest(${arr(verified.map((x) => x.scaleId), 'bigint')}, ${arr(verified.map((x) => x.v.certificateNo), 'text')}, ${arr(verified.map((x) => x.v.institution), 'text')},
            ${arr(verified.map((x) => x.v.verifiedOn), 'date')}, ${arr(verified.map((x) => x.v.result), 'text')}, ${arr(verified.map((x) => (x.v.result === 'pass' ? x.v.validUntil : null)), 'date')},
            ${arr(verified.map(() => by.actor.staffId), 'bigint')})`.execute(trx);
      }
      const writes: AuditWrite[] = [];
      chunk.forEach((r, j) => {
        const { stall: _stall, verification, ...fields } = r;
        writes.push(audit('scale.create', 'scale', ids[j]!, { ...fields, stallId: stallIds[j] }));
        if (verification) writes.push(audit('verification.create', 'scale', ids[j]!, { ...verification }));
      });
      await appendAuditEntries(trx, writes);
    },
    // Stalls the rows name are made first, in the same transaction.
    async (trx) => {
      stalls = await ensureStalls(trx, by, stallWants(rows));
    },
  );
}
