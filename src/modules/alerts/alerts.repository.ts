import { sql, type Transaction } from 'kysely';
import { PREPARED, type Db } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import { reachFilter } from '../../db/reach.js';
import type { Reach } from '../auth/index.js';
import type { AlertRow } from './alerts.table.js';
import type { FindingGroup } from './alerts.rules.js';

export type Q = Db | Transaction<Database>;

/** An alert with the names of what it is about, as lists, details and the live stream show it. */
export type AlertView = AlertRow & {
  district_name: string;
  market_name: string | null;
  merchant_name: string | null;
  scale_serial_no: string | null;
  office_name: string | null;
};
export type RaisedRow = AlertView & { created: boolean; added: number };

const SEVERITY_ORDER = sql.raw(`array['low', 'medium', 'high', 'critical']`);

/**
 * Raises a batch of grouped findings in one statement: upserts one alert per group (a new one, or
 * the open/acknowledged alert of the same type and key, whose counters, times and severity grow),
 * stores each piece of evidence while the alert holds fewer than `cap`, and returns the alerts
 * with their names, in group order. Groups are inserted sorted by (type, key), so concurrent
 * batches lock alert rows in one order and cannot deadlock on each other.
 */
export async function upsertGroups(q: Q, groups: readonly FindingGroup[], cap: number, withheld: ReadonlySet<number> = new Set()): Promise<RaisedRow[]> {
  if (!groups.length) return [];
  const g = groups.map((x) => ({
    k: x.k,
    type: x.type,
    severity: x.severity,
    aggregation_key: x.aggregationKey,
    title: x.title,
    summary: x.summary,
    scale_id: x.subject.scaleId,
    merchant_id: x.subject.merchantId,
    market_id: x.subject.marketId,
    district_id: x.subject.districtId,
    n: x.evidence.length,
    first_at: x.firstAt.toISOString(),
    last_at: x.lastAt.toISOString(),
  }));
  const e: { k: number; i: number; at: string; summary: string; data: Record<string, unknown>; scale_id: number | null; seq: number | null }[] = [];
  for (const x of groups) {
    // Pieces past the cap for a new alert are never stored, nor any for an alert already full
    // (`withheld`: counted, not sent): no need to send them.
    const sendable = withheld.has(x.k) ? 0 : Math.min(x.evidence.length, cap);
    for (let i = 0; i < sendable; i++) {
      const p = x.evidence[i]!;
      e.push({ k: x.k, i: i + 1, at: p.at.toISOString(), summary: p.summary, data: p.data, scale_id: p.scaleId, seq: p.seq });
    }
  }
  const result = await sql<RaisedRow>`${sql.raw(PREPARED)}
    with g as (
      select * from jsonb_to_recordset(${JSON.stringify(g)}::jsonb) as x(
        k int, type text, severity text, aggregation_key text, title text, summary text,
        scale_id bigint, merchant_id bigint, market_id bigint, district_id bigint,
        n int, first_at timestamptz, last_at timestamptz)
    ),
    routed as (
      select od.district_id, min(od.office_id) as office_id
      from office_district od
      where od.district_id in (select district_id from g)
      group by od.district_id
    ),
    up as (
      insert into alert as a (type, severity, aggregation_key, title, summary, scale_id, merchant_id, market_id, district_id, office_id, evidence_count, first_seen_at, last_seen_at)
      select g.type, g.severity, g.aggregation_key, g.title, g.summary, g.scale_id, g.merchant_id, g.market_id, g.district_id,
             routed.office_id, g.n, g.first_at, g.last_at
      from g
      left join routed on routed.district_id = g.district_id
      order by g.type, g.aggregation_key
      on conflict (type, aggregation_key) where status in ('open', 'acknowledged') do update set
        evidence_count = a.evidence_count + excluded.evidence_count,
        first_seen_at = least(a.first_seen_at, excluded.first_seen_at),
        last_seen_at = greatest(a.last_seen_at, excluded.last_seen_at),
        summary = case when excluded.last_seen_at >= a.last_seen_at then excluded.summary else a.summary end,
        severity = case when array_position(${SEVERITY_ORDER}, excluded.severity) > array_position(${SEVERITY_ORDER}, a.severity) then excluded.severity else a.severity end,
        updated_at = now(),
        version = a.version + 1
      returning a.*, (a.xmax = 0) as created
    ),
    ev as (
      insert into alert_evidence (alert_id, at, summary, data, source_scale_id, source_seq)
      select up.id, e.at, e.summary, e.data, e.scale_id, e.seq
      from jsonb_to_recordset(${JSON.stringify(e)}::jsonb) as e(k int, i int, at timestamptz, summary text, data jsonb, scale_id bigint, seq bigint)
      join g on g.k = e.k
      join up on up.type = g.type and up.aggregation_key = g.aggregation_key
      where up.evidence_count - g.n + e.i <= ${cap}
    )
    select up.*, g.n as added,
           d.name as district_name, m.name as market_name, mer.name as merchant_name, s.serial_no as scale_serial_no, o.name as office_name
    from up
    join g on g.type = up.type and g.aggregation_key = up.aggregation_key
    join district d on d.id = up.district_id
    left join market m on m.id = up.market_id
    left join merchant mer on mer.id = up.merchant_id
    left join scale s on s.id = up.scale_id
    left join office o on o.id = up.office_id
    order by g.k`.execute(q);
  return result.rows;
}

/** Stores pieces of evidence of one alert (the withheld pieces of a group whose alert turned out not to be full). */
export async function insertEvidence(q: Q, alertId: number, pieces: readonly FindingGroup['evidence'][number][]): Promise<void> {
  if (!pieces.length) return;
  await q
    .insertInto('alert_evidence')
    .values(pieces.map((p) => ({ alert_id: alertId, at: p.at, summary: p.summary, data: JSON.stringify(p.data), source_scale_id: p.scaleId, source_seq: p.seq })))
    .execute();
}

const views = (q: Q) =>
  q
    .selectFrom('alert')
    .innerJoin('district', 'district.id', 'alert.district_id')
    .leftJoin('market', 'market.id', 'alert.market_id')
    .leftJoin('merchant', 'merchant.id', 'alert.merchant_id')
    .leftJoin('scale', 'scale.id', 'alert.scale_id')
    .leftJoin('office', 'office.id', 'alert.office_id')
    .selectAll('alert')
    .select(['district.name as district_name', 'market.name as market_name', 'merchant.name as merchant_name', 'scale.serial_no as scale_serial_no', 'office.name as office_name']);

export const findAlertView = (q: Q, id: number): Promise<AlertView | undefined> => views(q).where('alert.id', '=', id).executeTakeFirst();

export const loadAlertViews = async (q: Q, ids: readonly number[]): Promise<AlertView[]> => (ids.length ? views(q).where('alert.id', 'in', ids).execute() : []);

export interface AlertFilter {
  status?: string;
  type?: string;
  severity?: string;
  districtId?: number;
  marketId?: number;
  merchantId?: number;
  scaleId?: number;
  officeId?: number;
  from?: Date;
  to?: Date;
  q?: string;
  limit: number;
  offset: number;
}

const STATUS_GROUPS: Record<string, string[]> = { active: ['open', 'acknowledged'], closed: ['resolved', 'dismissed'] };

/** Alerts within reach, most recently active first; an alert is "in" a period when its first-to-last window overlaps it. */
export async function listAlertViews(q: Q, reach: Reach, f: AlertFilter) {
  let qb = q.selectFrom('alert').where(reachFilter(reach, 'alert.district_id', 'alert.market_id'));
  if (f.status) qb = qb.where('alert.status', 'in', STATUS_GROUPS[f.status] ?? [f.status]);
  if (f.type) qb = qb.where('alert.type', '=', f.type);
  if (f.severity) qb = qb.where('alert.severity', '=', f.severity);
  if (f.districtId) qb = qb.where('alert.district_id', '=', f.districtId);
  if (f.marketId) qb = qb.where('alert.market_id', '=', f.marketId);
  if (f.merchantId) qb = qb.where('alert.merchant_id', '=', f.merchantId);
  if (f.scaleId) qb = qb.where('alert.scale_id', '=', f.scaleId);
  if (f.officeId) qb = qb.where('alert.office_id', '=', f.officeId);
  if (f.from) qb = qb.where('alert.last_seen_at', '>=', f.from);
  if (f.to) qb = qb.where('alert.first_seen_at', '<=', f.to);
  if (f.q) qb = qb.where('alert.title', 'ilike', `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const [items, total] = await Promise.all([
    views(q).where('alert.id', 'in', qb.select('alert.id')).orderBy('alert.last_seen_at', 'desc').orderBy('alert.id', 'desc').limit(f.limit).offset(f.offset).execute(),
    qb.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: total.n };
}

export async function listEvidence(q: Q, alertId: number, limit: number, offset: number) {
  const [items, total] = await Promise.all([
    q.selectFrom('alert_evidence').selectAll().where('alert_id', '=', alertId).orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
    q.selectFrom('alert_evidence').select(sql<number>`count(*)::int`.as('n')).where('alert_id', '=', alertId).executeTakeFirstOrThrow(),
  ]);
  return { items, total: total.n };
}

export const listActions = (q: Q, alertId: number) =>
  q
    .selectFrom('alert_action')
    .leftJoin('staff', 'staff.id', 'alert_action.staff_id')
    .selectAll('alert_action')
    .select('staff.display_name as staff_name')
    .where('alert_id', '=', alertId)
    .orderBy('alert_action.at')
    .orderBy('alert_action.id')
    .execute();

/** The alert row, locked for a status change. */
export const lockAlert = (trx: Transaction<Database>, id: number) => trx.selectFrom('alert').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();

export const findActiveByKey = (q: Q, type: string, key: string) =>
  q.selectFrom('alert').select(['id', 'status']).where('type', '=', type).where('aggregation_key', '=', key).where('status', 'in', ['open', 'acknowledged']).executeTakeFirst();

export async function changeStatus(trx: Transaction<Database>, id: number, change: { action: string; from: string; to: string; staffId: number; note: string; at: Date }) {
  const closing = change.to === 'resolved' || change.to === 'dismissed';
  await trx
    .updateTable('alert')
    .set((eb) => ({
      status: change.to,
      ...(change.to === 'acknowledged' ? { acknowledged_at: change.at, acknowledged_by: change.staffId } : {}),
      ...(change.to === 'open' ? { acknowledged_at: null, acknowledged_by: null } : {}),
      closed_at: closing ? change.at : null,
      closed_by: closing ? change.staffId : null,
      updated_at: change.at,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .execute();
  await trx.insertInto('alert_action').values({ alert_id: id, action: change.action, from_status: change.from, to_status: change.to, staff_id: change.staffId, at: change.at, note: change.note }).execute();
}

/** Open and acknowledged alerts within reach, counted by type, severity and status. */
export const activeCounts = (q: Q, reach: Reach) =>
  q
    .selectFrom('alert')
    .select(['type', 'severity', 'status', sql<number>`count(*)::int`.as('n')])
    .where('status', 'in', ['open', 'acknowledged'])
    .where(reachFilter(reach, 'alert.district_id', 'alert.market_id'))
    .groupBy(['type', 'severity', 'status'])
    .execute();
