import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../../test-support/app.js';
import { TEST_DB_KINDS } from '../../test-support/db.js';
import { DEFAULT_RULEBOOK } from './index.js';
import { eventually } from '../../test-support/eventually.js';

const DAY = 86_400_000;

describe.each(TEST_DB_KINDS)('credit: rulebook, events, due process, pledge on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let inspA: Client;
  let managerA: Client;
  let bureau: Client;
  let merchantA: Client;
  let merchantB: Client;
  let legalRepA: string;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await t.as('admin');
    inspA = await t.as('insp_a');
    managerA = await t.as('manager_a');
    bureau = await t.as('bureau');
    for (const [name, m] of [['merchant_a', t.fx.merchants.A], ['merchant_b', t.fx.merchants.B]] as const) {
      const made = await admin.post('/api/staff', { username: name, displayName: name, password: 'merchant-pass-123', role: 'merchant', cityId: t.fx.cities.X, merchantId: m });
      expect(made.statusCode, made.body).toBe(201);
    }
    merchantA = await t.as('merchant_a', 'merchant-pass-123');
    merchantB = await t.as('merchant_b', 'merchant-pass-123');
    legalRepA = (await admin.get(`/api/merchants/${t.fx.merchants.A}`)).json().legalRep;
  });
  afterAll(async () => t?.close());

  const creditOf = async (c: Client = inspA, m = t.fx.merchants.A) => {
    const res = await c.get(`/api/merchants/${m}/credit`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const record = (c: Client, itemCode: string, daysAgo = 1, m = t.fx.merchants.A) =>
    c.post(`/api/merchants/${m}/credit-events`, { itemCode, occurredAt: new Date(Date.now() - daysAgo * DAY).toISOString(), evidence: '现场检查笔录 2026-001' });

  it('starts every merchant at the default rulebook’s base score, with five stars', async () => {
    const c = await creditOf();
    expect(c.score).toBe(DEFAULT_RULEBOOK.baseScore);
    expect(c.rulebookVersion).toBe(1);
    expect(c.pledgeText.zh).toContain('承诺');
  });

  it('an inspector’s deduction counts at once; a manager’s evaluation waits for an inspector', async () => {
    const before = (await creditOf()).score;
    const byInspector = await record(inspA, 'PRC-01');
    expect(byInspector.statusCode, byInspector.body).toBe(201);
    expect(byInspector.json().status).toBe('confirmed');
    const afterInspector = await creditOf();
    expect(afterInspector.score).toBe(before - 5);
    expect(afterInspector.counted.map((c: { eventId: number }) => c.eventId)).toContain(byInspector.json().id);

    const byManager = await record(managerA, 'PRC-03');
    expect(byManager.json().status).toBe('proposed');
    const pending = await creditOf();
    expect(pending.score).toBe(before - 5);
    expect(pending.notCounted).toContainEqual({ eventId: byManager.json().id, itemCode: 'PRC-03', reason: 'unconfirmed' });
    expect((await managerA.post(`/api/credit-events/${byManager.json().id}/confirm`)).statusCode).toBe(403);
    expect((await inspA.post(`/api/credit-events/${byManager.json().id}/confirm`)).statusCode).toBe(200);
    expect((await creditOf()).score).toBe(before - 10);
  });

  it('refuses an unknown item, missing evidence, a future date, and a merchant outside reach', async () => {
    expect((await record(inspA, 'NOPE-1')).statusCode).toBe(400);
    expect((await inspA.post(`/api/merchants/${t.fx.merchants.A}/credit-events`, { itemCode: 'PRC-01', occurredAt: new Date().toISOString(), evidence: ' ' })).statusCode).toBe(400);
    expect((await record(inspA, 'PRC-01', -10)).statusCode).toBe(400);
    expect((await record(inspA, 'PRC-01', 1, t.fx.merchants.Y)).statusCode).toBe(404);
  });

  it('the merchant replies publicly and objects; the public page shows both; an upheld objection withdraws the deduction', async () => {
    const e = (await record(inspA, 'VID-02')).json();
    const before = (await creditOf()).score;
    expect((await merchantB.post(`/api/me/credit-events/${e.id}/reply`, { text: '不是我' })).statusCode).toBe(404);
    const replied = await merchantA.post(`/api/me/credit-events/${e.id}/reply`, { text: '监控已升级为保存60天' });
    expect(replied.statusCode, replied.body).toBe(200);
    const objected = await merchantA.post(`/api/me/credit-events/${e.id}/objection`, { reason: '检查当日录像已保存35天' });
    expect(objected.statusCode, objected.body).toBe(200);
    expect(objected.json().status).toBe('objected');
    expect((await creditOf()).score).toBe(before);
    await eventually(async () => {
      const page = (await t.app.inject({ method: 'GET', url: `/p/merchants/${t.fx.merchants.A}` })).body;
      expect(page).toContain('监控已升级为保存60天');
      expect(page).toContain('申诉');
    });
    const pending = (await inspA.get('/api/credit/pending')).json().items;
    expect(pending.map((p: { id: number }) => p.id)).toContain(e.id);
    const decided = await inspA.post(`/api/credit-events/${e.id}/objection-decision`, { outcome: 'upheld', note: '调阅录像属实' });
    expect(decided.json().status).toBe('withdrawn');
    expect((await creditOf()).score).toBe(before + 5);
    const again = await merchantA.post(`/api/me/credit-events/${e.id}/objection`, { reason: 'again' });
    expect(again.statusCode).toBe(409);
  });

  it('credit repair waits for the minimum period, then a granted repair restores the points and keeps the history', async () => {
    const e = (await record(inspA, 'PRC-02', 2)).json();
    const tooEarly = await merchantA.post(`/api/me/credit-events/${e.id}/repair`, { commitment: '今后一物一签', evidence: '整改照片' });
    expect(tooEarly.statusCode).toBe(409);
    expect(tooEarly.json().error.message).toContain('repair');
    // Time passes: the deduction was confirmed a year ago.
    const longAgo = new Date(Date.now() - 300 * DAY);
    await t.ctx.dbHandle.db.updateTable('credit_event').set({ occurred_at: longAgo, confirmed_at: longAgo }).where('id', '=', e.id).execute();
    const before = (await creditOf()).score;
    const applied = await merchantA.post(`/api/me/credit-events/${e.id}/repair`, { commitment: '今后一物一签', evidence: '整改照片' });
    expect(applied.statusCode, applied.body).toBe(200);
    const granted = await inspA.post(`/api/credit-events/${e.id}/repair-decision`, { outcome: 'granted', note: '整改到位' });
    expect(granted.json().status).toBe('repaired');
    const after = await creditOf();
    expect(after.score).toBe(before + 5);
    expect(after.events.find((x: { id: number }) => x.id === e.id).status).toBe('repaired');
    expect(after.notCounted).toContainEqual({ eventId: e.id, itemCode: 'PRC-02', reason: 'repaired' });
  });

  it('the pledge is signed by the legal representative, counts as a bonus, shows on the public page, and withdrawing takes the bonus away', async () => {
    expect((await merchantA.post('/api/me/pledge', { signedBy: '张三丰' })).statusCode).toBe(400);
    const before = (await creditOf()).score;
    const signed = await merchantA.post('/api/me/pledge', { signedBy: legalRepA });
    expect(signed.statusCode, signed.body).toBe(201);
    const withPledge = await creditOf();
    expect(withPledge.score).toBe(Math.min(before + 2, DEFAULT_RULEBOOK.maxScore));
    expect(withPledge.pledge.signedBy).toBe(legalRepA);
    await eventually(async () => expect((await t.app.inject({ method: 'GET', url: `/p/merchants/${t.fx.merchants.A}` })).body).toContain(legalRepA));
    expect((await merchantA.request('DELETE', '/api/me/pledge')).statusCode).toBe(204);
    expect((await creditOf()).pledge).toBeNull();
    expect((await creditOf()).score).toBe(before);
    expect((await inspA.get('/api/me/credit')).statusCode).toBe(403);
  });

  it('a new rulebook version re-scores everyone and the history of stars is kept', async () => {
    const before = await creditOf();
    const milder = { ...DEFAULT_RULEBOOK, items: DEFAULT_RULEBOOK.items.map((i) => (i.code === 'PRC-01' ? { ...i, points: -1 } : i)) };
    expect((await managerA.post(`/api/cities/${t.fx.cities.X}/rulebooks`, { rulebook: milder })).statusCode).toBe(403);
    const published = await bureau.post(`/api/cities/${t.fx.cities.X}/rulebooks`, { rulebook: milder });
    expect(published.statusCode, published.body).toBe(201);
    expect(published.json().version).toBe(2);
    expect(published.json().rescored).toBeGreaterThanOrEqual(2);
    const after = await creditOf();
    expect(after.rulebookVersion).toBe(2);
    // The milder new points apply to a past event (从旧兼从轻): PRC-01 now costs 1, not 5.
    expect(after.score).toBe(before.score + 4);
    const stored = await t.ctx.dbHandle.db.selectFrom('merchant_credit').selectAll().where('merchant_id', '=', t.fx.merchants.A).executeTakeFirstOrThrow();
    expect(stored.score).toBe(after.score);
    const broken = { ...DEFAULT_RULEBOOK, starThresholds: [] };
    expect((await bureau.post(`/api/cities/${t.fx.cities.X}/rulebooks`, { rulebook: broken })).statusCode).toBe(400);
  });

  it('records every change of stars in the history', async () => {
    for (let i = 0; i < 4; i++) expect((await record(inspA, 'MET-05', 3 + i)).statusCode).toBe(201);
    const c = await creditOf();
    expect(c.stars).toBeLessThan(5);
    expect(c.history.length).toBeGreaterThanOrEqual(1);
    expect(c.history[0].stars).toBe(c.stars);
  });

  it("the merchant sees its own scales' ratings, and only its own", async () => {
    await t.app.inject({ method: 'POST', url: `/p/scales/${t.fx.scales.A}/ratings`, payload: 'accurate=no&stars=2&comment=%E7%A7%A4%E4%B8%8D%E5%87%86', headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: '10.7.7.7' });
    const mine = await merchantA.get('/api/me/ratings');
    expect(mine.statusCode, mine.body).toBe(200);
    const scale = mine.json().scales.find((s: { scaleId: number }) => s.scaleId === t.fx.scales.A);
    expect(scale.ratings[0]).toMatchObject({ accurate: false, stars: 2, comment: '秤不准' });
    expect(mine.json().scales.some((s: { scaleId: number }) => s.scaleId === t.fx.scales.B)).toBe(false);
  });
});
