/**
 * Walks every /api route for every role, against records inside and outside the caller's reach.
 * A route without a case here fails the test: adding a route means saying how its access is proven.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../src/test-support/app.js';
import { TEST_DB_KINDS } from '../src/test-support/db.js';
import { validUscc, type Fixtures } from '../src/test-support/fixtures.js';
import { isPermitted, isWithinReach, type Permission, type Place, type Reach } from '../src/modules/auth/index.js';

type PlaceKey = 'A' | 'B' | 'Y';
const PLACE_KEYS: PlaceKey[] = ['A', 'B', 'Y'];

type Case =
  /** A route about one record (:id): inside reach it works, outside it is 404 and changes nothing. */
  | { kind: 'record'; resource: 'market' | 'merchant' | 'scale' | 'camera' | 'stall'; body?: (fx: Fixtures, at: PlaceKey, n: number) => unknown; ok?: number }
  /** A list: only records within reach come back, and every seeded one within reach does. */
  | { kind: 'list'; resource: 'market' | 'merchant' | 'scale' | 'camera' }
  /** A create aimed at a place: inside reach 201, outside refused and nothing written. */
  | { kind: 'create'; body: (fx: Fixtures, at: PlaceKey, n: number) => unknown }
  /** Not about a place: permitted roles get one of `ok`. */
  | { kind: 'global'; id?: (fx: Fixtures, extra: Extra) => number; body?: (fx: Fixtures, n: number) => unknown; ok: number[] }
  /** Ends the session: run on a fresh sign-in. */
  | { kind: 'session'; ok: number[] };

interface Extra {
  throwawayStaffId: number;
}

const fixtureIds = (fx: Fixtures, resource: string): Partial<Record<PlaceKey, number>> =>
  ({ market: fx.markets, merchant: fx.merchants, scale: fx.scales, camera: fx.cameras, stall: fx.stalls })[resource]!;

const CASES: Record<string, Case> = {
  'GET /api/auth/me': { kind: 'global', ok: [200] },
  'POST /api/auth/logout': { kind: 'session', ok: [204] },
  'POST /api/auth/logout-everywhere': { kind: 'session', ok: [204] },
  'POST /api/auth/password': { kind: 'global', body: () => ({ currentPassword: 'not-my-password-1', newPassword: 'whatever-123456' }), ok: [400] },
  'GET /api/staff': { kind: 'global', ok: [200] },
  'POST /api/staff': { kind: 'global', body: (fx, n) => ({ username: `matrix_${n}`, displayName: 'M', password: 'matrix-password-1', role: 'price_centre', cityId: fx.cities.X }), ok: [201] },
  'GET /api/staff/:id': { kind: 'global', id: (_fx, e) => e.throwawayStaffId, ok: [200] },
  'PATCH /api/staff/:id': { kind: 'global', id: (_fx, e) => e.throwawayStaffId, body: (_fx, n) => ({ displayName: `改名${n}` }), ok: [200] },
  'POST /api/staff/:id/logout-everywhere': { kind: 'global', id: (_fx, e) => e.throwawayStaffId, ok: [204] },
  'GET /api/registry/vocabulary': { kind: 'global', ok: [200] },
  'GET /api/registry/summary': { kind: 'global', ok: [200] },
  'GET /api/jurisdictions': { kind: 'global', ok: [200] },
  'POST /api/cities': { kind: 'global', body: (_fx, n) => ({ code: String(500000 + n), name: `矩阵市${n}` }), ok: [201] },
  'POST /api/cities/:id/districts': { kind: 'global', id: (fx) => fx.cities.X, body: (_fx, n) => ({ code: String(600000 + n), name: `矩阵区${n}` }), ok: [201] },
  'POST /api/offices': { kind: 'global', body: (fx, n) => ({ cityId: fx.cities.X, name: `矩阵所${n}`, districtIds: [fx.districts.C] }), ok: [201] },
  'PUT /api/offices/:id': { kind: 'global', id: (fx) => fx.offices.A, body: (fx) => ({ cityId: fx.cities.X, name: '甲区监管所', districtIds: [fx.districts.A] }), ok: [200] },
  'GET /api/markets': { kind: 'list', resource: 'market' },
  'POST /api/markets': { kind: 'create', body: (fx, at, n) => ({ districtId: fx.districts[at], name: `矩阵市场${n}` }) },
  'GET /api/markets/:id': { kind: 'record', resource: 'market' },
  'PATCH /api/markets/:id': { kind: 'record', resource: 'market', body: (_fx, _at, n) => ({ contactName: `联系人${n}` }) },
  'GET /api/markets/:id/stalls': { kind: 'record', resource: 'market' },
  'POST /api/markets/:id/stalls': { kind: 'record', resource: 'market', body: (_fx, _at, n) => ({ number: `M-${n}`, trade: '水果' }), ok: 201 },
  'PATCH /api/stalls/:id': { kind: 'record', resource: 'stall', body: (_fx, _at, n) => ({ trade: `海鲜${n}` }) },
  'GET /api/merchants': { kind: 'list', resource: 'merchant' },
  'POST /api/merchants': {
    kind: 'create',
    body: (fx, at, n) => ({ uscc: validUscc(`9246020${String(n).padStart(3, '0')}MA5T9999`.slice(0, 17)), name: `矩阵商户${n}`, legalRep: '李四', entityType: '个体工商户', marketId: fx.markets[at] }),
  },
  'GET /api/merchants/:id': { kind: 'record', resource: 'merchant' },
  'PATCH /api/merchants/:id': { kind: 'record', resource: 'merchant', body: (_fx, _at, n) => ({ address: `新地址${n}号` }) },
  'GET /api/scales': { kind: 'list', resource: 'scale' },
  'POST /api/scales': {
    kind: 'create',
    body: (fx, at, n) => ({ serialNo: `MX-${n}`, manufacturer: '凯丰', model: 'ACS-30', maxCapacityG: 30000, divisionG: 10, accuracyClass: 'III', merchantId: fx.merchants[at] }),
  },
  'GET /api/scales/:id': { kind: 'record', resource: 'scale' },
  'PATCH /api/scales/:id': { kind: 'record', resource: 'scale', body: (_fx, _at, n) => ({ typeApprovalNo: `2020F${n}` }) },
  'POST /api/scales/:id/assignment': { kind: 'record', resource: 'scale', body: (fx, at) => ({ merchantId: fx.merchants[at] }) },
  'GET /api/scales/:id/assignments': { kind: 'record', resource: 'scale' },
  'GET /api/scales/:id/verifications': { kind: 'record', resource: 'scale' },
  'POST /api/scales/:id/verifications': {
    kind: 'record',
    resource: 'scale',
    ok: 201,
    body: (_fx, _at, n) => ({ certificateNo: `JD-${n}`, institution: '计量所', verifiedOn: '2026-01-05', result: 'pass', validUntil: '2027-01-04' }),
  },
  'GET /api/cameras': { kind: 'list', resource: 'camera' },
  'POST /api/cameras': { kind: 'create', body: (fx, at) => ({ merchantId: fx.merchants[at], keyPoint: 'packing', streamUrl: 'rtsp://cam/x', retentionDays: 30 }) },
  'GET /api/cameras/:id': { kind: 'record', resource: 'camera' },
  'PATCH /api/cameras/:id': { kind: 'record', resource: 'camera', body: () => ({ retentionDays: 45 }) },
  'GET /api/audit': { kind: 'global', ok: [200] },
  'GET /api/audit/verify': { kind: 'global', ok: [200] },
};

describe.each(TEST_DB_KINDS)('role × route × reach on %s', (kind) => {
  let t: TestApp;
  let clients: Record<string, Client>;
  let extra: Extra;
  let n = 0;
  const users = ['admin', 'bureau', 'bureau_y', 'insp_a', 'insp_bc', 'manager_a', 'verifier', 'price'] as const;

  beforeAll(async () => {
    t = await createTestApp(kind);
    clients = Object.fromEntries(await Promise.all(users.map(async (u) => [u, await t.as(u)] as const)));
    const throwaway = await clients.admin!.post('/api/staff', { username: 'throwaway', displayName: 'T', password: 'throwaway-pass-1', role: 'price_centre', cityId: t.fx.cities.X });
    extra = { throwawayStaffId: throwaway.json().id };
  });
  afterAll(async () => t?.close());

  const placeOf = (at: PlaceKey): Place => ({ districtId: t.fx.districts[at], marketId: t.fx.markets[at] });
  const auditSeq = async () => (await t.ctx.dbHandle.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow()).seq;
  const reachOf = async (username: string): Promise<Reach> => {
    const me = await clients[username]!.get('/api/auth/me');
    const actor = await t.ctx.auth.authenticate(clients[username]!.cookie);
    expect(me.statusCode).toBe(200);
    return actor!.actor.reach;
  };

  it('has a case for every /api route, and every route declares its access', () => {
    const declared = t.app.routeAccess.filter((r) => r.access !== 'public').map((r) => `${r.method} ${r.url}`);
    const missing = declared.filter((k) => !(k in CASES));
    expect(missing, 'routes with no access case').toEqual([]);
  });

  it('asks for sign-in on every non-public route', async () => {
    for (const r of t.app.routeAccess.filter((r) => r.access !== 'public')) {
      const res = await t.app.inject({ method: r.method as 'GET', url: r.url.replace(':id', '1'), payload: r.method === 'GET' ? undefined : {} });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
    }
  });

  it.each(users)('enforces role and reach for %s on every route', async (username) => {
    let client = clients[username]!;
    const reach = await reachOf(username);
    const role = (await client.get('/api/auth/me')).json().staff.role;
    const within = (at: PlaceKey) => isWithinReach(reach, placeOf(at));

    for (const r of t.app.routeAccess.filter((r) => r.access !== 'public')) {
      const key = `${r.method} ${r.url}`;
      const c = CASES[key];
      if (!c) continue;
      const permitted = r.access === 'signed_in' || isPermitted(role, r.access as Permission);
      const label = `${username} ${key}`;

      if (c.kind === 'session') {
        const fresh = await t.as(username);
        expect((await fresh.request(r.method, r.url, {})).statusCode, label).toBe(c.ok[0]);
        // Signing out everywhere ends this test's own session too.
        client = clients[username] = await t.as(username);
        continue;
      }
      if (c.kind === 'global') {
        const url = c.id ? r.url.replace(':id', String(c.id(t.fx, extra))) : r.url;
        const res = await client.request(r.method, url, r.method === 'GET' ? undefined : (c.body?.(t.fx, ++n) ?? {}));
        if (permitted) expect(c.ok, `${label} → ${res.statusCode} ${res.body.slice(0, 200)}`).toContain(res.statusCode);
        else expect(res.statusCode, label).toBe(403);
        if (permitted && key === 'GET /api/jurisdictions') {
          const cityIds = res.json().map((city: { id: number }) => city.id);
          if (role === 'admin') expect(cityIds.sort()).toEqual([t.fx.cities.X, t.fx.cities.Y].sort());
          else expect(cityIds).toEqual([username === 'bureau_y' ? t.fx.cities.Y : t.fx.cities.X]);
        }
        continue;
      }
      if (c.kind === 'list') {
        const res = await client.get(`${r.url}?pageSize=500`);
        if (!permitted) {
          expect(res.statusCode, label).toBe(403);
          continue;
        }
        expect(res.statusCode, label).toBe(200);
        const items: { id: number; districtId: number; marketId: number | null }[] = res.json().items;
        for (const item of items) expect(isWithinReach(reach, { districtId: item.districtId, marketId: c.resource === 'market' ? item.id : item.marketId }), `${label} leaked ${item.id}`).toBe(true);
        const ids = fixtureIds(t.fx, c.resource);
        for (const at of PLACE_KEYS) {
          const id = ids[at];
          if (id !== undefined) expect(items.some((i) => i.id === id), `${label} ${at}`).toBe(within(at));
        }
        continue;
      }
      if (c.kind === 'create') {
        for (const at of PLACE_KEYS) {
          const before = await auditSeq();
          const res = await client.request(r.method, r.url, c.body(t.fx, at, ++n));
          const detail = `${label} at ${at} → ${res.statusCode} ${res.body.slice(0, 200)}`;
          if (!permitted) expect(res.statusCode, detail).toBe(403);
          else if (within(at)) expect(res.statusCode, detail).toBe(201);
          else expect([400, 403, 404], detail).toContain(res.statusCode);
          if (!permitted || !within(at)) expect(await auditSeq(), `${detail}: nothing written`).toBe(before);
        }
        continue;
      }
      // record
      const ids = fixtureIds(t.fx, c.resource);
      for (const at of PLACE_KEYS) {
        const id = ids[at];
        if (id === undefined) continue;
        const before = await auditSeq();
        const res = await client.request(r.method, r.url.replace(':id', String(id)), r.method === 'GET' ? undefined : (c.body?.(t.fx, at, ++n) ?? {}));
        const detail = `${label} ${c.resource} ${at} → ${res.statusCode} ${res.body.slice(0, 200)}`;
        if (!permitted) expect(res.statusCode, detail).toBe(403);
        else if (within(at)) expect(res.statusCode, detail).toBe(c.ok ?? 200);
        else expect(res.statusCode, detail).toBe(404);
        if (r.method !== 'GET' && (!permitted || !within(at))) expect(await auditSeq(), `${detail}: nothing written`).toBe(before);
      }
    }
  });

  it('keeps the audit chain intact after all of it', async () => {
    const res = await clients.admin!.get('/api/audit/verify');
    expect(res.json()).toMatchObject({ ok: true });
  });
});
