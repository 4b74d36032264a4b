import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { By } from '../auth/index.js';
import { createTestApp, type Client, type TestApp } from '../../test-support/app.js';
import { TEST_DB_KINDS } from '../../test-support/db.js';
import { CN_CALENDAR } from './calendar.rules.js';
import { complaintDeadlines } from './complaint-clock.rules.js';
import { createComplaintService } from './index.js';

const PHONE = '13812345678';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe.each(TEST_DB_KINDS)('complaints online on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let inspA: Client;
  let inspBC: Client;
  let managerA: Client;
  let merchantA: Client;
  let ip = 0;

  beforeAll(async () => {
    t = await createTestApp(kind);
    admin = await t.as('admin');
    inspA = await t.as('insp_a');
    inspBC = await t.as('insp_bc');
    managerA = await t.as('manager_a');
    const made = await admin.post('/api/staff', { username: 'merchant_a', displayName: '甲海鲜', password: 'merchant-pass-123', role: 'merchant', cityId: t.fx.cities.X, merchantId: t.fx.merchants.A });
    expect(made.statusCode, made.body).toBe(201);
    merchantA = await t.as('merchant_a', 'merchant-pass-123');
  });
  afterAll(async () => t?.close());

  /** Each filing from an address of its own, so the per-address limit stays out of the way. */
  const post = (url: string, fields: Record<string, string>, remoteAddress = `10.0.0.${++ip}`) =>
    t.app.inject({ method: 'POST', url, remoteAddress, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form(fields) });
  const open = (url: string, remoteAddress = '10.1.0.1') => t.app.inject({ method: 'GET', url, remoteAddress });
  const byOf = async (c: Client): Promise<By> => ({ actor: (await t.ctx.auth.authenticate(c.cookie))!.actor, requestId: 'test' });
  const fileFrom = async (url: string, fields: Record<string, string> = {}) => {
    const res = await post(url, { consumerName: '王五', consumerPhone: PHONE, content: '买的石斑鱼回家复称少了150克，要求退还差价。', ...fields });
    expect(res.statusCode, res.body).toBe(303);
    const m = /^\/p\/complaints\/(TS\d{13})\?phone=(\d{4})&filed=1$/.exec(String(res.headers.location));
    expect(m, String(res.headers.location)).not.toBeNull();
    const reference = m![1]!;
    const row = await t.ctx.dbHandle.db.selectFrom('complaint').select('id').where('reference', '=', reference).executeTakeFirstOrThrow();
    return { id: row.id, reference, follow: String(res.headers.location) };
  };
  const fileAt = (place: 'A' | 'B' | 'Y' = 'A', fields: Record<string, string> = {}) => fileFrom(`/p/merchants/${t.fx.merchants[place]}/complaint`, fields);

  it('links 我要投诉 from the merchant and scale pages to a form that works without JavaScript', async () => {
    const merchantPage = await open(`/p/merchants/${t.fx.merchants.A}`);
    expect(merchantPage.body).toContain(`href="/p/merchants/${t.fx.merchants.A}/complaint"`);
    const scalePage = await open(`/p/scales/${t.fx.scales.A}?lang=en`);
    expect(scalePage.body).toContain(`href="/p/scales/${t.fx.scales.A}/complaint?lang=en"`);

    const zh = await open(`/p/merchants/${t.fx.merchants.A}/complaint`);
    expect(zh.statusCode).toBe(200);
    expect(zh.body).toContain('我要投诉');
    expect(zh.body).toContain('甲海鲜');
    expect(zh.body).toContain(`method="post" action="/p/merchants/${t.fx.merchants.A}/complaint"`);
    expect(zh.body).toContain('SN-A-1');
    expect(zh.body).not.toContain('<script');
    const en = await open(`/p/scales/${t.fx.scales.A}/complaint?lang=en`);
    expect(en.body).toContain('Make a complaint');
    expect(en.body).toContain('SN-A-1');
    expect((await open('/p/merchants/999999/complaint')).statusCode).toBe(404);
  });

  it('files a complaint from the public form: a reference to follow it, routed to the merchant’s district', async () => {
    const filed = await fileAt('A');
    expect(filed.follow).toContain(`phone=${PHONE.slice(-4)}`);
    const page = await open(filed.follow);
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.body).toContain(filed.reference);
    expect(page.body).toContain('投诉已提交');
    expect(page.body).toContain('138****5678');
    expect(page.body).not.toContain(PHONE);
    const row = await t.ctx.dbHandle.db.selectFrom('complaint').selectAll().where('id', '=', filed.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ merchant_id: t.fx.merchants.A, district_id: t.fx.districts.A, market_id: t.fx.markets.A, status: 'received', consumer_phone: PHONE });
  });

  it('answers bad input field by field and keeps what was typed', async () => {
    const res = await post(`/p/merchants/${t.fx.merchants.A}/complaint?lang=en`, { consumerName: '王五', consumerPhone: '0898-1234', content: '这个老板是傻逼，缺斤短两' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('valid 11-digit mainland mobile number');
    expect(res.body).toContain('insults');
    expect(res.body).toContain('value="0898-1234"');
    expect(await t.ctx.dbHandle.db.selectFrom('complaint').select('id').where('consumer_phone', '=', '0898-1234').execute()).toEqual([]);
  });

  it('attaches the sale when the receipt is one of that scale’s sales, and only then', async () => {
    const db = t.ctx.dbHandle.db;
    const sale = (scaleId: number, merchantId: number, seq: number, receiptNo: string) =>
      db
        .insertInto('sale')
        .values({ scale_id: scaleId, seq, at: new Date(Date.now() - 3_600_000), received_at: new Date(), merchant_id: merchantId, market_id: null, district_id: t.fx.districts.A, plu: '1001', name: '石斑鱼', weight_g: 1250, tare_g: 0, unit_price_fen_per_kg: 18000, total_fen: 22500, receipt_no: receiptNo, content_hash: `h${seq}` } as never)
        .execute();
    await sale(t.fx.scales.A, t.fx.merchants.A, 42, 'R-0042');
    await sale(t.fx.scales.B, t.fx.merchants.B, 77, 'R-0077');

    const bySeq = await fileFrom(`/p/scales/${t.fx.scales.A}/complaint`, { receipt: '42' });
    const byReceipt = await fileAt('A', { scaleId: String(t.fx.scales.A), receipt: 'R-0042' });
    for (const c of [bySeq, byReceipt]) {
      const got = (await inspA.get(`/api/complaints/${c.id}`)).json();
      expect(got.scaleId).toBe(t.fx.scales.A);
      expect(got.sale).toMatchObject({ scaleId: t.fx.scales.A, seq: 42, product: '石斑鱼', totalFen: 22500, receiptNo: 'R-0042' });
    }
    // Another scale's sale, or a number this scale never printed: said so, nothing filed.
    const other = await post(`/p/scales/${t.fx.scales.A}/complaint`, { consumerName: '王五', consumerPhone: PHONE, content: '买的石斑鱼回家复称少了150克。', receipt: 'R-0077' });
    expect(other.statusCode).toBe(400);
    expect(other.body).toContain('没有找到这张小票的交易');
    const wrongScale = await post(`/p/merchants/${t.fx.merchants.A}/complaint`, { consumerName: '王五', consumerPhone: PHONE, content: '买的石斑鱼回家复称少了150克。', scaleId: String(t.fx.scales.B), receipt: 'R-0077' });
    expect(wrongScale.statusCode).toBe(400);
    expect(wrongScale.body).toContain('请选择该商户的电子秤');
  });

  it('shows staff within reach the complaint with the phone masked, never in full; others get 404 or 403', async () => {
    const filed = await fileAt('A');
    const res = await inspA.get(`/api/complaints/${filed.id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ reference: filed.reference, consumerPhone: '138****5678', consumerName: '王五', status: 'received', merchantName: '甲海鲜' });
    expect(res.body).not.toContain(PHONE);
    const list = await inspA.get('/api/complaints?pageSize=500');
    expect(list.json().items.some((c: { id: number }) => c.id === filed.id)).toBe(true);
    expect(list.body).not.toContain(PHONE);
    expect((await inspBC.get(`/api/complaints/${filed.id}`)).statusCode).toBe(404);
    expect((await inspBC.post(`/api/complaints/${filed.id}/accept`)).statusCode).toBe(404);
    expect((await managerA.get(`/api/complaints/${filed.id}`)).statusCode).toBe(403);
    expect((await managerA.post(`/api/complaints/${filed.id}/accept`)).statusCode).toBe(403);
  });

  it('counts the clocks in working days on the Chinese calendar; late, it raises one alert per step', async () => {
    let clock = new Date('2026-09-18T02:00:00Z'); // Friday 18 September 2026, 10:00 in China
    const complaints = createComplaintService(t.ctx.dbHandle.db, { credit: t.ctx.credit, alerts: t.ctx.alerts, timezone: 'Asia/Shanghai', now: () => clock });
    const filed = await complaints.file({ merchantId: t.fx.merchants.A, consumerName: '赵六', consumerPhone: '13900001111', content: '中秋前买的螃蟹缺斤短两，复称少了二两。' });
    if (filed.status !== 'filed') throw new Error('not filed');
    expect(filed.reference).toBe('TS2026091800001');
    const insp = await byOf(inspA);
    const expected = complaintDeadlines({ receivedOn: '2026-09-18' }, CN_CALENDAR);
    // 7 working days: the make-up Sunday 20 September counts, the 中秋 holiday 25–27 September does not.
    expect(expected.acceptanceDue).toBe('2026-09-29');

    clock = new Date('2026-09-29T09:00:00Z');
    let c = await complaints.get(insp.actor, filed.id);
    expect(c.clock.due).toMatchObject({ step: 'acceptance', deadline: expected.acceptanceDue, dueToday: true, workingDaysLeft: 0, overdue: false });
    expect(await complaints.sweepOverdue()).toMatchObject({ raised: 0 });

    clock = new Date('2026-09-30T01:00:00Z');
    c = await complaints.get(insp.actor, filed.id);
    expect(c.clock).toMatchObject({ isOverdue: true, overdueSteps: ['acceptance'] });
    expect((await complaints.list(insp.actor, { overdue: true, page: 1, pageSize: 500 })).items.map((x) => x.id)).toContain(filed.id);
    expect(await complaints.sweepOverdue()).toMatchObject({ raised: 1 });
    expect(await complaints.sweepOverdue()).toMatchObject({ raised: 0 });
    const alertsOf = async () => (await inspA.get(`/api/alerts?type=complaint_overdue&merchantId=${t.fx.merchants.A}&pageSize=500`)).json().items.filter((a: { aggregationKey: string }) => a.aggregationKey.startsWith(`complaint:${filed.id}:`));
    let alerts = await alertsOf();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ aggregationKey: `complaint:${filed.id}:acceptance`, evidenceCount: 1, merchantId: t.fx.merchants.A, marketId: t.fx.markets.A, districtId: t.fx.districts.A });
    expect(alerts[0].title).toContain(filed.reference);
    expect((await inspBC.get(`/api/alerts?type=complaint_overdue&pageSize=500`)).json().items.some((a: { aggregationKey: string }) => a.aggregationKey.startsWith(`complaint:${filed.id}:`))).toBe(false);

    // Accepted late (after 国庆): mediation runs 45 working days from acceptance.
    clock = new Date('2026-10-09T02:00:00Z');
    c = await complaints.accept(insp, filed.id);
    const mediationDue = complaintDeadlines({ receivedOn: '2026-09-18', acceptedOn: '2026-10-09' }, CN_CALENDAR).mediationDue!;
    expect(c.clock.steps[0]).toMatchObject({ step: 'acceptance', state: 'done', doneOn: '2026-10-09', overdue: true });
    expect(c.clock.due).toMatchObject({ step: 'mediation', deadline: mediationDue, overdue: false });
    expect(await complaints.sweepOverdue()).toMatchObject({ raised: 0 });

    // The day after the mediation deadline (other tests' complaints, never decided, are late by then too).
    clock = new Date(new Date(`${mediationDue}T00:00:00+08:00`).getTime() + 86_400_000 + 3_600_000);
    expect((await complaints.sweepOverdue()).raised).toBeGreaterThanOrEqual(1);
    expect(await complaints.sweepOverdue()).toMatchObject({ raised: 0 });
    alerts = await alertsOf();
    expect(alerts.map((a: { aggregationKey: string }) => a.aggregationKey).sort()).toEqual([`complaint:${filed.id}:acceptance`, `complaint:${filed.id}:mediation`]);
    expect(alerts.map((a: { evidenceCount: number }) => a.evidenceCount)).toEqual([1, 1]);
  });

  it('lists what is late with the real clock too: an old complaint never decided is overdue, a new one is not', async () => {
    const fresh = await fileAt('A');
    const old = await fileAt('A');
    await t.ctx.dbHandle.db.updateTable('complaint').set({ received_on: '2026-01-05', received_at: new Date('2026-01-05T02:00:00Z') }).where('id', '=', old.id).execute();
    const overdue = (await inspA.get('/api/complaints?overdue=true&pageSize=500')).json().items.map((c: { id: number }) => c.id);
    expect(overdue).toContain(old.id);
    expect(overdue).not.toContain(fresh.id);
    const onTime = (await inspA.get('/api/complaints?overdue=false&status=received&pageSize=500')).json().items.map((c: { id: number }) => c.id);
    expect(onTime).toContain(fresh.id);
    expect(onTime).not.toContain(old.id);
  });

  it('an upheld complaint becomes a confirmed credit deduction and the merchant’s score drops', async () => {
    const before = (await inspA.get(`/api/merchants/${t.fx.merchants.A}/credit`)).json();
    const filed = await fileAt('A');
    expect((await inspA.post(`/api/complaints/${filed.id}/accept`)).json()).toMatchObject({ status: 'accepted', acceptedOn: expect.any(String) });
    expect((await inspA.post(`/api/complaints/${filed.id}/messages`, { body: '请商户于三日内说明称重情况。' })).json().status).toBe('mediating');
    const closed = await inspA.post(`/api/complaints/${filed.id}/close`, { outcome: 'agreement', upheld: true, note: '复称确认短秤150克，商户退还差价并道歉。' });
    expect(closed.statusCode, closed.body).toBe(200);
    const c = closed.json();
    expect(c).toMatchObject({ status: 'closed', mediationOutcome: 'agreement', upheld: true, creditEventId: expect.any(Number) });
    expect(c.clock.steps.find((s: { step: string }) => s.step === 'termination_notice').state).toBe('not_applicable');

    const after = (await inspA.get(`/api/merchants/${t.fx.merchants.A}/credit`)).json();
    const event = after.events.find((e: { id: number }) => e.id === c.creditEventId);
    expect(event).toMatchObject({ itemCode: 'CMP-01', source: 'complaint', status: 'confirmed', points: -3 });
    expect(after.score).toBe(before.score - 3);
    // Closed is closed: no second deduction.
    expect((await inspA.post(`/api/complaints/${filed.id}/close`, { outcome: 'agreement', upheld: true, note: '再次办结' })).statusCode).toBe(409);
  });

  it('a complaint not upheld, or mediation terminated, deducts nothing; the termination notice has its own clock', async () => {
    const before = (await inspA.get(`/api/merchants/${t.fx.merchants.A}/credit`)).json().score;
    const filed = await fileAt('A');
    await inspA.post(`/api/complaints/${filed.id}/accept`);
    const closed = (await inspA.post(`/api/complaints/${filed.id}/close`, { outcome: 'terminated', upheld: false, note: '双方各执一词，调解不成。' })).json();
    expect(closed).toMatchObject({ status: 'closed', mediationOutcome: 'terminated', upheld: false, creditEventId: null });
    const notice = closed.clock.steps.find((s: { step: string }) => s.step === 'termination_notice');
    expect(notice).toMatchObject({ state: 'running', deadline: complaintDeadlines({ receivedOn: closed.receivedOn, acceptedOn: closed.acceptedOn, mediationEndedOn: closed.mediationEndedOn, mediationOutcome: 'terminated' }, CN_CALENDAR).terminationNoticeDue });
    const notified = (await inspA.post(`/api/complaints/${filed.id}/termination-notified`)).json();
    expect(notified.terminationNotifiedOn).toBe(notified.mediationEndedOn);
    expect(notified.clock.due).toBeNull();
    expect((await inspA.post(`/api/complaints/${filed.id}/termination-notified`)).statusCode).toBe(409);
    expect((await inspA.get(`/api/merchants/${t.fx.merchants.A}/credit`)).json().score).toBe(before);
  });

  it('a refused complaint ends there: the consumer sees why, nobody mediates, the merchant never sees it', async () => {
    const filed = await fileAt('A');
    const refused = await inspA.post(`/api/complaints/${filed.id}/refuse`, { reason: '属于民事纠纷，已告知向人民法院起诉。' });
    expect(refused.statusCode, refused.body).toBe(200);
    expect(refused.json()).toMatchObject({ status: 'refused', refusedOn: expect.any(String), refusalReason: '属于民事纠纷，已告知向人民法院起诉。' });
    expect(refused.json().clock.steps.map((s: { state: string }) => s.state)).toEqual(['done', 'not_applicable', 'not_applicable']);
    expect((await inspA.post(`/api/complaints/${filed.id}/accept`)).statusCode).toBe(409);
    expect((await inspA.post(`/api/complaints/${filed.id}/messages`, { body: '补充' })).statusCode).toBe(409);
    const page = await open(filed.follow.replace('&filed=1', ''));
    expect(page.body).toContain('不予受理');
    expect(page.body).toContain('属于民事纠纷');
    expect(page.body).not.toContain('name="body"');
    const posted = await post(`/p/complaints/${filed.reference}/messages`, { phone: PHONE.slice(-4), body: '我不同意' });
    expect(posted.statusCode).toBe(409);
    expect((await merchantA.get(`/api/me/complaints/${filed.id}`)).statusCode).toBe(404);
    expect((await merchantA.get('/api/me/complaints')).json().items.some((c: { id: number }) => c.id === filed.id)).toBe(false);
  });

  it('mediates online: consumer, merchant and office write; the merchant sees only its accepted complaints, masked', async () => {
    const filed = await fileAt('A');
    const last4 = PHONE.slice(-4);
    // Before acceptance the merchant knows nothing of it.
    expect((await merchantA.get(`/api/me/complaints/${filed.id}`)).statusCode).toBe(404);
    const consumer = await post(`/p/complaints/${filed.reference}/messages`, { phone: last4, body: '补充：购买时间是上午十点。' });
    expect(consumer.statusCode).toBe(303);
    expect(consumer.headers.location).toBe(`/p/complaints/${filed.reference}?phone=${last4}&posted=1`);
    await inspA.post(`/api/complaints/${filed.id}/accept`);

    const mine = await merchantA.get('/api/me/complaints');
    expect(mine.statusCode, mine.body).toBe(200);
    const item = mine.json().items.find((c: { id: number }) => c.id === filed.id);
    expect(item).toMatchObject({ consumerName: '王*', consumerPhone: '138****5678', status: 'accepted' });
    expect(item).not.toHaveProperty('creditEventId');
    expect(mine.body).not.toContain(PHONE);
    const answered = await merchantA.post(`/api/me/complaints/${filed.id}/messages`, { body: '已联系消费者，同意退还差价。' });
    expect(answered.statusCode, answered.body).toBe(201);
    expect(answered.json().status).toBe('mediating');

    const staff = (await inspA.get(`/api/complaints/${filed.id}`)).json();
    expect(staff.messages.map((m: { author: string }) => m.author)).toEqual(['consumer', 'merchant']);
    const page = await open(`/p/complaints/${filed.reference}?phone=${last4}&posted=1`);
    expect(page.body).toContain('留言已发送');
    expect(page.body).toContain('已联系消费者，同意退还差价。');
    // A merchant account reaches only its own complaints, and none through the office's routes.
    const other = await fileAt('B');
    await t.ctx.complaints.accept(await byOf(admin), other.id);
    expect((await merchantA.get(`/api/me/complaints/${other.id}`)).statusCode).toBe(404);
    expect((await merchantA.post(`/api/me/complaints/${other.id}/messages`, { body: '不是我们' })).statusCode).toBe(404);
    expect((await merchantA.get('/api/complaints')).statusCode).toBe(403);
  });

  it('opens the follow page only with the reference and the right four digits, and slows guessing down', async () => {
    const filed = await fileAt('A');
    const guesser = '10.66.0.1';
    const wrong = await open(`/p/complaints/${filed.reference}?phone=0000`, guesser);
    expect(wrong.statusCode).toBe(404);
    expect(wrong.body).not.toContain('甲海鲜');
    // The same answer for a reference that does not exist.
    const missing = await open(`/p/complaints/TS2099010100001?phone=5678`, guesser);
    expect(missing.statusCode).toBe(404);
    expect(missing.body.replace(/TS\d+/g, '')).toBe(wrong.body.replace(/TS\d+/g, ''));
    expect((await open(`/p/complaints?reference=${filed.reference.toLowerCase()}&phone=5678`, guesser)).headers.location).toBe(`/p/complaints/${filed.reference}?phone=5678`);
    for (let i = 0; i < 18; i++) await open(`/p/complaints/${filed.reference}?phone=${String(i).padStart(4, '0')}`, guesser);
    const limited = await open(filed.follow, guesser);
    expect(limited.statusCode).toBe(429);
    expect((await open(filed.follow, '10.66.0.2')).statusCode).toBe(200);
  });

  it('limits filings per network address', async () => {
    const crowd = '10.77.0.1';
    for (let i = 0; i < 5; i++) expect((await post(`/p/merchants/${t.fx.merchants.B}/complaint`, { consumerName: '钱七', consumerPhone: '13700001234', content: `第${i + 1}次投诉：价格高于调控价。` }, crowd)).statusCode).toBe(303);
    const sixth = await post(`/p/merchants/${t.fx.merchants.B}/complaint`, { consumerName: '钱七', consumerPhone: '13700001234', content: '第6次投诉：价格高于调控价。' }, crowd);
    expect(sixth.statusCode).toBe(429);
    expect(sixth.body).toContain('12315');
  });

  it('numbers references by day, one after another', async () => {
    const a = await fileAt('Y');
    const b = await fileAt('Y');
    expect(b.reference.slice(0, 10)).toBe(a.reference.slice(0, 10));
    expect(Number(b.reference.slice(10))).toBe(Number(a.reference.slice(10)) + 1);
  });
});
