/**
 * Codes and ratings in the staff web app, in a real browser: a market manager prints a market's
 * labels, sees a merchant's QR code and reissues it (the old code then scans as void); an
 * inspector finds a scale consumers rated inaccurate on the red-light page and opens its ratings.
 * Same set-up as admin.browser.test.ts; MASHANG_SCREENSHOTS=<dir> keeps screenshots.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserSuite, shot, signIn as signInAs, startBrowserJourney } from './support.js';
import { createTestApp, type TestApp } from '../../src/test-support/app.js';

browserSuite('codes and ratings in the staff web app', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp('pglite');
    // Eight phones on eight networks say scale A weighs short; one re-weighed on the fair scale.
    for (let i = 0; i < 8; i++) {
      const outcome = await t.ctx.feedback.rate({ scaleId: t.fx.scales.A, accurate: false, stars: 1, comment: i === 0 ? '称不准，少了二两' : null, ...(i === 0 ? { fairWeightG: 900, receiptWeightG: 1000 } : {}), deviceId: `phone-${i}`, ip: `10.${i + 1}.0.7` });
      expect(outcome.status).toBe('thanks');
    }
    ({ browser, base } = await startBrowserJourney(t));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const signIn = (username: string) => signInAs(browser, base, username);

  it("a market manager prints the market's labels, then reissues a merchant's code and the old one scans as void", async () => {
    const page = await signIn('manager_a');
    await page.goto(`${base}/admin/markets/${t.fx.markets.A}`);
    const codes = page.getByTestId('market-codes');
    await codes.getByTestId('check-code').waitFor();
    await page.selectOption('#label-size', '60');
    const href = await codes.locator('[data-sheet=market] a', { hasText: '打开 PDF' }).getAttribute('href');
    expect(href).toBe(`/api/markets/${t.fx.markets.A}/labels.pdf?of=market&sizeMm=60`);
    const pdf = await page.request.get(`${base}${href}`);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    await shot(page, 'codes-market');

    await page.goto(`${base}/admin/merchants/${t.fx.merchants.A}`);
    const panel = page.locator('.code-panel');
    const before = (await panel.getByTestId('check-code').textContent())!;
    await expect.poll(() => panel.getByTestId('code-image').evaluate((el) => { const img = el as unknown as { complete: boolean; naturalWidth: number }; return img.complete ? img.naturalWidth : 0; })).toBeGreaterThan(0);
    const old = (await (await page.request.get(`${base}/api/merchants/${t.fx.merchants.A}/code`)).json()) as { url: string };

    let warning = '';
    page.once('dialog', (d) => {
      warning = d.message();
      void d.accept();
    });
    await panel.locator('button', { hasText: '重新签发' }).click();
    await panel.locator('text=旧码已作废').waitFor();
    expect(warning).toContain('此码已作废');
    expect(await panel.getByTestId('code-serial').textContent()).toContain('no. 2');
    expect(await panel.getByTestId('check-code').textContent()).not.toBe(before);
    await shot(page, 'codes-merchant-reissued');

    const scan = await page.request.get(`${base}${new URL(old.url).pathname}`);
    expect(scan.status()).toBe(410);
    expect(await scan.text()).toContain('此码已作废');
    await page.context().close();
  });

  it('an inspector finds the red-light scale, ranked, and opens its ratings', async () => {
    const page = await signIn('insp_a');
    await page.click('nav >> text=红灯秤');
    const row = page.getByTestId('red-light-list').locator('tbody tr', { hasText: 'SN-A-1' });
    await row.waitFor();
    expect(await row.locator('[data-light]').getAttribute('data-light')).toBe('red');
    expect(await row.textContent()).toContain('红灯');
    expect(await row.textContent()).toContain('甲海鲜');
    await shot(page, 'red-light-scales');

    await row.locator('a', { hasText: 'SN-A-1' }).click();
    const ratings = page.locator('.ratings-panel');
    await ratings.getByTestId('scale-light').waitFor();
    expect(await ratings.getByTestId('scale-light').textContent()).toContain('红灯');
    expect(await ratings.locator('tbody tr').count()).toBe(8);
    expect(await ratings.textContent()).toContain('短秤 100 g');
    await page.locator('.code-panel').getByTestId('check-code').waitFor();
    await shot(page, 'scale-ratings');
    await page.context().close();
  });
});
