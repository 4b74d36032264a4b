/**
 * IoT ingest in the staff web app, in a real browser: an inspector issues a scale's device secret
 * on the scale page, the "scale" reports an over-cap sale over the HTTP device transport with it,
 * and the sale shows flagged red on the sales page while the scale's panel shows its last seq.
 * Same set-up as admin.browser.test.ts; MASHANG_SCREENSHOTS=<dir> keeps screenshots.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserSuite, shot, signIn as signInAs, startBrowserJourney } from './support.js';
import { createTestApp, type TestApp } from '../../src/test-support/app.js';
import { macOf } from '../../src/modules/ingest/index.js';

const HOUR = 3_600_000;

/** RFC 3339 with the +08:00 offset a scale in China sends. */
const rfc = (d: Date) => new Date(d.getTime() + 8 * HOUR).toISOString().replace(/\.\d{3}Z$/, '+08:00');

browserSuite('IoT ingest in the staff web app', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp('pglite', { INGEST_HTTP_PER_SCALE_PER_S: '1000' });

    // 石斑鱼 capped at ¥160/kg in city X and mapped to merchant A's PLU 1001 (as src/modules/ingest/ingest.test.ts); scale A verified.
    const price = await t.as('price');
    const admin = await t.as('admin');
    const product = await price.post('/api/products', { code: 'SF-001', name: '石斑鱼', category: 'seafood' });
    expect(product.statusCode, product.body).toBeLessThan(300);
    const list = await price.post('/api/price-lists', { title: '海鲜调控价格', effectiveFrom: new Date(Date.now() - 30 * 24 * HOUR).toISOString(), items: [{ productId: product.json().id, capFenPerKg: 16000 }] });
    expect(list.statusCode, list.body).toBeLessThan(300);
    expect((await price.post(`/api/price-lists/${list.json().id}/publish`)).statusCode).toBe(200);
    expect((await admin.put(`/api/merchants/${t.fx.merchants.A}/plu`, { plu: '1001', productId: product.json().id })).statusCode).toBe(200);
    const verifier = await t.as('verifier');
    const verified = await verifier.post(`/api/scales/${t.fx.scales.A}/verifications`, { certificateNo: 'JD-1', verifiedOn: new Date(Date.now() - 10 * 24 * HOUR).toISOString().slice(0, 10), result: 'pass', validUntil: '2099-12-31' });
    expect(verified.statusCode, verified.body).toBe(201);

    ({ browser, base } = await startBrowserJourney(t));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const signIn = (username: string) => signInAs(browser, base, username, { width: 1440, height: 900 });

  it('issues a device secret on the scale page; an over-cap sale sent with it shows red on the sales page and as the last seq', async () => {
    const page = await signIn('insp_a');
    await page.goto(`${base}/admin/scales/${t.fx.scales.A}`);
    await page.locator('h1', { hasText: 'SN-A-1' }).waitFor();
    const panel = page.locator('.device-panel');
    await expect(panel.getByTestId('credentials-state').textContent()).resolves.toContain('未签发');
    expect(await panel.getByTestId('last-seq').textContent()).toBe('0');

    // Issue: the secret is shown once, in a dialog, with the protocol scaleId and a warning.
    await panel.locator('button', { hasText: '签发设备密钥' }).click();
    const dialog = page.getByTestId('secret-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('只显示这一次');
    const secret = await page.getByTestId('device-secret').inputValue();
    const deviceId = (await page.getByTestId('secret-device-id').textContent())!;
    expect(deviceId).toBe('SN-A-1');
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    await shot(page, 'ingest-secret-dialog');
    await page.getByTestId('secret-done').click();
    await dialog.waitFor({ state: 'detached' });
    await expect(panel.getByTestId('credentials-state').textContent()).resolves.toContain('已签发');
    expect(await page.content()).not.toContain(secret);

    // The scale reports over HTTP, signing with the secret: a heartbeat from a clock 4 minutes behind,
    // one over-cap sale (¥180/kg against a ¥160/kg cap), and a message with a bad mac.
    const send = async (messages: unknown[]) => {
      const res = await fetch(`${base}/api/device/v1/scales/${deviceId}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { acks: { seq: number; status: string }[] }).acks;
    };
    const sign = (m: Record<string, unknown>) => ({ ...m, mac: macOf(Buffer.from(secret, 'base64url'), m) });
    expect(await send([sign({ v: 1, seq: 6, ts: rfc(new Date(Date.now() - 4 * 60_000)), type: 'heartbeat' })])).toEqual([{ seq: 6, status: 'accepted' }]);
    const unsigned = { v: 1, seq: 7, ts: rfc(new Date()), plu: '1001', name: '石斑鱼', weight_g: 1250, tare_g: 0, unit_price_fen_per_kg: 18000, total_fen: 22500 };
    expect(await send([sign(unsigned)])).toEqual([{ seq: 7, status: 'accepted' }]);
    expect((await send([{ ...unsigned, seq: 8, mac: 'x'.repeat(43) }]))[0]).toMatchObject({ seq: 8, status: 'rejected' });

    // Sales page: the sale is there, flagged red with the excess.
    await page.click('nav >> text=销售记录');
    await page.waitForURL(/\/admin\/sales/);
    const row = page.getByTestId('sales-list').locator('tbody tr[data-seq="7"]');
    await row.waitFor();
    expect(await row.getAttribute('data-over-cap')).toBe('true');
    expect(await row.getAttribute('class')).toContain('row-over');
    const text = (await row.textContent())!;
    expect(text).toContain('超调控价');
    expect(text).toContain('石斑鱼');
    expect(text).toContain('1.250'); // kg
    expect(text).toContain('180.00'); // ¥/kg
    expect(text).toContain('90.00'); // ¥/斤
    expect(text).toContain('225.00'); // total
    expect(text).toContain('160.00'); // cap
    expect(await row.getByTestId('excess').textContent()).toContain('20.00');
    await row.locator('a', { hasText: 'SN-A-1' }).waitFor();
    // The test's tsconfig has no DOM types: reach getComputedStyle through globalThis.
    const bg = await row.locator('td').first().evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor);
    expect(bg).toBe('rgb(253, 236, 234)');
    await page.check('input[name=overCap]');
    await page.waitForURL(/overCap=true/);
    await page.getByTestId('sales-list').locator('tbody tr[data-seq="7"]').waitFor();
    await shot(page, 'ingest-sales');

    // Back on the scale: its panel shows the last seq and the sale among its recent sales.
    await row.locator('a', { hasText: 'SN-A-1' }).click();
    await page.waitForURL(new RegExp(`/admin/scales/${t.fx.scales.A}$`));
    await page.locator('.device-panel [data-testid=last-seq]', { hasText: '7' }).waitFor();
    expect(await page.locator('.device-panel').textContent()).toMatch(/HTTP/);
    const drift = page.locator('.device-panel [data-testid=clock-drift]');
    expect(await drift.getAttribute('class')).toBe('drift-bad'); // about +240 s, beyond ±120 s
    expect(await drift.textContent()).toMatch(/^\+2[34]\d s/);
    await page.locator('.recent-sales tbody tr[data-seq="7"].row-over').waitFor();
    const rejected = page.getByTestId('rejection-list').locator('tbody tr', { hasText: 'mac does not verify' });
    await rejected.waitFor();
    await rejected.locator('summary').click();
    expect(await rejected.locator('pre').textContent()).toContain('"seq": 8');
    await page.evaluate('window.scrollTo(0, 0)');
    await shot(page, 'ingest-scale');

    // The merchant's page lists the sale in red too.
    await page.locator('.panel', { hasText: '使用与检定' }).locator('a', { hasText: '甲海鲜' }).click();
    await page.waitForURL(new RegExp(`/admin/merchants/${t.fx.merchants.A}$`));
    await page.locator('.recent-sales tbody tr[data-seq="7"].row-over').waitFor();
    await shot(page, 'ingest-merchant');

    // Devices page: the scale is listed with its last seq.
    await page.click('nav >> text=设备在线');
    const device = page.getByTestId('device-list').locator(`tbody tr[data-scale-id="${t.fx.scales.A}"]`);
    await device.waitFor();
    expect(await device.textContent()).toContain('SN-A-1');
    await shot(page, 'ingest-devices');
    await page.context().close();
  });

  it('hides device and sales actions from a role without them', async () => {
    // The verification institution reads devices and writes calibration orders, but neither issues secrets nor reads sales.
    const page = await signIn('verifier');
    await page.goto(`${base}/admin/scales/${t.fx.scales.A}`);
    await page.locator('.device-panel [data-testid=last-seq]').waitFor();
    expect(await page.locator('.device-panel button').count()).toBe(0);
    expect(await page.locator('.recent-sales').count()).toBe(0);
    expect(await page.locator('nav >> text=销售记录').count()).toBe(0);

    // A calibration order through the form: datetime-local in the browser's zone, sent with its offset.
    await page.locator('button', { hasText: '新增授权' }).click();
    const form = page.getByTestId('calibration-form');
    await form.locator('#f-validFrom').fill('2030-05-01T09:00');
    await form.locator('#f-validUntil').fill('2030-05-01T08:00');
    await form.locator('#f-calibrator').fill('JL-9');
    await form.locator('button', { hasText: '签发授权' }).click();
    await form.locator('#f-validUntil-error').waitFor();
    await form.locator('#f-validUntil').fill('2030-05-01T11:30');
    await form.locator('button', { hasText: '签发授权' }).click();
    await form.waitFor({ state: 'detached' });
    const order = page.getByTestId('calibration-list').locator('tbody tr', { hasText: 'JL-9' });
    await order.waitFor();
    expect(await order.textContent()).toContain('2030-05-01 09:00');
    const orders = (await (await t.as('verifier')).get(`/api/scales/${t.fx.scales.A}/calibration-orders`)).json() as { validFrom: string; validUntil: string }[];
    expect(orders[0]).toMatchObject({ validFrom: '2030-05-01T01:00:00.000Z', validUntil: '2030-05-01T03:30:00.000Z' });
    await page.evaluate('window.scrollTo(0, 0)');
    await shot(page, 'ingest-scale-verifier');
    await page.context().close();
  });
});
