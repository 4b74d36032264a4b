import type { Db } from '../../db/connect.js';
import type { StaffRow } from '../../db/database.js';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/database.js';

type Q = Db | Transaction<Database>;

export const findStaffByUsername = (db: Q, username: string) =>
  db.selectFrom('staff').selectAll().where('username', '=', username).executeTakeFirst();

export const findStaffById = (db: Q, id: number) => db.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst();

export const countStaff = async (db: Q) =>
  Number((await db.selectFrom('staff').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

export async function listStaff(db: Q, opts: { limit: number; offset: number; q?: string }) {
  let qb = db.selectFrom('staff');
  if (opts.q) qb = qb.where((eb) => eb.or([eb('username', 'ilike', `%${opts.q}%`), eb('display_name', 'ilike', `%${opts.q}%`)]));
  const [items, total] = await Promise.all([
    qb.selectAll().orderBy('id').limit(opts.limit).offset(opts.offset).execute(),
    qb.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n) };
}

export const listStaffMarketIds = async (db: Q, staffId: number) =>
  (await db.selectFrom('staff_market').select('market_id').where('staff_id', '=', staffId).execute()).map((r) => r.market_id);

export const listCityDistrictIds = async (db: Q, cityId: number) =>
  (await db.selectFrom('district').select('id').where('city_id', '=', cityId).execute()).map((r) => r.id);

export const listOfficeDistrictIds = async (db: Q, officeId: number) =>
  (await db.selectFrom('office_district').select('district_id').where('office_id', '=', officeId).execute()).map((r) => r.district_id);

export const recordLoginFailure = (db: Q, id: number, failedLogins: number, lockedUntil: Date | null) =>
  db.updateTable('staff').set({ failed_logins: failedLogins, locked_until: lockedUntil }).where('id', '=', id).execute();

export const clearLoginFailures = (db: Q, id: number) =>
  db.updateTable('staff').set({ failed_logins: 0, locked_until: null }).where('id', '=', id).execute();

export const insertSession = (db: Q, s: { id: string; staffId: number; csrfToken: string; expiresAt: Date; ip: string; userAgent: string }) =>
  db
    .insertInto('staff_session')
    .values({ id: s.id, staff_id: s.staffId, csrf_token: s.csrfToken, expires_at: s.expiresAt, ip: s.ip, user_agent: s.userAgent.slice(0, 300) })
    .execute();

export const findSession = (db: Q, id: string) => db.selectFrom('staff_session').selectAll().where('id', '=', id).executeTakeFirst();

export const touchSession = (db: Q, id: string, at: Date) =>
  db.updateTable('staff_session').set({ last_seen_at: at }).where('id', '=', id).execute();

export const deleteSession = (db: Q, id: string) => db.deleteFrom('staff_session').where('id', '=', id).execute();

export const deleteSessionsOfStaff = (db: Q, staffId: number) => db.deleteFrom('staff_session').where('staff_id', '=', staffId).execute();

export const deleteExpiredSessions = (db: Q, now: Date) => db.deleteFrom('staff_session').where('expires_at', '<', now).execute();

export type { StaffRow };
