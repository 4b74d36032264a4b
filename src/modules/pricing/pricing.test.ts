import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../../test-support/app.js';
import { TEST_DB_KINDS } from '../../test-support/db.js';
import { createPricingService } from './index.js';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe.each(TEST_DB_KINDS)('controlled prices on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let price: Client;
  let priceY: Client;
  let bureau: Client;
  let inspA: Client;
  let managerA: Client;
  const now = Date.now();
  const correctionAt = now + HOUR;
  const p: Record<string, number> = {};
  const lists: Record<string, number> = {};

  const auditSeq = async () => (await t.ctx.dbHandle.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow()).seq;
  const judge = (over: Partial<Parameters<TestApp['ctx']['pricing']['judge']>[0]> = {}) =>
    t.ctx.pricing.judge({ merchantId: t.fx.merchants.A, cityId: t.fx.cities.X, plu: '1001', name: '石斑鱼', unitPriceFenPerKg: 16000, at: new Date(now), ...over });

  beforeAll(async () => {
    t = await createTestApp(kind);
    await t.ctx.pricing.ready();
    admin = await t.as('admin');
    price = await t.as('price');
    bureau = await t.as('bureau');
    inspA = await t.as('insp_a');
    managerA = await t.as('manager_a');
    const made = await admin.post('/api/staff', { username: 'price_y', displayName: '乙市价格监测中心', password: 'price-y-password-1', role: 'price_centre', cityId: t.fx.cities.Y, organisation: '乙市价格监测中心' });
    expect(made.statusCode, made.body).toBe(201);
    priceY = await t.as('price_y', 'price-y-password-1');
  });
  afterAll(async () => t?.close());

  describe('the catalogue', () => {
    it('lets the price centre add products to its own city, written to the audit log', async () => {
      const add = async (key: string, body: Record<string, unknown>) => {
        const res = await price.post('/api/products', body);
        expect(res.statusCode, res.body).toBe(201);
        p[key] = res.json().id;
        return res.json();
      };
      const grouper = await add('grouper', { code: 'SF-001', name: '石斑鱼', nameEn: 'Grouper', category: 'seafood', spec: '活，500g及以上', aliases: ['青石斑鱼', ' 石斑 ', '石斑'] });
      expect(grouper).toMatchObject({ cityId: t.fx.cities.X, unit: 'kg', aliases: ['青石斑鱼', '石斑'], active: true });
      await add('coral', { code: 'SF-002', name: '东星斑', nameEn: 'Leopard coral grouper', category: 'seafood' });
      await add('crab', { code: 'SF-003', name: '青蟹', category: 'seafood', aliases: ['和乐蟹'] });
      await add('evil', { code: 'SF-004', name: '<script>alert(1)</script>', category: 'seafood', spec: 'a&b "c"' });
      await add('mango', { code: 'FR-001', name: '芒果', nameEn: 'Mango', category: 'fruit', spec: '贵妃芒' });
      const audit = await admin.get(`/api/audit?entity=product&entityId=${p.grouper}`);
      expect(audit.json().items[0]).toMatchObject({ action: 'product.create', staffId: t.fx.users.price });
    });

    it('refuses a taken code (409), a one-character alias and an unknown category (400)', async () => {
      expect((await price.post('/api/products', { code: 'SF-001', name: '别的', category: 'seafood' })).statusCode).toBe(409);
      const bad = await price.post('/api/products', { code: 'SF-009', name: '带鱼', category: 'seafood', aliases: ['鱼'] });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.details[0].field).toBe('aliases.0');
      expect((await price.post('/api/products', { code: 'SF-010', name: '带鱼', category: 'fish' })).statusCode).toBe(400);
    });

    it('keeps each city to its own catalogue', async () => {
      const before = await auditSeq();
      expect((await priceY.post('/api/products', { cityId: t.fx.cities.X, code: 'Y-1', name: '大黄鱼', category: 'seafood' })).statusCode).toBe(403);
      expect((await priceY.patch(`/api/products/${p.grouper}`, { name: '改名' })).statusCode).toBe(404);
      expect(await auditSeq()).toBe(before);
      expect((await priceY.get('/api/products?pageSize=500')).json().total).toBe(0);
      expect((await bureau.get('/api/products?q=石斑')).json().items.map((x: { id: number }) => x.id)).toEqual([p.grouper]);
      expect((await bureau.post('/api/products', { code: 'B-1', name: '带鱼', category: 'seafood' })).statusCode).toBe(403);
    });
  });

  describe('price lists', () => {
    it('publishes a draft: version 1, in force from its start, attributed to the price centre', async () => {
      const draft = await price.post('/api/price-lists', {
        title: '测试市海鲜调控价格（第1期）',
        effectiveFrom: iso(now - 24 * HOUR),
        items: [
          { productId: p.grouper, capFenPerKg: 16000 },
          { productId: p.coral, capFenPerKg: 44000 },
          { productId: p.crab, capFenPerKg: 18001 },
          { productId: p.evil, capFenPerKg: 1000 },
        ],
      });
      expect(draft.statusCode, draft.body).toBe(201);
      expect(draft.json()).toMatchObject({ status: 'draft', version: null, issuer: '测试市价格监测中心', inForceNow: false, itemCount: 4 });
      lists.first = draft.json().id;
      expect(judge().priceListId).toBeNull(); // a draft judges nothing

      const res = await price.post(`/api/price-lists/${lists.first}/publish`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ status: 'published', version: 1, publishedBy: t.fx.users.price, inForceNow: true });
      expect(res.json().items.find((i: { productId: number }) => i.productId === p.crab)).toMatchObject({ capFenPerKg: 18001, capFenPerHalfKg: 9001 });
      const audit = await admin.get(`/api/audit?entity=price_list&entityId=${lists.first}`);
      expect(audit.json().items.map((e: { action: string }) => e.action)).toContain('price_list.publish');
    });

    it('refuses to publish an empty draft or a list of another city', async () => {
      const empty = await price.post('/api/price-lists', { title: '空表', effectiveFrom: iso(now) });
      expect((await price.post(`/api/price-lists/${empty.json().id}/publish`)).statusCode).toBe(400);
      const before = await auditSeq();
      expect((await priceY.post(`/api/price-lists/${empty.json().id}/publish`)).statusCode).toBe(404);
      expect((await priceY.get(`/api/price-lists/${lists.first}`)).statusCode).toBe(404);
      expect((await priceY.post('/api/price-lists', { cityId: t.fx.cities.X, title: '越权', effectiveFrom: iso(now) })).statusCode).toBe(403);
      expect(await auditSeq()).toBe(before);
      expect((await bureau.post(`/api/price-lists/${empty.json().id}/publish`)).statusCode).toBe(403);
    });

    it('never changes a published list: not through the API, not in the database', async () => {
      const before = await auditSeq();
      expect((await price.put(`/api/price-lists/${lists.first}/items`, { items: [{ productId: p.grouper, capFenPerKg: 1 }] })).statusCode).toBe(409);
      expect((await price.patch(`/api/price-lists/${lists.first}`, { title: '改' })).statusCode).toBe(409);
      expect((await price.post(`/api/price-lists/${lists.first}/publish`)).statusCode).toBe(409);
      expect(await auditSeq()).toBe(before);
      const db = t.ctx.dbHandle.db;
      await expect(db.updateTable('price_list').set({ title: '改' }).where('id', '=', lists.first!).execute()).rejects.toThrow(/published/);
      await expect(db.updateTable('price_list_item').set({ cap_fen_per_kg: 1 }).where('price_list_id', '=', lists.first!).execute()).rejects.toThrow(/published/);
      await expect(db.deleteFrom('price_list_item').where('price_list_id', '=', lists.first!).execute()).rejects.toThrow(/published/);
      await expect(db.insertInto('price_list_item').values({ price_list_id: lists.first!, product_id: p.mango!, cap_fen_per_kg: 1, name: '芒果', category: 'fruit' }).execute()).rejects.toThrow(/published/);
      await expect(db.deleteFrom('price_list').where('id', '=', lists.first!).execute()).rejects.toThrow(/published/);
      expect((await price.get(`/api/price-lists/${lists.first}`)).json().items.find((i: { productId: number }) => i.productId === p.grouper).capFenPerKg).toBe(16000);
    });

    it('keeps the labels a list was published with when the catalogue product is renamed', async () => {
      expect((await price.patch(`/api/products/${p.coral}`, { name: '东星斑鱼' })).statusCode).toBe(200);
      const items = (await price.get(`/api/price-lists/${lists.first}`)).json().items;
      expect(items.find((i: { productId: number }) => i.productId === p.coral).name).toBe('东星斑');
      expect((await price.patch(`/api/products/${p.coral}`, { name: '东星斑' })).statusCode).toBe(200);
    });

    it('corrects by a new version: sales are judged by the version in force at their time', async () => {
      const res = await price.post(`/api/price-lists/${lists.first}/correct`, { effectiveFrom: iso(correctionAt) });
      expect(res.statusCode, res.body).toBe(201);
      const draft = res.json();
      expect(draft).toMatchObject({ status: 'draft', supersedesId: lists.first, title: '测试市海鲜调控价格（第1期）', effectiveFrom: iso(correctionAt), itemCount: 4 });
      lists.correction = draft.id;
      const items = draft.items.map((i: { productId: number; capFenPerKg: number }) => ({ productId: i.productId, capFenPerKg: i.productId === p.grouper ? 15000 : i.capFenPerKg }));
      expect((await price.put(`/api/price-lists/${draft.id}/items`, { items })).statusCode).toBe(200);
      const published = await price.post(`/api/price-lists/${draft.id}/publish`);
      expect(published.json()).toMatchObject({ version: 2, status: 'published', inForceNow: false });
      expect((await admin.put(`/api/merchants/${t.fx.merchants.A}/plu`, { plu: '1001', productId: p.grouper })).statusCode).toBe(200);

      expect(judge({ at: new Date(correctionAt - 1) })).toMatchObject({ priceListId: lists.first, capFenPerKg: 16000, overCap: false });
      expect(judge({ at: new Date(correctionAt) })).toMatchObject({ priceListId: lists.correction, capFenPerKg: 15000, overCap: true, excessFenPerKg: 1000, excessPct: 6.7 });
      const before = await price.get(`/api/prices/in-force?at=${encodeURIComponent(iso(correctionAt - 1000))}`);
      expect(before.json().list).toMatchObject({ id: lists.first, version: 1 });
      const after = await inspA.get(`/api/prices/in-force?at=${encodeURIComponent(iso(correctionAt + 1000))}`);
      expect(after.json().list).toMatchObject({ id: lists.correction, version: 2, supersedesId: lists.first });
      expect(after.json().list.items.find((i: { productId: number }) => i.productId === p.grouper)).toMatchObject({ capFenPerKg: 15000, capFenPerHalfKg: 7500 });
    });

    it('resolves overlapping periods: the latest published version rules, the older one resumes after it', async () => {
      const y = t.fx.cities.Y;
      const fish = (await priceY.post('/api/products', { code: 'Y-SF-1', name: '大黄鱼', category: 'seafood' })).json().id;
      const publish = async (title: string, from: number, to: number | null, cap: number) => {
        const d = await priceY.post('/api/price-lists', { title, effectiveFrom: iso(from), effectiveTo: to === null ? null : iso(to), items: [{ productId: fish, capFenPerKg: cap }] });
        expect(d.statusCode, d.body).toBe(201);
        const res = await priceY.post(`/api/price-lists/${d.json().id}/publish`);
        expect(res.statusCode, res.body).toBe(200);
        return res.json().id as number;
      };
      const base = await publish('基础价', now - 10 * HOUR, null, 9000);
      const holiday = await publish('节日价', now + 5 * HOUR, now + 6 * HOUR, 8000);
      const early = await publish('补录历史', now - 20 * HOUR, now - 5 * HOUR, 7000);
      const cap = (ms: number) => t.ctx.pricing.judge({ merchantId: t.fx.merchants.Y, cityId: y, plu: 'none', name: '白菜', unitPriceFenPerKg: 1, at: new Date(ms) }).priceListId;
      expect(cap(now - 21 * HOUR)).toBeNull();
      expect(cap(now - 15 * HOUR)).toBe(early);
      expect(cap(now - 6 * HOUR)).toBe(early); // version 3 over version 1 where both apply
      expect(cap(now - 5 * HOUR)).toBe(base);
      expect(cap(now + 5 * HOUR)).toBe(holiday);
      expect(cap(now + 6 * HOUR - 1)).toBe(holiday);
      expect(cap(now + 6 * HOUR)).toBe(base);
      // City X's lists never judge a sale in city Y.
      expect(t.ctx.pricing.judge({ merchantId: t.fx.merchants.A, cityId: y, plu: '1001', name: 'x', unitPriceFenPerKg: 1, at: new Date(now) }).priceListId).toBe(base);
    });
  });

  describe('judging a sale', () => {
    it('maps the plu, judges over-cap with the excess, and exactly-at-cap is not over', async () => {
      const res = await inspA.put(`/api/merchants/${t.fx.merchants.A}/plu`, { plu: '1001', productId: p.grouper });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ plu: '1001', productId: p.grouper, productName: '石斑鱼', capFenPerKg: 16000 });
      await managerA.put(`/api/merchants/${t.fx.merchants.A}/plu`, { plu: '1003', productId: p.crab });
      expect(judge({ unitPriceFenPerKg: 20000 })).toEqual({ productId: p.grouper, productName: '石斑鱼', capFenPerKg: 16000, priceListId: lists.first, overCap: true, excessFenPerKg: 4000, excessPct: 25, unmappedControlled: null });
      expect(judge({ unitPriceFenPerKg: 16000 })).toMatchObject({ overCap: false, excessFenPerKg: 0, excessPct: 0 });
      expect(judge({ plu: '1003', name: '青蟹', unitPriceFenPerKg: 18001 }).overCap).toBe(false);
      expect(judge({ plu: '1003', name: '青蟹', unitPriceFenPerKg: 18002 })).toMatchObject({ overCap: true, excessFenPerKg: 1, excessPct: 0 });
    });

    it('flags an unmapped plu printed as a controlled product, and nothing for an unrelated name', () => {
      expect(judge({ plu: '7777', name: '野生青石斑鱼' })).toEqual({
        productId: null,
        productName: null,
        capFenPerKg: null,
        priceListId: lists.first,
        overCap: false,
        excessFenPerKg: 0,
        excessPct: 0,
        unmappedControlled: { productId: p.grouper, productName: '石斑鱼', capFenPerKg: 16000 },
      });
      expect(judge({ plu: '7777', name: '和乐蟹' }).unmappedControlled).toMatchObject({ productId: p.crab });
      expect(judge({ plu: '7777', name: '大白菜' }).unmappedControlled).toBeNull();
      expect(judge({ plu: '7777', name: '鱼' }).unmappedControlled).toBeNull();
    });

    it('lists, refuses and removes mappings within reach only; outside reach is 404 and writes nothing', async () => {
      const before = await auditSeq();
      expect((await inspA.put(`/api/merchants/${t.fx.merchants.B}/plu`, { plu: '1001', productId: p.grouper })).statusCode).toBe(404);
      expect((await managerA.put(`/api/merchants/${t.fx.merchants.B}/plu`, { plu: '1001', productId: p.grouper })).statusCode).toBe(404);
      expect((await inspA.get(`/api/merchants/${t.fx.merchants.B}/plu`)).statusCode).toBe(404);
      expect((await inspA.request('DELETE', `/api/merchants/${t.fx.merchants.B}/plu/1001`)).statusCode).toBe(404);
      expect(await auditSeq()).toBe(before);
      expect((await price.put(`/api/merchants/${t.fx.merchants.A}/plu`, { plu: '1001', productId: p.grouper })).statusCode).toBe(403);

      const otherCity = await admin.put(`/api/merchants/${t.fx.merchants.Y}/plu`, { plu: '1001', productId: p.grouper });
      expect(otherCity.statusCode).toBe(400);
      expect(otherCity.json().error.details[0].field).toBe('productId');

      const mine = await inspA.get(`/api/merchants/${t.fx.merchants.A}/plu`);
      expect(mine.json().map((m: { plu: string }) => m.plu)).toEqual(['1001', '1003']);
      expect((await inspA.request('DELETE', `/api/merchants/${t.fx.merchants.A}/plu/1003`)).statusCode).toBe(204);
      expect((await inspA.request('DELETE', `/api/merchants/${t.fx.merchants.A}/plu/1003`)).statusCode).toBe(204);
      expect(judge({ plu: '1003', name: '青蟹' })).toMatchObject({ productId: null, unmappedControlled: { productId: p.crab } });
      const audit = await admin.get(`/api/audit?entity=merchant&entityId=${t.fx.merchants.A}`);
      expect(audit.json().items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['merchant_plu.set', 'merchant_plu.remove']));
    });
  });

  describe('the snapshot', () => {
    it('another instance sees a new publication after its refresh, and on its own timer', async () => {
      const other = createPricingService(t.ctx.dbHandle.db, { timezone: 'Asia/Shanghai', refreshIntervalMs: 0 });
      const timed = createPricingService(t.ctx.dbHandle.db, { timezone: 'Asia/Shanghai', refreshIntervalMs: 50 });
      try {
        await Promise.all([other.ready(), timed.ready()]);
        const sale = { merchantId: t.fx.merchants.A, cityId: t.fx.cities.X, plu: '1001', name: '石斑鱼', unitPriceFenPerKg: 16000, at: new Date(now + 30 * HOUR) };
        expect(other.judge(sale)).toMatchObject({ priceListId: lists.correction, capFenPerKg: 15000 });
        const d = await price.post('/api/price-lists', { title: '第3期', effectiveFrom: iso(now + 24 * HOUR), items: [{ productId: p.grouper, capFenPerKg: 17000 }] });
        const third = (await price.post(`/api/price-lists/${d.json().id}/publish`)).json();
        expect(third.version).toBe(3);
        expect(t.ctx.pricing.judge(sale)).toMatchObject({ priceListId: third.id, capFenPerKg: 17000, overCap: false });
        expect(other.judge(sale).priceListId).toBe(lists.correction);
        await other.refresh();
        expect(other.judge(sale)).toMatchObject({ priceListId: third.id, capFenPerKg: 17000 });
        for (let i = 0; i < 100 && timed.judge(sale).priceListId !== third.id; i++) await new Promise((r) => setTimeout(r, 20));
        expect(timed.judge(sale).priceListId).toBe(third.id);
      } finally {
        other.close();
        timed.close();
      }
    });
  });

  describe('the public price page', () => {
    const page = (url: string) => t.app.inject({ method: 'GET', url });

    it('shows the list in force with caps per kg and per 500 g, its version, period and publisher, with no sign-in', async () => {
      const res = await page('/p/prices/460200');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
      const body = res.body;
      expect(body).toContain('<html lang="zh-CN">');
      expect(body).toContain('石斑鱼');
      expect(body).toContain('活，500g及以上');
      expect(body).toContain('¥160.00</span><span class="u">/公斤</span>');
      expect(body).toContain('¥80.00</span><span class="u">/斤(500克)</span>');
      expect(body).toContain('¥180.01</span><span class="u">/公斤</span>'); // 青蟹
      expect(body).toContain('¥90.01</span><span class="u">/斤(500克)</span>'); // per 斤, rounded half up
      expect(body).toContain('第1版');
      expect(body).toContain('测试市价格监测中心');
      expect(body).toContain('12315');
      expect(body).toContain('href="/p/prices/460200?lang=en"');
      expect(body).not.toContain('<script');
      expect(body).not.toContain('芒果'); // in the catalogue but on no list
    });

    it('escapes everything that came from the database', async () => {
      const body = (await page('/p/prices/460200')).body;
      expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(body).toContain('a&amp;b &quot;c&quot;');
    });

    it('speaks English with ?lang=en, keeping the Chinese names to point at', async () => {
      const res = await page('/p/prices/460200?lang=en');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<html lang="en">');
      expect(res.body).toContain('<b>Grouper</b><span class="s">石斑鱼 · 活，500g及以上</span>');
      expect(res.body).toContain('¥160.00</span><span class="u"> per kg</span>');
      expect(res.body).toContain('¥80.00</span><span class="u"> per jin (500 g)</span>');
      expect(res.body).toContain('Version 1');
      expect(res.body).toContain('href="/p/prices/460200"');
    });

    it('is small: well under 14 KB gzipped', async () => {
      const res = await page('/p/prices/460200');
      expect(gzipSync(res.rawPayload).length).toBeLessThan(14 * 1024);
    });

    it('answers an unknown city with an HTML 404 page, and a city with no list in force plainly', async () => {
      const res = await page('/p/prices/999999');
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('未找到');
      const weird = await page(`/p/prices/${encodeURIComponent('<x>"')}`);
      expect(weird.statusCode).toBe(404);
      expect(weird.body).not.toContain('<x>');
      const created = await admin.post('/api/cities', { code: '469000', name: '空白市' });
      expect(created.statusCode).toBe(201);
      await t.ctx.pricing.refresh();
      const empty = await page('/p/prices/469000');
      expect(empty.statusCode).toBe(200);
      expect(empty.body).toContain('没有生效的调控价格');
    });
  });

  it('keeps the audit chain intact', async () => {
    expect((await admin.get('/api/audit/verify')).json()).toMatchObject({ ok: true });
  });
});
