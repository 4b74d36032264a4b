import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../../test-support/app.js';
import { TEST_DB_KINDS } from '../../test-support/db.js';
import { validUscc } from '../../test-support/fixtures.js';

describe.each(TEST_DB_KINDS)('registry through the API on %s', (kind) => {
  let t: TestApp;
  let bureau: Client;
  let inspA: Client;
  let inspBC: Client;
  let verifier: Client;
  let admin: Client;

  beforeAll(async () => {
    t = await createTestApp(kind);
    bureau = await t.as('bureau');
    inspA = await t.as('insp_a');
    inspBC = await t.as('insp_bc');
    verifier = await t.as('verifier');
    admin = await t.as('admin');
  });
  afterAll(async () => t?.close());

  const merchant = (over: Record<string, unknown> = {}) => ({
    uscc: validUscc('92460202MA5TQ0001'),
    name: '三亚吉阳梅大姐海鲜店',
    legalRep: '梅某某',
    entityType: '个体工商户',
    address: '新鸿港市场A区12号',
    categories: ['seafood'],
    licenceNumbers: ['JY14602020012345'],
    marketId: t.fx.markets.A,
    stallId: t.fx.stalls.A,
    ...over,
  });

  describe('merchants', () => {
    it('creates a merchant, placed in its market\'s district, attributed to its author', async () => {
      const res = await inspA.post('/api/merchants', merchant());
      expect(res.statusCode).toBe(201);
      const m = res.json();
      expect(m).toMatchObject({ name: '三亚吉阳梅大姐海鲜店', districtId: t.fx.districts.A, marketName: '甲市场', stallNumber: 'A-01', status: 'operating', hasUscc: true });
      const audit = await admin.get(`/api/audit?entity=merchant&entityId=${m.id}`);
      expect(audit.json().items[0]).toMatchObject({ action: 'merchant.create', staffId: t.fx.users.inspA, requestId: res.headers['x-request-id'] });
    });

    it('explains a bad USCC, field by field, and writes nothing', async () => {
      const res = await inspA.post('/api/merchants', merchant({ uscc: '92460202MA5TQ00010', name: '' }));
      expect(res.statusCode).toBe(400);
      const { error } = res.json();
      expect(error.code).toBe('invalid_input');
      expect(error.details.map((d: { field: string }) => d.field)).toEqual(['uscc', 'name']);
      expect(error.details[0].message).toContain('校验码错误');
      expect(error.details[0].message).toContain('check character wrong');
    });

    it('names a schema violation in the body', async () => {
      const res = await inspA.post('/api/merchants', { ...merchant(), entityType: '外星公司', extra: 1 });
      expect(res.statusCode).toBe(400);
      const fields = res.json().error.details.map((d: { field: string }) => d.field);
      expect(fields).toContain('extra');
      expect(fields).toContain('entityType');
      const empty = await inspA.post('/api/markets', { districtId: 'one', name: '' });
      const messages = Object.fromEntries(empty.json().error.details.map((d: { field: string; message: string }) => [d.field, d.message]));
      expect(messages).toEqual({ districtId: '类型应为整数 (must be integer)', name: '不能为空 (must not be empty)' });
    });

    it('refuses a second merchant with the same USCC (409)', async () => {
      const res = await bureau.post('/api/merchants', merchant({ name: '另一家' }));
      expect(res.statusCode).toBe(409);
      expect(res.json().error.details[0].field).toBe('uscc');
    });

    it('accepts an individual business without a USCC, marked so; refuses a company without one', async () => {
      const ok = await inspA.post('/api/merchants', merchant({ uscc: null, hasUscc: false, name: '无照流动摊' }));
      expect(ok.statusCode).toBe(201);
      expect(ok.json()).toMatchObject({ uscc: null, hasUscc: false });
      const bad = await inspA.post('/api/merchants', merchant({ uscc: null, hasUscc: false, entityType: '有限责任公司', name: '某公司' }));
      expect(bad.statusCode).toBe(400);
    });

    it('refuses a stall of another market', async () => {
      const res = await bureau.post('/api/merchants', merchant({ uscc: validUscc('92460202MA5TQ0002'), stallId: t.fx.stalls.B }));
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details[0].field).toBe('stallId');
    });

    it('searches by name, USCC and legal representative, filters and pages', async () => {
      for (let i = 0; i < 5; i++) await bureau.post('/api/merchants', merchant({ uscc: validUscc(`92460202MA5TP000${i}`), name: `椰林水果${i}`, legalRep: `王${i}`, categories: ['fruit'] }));
      const byName = (await bureau.get('/api/merchants?q=椰林&pageSize=2&page=2')).json();
      expect(byName).toMatchObject({ total: 5, page: 2, pageSize: 2 });
      expect(byName.items).toHaveLength(2);
      const byUscc = (await bureau.get(`/api/merchants?q=${validUscc('92460202MA5TP0003')}`)).json();
      expect(byUscc.items.map((m: { name: string }) => m.name)).toEqual(['椰林水果3']);
      expect((await bureau.get('/api/merchants?q=王4')).json().total).toBe(1);
      expect((await bureau.get('/api/merchants?category=fruit')).json().total).toBe(5);
      expect((await bureau.get(`/api/merchants?marketId=${t.fx.markets.B}`)).json().total).toBe(1);
      // A search pattern's wildcards are literal.
      expect((await bureau.get('/api/merchants?q=%25')).json().total).toBe(0);
    });

    it('suspends a merchant and records before and after', async () => {
      const res = await inspA.patch(`/api/merchants/${t.fx.merchants.A}`, { status: 'suspended' });
      expect(res.statusCode).toBe(200);
      expect(res.json().status).toBe('suspended');
      const entry = (await admin.get(`/api/audit?entity=merchant&entityId=${t.fx.merchants.A}`)).json().items[0];
      expect(entry).toMatchObject({ action: 'merchant.update', before: { status: 'operating' }, after: { status: 'suspended' } });
    });
  });

  describe('scales', () => {
    let scaleId: number;
    it('registers a scale to a merchant; a duplicate serial is refused', async () => {
      const body = { serialNo: 'DH2024-000123', manufacturer: '上海大华', model: 'TM-30A', maxCapacityG: 30000, divisionG: 10, accuracyClass: 'III', typeApprovalNo: '2019F123-31', isIot: true, merchantId: t.fx.merchants.A };
      const res = await inspA.post('/api/scales', body);
      expect(res.statusCode).toBe(201);
      scaleId = res.json().id;
      expect(res.json()).toMatchObject({ marketId: t.fx.markets.A, stallNumber: 'A-01', verification: { status: 'unverified' } });
      const dup = await bureau.post('/api/scales', { ...body, merchantId: t.fx.merchants.B });
      expect(dup.statusCode).toBe(409);
      expect(dup.json().error.details[0].field).toBe('serialNo');
    });

    it('follows verification records to a status, and filters by it', async () => {
      const rec = (over: object) => verifier.post(`/api/scales/${scaleId}/verifications`, { certificateNo: 'SY-JD-2025-001', verifiedOn: '2025-06-01', result: 'pass', validUntil: '2026-05-31', ...over });
      const first = await rec({});
      expect(first.statusCode).toBe(201);
      expect(first.json().institution).toBe('测试市计量检定所'); // the institution's own name by default
      expect((await bureau.get(`/api/scales/${scaleId}`)).json().verification).toMatchObject({ status: 'expired', validUntil: '2026-05-31' });
      expect((await bureau.get('/api/scales?verification=expired')).json().items.map((s: { id: number }) => s.id)).toContain(scaleId);
      const today = t.ctx.registry.today();
      const soon = new Date(Date.parse(`${today}T00:00:00Z`) + 10 * 86_400_000).toISOString().slice(0, 10);
      await rec({ certificateNo: 'SY-JD-2026-002', verifiedOn: today, validUntil: soon });
      expect((await bureau.get(`/api/scales/${scaleId}`)).json().verification).toMatchObject({ status: 'expiring', daysLeft: 10, certificateNo: 'SY-JD-2026-002' });
      expect((await bureau.get('/api/scales?verification=expiring')).json().items.map((s: { id: number }) => s.id)).toEqual([scaleId]);
      expect((await verifier.get(`/api/scales/${scaleId}/verifications`)).json()).toHaveLength(2);
      const bad = await rec({ certificateNo: '', validUntil: '2025-01-01' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.details.map((d: { field: string }) => d.field)).toEqual(['certificateNo', 'validUntil']);
    });

    it('moves between merchants and keeps the history; the new district\'s office then has it', async () => {
      const moved = await bureau.post(`/api/scales/${scaleId}/assignment`, { merchantId: t.fx.merchants.B });
      expect(moved.statusCode).toBe(200);
      expect(moved.json()).toMatchObject({ merchantId: t.fx.merchants.B, districtId: t.fx.districts.B, stallNumber: 'B-01' });
      const history = (await bureau.get(`/api/scales/${scaleId}/assignments`)).json();
      expect(history).toHaveLength(2);
      expect(history[0]).toMatchObject({ merchantId: t.fx.merchants.B, toAt: null });
      expect(history[1].toAt).not.toBeNull();
      expect((await inspA.get(`/api/scales/${scaleId}`)).statusCode).toBe(404);
      expect((await inspBC.get(`/api/scales/${scaleId}`)).statusCode).toBe(200);
    });
  });

  describe('markets and jurisdictions', () => {
    it('moves a market to another district with everything in it', async () => {
      const m = (await bureau.post('/api/markets', { districtId: t.fx.districts.A, name: '迁移市场', managingOrg: '三亚农投集团' })).json();
      const stall = (await bureau.post(`/api/markets/${m.id}/stalls`, { number: 'Z-1', trade: '海鲜', areaM2: 6.5 })).json();
      expect(stall).toMatchObject({ number: 'Z-1', areaM2: 6.5 });
      const mer = (await bureau.post('/api/merchants', merchant({ uscc: validUscc('92460202MA5TQ0009'), name: '随迁商户', marketId: m.id, stallId: stall.id }))).json();
      expect((await inspBC.get(`/api/merchants/${mer.id}`)).statusCode).toBe(404);
      expect((await bureau.patch(`/api/markets/${m.id}`, { districtId: t.fx.districts.C })).statusCode).toBe(200);
      expect((await inspBC.get(`/api/merchants/${mer.id}`)).json().districtId).toBe(t.fx.districts.C);
      expect((await inspA.get(`/api/merchants/${mer.id}`)).statusCode).toBe(404);
    });

    it('refuses a duplicate stall number and a duplicate market name in a district', async () => {
      expect((await bureau.post(`/api/markets/${t.fx.markets.A}/stalls`, { number: 'A-01', trade: '海鲜' })).statusCode).toBe(409);
      expect((await bureau.post('/api/markets', { districtId: t.fx.districts.A, name: '甲市场' })).statusCode).toBe(409);
    });

    it('lets the administrator set up an office over several districts', async () => {
      const res = await admin.post('/api/offices', { cityId: t.fx.cities.X, name: '联合监管所', districtIds: [t.fx.districts.A, t.fx.districts.C] });
      expect(res.statusCode).toBe(201);
      const bad = await admin.post('/api/offices', { cityId: t.fx.cities.X, name: '越界监管所', districtIds: [t.fx.districts.Y] });
      expect(bad.statusCode).toBe(400);
    });

    it('counts within reach', async () => {
      const s = (await inspBC.get('/api/registry/summary')).json();
      expect(s.markets).toBeGreaterThanOrEqual(1);
      expect(Object.keys(s.scalesByVerification).sort()).toEqual(['expired', 'expiring', 'failed', 'unverified', 'valid']);
    });
  });

  describe('cameras', () => {
    it('records a camera and flags retention under 30 days', async () => {
      const res = await inspA.post('/api/cameras', { merchantId: t.fx.merchants.A, keyPoint: 'seafood_tank', streamUrl: 'rtsp://10.1.2.3/tank', retentionDays: 15 });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ keyPoint: 'seafood_tank', meetsRetention: false });
      const bad = await inspA.post('/api/cameras', { merchantId: t.fx.merchants.A, keyPoint: 'seafood_tank', streamUrl: 'not a url', retentionDays: 30 });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.details[0].field).toBe('streamUrl');
    });
  });
});
