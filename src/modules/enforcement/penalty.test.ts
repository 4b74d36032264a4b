import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMerchantCredit } from '../../public/public.repository.js';
import { createTestApp, type Client, type TestApp } from '../../test-support/app.js';
import { TEST_DB_KINDS } from '../../test-support/db.js';
import { lastDayOfMonths, PENALTY_TYPE_KEYS } from '../credit/index.js';
import { createPenaltyService, penaltyItemCode, penaltyProblems, type PenaltyInput } from './index.js';
import { eventually } from '../../test-support/eventually.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
/** Midday in China on a date. */
const on = (date: string) => new Date(`${date}T12:00:00+08:00`);
const dayAfter = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

const decision = (n: number, over: Partial<PenaltyInput> = {}) => ({
  decisionNo: `三市监处罚〔2026〕${n}号`,
  violation: '销售商品短斤少两',
  legalBasis: '《中华人民共和国消费者权益保护法》第五十六条',
  penaltyType: 'fine',
  penaltyText: '罚款人民币5000元',
  authority: '测试市市场监督管理局',
  decidedOn: daysAgo(10),
  ...over,
});

describe('penalty rules', () => {
  it('deducts under PEN-01 for a warning or criticism, PEN-02 for money, PEN-03 for the licence or the business', () => {
    expect(PENALTY_TYPE_KEYS.map((k) => [k, penaltyItemCode(k)])).toEqual([
      ['warning', 'PEN-01'],
      ['public_criticism', 'PEN-01'],
      ['minor_fine', 'PEN-02'],
      ['fine', 'PEN-02'],
      ['confiscation', 'PEN-02'],
      ['licence_suspension', 'PEN-03'],
      ['qualification_downgrade', 'PEN-03'],
      ['licence_revocation', 'PEN-03'],
      ['business_restriction', 'PEN-03'],
    ]);
  });
  it('names every problem of a decision at once', () => {
    const ok = { merchantId: 1, ...decision(1), penaltyType: 'fine' as const, decidedOn: '2026-03-01' };
    expect(penaltyProblems(ok, '2026-11-23')).toEqual([]);
    const bad = penaltyProblems({ ...ok, decisionNo: ' ', penaltyType: 'flogging' as never, decidedOn: '2026-12-01', restrictionEndsOn: '2026-02-30' }, '2026-11-23');
    expect(bad.map((p) => p.field)).toEqual(['decisionNo', 'penaltyType', 'decidedOn', 'restrictionEndsOn']);
    expect(penaltyProblems({ ...ok, restrictionEndsOn: '2026-02-01' }, '2026-11-23').map((p) => p.field)).toEqual(['restrictionEndsOn']);
  });
});

describe.each(TEST_DB_KINDS)('administrative penalties on %s', (kind) => {
  let t: TestApp;
  let inspA: Client;
  let inspBC: Client;
  let managerA: Client;
  let n = 0;

  beforeAll(async () => {
    t = await createTestApp(kind);
    inspA = await t.as('insp_a');
    inspBC = await t.as('insp_bc');
    managerA = await t.as('manager_a');
  });
  afterAll(async () => t?.close());

  const record = (c: Client, over: Partial<PenaltyInput> = {}, merchantId = t.fx.merchants.A) => c.post(`/api/merchants/${merchantId}/penalties`, decision(++n, over));
  const creditOf = async (m = t.fx.merchants.A) => (await inspA.get(`/api/merchants/${m}/credit`)).json();
  const publicPage = async (m = t.fx.merchants.A) => (await t.app.inject({ method: 'GET', url: `/p/merchants/${m}` })).body;

  it('records a decision: a confirmed deduction at once, and the decision on the public merchant page', async () => {
    const before = await creditOf();
    await publicPage();
    const res = await record(inspA);
    expect(res.statusCode, res.body).toBe(201);
    const p = res.json();
    expect(p).toMatchObject({ merchantId: t.fx.merchants.A, penaltyType: 'fine', penaltyTypeLabel: { zh: '罚款' }, creditEventId: expect.any(Number), disclosure: { published: true, isPublic: true } });
    const after = await creditOf();
    expect(after.events.find((e: { id: number }) => e.id === p.creditEventId)).toMatchObject({ itemCode: 'PEN-02', source: 'penalty', status: 'confirmed', points: -10 });
    expect(after.score).toBe(before.score - 10);
    await eventually(async () => expect(await publicPage()).toContain(p.decisionNo));
    expect(await publicPage()).toContain('罚款人民币5000元');

    expect((await inspA.get(`/api/penalties/${p.id}`)).json()).toMatchObject({ decisionNo: p.decisionNo, legalBasis: '《中华人民共和国消费者权益保护法》第五十六条' });
    expect((await managerA.get(`/api/merchants/${t.fx.merchants.A}/penalties`)).json().items.map((x: { id: number }) => x.id)).toContain(p.id);
    expect((await inspA.get(`/api/penalties?pageSize=500&q=${encodeURIComponent(p.decisionNo)}`)).json()).toMatchObject({ total: 1 });
  });

  it('refuses a decision number twice, a future date, and an unknown type; nothing is written', async () => {
    const first = (await record(inspA)).json();
    const before = await creditOf();
    const again = await inspA.post(`/api/merchants/${t.fx.merchants.A}/penalties`, { ...decision(0), decisionNo: first.decisionNo });
    expect(again.statusCode).toBe(409);
    expect((await record(inspA, { decidedOn: '2099-01-01' })).statusCode).toBe(400);
    expect((await record(inspA, { penaltyType: 'flogging' as never })).statusCode).toBe(400);
    const after = await creditOf();
    expect(after.events.length).toBe(before.events.length);
    expect((await inspA.get(`/api/merchants/${t.fx.merchants.A}/penalties`)).json().items.filter((x: { decisionNo: string }) => x.decisionNo === first.decisionNo)).toHaveLength(1);
  });

  it('keeps a penalty decided four years ago internally, but off the public page; its deduction has expired', async () => {
    const before = await creditOf();
    const res = await record(inspA, { decidedOn: daysAgo(4 * 365 + 1), penaltyType: 'licence_suspension', penaltyText: '暂扣许可证件三个月' });
    expect(res.statusCode, res.body).toBe(201);
    const p = res.json();
    expect(p.disclosure).toMatchObject({ published: true, isPublic: false });
    expect((await creditOf()).score).toBe(before.score);
    await sleep(100);
    expect(await publicPage()).not.toContain(p.decisionNo);
    expect((await inspA.get(`/api/penalties/${p.id}`)).statusCode).toBe(200);
  });

  it('shows a penalty from the day it is decided to the last day of its disclosure period, then withdraws it', async () => {
    const decidedOn = daysAgo(30);
    const p = (await record(inspBC, { penaltyType: 'public_criticism', penaltyText: '通报批评', decidedOn }, t.fx.merchants.B)).json();
    const lastDay = lastDayOfMonths(decidedOn, 3);
    expect(p.disclosure).toMatchObject({ publicFrom: decidedOn, publicUntil: lastDay });
    const shown = async (at: Date) => (await loadMerchantCredit(t.ctx.dbHandle.db, t.ctx.credit, t.fx.merchants.B, at, 'Asia/Shanghai')).penalties.some((x) => x.decisionNo === p.decisionNo);
    expect(await shown(on(daysAgo(31)))).toBe(false);
    expect(await shown(on(decidedOn))).toBe(true);
    expect(await shown(on(lastDay))).toBe(true);
    expect(await shown(on(dayAfter(lastDay)))).toBe(false);
    // The staff view says the same on those days.
    const at = (date: string) => createPenaltyService(t.ctx.dbHandle.db, { registry: t.ctx.registry, credit: t.ctx.credit, timezone: 'Asia/Shanghai', now: () => on(date) });
    const actor = (await t.ctx.auth.authenticate(inspBC.cookie))!.actor;
    expect((await at(lastDay).get(actor, p.id)).disclosure.isPublic).toBe(true);
    expect((await at(dayAfter(lastDay)).get(actor, p.id)).disclosure.isPublic).toBe(false);
  });

  it('never publishes a warning alone or a simple-procedure decision, though both deduct', async () => {
    const warning = (await record(inspBC, { penaltyType: 'warning', penaltyText: '警告' }, t.fx.merchants.B)).json();
    const simple = (await record(inspBC, { penaltyType: 'minor_fine', penaltyText: '罚款人民币200元', simpleProcedure: true }, t.fx.merchants.B)).json();
    for (const p of [warning, simple]) {
      expect(p.disclosure).toMatchObject({ published: false, isPublic: false });
      expect(p.creditEventId).toEqual(expect.any(Number));
    }
    await sleep(100);
    const page = await publicPage(t.fx.merchants.B);
    expect(page).not.toContain(warning.decisionNo);
    expect(page).not.toContain(simple.decisionNo);
  });

  it('answers 404 outside reach and 403 to roles that do not record penalties', async () => {
    const p = (await record(inspA)).json();
    expect((await record(inspBC)).statusCode).toBe(404);
    expect((await inspBC.get(`/api/penalties/${p.id}`)).statusCode).toBe(404);
    expect((await inspBC.get(`/api/merchants/${t.fx.merchants.A}/penalties`)).statusCode).toBe(404);
    expect((await inspBC.get('/api/penalties?pageSize=500')).json().items.some((x: { id: number }) => x.id === p.id)).toBe(false);
    expect((await record(managerA)).statusCode).toBe(403);
    expect((await managerA.get(`/api/penalties/${p.id}`)).statusCode).toBe(200);
  });
});
