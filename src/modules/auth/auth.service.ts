import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../db/connect.js';
import { AppError, conflict, forbidden, invalid, notFound, tooMany, unauthenticated } from '../../shared/errors.js';
import { appendAuditEntries } from '../audit/index.js';
import * as repo from './auth.repository.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password.js';
import { isSessionAlive, nextLockout, passwordProblem, ROLES, type Actor, type Reach, type Role } from './auth.rules.js';

export interface AuthSettings {
  demo: boolean;
  session: { idleMinutes: number; absoluteHours: number };
  login: { maxFailures: number; lockoutMinutes: number; perIpPerMinute: number };
}

export interface Staff {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  cityId: number | null;
  officeId: number | null;
  marketIds: number[];
  merchantId: number | null;
  organisation: string;
  isDemo: boolean;
  isDisabled: boolean;
  lockedUntil: string | null;
}

/** Who did it and under which request: every write is attributed to this. */
export interface By {
  actor: Actor;
  requestId: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const token = () => randomBytes(32).toString('base64url');

export function toStaff(row: repo.StaffRow, marketIds: number[]): Staff {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role as Role,
    cityId: row.city_id,
    officeId: row.office_id,
    marketIds,
    merchantId: row.merchant_id,
    organisation: row.organisation,
    isDemo: row.is_demo,
    isDisabled: row.is_disabled,
    lockedUntil: row.locked_until && row.locked_until > new Date() ? row.locked_until.toISOString() : null,
  };
}

async function reachOf(db: Db, row: repo.StaffRow): Promise<Reach> {
  switch (row.role as Role) {
    case 'admin':
      return { kind: 'all' };
    case 'office_inspector':
      return { kind: 'districts', districtIds: await repo.listOfficeDistrictIds(db, row.office_id!) };
    case 'market_manager':
      return { kind: 'markets', marketIds: await repo.listStaffMarketIds(db, row.id) };
    case 'merchant':
      // Nothing through the staff routes: a merchant reaches its own record through merchant.self routes.
      return { kind: 'markets', marketIds: [] };
    default:
      return { kind: 'districts', districtIds: await repo.listCityDistrictIds(db, row.city_id!) };
  }
}

export async function actorOf(db: Db, row: repo.StaffRow): Promise<Actor> {
  return {
    staffId: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role as Role,
    cityId: row.city_id,
    officeId: row.office_id,
    merchantId: row.merchant_id,
    reach: await reachOf(db, row),
    isDemo: row.is_demo,
  };
}

/** Sign-in attempts per network address in the last minute (per instance; lockout is per account in the database). */
class IpWindow {
  private hits = new Map<string, number[]>();
  take(ip: string, limit: number, now: number): number | null {
    const recent = (this.hits.get(ip) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= limit) return Math.ceil((60_000 - (now - recent[0]!)) / 1000);
    recent.push(now);
    this.hits.set(ip, recent);
    if (this.hits.size > 10_000) this.hits.clear();
    return null;
  }
}

/**
 * Resolved sessions are kept a few seconds: a request need not wait for the database (on PGlite,
 * a long import holds its one connection). Changes made on this instance clear it at once; on
 * another instance a sign-out everywhere takes effect within SESSION_CACHE_MS.
 */
const SESSION_CACHE_MS = 10_000;

export function createAuthService(db: Db, settings: AuthSettings) {
  const ipWindow = new IpWindow();
  type Resolved = { actor: Actor; csrfToken: string; sessionId: string };
  const sessionCache = new Map<string, { at: number; value: Resolved }>();
  const forgetSession = (id: string) => sessionCache.delete(id);
  const forgetStaff = (staffId: number) => {
    for (const [id, e] of sessionCache) if (e.value.actor.staffId === staffId) sessionCache.delete(id);
  };

  return {
    /**
     * Checks the password and opens a session. Wrong name and wrong password get the same answer;
     * consecutive failures lock the account; demo accounts sign in only in demo mode.
     */
    async login(input: { username: string; password: string; ip: string; userAgent: string }) {
      const now = new Date();
      const wait = ipWindow.take(input.ip, settings.login.perIpPerMinute, now.getTime());
      if (wait !== null) throw tooMany(`登录尝试过于频繁，请${wait}秒后再试 (too many sign-in attempts; try again in ${wait} s)`, wait);
      const row = await repo.findStaffByUsername(db, input.username.trim());
      const badCredentials = new AppError('bad_credentials', '用户名或密码错误 (wrong username or password)', 401);
      if (!row) {
        await verifyPassword(await dummyPasswordHash(), input.password);
        throw badCredentials;
      }
      if (row.locked_until && row.locked_until > now) {
        const minutes = Math.ceil((row.locked_until.getTime() - now.getTime()) / 60_000);
        throw new AppError('account_locked', `账号已锁定，请${minutes}分钟后再试 (account locked after repeated failures; try again in ${minutes} min)`, 423);
      }
      if (!(await verifyPassword(row.password_hash, input.password))) {
        const next = nextLockout(row.failed_logins, settings.login.maxFailures, now, settings.login.lockoutMinutes);
        await repo.recordLoginFailure(db, row.id, next.failedLogins, next.lockedUntil);
        throw badCredentials;
      }
      if (row.is_disabled) throw new AppError('account_disabled', '账号已停用 (account disabled)', 403);
      if (row.is_demo && !settings.demo) {
        throw new AppError('demo_account_refused', '演示账号仅在演示模式下可用 (demo accounts work only in demo mode)', 403);
      }
      await repo.clearLoginFailures(db, row.id);
      const sessionToken = token();
      const csrfToken = token();
      await repo.insertSession(db, {
        id: sha256(sessionToken),
        staffId: row.id,
        csrfToken,
        expiresAt: new Date(now.getTime() + settings.session.absoluteHours * 3_600_000),
        ip: input.ip,
        userAgent: input.userAgent,
      });
      return { sessionToken, csrfToken, staff: toStaff(row, await repo.listStaffMarketIds(db, row.id)) };
    },

    /** Resolves a session cookie to its actor, or null when absent, expired or idle. Never throws on a bad token. */
    async authenticate(sessionToken: string): Promise<{ actor: Actor; csrfToken: string; sessionId: string } | null> {
      const id = sha256(sessionToken);
      const cached = sessionCache.get(id);
      if (cached && Date.now() - cached.at < SESSION_CACHE_MS) return cached.value;
      const session = await repo.findSession(db, id);
      if (!session) return null;
      const now = new Date();
      if (!isSessionAlive({ lastSeenAt: session.last_seen_at, expiresAt: session.expires_at }, now, settings.session.idleMinutes)) {
        await repo.deleteSession(db, id);
        return null;
      }
      const row = await repo.findStaffById(db, session.staff_id);
      if (!row || row.is_disabled || (row.is_demo && !settings.demo)) return null;
      // Touch at most once a minute: a busy screen need not write on every request.
      if (now.getTime() - session.last_seen_at.getTime() > 60_000) await repo.touchSession(db, id, now);
      const value = { actor: await actorOf(db, row), csrfToken: session.csrf_token, sessionId: id };
      // Never past the session's own end, and not past the idle limit measured from now.
      if (session.expires_at.getTime() - now.getTime() > SESSION_CACHE_MS) sessionCache.set(id, { at: Date.now(), value });
      if (sessionCache.size > 50_000) sessionCache.clear();
      return value;
    },

    async logout(sessionId: string) {
      forgetSession(sessionId);
      await repo.deleteSession(db, sessionId);
    },

    /** Ends every session of the staff member: sign-out everywhere. */
    async logoutEverywhere(staffId: number) {
      forgetStaff(staffId);
      await repo.deleteSessionsOfStaff(db, staffId);
    },

    async changePassword(by: By, current: string, next: string) {
      const row = await repo.findStaffById(db, by.actor.staffId);
      if (!row || !(await verifyPassword(row.password_hash, current))) throw new AppError('bad_credentials', '当前密码错误 (current password is wrong)', 400);
      const problem = passwordProblem(next);
      if (problem) throw invalid(problem, [{ field: 'newPassword', message: problem }]);
      const hash = await hashPassword(next);
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('staff').set({ password_hash: hash, updated_at: new Date() }).where('id', '=', row.id).execute();
        await trx.deleteFrom('staff_session').where('staff_id', '=', row.id).execute();
        forgetStaff(row.id);
        await appendAuditEntries(trx, [{ staffId: by.actor.staffId, action: 'staff.password_change', entity: 'staff', entityId: row.id, requestId: by.requestId }]);
      });
    },

    async getStaff(id: number): Promise<Staff> {
      const row = await repo.findStaffById(db, id);
      if (!row) throw notFound('staff', id);
      return toStaff(row, await repo.listStaffMarketIds(db, id));
    },

    async listStaff(opts: { limit: number; offset: number; q?: string }) {
      const { items, total } = await repo.listStaff(db, opts);
      return { items: await Promise.all(items.map(async (r) => toStaff(r, await repo.listStaffMarketIds(db, r.id)))), total };
    },

    /**
     * Creates a staff account. `by` is null only when bootstrapping the first administrator (the
     * command line, the demo loader); `bootstrapRequestId` then names where it came from in the audit log.
     */
    async createStaff(by: By | null, input: NewStaff, bootstrapRequestId = 'cli'): Promise<Staff> {
      const problems = staffProblems(input);
      const pw = passwordProblem(input.password);
      if (pw) problems.push({ field: 'password', message: pw });
      if (problems.length) throw invalid(problems.map((p) => p.message).join('; '), problems);
      if (input.isDemo && !settings.demo) throw forbidden('演示账号仅在演示模式下可建 (demo accounts exist only in demo mode)');
      const passwordHash = await hashPassword(input.password);
      const id = await db.transaction().execute(async (trx) => {
        if (await repo.findStaffByUsername(trx, input.username)) throw conflict(`用户名 ${input.username} 已存在 (username already taken)`, [{ field: 'username', message: '用户名已存在 (username already taken)' }]);
        await checkPosting(trx, input);
        const { id } = await trx
          .insertInto('staff')
          .values({
            username: input.username,
            display_name: input.displayName,
            password_hash: passwordHash,
            role: input.role,
            city_id: input.role === 'admin' ? null : input.cityId ?? null,
            office_id: input.role === 'office_inspector' ? input.officeId ?? null : null,
            merchant_id: input.role === 'merchant' ? input.merchantId ?? null : null,
            organisation: input.organisation ?? '',
            is_demo: input.isDemo ?? false,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        if (input.role === 'market_manager' && input.marketIds?.length) {
          await trx.insertInto('staff_market').values(input.marketIds.map((m) => ({ staff_id: id, market_id: m }))).execute();
        }
        await appendAuditEntries(trx, [
          {
            staffId: by?.actor.staffId ?? null,
            action: 'staff.create',
            entity: 'staff',
            entityId: id,
            after: { ...input, password: undefined },
            requestId: by?.requestId ?? bootstrapRequestId,
          },
        ]);
        return id;
      });
      return this.getStaff(id);
    },

    async updateStaff(by: By, id: number, patch: StaffPatch): Promise<Staff> {
      const before = await this.getStaff(id);
      const merged = { ...before, ...patch };
      const problems = staffProblems(merged);
      if (problems.length) throw invalid(problems.map((p) => p.message).join('; '), problems);
      const passwordHash = patch.password !== undefined ? await resetPasswordHash(patch.password) : undefined;
      await db.transaction().execute(async (trx) => {
        await checkPosting(trx, merged);
        await trx
          .updateTable('staff')
          .set({
            display_name: merged.displayName,
            role: merged.role,
            city_id: merged.role === 'admin' ? null : merged.cityId,
            office_id: merged.role === 'office_inspector' ? merged.officeId : null,
            merchant_id: merged.role === 'merchant' ? merged.merchantId ?? null : null,
            organisation: merged.organisation,
            is_disabled: merged.isDisabled,
            ...(patch.unlock ? { failed_logins: 0, locked_until: null } : {}),
            ...(passwordHash ? { password_hash: passwordHash } : {}),
            updated_at: new Date(),
          })
          .where('id', '=', id)
          .execute();
        if (patch.marketIds) {
          await trx.deleteFrom('staff_market').where('staff_id', '=', id).execute();
          if (merged.role === 'market_manager' && patch.marketIds.length) {
            await trx.insertInto('staff_market').values(patch.marketIds.map((m) => ({ staff_id: id, market_id: m }))).execute();
          }
        }
        // A role, posting or password change must not leave old sessions carrying the old reach.
        if (patch.role || patch.cityId !== undefined || patch.officeId !== undefined || patch.marketIds || patch.isDisabled || passwordHash) {
          await trx.deleteFrom('staff_session').where('staff_id', '=', id).execute();
        }
        forgetStaff(id);
        await appendAuditEntries(trx, [
          { staffId: by.actor.staffId, action: 'staff.update', entity: 'staff', entityId: id, before, after: { ...patch, password: patch.password ? '***' : undefined }, requestId: by.requestId },
        ]);
      });
      return this.getStaff(id);
    },

    countStaff: () => repo.countStaff(db),
    purgeExpiredSessions: () => repo.deleteExpiredSessions(db, new Date()),
  };

  async function resetPasswordHash(pw: string) {
    const problem = passwordProblem(pw);
    if (problem) throw invalid(problem, [{ field: 'password', message: problem }]);
    return hashPassword(pw);
  }
}

export type AuthService = ReturnType<typeof createAuthService>;

export interface NewStaff {
  username: string;
  displayName: string;
  password: string;
  role: Role;
  cityId?: number | null;
  officeId?: number | null;
  marketIds?: number[];
  merchantId?: number | null;
  organisation?: string;
  isDemo?: boolean;
}

export interface StaffPatch {
  displayName?: string;
  role?: Role;
  cityId?: number | null;
  officeId?: number | null;
  marketIds?: number[];
  merchantId?: number | null;
  organisation?: string;
  isDisabled?: boolean;
  unlock?: boolean;
  password?: string;
}

function staffProblems(s: { username: string; displayName: string; role: Role; cityId?: number | null; officeId?: number | null; marketIds?: number[]; merchantId?: number | null }) {
  const problems: { field: string; message: string }[] = [];
  if (!/^[A-Za-z0-9_.-]{3,40}$/.test(s.username)) problems.push({ field: 'username', message: '用户名为3-40位字母、数字或 _ . - (username: 3-40 letters, digits, _ . -)' });
  if (!s.displayName.trim()) problems.push({ field: 'displayName', message: '姓名不能为空 (display name is required)' });
  if (!ROLES.includes(s.role)) problems.push({ field: 'role', message: `角色无效 (unknown role ${s.role})` });
  if (s.role !== 'admin' && !s.cityId) problems.push({ field: 'cityId', message: '须指定所属城市 (a city is required for this role)' });
  if (s.role === 'office_inspector' && !s.officeId) problems.push({ field: 'officeId', message: '监管所执法人员须指定监管所 (an inspector needs an office)' });
  if (s.role === 'market_manager' && !s.marketIds?.length) problems.push({ field: 'marketIds', message: '市场管理方须指定市场 (a market manager needs at least one market)' });
  if (s.role === 'merchant' && !s.merchantId) problems.push({ field: 'merchantId', message: '商户账号须指定商户 (a merchant account needs its merchant)' });
  return problems;
}

async function checkPosting(trx: Parameters<typeof repo.findStaffById>[0], s: { role: Role; cityId?: number | null; officeId?: number | null; marketIds?: number[]; merchantId?: number | null }) {
  if (s.role === 'admin') return;
  const city = await trx.selectFrom('city').select('id').where('id', '=', s.cityId!).executeTakeFirst();
  if (!city) throw invalid(`城市 ${s.cityId} 不存在 (unknown city)`, [{ field: 'cityId', message: '城市不存在 (unknown city)' }]);
  if (s.role === 'merchant') {
    const m = await trx.selectFrom('merchant').innerJoin('district', 'district.id', 'merchant.district_id').select('district.city_id').where('merchant.id', '=', s.merchantId!).executeTakeFirst();
    if (!m || m.city_id !== s.cityId) throw invalid(`商户 ${s.merchantId} 不属于该城市 (merchant not in city ${s.cityId})`, [{ field: 'merchantId', message: '商户不存在或不属于该城市 (unknown merchant for this city)' }]);
  }
  if (s.role === 'office_inspector') {
    const office = await trx.selectFrom('office').select('city_id').where('id', '=', s.officeId!).executeTakeFirst();
    if (!office || office.city_id !== s.cityId) throw invalid(`监管所 ${s.officeId} 不属于该城市 (office not in city ${s.cityId})`, [{ field: 'officeId', message: '监管所不属于该城市 (unknown office for this city)' }]);
  }
  if (s.role === 'market_manager' && s.marketIds?.length) {
    const found = await trx
      .selectFrom('market')
      .innerJoin('district', 'district.id', 'market.district_id')
      .select('market.id')
      .where('market.id', 'in', s.marketIds)
      .where('district.city_id', '=', s.cityId!)
      .execute();
    if (found.length !== new Set(s.marketIds).size) throw invalid('市场不存在或不属于该城市 (a market is unknown or outside the city)', [{ field: 'marketIds', message: '市场不存在或不属于该城市 (unknown market for this city)' }]);
  }
}

export { unauthenticated };
