/**
 * Walks every /api route for every role, against records inside and outside the caller's reach.
 * A route without a case here fails the test: adding a route means saying how its access is proven.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../src/test-support/app.js';
import { TEST_DB_KINDS } from '../src/test-support/db.js';
import { coreCases } from './access-cases/core.js';
import { importCases } from './access-cases/imports.js';
import { pricingCases } from './access-cases/pricing.js';
import { alertCases } from './access-cases/alerts.js';
import { ingestCases } from './access-cases/ingest.js';
import { codeCases } from './access-cases/codes.js';
import { complaintCases } from './access-cases/complaints.js';
import { creditCases } from './access-cases/credit.js';
import { fixtureIds, PLACE_KEYS, type Case, type Extra, type PlaceKey } from './access-cases/types.js';
import { isPermitted, isWithinReach, type Permission, type Place, type Reach } from '../src/modules/auth/index.js';

const CASES: Record<string, Case> = { ...coreCases, ...importCases, ...alertCases, ...pricingCases, ...ingestCases, ...codeCases, ...creditCases, ...complaintCases };

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
    for (const c of Object.values(CASES)) {
      if ((c.kind === 'record' || c.kind === 'list') && c.setup && !made.has(c.resource)) made.set(c.resource, await c.setup(t));
    }
  });
  const made = new Map<string, Partial<Record<PlaceKey, number>>>();
  const idsOf = (resource: string) => made.get(resource) ?? fixtureIds(t.fx, resource);
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
      if (c.kind === 'stream') {
        // Answers once its headers are out; the app's close ends the stream.
        const res = await t.app.inject({ method: 'GET', url: r.url, cookies: { mashang_session: client.cookie }, payloadAsStream: true });
        expect(res.statusCode, label).toBe(permitted ? 200 : 403);
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
        const raw: Record<string, unknown>[] = res.json().items;
        const items = raw.map((i) => (c.place ? c.place(i) : (i as { id: number; districtId: number; marketId: number | null })));
        for (const item of items) expect(isWithinReach(reach, { districtId: item.districtId, marketId: c.resource === 'market' ? item.id : item.marketId }), `${label} leaked ${item.id}`).toBe(true);
        const ids = idsOf(c.resource);
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
      const ids = idsOf(c.resource);
      for (const at of PLACE_KEYS) {
        const id = c.fresh ? await c.fresh(t, at) : ids[at];
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
