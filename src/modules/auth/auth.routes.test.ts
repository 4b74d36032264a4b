import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { TEST_DB_KINDS } from '../../test-support/db.js';

describe.each(TEST_DB_KINDS)('staff sign-in and sessions on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { LOGIN_MAX_FAILURES: '3', SESSION_IDLE_MINUTES: '30' });
  });
  afterAll(async () => t?.close());

  const login = (username: string, password: string) => t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });

  it('signs in with an httpOnly SameSite=Strict cookie and returns who and a CSRF token', async () => {
    const res = await login('insp_a', 'correct-horse-42');
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'mashang_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    expect(res.json()).toMatchObject({ staff: { username: 'insp_a', role: 'office_inspector' }, roleLabel: { zh: '监管所执法人员' } });
    expect(res.json().csrfToken).toMatch(/^[\w-]{40,}$/);
  });

  it('answers a wrong name and a wrong password alike', async () => {
    const a = await login('nobody', 'correct-horse-42');
    const b = await login('insp_a', 'wrong-password-1');
    expect([a.statusCode, b.statusCode]).toEqual([401, 401]);
    expect(a.json().error.code).toBe('bad_credentials');
    expect(b.json().error.message).toBe(a.json().error.message);
  });

  it('locks an account after repeated failures, even for the right password', async () => {
    for (let i = 0; i < 3; i++) await login('price', 'wrong-password-1');
    const res = await login('price', 'correct-horse-42');
    expect(res.statusCode).toBe(423);
    expect(res.json().error.code).toBe('account_locked');
  });

  it('refuses a write without the CSRF token, accepts it with', async () => {
    const c = await t.as('insp_a');
    const without = await c.request('POST', `/api/markets/${t.fx.markets.A}/stalls`, { number: 'A-99', trade: '水果' }, { 'x-csrf-token': 'forged' });
    expect(without.statusCode).toBe(403);
    expect(without.json().error.code).toBe('csrf_failed');
    const withToken = await c.post(`/api/markets/${t.fx.markets.A}/stalls`, { number: 'A-99', trade: '水果' });
    expect(withToken.statusCode).toBe(201);
  });

  it('asks for sign-in without a session, and after sign-out', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/merchants' })).statusCode).toBe(401);
    const c = await t.as('bureau');
    expect((await c.get('/api/merchants')).statusCode).toBe(200);
    expect((await c.post('/api/auth/logout')).statusCode).toBe(204);
    expect((await c.get('/api/merchants')).statusCode).toBe(401);
  });

  it('signs out everywhere', async () => {
    const phone = await t.as('verifier');
    const desk = await t.as('verifier');
    expect((await desk.post('/api/auth/logout-everywhere')).statusCode).toBe(204);
    expect((await phone.get('/api/auth/me')).statusCode).toBe(401);
  });

  it('ends an idle session', async () => {
    const c = await t.as('bureau');
    await t.ctx.dbHandle.db.updateTable('staff_session').set({ last_seen_at: new Date(Date.now() - 31 * 60_000) }).execute();
    expect((await c.get('/api/auth/me')).statusCode).toBe(401);
  });

  it('ends a session past its absolute lifetime even when active', async () => {
    const c = await t.as('bureau');
    await t.ctx.dbHandle.db.updateTable('staff_session').set({ expires_at: new Date(Date.now() - 1000) }).execute();
    expect((await c.get('/api/auth/me')).statusCode).toBe(401);
  });

  it('refuses demo accounts outside demo mode', async () => {
    await t.ctx.dbHandle.db.updateTable('staff').set({ is_demo: true }).where('username', '=', 'insp_bc').execute();
    const res = await login('insp_bc', 'correct-horse-42');
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('demo_account_refused');
  });

  it('lets an administrator create staff with a strong password only', async () => {
    const admin = await t.as('admin');
    const weak = await admin.post('/api/staff', { username: 'new_insp', displayName: '新人', password: 'short', role: 'office_inspector', cityId: t.fx.cities.X, officeId: t.fx.offices.A });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.details[0].field).toBe('password');
    const ok = await admin.post('/api/staff', { username: 'new_insp', displayName: '新人', password: 'long-enough-password-9', role: 'office_inspector', cityId: t.fx.cities.X, officeId: t.fx.offices.A });
    expect(ok.statusCode).toBe(201);
    const stored = await t.ctx.dbHandle.db.selectFrom('staff').select('password_hash').where('username', '=', 'new_insp').executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
  });
});
