/**
 * The consumer's side of 一秤一码 in a real browser: a code decoded from the printed label sheet
 * opens its scale page on a phone with JavaScript off, a rating is taken and counted (and refused
 * the second time), a reissued code's old sticker shows its warning, and the page reads in English.
 * Same set-up as admin.browser.test.ts; MASHANG_SCREENSHOTS=<dir> keeps screenshots.
 */
import jsQRModule from 'jsqr';
import * as mupdf from 'mupdf';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserSuite, shot, startBrowserJourney } from './support.js';
import { createTestApp, type TestApp } from '../../src/test-support/app.js';
// The sheet's geometry is not part of the codes module's public face; the label test reads it the same way.
import { labelCellMm, planLabelSheet } from '../../src/modules/codes/codes.labels.js';

// jsqr is a UMD bundle whose function sits on `default` under some loaders and is the module under others.
type JsQr = typeof jsQRModule.default;
const jsQR: JsQr = (jsQRModule as unknown as { default?: JsQr }).default ?? (jsQRModule as unknown as JsQr);

const DPI = 150;
const LABEL_MM = 45;

interface IssuedCode {
  url: string;
  checkCode: string;
  serial: number;
}

/** The first label's QR code on the sheet's first page, decoded from a 150 dpi render of its top square. */
function decodeFirstLabel(pdf: Buffer): { url: string | null; text: string } {
  const doc = mupdf.Document.openDocument(pdf, 'application/pdf');
  const page = doc.loadPage(0);
  const pixmap = page.toPixmap(mupdf.Matrix.scale(DPI / 72, DPI / 72), mupdf.ColorSpace.DeviceRGB, false);
  const png = PNG.sync.read(Buffer.from(pixmap.asPNG()));
  const cell = labelCellMm(planLabelSheet({ labelSizeMm: LABEL_MM }), 0);
  const px = (mm: number) => Math.round((mm * DPI) / 25.4);
  const [x0, y0] = [px(cell.xMm), px(cell.yMm)];
  const width = Math.min(px(cell.xMm + cell.widthMm), png.width) - x0;
  const height = Math.min(px(cell.yMm + cell.widthMm), png.height) - y0; // the square the code sits in
  const crop = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const from = ((y0 + y) * png.width + x0) * 4;
    crop.set(png.data.subarray(from, from + width * 4), y * width * 4);
  }
  const url = jsQR(crop, width, height, { inversionAttempts: 'dontInvert' })?.data ?? null;
  return { url, text: page.toStructuredText('').asText() };
}

/** The page's visible text, whitespace collapsed. */
const textOf = async (page: Page) => ((await page.locator('main').textContent()) ?? '').replace(/\s+/g, ' ');

browserSuite('a scale code, scanned by a consumer', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp('pglite');
    ({ browser, base } = await startBrowserJourney(t));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('opens the scale page from a printed label, takes one rating and counts it, refuses a second, and warns on a replaced code', async () => {
    const manager = await t.as('manager_a');
    const scaleId = t.fx.scales.A;

    // The market manager prints market A's scale labels; the first (its only scale) is scanned.
    const sheet = await manager.get(`/api/markets/${t.fx.markets.A}/labels.pdf?of=scales&sizeMm=${LABEL_MM}`);
    expect(sheet.statusCode, sheet.body.slice(0, 300)).toBe(200);
    expect(sheet.headers['content-type']).toContain('application/pdf');
    const { url: decoded, text: pdfText } = decodeFirstLabel(sheet.rawPayload);
    const code = (await manager.get(`/api/scales/${scaleId}/code`)).json() as IssuedCode;
    expect(code.checkCode).toMatch(/^[2-9A-HJ-NP-Z]{6}$/);
    expect(decoded).toBe(code.url);
    expect(decoded!.startsWith(`${t.ctx.config.http.publicUrl.toUpperCase()}/C/`), decoded!).toBe(true);
    expect(pdfText).toContain('SN-A-1');
    expect(pdfText).toContain(code.checkCode);
    // The app listens on a random port, so the phone opens the decoded path on it.
    const oldPath = new URL(decoded!).pathname;
    expect(oldPath).toMatch(/^\/C\/[A-Z0-9]+$/);

    // A phone with scripts off: the scan pages must work without JavaScript.
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    const page = await context.newPage();
    const opened = await page.goto(`${base}${oldPath}`);
    expect(opened?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('电子计价秤');
    expect(await page.locator('.sn').textContent()).toBe('SN-A-1');
    expect(await page.locator('.cc b').textContent()).toBe(code.checkCode);
    const light = page.locator('p', { hasText: '消费者评价' });
    expect(await light.locator('small').textContent()).toBe('共 0 次评价，其中 0 次认为称量不准');
    // Nothing wider than the phone: no sideways scrolling on a 360 px screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await shot(page, 'codes-scale-page');

    // Rate it: not accurate, two stars, the weights and a comment.
    const comment = '公平秤复称少了五十克，请来查一查';
    await page.getByLabel('不准确', { exact: true }).check();
    await page.locator('.s5 label', { hasText: '2★' }).click();
    expect(await page.getByRole('radio', { name: '2 星' }).isChecked()).toBe(true);
    await page.fill('#fw', '950');
    await page.fill('#rw', '1000');
    await page.fill('#cm', comment);
    await shot(page, 'codes-rating-filled');
    await Promise.all([page.waitForURL(/rated=thanks/), page.getByRole('button', { name: '提交评价' }).click()]);
    expect(new URL(page.url()).pathname).toBe(oldPath);
    const thanks = page.getByRole('status');
    expect(await thanks.textContent()).toContain('感谢您的评价！');
    expect(await thanks.getAttribute('class')).toBe('ok');
    expect(await light.locator('small').textContent()).toBe('共 1 次评价，其中 1 次认为称量不准');
    expect(await page.locator('form textarea').count()).toBe(0); // the form is not offered again
    await shot(page, 'codes-rating-thanks');

    // The rating is stored once, as sent, for an inspector in reach.
    const inspector = await t.as('insp_a');
    const stored = await inspector.get(`/api/scales/${scaleId}/ratings`);
    expect(stored.statusCode, stored.body).toBe(200);
    const { ratings } = stored.json() as { ratings: { accurate: boolean; stars: number; comment: string | null; fairWeightG: number | null; receiptWeightG: number | null }[] };
    expect(ratings).toHaveLength(1);
    expect(ratings[0]).toMatchObject({ accurate: false, stars: 2, comment, fairWeightG: 950, receiptWeightG: 1000 });

    // The scanned page itself (cached) now counts the rating; a second rating the same day is refused.
    await page.goto(`${base}${oldPath}`);
    expect(await light.locator('small').textContent()).toBe('共 1 次评价，其中 1 次认为称量不准');
    await page.getByLabel('准确', { exact: true }).check();
    await page.locator('.s5 label', { hasText: '5★' }).click();
    await Promise.all([page.waitForURL(/rated=limited/), page.getByRole('button', { name: '提交评价' }).click()]);
    const limited = page.getByRole('status');
    expect(await limited.textContent()).toContain('评价次数已达上限，这次评价未被记录。');
    expect(await limited.getAttribute('class')).toBe('note');
    expect(await light.locator('small').textContent()).toBe('共 1 次评价，其中 1 次认为称量不准');
    await shot(page, 'codes-rating-limited');
    expect(((await inspector.get(`/api/scales/${scaleId}/ratings`)).json() as { ratings: unknown[] }).ratings).toHaveLength(1);

    // The sticker is replaced: the old code now opens a warning (410 Gone), with no rating form.
    const reissued = await manager.post(`/api/scales/${scaleId}/code/reissue`);
    expect(reissued.statusCode, reissued.body).toBe(201);
    const fresh = reissued.json() as IssuedCode;
    expect(fresh.serial).toBeGreaterThan(code.serial);
    const newPath = new URL(fresh.url).pathname;
    expect(newPath).not.toBe(oldPath);
    const gone = await page.goto(`${base}${oldPath}`);
    expect(gone?.status()).toBe(410);
    expect(await page.locator('h1').textContent()).toBe('此码已作废');
    expect(await page.getByRole('alert').textContent()).toContain('这张二维码已被新码替换');
    // The void sticker's own check code, so the buyer can tell the warning belongs to the sticker in hand
    // (notice.page.ts renders it, so the holder of the void sticker can match the warning to it).
    expect(await page.locator('.cc b').allTextContents(), 'check code on the void code page').toEqual([code.checkCode]);
    expect(await textOf(page)).toContain('此码原属于：电子秤 SN-A-1');
    expect(await page.locator('form').count()).toBe(0);
    expect(await page.locator('.sn').count()).toBe(0);
    await shot(page, 'codes-revoked');

    // The new sticker opens the scale page with its own check code and the rating still counted.
    const current = await page.goto(`${base}${newPath}`);
    expect(current?.status()).toBe(200);
    expect(await page.locator('.sn').textContent()).toBe('SN-A-1');
    expect(await page.locator('.cc b').textContent()).toBe(fresh.checkCode);
    expect(await light.locator('small').textContent()).toBe('共 1 次评价，其中 1 次认为称量不准');

    // In English, by the language link.
    await Promise.all([page.waitForURL(/lang=en/), page.getByRole('link', { name: 'English' }).click()]);
    expect(new URL(page.url()).pathname).toBe(newPath);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('h1').textContent()).toBe('Electronic price-computing scale');
    const english = await textOf(page);
    expect(english).toContain('Serial number');
    expect(english).toContain('1 rating, 1 said inaccurate');
    expect(english).toContain('Rate this scale');
    expect(await page.getByRole('button', { name: 'Send rating' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: '中文' }).count()).toBe(1);
    await shot(page, 'codes-scale-en');
    await context.close();
  });
});
