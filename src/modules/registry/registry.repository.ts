import { sql, type Transaction } from 'kysely';
import { reachFilter } from '../../db/reach.js';
import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import type { Reach } from '../auth/index.js';

export type Q = Db | Transaction<Database>;

export { reachFilter };

export const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

// ---- jurisdictions ----
export const listCities = (db: Q) => db.selectFrom('city').selectAll().orderBy('id').execute();
export const listDistricts = (db: Q) => db.selectFrom('district').selectAll().orderBy('id').execute();
export const listOffices = (db: Q) => db.selectFrom('office').selectAll().orderBy('id').execute();
export const listOfficeDistricts = (db: Q) => db.selectFrom('office_district').selectAll().execute();
export const findDistrict = (db: Q, id: number) => db.selectFrom('district').selectAll().where('id', '=', id).executeTakeFirst();
export const findOffice = (db: Q, id: number) => db.selectFrom('office').selectAll().where('id', '=', id).executeTakeFirst();

// ---- markets ----
const marketColumns = (db: Q) =>
  db
    .selectFrom('market')
    .innerJoin('district', 'district.id', 'market.district_id')
    .selectAll('market')
    .select(['district.name as district_name', 'district.city_id as city_id'])
    .select((eb) => eb.selectFrom('merchant').whereRef('merchant.market_id', '=', 'market.id').select(sql<number>`count(*)::int`.as('n')).as('merchant_count'))
    .select((eb) => eb.selectFrom('scale').whereRef('scale.market_id', '=', 'market.id').select(sql<number>`count(*)::int`.as('n')).as('scale_count'));

export type MarketView = Awaited<ReturnType<typeof findMarket>> & {};

export const findMarket = (db: Q, id: number) => marketColumns(db).where('market.id', '=', id).executeTakeFirst();

export async function listMarkets(db: Q, reach: Reach, f: { q?: string; districtId?: number; limit: number; offset: number }) {
  let qb = db.selectFrom('market').where(reachFilter(reach, 'market.district_id', 'market.id'));
  if (f.q) qb = qb.where((eb) => eb.or([eb('market.name', 'ilike', likePattern(f.q!)), eb('market.address', 'ilike', likePattern(f.q!))]));
  if (f.districtId) qb = qb.where('market.district_id', '=', f.districtId);
  const ids = qb.select('market.id');
  const [items, total] = await Promise.all([
    marketColumns(db).where('market.id', 'in', ids).orderBy('market.id').limit(f.limit).offset(f.offset).execute(),
    qb.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: total.n };
}

// ---- stalls ----
export const findStall = (db: Q, id: number) => db.selectFrom('stall').selectAll().where('id', '=', id).executeTakeFirst();
export const listStalls = (db: Q, marketId: number) =>
  db
    .selectFrom('stall')
    .selectAll('stall')
    .select((eb) => eb.selectFrom('merchant').whereRef('merchant.stall_id', '=', 'stall.id').select('merchant.name').limit(1).as('merchant_name'))
    .where('market_id', '=', marketId)
    .orderBy('number')
    .execute();

// ---- merchants ----
const merchantColumns = (db: Q) =>
  db
    .selectFrom('merchant')
    .innerJoin('district', 'district.id', 'merchant.district_id')
    .leftJoin('market', 'market.id', 'merchant.market_id')
    .leftJoin('stall', 'stall.id', 'merchant.stall_id')
    .selectAll('merchant')
    .select(['district.name as district_name', 'district.city_id as city_id', 'market.name as market_name', 'stall.number as stall_number']);

export const findMerchant = (db: Q, id: number) => merchantColumns(db).where('merchant.id', '=', id).executeTakeFirst();
export type MerchantView = NonNullable<Awaited<ReturnType<typeof findMerchant>>>;

export interface MerchantFilter {
  q?: string;
  districtId?: number;
  marketId?: number;
  status?: string;
  category?: string;
  limit: number;
  offset: number;
}

export async function listMerchants(db: Q, reach: Reach, f: MerchantFilter) {
  let qb = db.selectFrom('merchant').where(reachFilter(reach, 'merchant.district_id', 'merchant.market_id'));
  if (f.q) {
    const p = likePattern(f.q);
    qb = qb.where((eb) => eb.or([eb('merchant.name', 'ilike', p), eb('merchant.uscc', 'ilike', p), eb('merchant.legal_rep', 'ilike', p), eb('merchant.address', 'ilike', p)]));
  }
  if (f.districtId) qb = qb.where('merchant.district_id', '=', f.districtId);
  if (f.marketId) qb = qb.where('merchant.market_id', '=', f.marketId);
  if (f.status) qb = qb.where('merchant.status', '=', f.status);
  if (f.category) qb = qb.where(sql<boolean>`${f.category} = any(merchant.categories)`);
  const [items, total] = await Promise.all([
    merchantColumns(db).where('merchant.id', 'in', qb.select('merchant.id')).orderBy('merchant.id').limit(f.limit).offset(f.offset).execute(),
    qb.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: total.n };
}

export const findMerchantByUscc = (db: Q, uscc: string) => db.selectFrom('merchant').select(['id', 'name']).where('uscc', '=', uscc).executeTakeFirst();

// ---- scales ----
const latestVerification = (db: Q) =>
  db
    .selectFrom('verification_record')
    .distinctOn('scale_id')
    .select(['scale_id', 'verified_on', 'result', 'valid_until', 'certificate_no', 'institution'])
    .orderBy('scale_id')
    .orderBy('verified_on', 'desc')
    .orderBy('id', 'desc');

const scaleColumns = (db: Q) =>
  db
    .selectFrom('scale')
    .innerJoin('district', 'district.id', 'scale.district_id')
    .leftJoin('merchant', 'merchant.id', 'scale.merchant_id')
    .leftJoin('market', 'market.id', 'scale.market_id')
    .leftJoin('stall', 'stall.id', 'scale.stall_id')
    .leftJoin(latestVerification(db).as('v'), 'v.scale_id', 'scale.id')
    .selectAll('scale')
    .select([
      'district.name as district_name',
      'district.city_id as city_id',
      'merchant.name as merchant_name',
      'market.name as market_name',
      'stall.number as stall_number',
      'v.verified_on as v_verified_on',
      'v.result as v_result',
      'v.valid_until as v_valid_until',
      'v.certificate_no as v_certificate_no',
    ]);

export const findScale = (db: Q, id: number) => scaleColumns(db).where('scale.id', '=', id).executeTakeFirst();
export type ScaleView = NonNullable<Awaited<ReturnType<typeof findScale>>>;
export const findScaleBySerial = (db: Q, serial: string) => db.selectFrom('scale').select(['id']).where('serial_no', '=', serial).executeTakeFirst();

export interface ScaleFilter {
  q?: string;
  districtId?: number;
  marketId?: number;
  merchantId?: number;
  verification?: string;
  isIot?: boolean;
  limit: number;
  offset: number;
}

/** SQL mirror of verificationState() for filtering; the rule in registry.rules.ts stays the source of truth. */
const verificationStatusSql = (today: string, expiringDays: number) =>
  sql<string>`case
    when v.result is null then 'unverified'
    when v.result = 'fail' then 'failed'
    when v.valid_until < ${today}::date then 'expired'
    when v.valid_until - ${today}::date <= ${expiringDays} then 'expiring'
    else 'valid' end`;

export async function listScales(db: Q, reach: Reach, f: ScaleFilter, today: string, expiringDays: number) {
  let qb = db
    .selectFrom('scale')
    .leftJoin(latestVerification(db).as('v'), 'v.scale_id', 'scale.id')
    .where(reachFilter(reach, 'scale.district_id', 'scale.market_id'));
  if (f.q) {
    const p = likePattern(f.q);
    qb = qb.where((eb) =>
      eb.or([eb('scale.serial_no', 'ilike', p), eb('scale.manufacturer', 'ilike', p), eb('scale.model', 'ilike', p), eb('scale.merchant_id', 'in', eb.selectFrom('merchant').select('id').where('name', 'ilike', p))]),
    );
  }
  if (f.districtId) qb = qb.where('scale.district_id', '=', f.districtId);
  if (f.marketId) qb = qb.where('scale.market_id', '=', f.marketId);
  if (f.merchantId) qb = qb.where('scale.merchant_id', '=', f.merchantId);
  if (f.isIot !== undefined) qb = qb.where('scale.is_iot', '=', f.isIot);
  if (f.verification) qb = qb.where(verificationStatusSql(today, expiringDays), '=', f.verification);
  const [items, total] = await Promise.all([
    scaleColumns(db).where('scale.id', 'in', qb.select('scale.id')).orderBy('scale.id').limit(f.limit).offset(f.offset).execute(),
    qb.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: total.n };
}

export const listVerifications = (db: Q, scaleId: number) =>
  db.selectFrom('verification_record').selectAll().where('scale_id', '=', scaleId).orderBy('verified_on', 'desc').orderBy('id', 'desc').execute();

export const listAssignments = (db: Q, scaleId: number) =>
  db
    .selectFrom('scale_assignment')
    .leftJoin('merchant', 'merchant.id', 'scale_assignment.merchant_id')
    .leftJoin('stall', 'stall.id', 'scale_assignment.stall_id')
    .leftJoin('market', 'market.id', 'stall.market_id')
    .selectAll('scale_assignment')
    .select(['merchant.name as merchant_name', 'stall.number as stall_number', 'market.name as market_name'])
    .where('scale_id', '=', scaleId)
    .orderBy('from_at', 'desc')
    .orderBy('scale_assignment.id', 'desc')
    .execute();

// ---- cameras ----
export const findCamera = (db: Q, id: number) =>
  db.selectFrom('camera').innerJoin('merchant', 'merchant.id', 'camera.merchant_id').selectAll('camera').select('merchant.name as merchant_name').where('camera.id', '=', id).executeTakeFirst();
export type CameraView = NonNullable<Awaited<ReturnType<typeof findCamera>>>;

export async function listCameras(db: Q, reach: Reach, f: { merchantId?: number; marketId?: number; limit: number; offset: number }) {
  let qb = db.selectFrom('camera').where(reachFilter(reach, 'camera.district_id', 'camera.market_id'));
  if (f.merchantId) qb = qb.where('camera.merchant_id', '=', f.merchantId);
  if (f.marketId) qb = qb.where('camera.market_id', '=', f.marketId);
  const [items, total] = await Promise.all([
    db
      .selectFrom('camera')
      .innerJoin('merchant', 'merchant.id', 'camera.merchant_id')
      .selectAll('camera')
      .select('merchant.name as merchant_name')
      .where('camera.id', 'in', qb.select('camera.id'))
      .orderBy('camera.id')
      .limit(f.limit)
      .offset(f.offset)
      .execute(),
    qb.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: total.n };
}
