import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import { reachFilter } from '../../db/reach.js';
import type { Reach } from '../auth/index.js';

export interface SaleFilter {
  scaleId?: number;
  merchantId?: number;
  marketId?: number;
  districtId?: number;
  from?: Date;
  to?: Date;
  overCap?: boolean;
  flag?: string;
  limit: number;
  offset: number;
}

/** Sales within reach, newest first; partitions are pruned by the time bounds. */
export async function listSales(db: Db, reach: Reach, f: SaleFilter) {
  let qb = db.selectFrom('sale').where(reachFilter(reach, 'sale.district_id', 'sale.market_id'));
  if (f.scaleId) qb = qb.where('sale.scale_id', '=', f.scaleId);
  if (f.merchantId) qb = qb.where('sale.merchant_id', '=', f.merchantId);
  if (f.marketId) qb = qb.where('sale.market_id', '=', f.marketId);
  if (f.districtId) qb = qb.where('sale.district_id', '=', f.districtId);
  if (f.from) qb = qb.where('sale.at', '>=', f.from);
  if (f.to) qb = qb.where('sale.at', '<', f.to);
  if (f.overCap !== undefined) qb = qb.where('sale.is_over_cap', '=', f.overCap);
  if (f.flag) qb = qb.where(sql<boolean>`${f.flag} = any(sale.flags)`);
  const [items, total] = await Promise.all([
    qb
      .leftJoin('scale', 'scale.id', 'sale.scale_id')
      .leftJoin('merchant', 'merchant.id', 'sale.merchant_id')
      .leftJoin('market', 'market.id', 'sale.market_id')
      .selectAll('sale')
      .select(['scale.serial_no as scale_serial_no', 'merchant.name as merchant_name', 'market.name as market_name'])
      .orderBy('sale.at', 'desc')
      .orderBy('sale.scale_id')
      .orderBy('sale.seq', 'desc')
      .limit(f.limit)
      .offset(f.offset)
      .execute(),
    qb.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: total.n };
}

/** `onlineSince`: heard from after this counts as online (mirrors the device service's isOnline). */
export async function listDevices(db: Db, reach: Reach, f: { marketId?: number; online?: boolean; onlineSince: Date; limit: number; offset: number }) {
  let qb = db.selectFrom('scale_device as d').innerJoin('scale as s', 's.id', 'd.scale_id').where(reachFilter(reach, 's.district_id', 's.market_id'));
  if (f.marketId) qb = qb.where('s.market_id', '=', f.marketId);
  if (f.online !== undefined) {
    const online = sql<boolean>`(d.last_seen_at > ${f.onlineSince} and (d.last_transport is distinct from 'mqtt' or d.is_online))`;
    qb = qb.where(f.online ? online : sql<boolean>`not coalesce(${online}, false)`);
  }
  const [items, total] = await Promise.all([
    qb
      .select(['d.scale_id', 'd.device_id', 'd.secret_enc', 'd.issued_at', 'd.revoked_at', 'd.last_seen_at', 'd.last_seq', 'd.is_online', 'd.status_changed_at', 'd.clock_drift_ms', 'd.last_transport', 's.serial_no', 's.merchant_id', 's.market_id', 's.district_id'])
      .orderBy('d.scale_id')
      .limit(f.limit)
      .offset(f.offset)
      .execute(),
    qb.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: total.n };
}

export const listRejections = (db: Db, scaleId: number, limit: number) =>
  db.selectFrom('ingest_rejection').selectAll().where('scale_id', '=', scaleId).orderBy('received_at', 'desc').orderBy('id', 'desc').limit(limit).execute();

export const listCalibrationOrders = (db: Db, scaleId: number) =>
  db.selectFrom('calibration_order').selectAll().where('scale_id', '=', scaleId).orderBy('valid_from', 'desc').execute();

/** Gaps open past the grace period and not yet reported, with where their scale sits. */
export const overdueGaps = (db: Db, before: Date) =>
  db
    .selectFrom('seq_gap as g')
    .innerJoin('scale as s', 's.id', 'g.scale_id')
    .select(['g.id', 'g.scale_id', 'g.from_seq', 'g.to_seq', 'g.opened_at', 's.merchant_id', 's.market_id', 's.district_id'])
    .where('g.closed_at', 'is', null)
    .where('g.reported_at', 'is', null)
    .where('g.opened_at', '<', before)
    .limit(5000)
    .execute();

/**
 * Scales of markets open now (market-local wall-clock time) that have gone quiet or said they are
 * offline, in an offline episode not yet reported.
 */
export const quietScalesInOpenMarkets = (db: Db, silentSince: Date, localTime: string) =>
  db
    .selectFrom('scale_device as d')
    .innerJoin('scale as s', 's.id', 'd.scale_id')
    .innerJoin('market as m', 'm.id', 's.market_id')
    .select(['d.scale_id', 'd.device_id', 'd.last_seen_at', 'd.is_online', 's.merchant_id', 's.market_id', 's.district_id', 'm.name as market_name'])
    .where('d.secret_enc', 'is not', null)
    .where('d.last_seen_at', 'is not', null)
    // Offline as the device service's isOnline says: silent too long, or an MQTT scale that said so.
    .where((eb) => eb.or([eb('d.last_seen_at', '<', silentSince), eb.and([eb('d.last_transport', '=', 'mqtt'), eb('d.is_online', '=', false)])]))
    .where((eb) => eb.or([eb('d.offline_reported_at', 'is', null), eb('d.offline_reported_at', '<', eb.ref('d.status_changed_at')), eb('d.offline_reported_at', '<', eb.ref('d.last_seen_at'))]))
    .where(sql<boolean>`${localTime}::time between m.opens_at and m.closes_at`)
    .limit(5000)
    .execute();
