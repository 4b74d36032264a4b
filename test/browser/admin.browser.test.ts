/**
 * Whole journeys through the staff web app in a real browser: the service on PGlite with the
 * fixtures, the built app from web/dist, Debian's Chromium driven by playwright-core.
 * Set MASHANG_SCREENSHOTS=<dir> to keep screenshots of the pages visited.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserSuite, shot, signIn as signInAs, startBrowserJourney } from './support.js';
import { createTestApp, type Client, type TestApp } from '../../src/test-support/app.js';
import { validUscc } from '../../src/test-support/fixtures.js';
import { checkUscc } from '../../src/modules/registry/index.js';


browserSuite('staff web app in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let api: Client;

  beforeAll(async () => {
    t = await createTestApp('pglite');
    api = await t.as('insp_a');
    ({ browser, base } = await startBrowserJourney(t));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const signIn = (username: string) => signInAs(browser, base, username);

  it('signs in as an inspector, rejects a bad USCC with the API message, then creates a merchant in 甲市场', async () => {
    const page = await signIn('insp_a');
    await expect(page.getByTestId('who').textContent()).resolves.toContain('监管所执法人员');
    await page.locator('[data-stat=Merchants] .stat-n').waitFor();
    await shot(page, 'home');

    await page.click('nav >> text=商户');
    await page.click('text=新建商户');
    await page.waitForURL(/\/admin\/merchants\/new/);

    const name = '浏览器测试海鲜行';
    const good = validUscc('92460202MA5T0X0Y1');
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const expected = checkUscc(bad);
    if (expected.ok) throw new Error('test USCC should be invalid');

    await page.fill('#f-name', name);
    await page.fill('#f-uscc', bad);
    await page.fill('#f-legalRep', '李四');
    await page.selectOption('#f-entityType', '个体工商户');
    await page.selectOption('#f-marketId', String(t.fx.markets.A));
    await page.locator(`#f-stallId option[value="${t.fx.stalls.A}"]`).waitFor({ state: 'attached' });
    await page.selectOption('#f-stallId', String(t.fx.stalls.A));
    await page.check('input[name=categories][value=seafood]');
    await page.click('button:has-text("保存")');

    const usccError = page.locator('#f-uscc-error');
    await usccError.waitFor();
    expect(await usccError.textContent()).toBe(expected.reason);
    expect(await page.getByRole('alert').first().textContent()).toContain(expected.reason);
    expect(page.url()).toMatch(/\/admin\/merchants\/new$/);
    await shot(page, 'merchant-form-error');
    expect((await api.get(`/api/merchants?q=${encodeURIComponent(name)}`)).json().total).toBe(0);

    await page.fill('#f-uscc', good);
    await page.click('button:has-text("保存")');
    await page.waitForURL(/\/admin\/merchants\/\d+$/);
    await page.locator('h1', { hasText: name }).waitFor();
    await shot(page, 'merchant-detail');

    const created = (await api.get(`/api/merchants?q=${encodeURIComponent(good)}`)).json();
    expect(created.total).toBe(1);
    expect(created.items[0]).toMatchObject({ name, uscc: good, legalRep: '李四', marketId: t.fx.markets.A, stallId: t.fx.stalls.A, categories: ['seafood'] });

    await page.click('nav >> text=商户');
    await page.fill('input[name=q]', name);
    await page.click('button:has-text("查询")');
    const row = page.getByTestId('merchant-list').locator('tbody tr', { hasText: name });
    await row.waitFor();
    expect(await row.textContent()).toContain(good);
    expect(await row.textContent()).toContain('甲市场');
    await shot(page, 'merchant-list');
    await page.context().close();
  });

  it('runs a dry-run import of a small merchants CSV, shows its report, then imports the good row', async (ctx) => {
    const probe = await t.app.inject({ method: 'POST', url: '/api/imports' });
    if (probe.statusCode === 404) {
      console.log('import browser test skipped: POST /api/imports answers 404 (the import API has not landed)');
      ctx.skip();
    }
    const before = (await api.get('/api/merchants?pageSize=1')).json().total as number;
    const goodRow = validUscc('92460202MA5T0X0A1');
    const otherValid = validUscc('92460202MA5T0X0A2');
    const badRow = otherValid.slice(0, 17) + (otherValid[17] === '0' ? '1' : '0');
    const badReason = checkUscc(badRow);
    if (badReason.ok) throw new Error('test USCC should be invalid');
    const csv = [
      '统一社会信用代码,主体名称,法定代表人,主体类型,市场,摊位号,经营类别',
      `${goodRow},导入测试甲,王五,个体工商户,甲市场,A-01,海鲜`,
      `${badRow},导入测试乙,赵六,个体工商户,甲市场,A-01,海鲜`,
    ].join('\n');

    const page = await signIn('insp_a');
    await page.click('nav >> text=导入导出');
    await page.selectOption('#import-kind', 'merchants');
    await page.setInputFiles('#import-file', { name: 'merchants.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    const finished = (mode: string) =>
      page.waitForResponse(async (res) => {
        if (!/\/api\/imports(\/[^/]+)?$/.test(new URL(res.url()).pathname) || !res.ok()) return false;
        const job = (await res.json()) as { status: string; mode: string };
        return job.mode === mode && job.status !== 'running';
      });
    const dryRunDone = finished('dry_run');
    await page.click('button:has-text("试运行校验")');
    const job = (await (await dryRunDone).json()) as { status: string; outcome: string; validRows: number; invalidRows: number; problemCount: number; error: unknown };
    expect(job).toMatchObject({ status: 'done', outcome: 'dry_run', validRows: 1, invalidRows: 1 });

    await page.getByTestId('import-report').waitFor();
    expect(await page.getByTestId('valid-rows').textContent()).toBe('1');
    expect(await page.getByTestId('invalid-rows').textContent()).toBe('1');
    expect(await page.getByTestId('problems').textContent()).toContain(badReason.reason);
    await shot(page, 'import-report');
    // A dry run writes nothing, and a report with problems cannot be committed until bad rows are skipped.
    expect((await api.get('/api/merchants?pageSize=1')).json().total).toBe(before);
    const commit = page.locator('button:has-text("正式导入")');
    expect(await commit.isEnabled()).toBe(false);
    await page.getByTestId('commit-bar').locator('input[type=checkbox]').check();
    expect(await commit.isEnabled()).toBe(true);

    const commitDone = finished('commit');
    await commit.click();
    expect((await (await commitDone).json()) as unknown).toMatchObject({ status: 'done', outcome: 'imported', importedRows: 1 });
    await page.getByTestId('imported-count').waitFor();
    expect(await page.getByTestId('imported-count').textContent()).toContain('已导入 1 条');
    await shot(page, 'import-done');
    const imported = (await api.get(`/api/merchants?q=${goodRow}`)).json();
    expect(imported.items.map((m: { name: string }) => m.name)).toEqual(['导入测试甲']);
    expect((await api.get('/api/merchants?pageSize=1')).json().total).toBe(before + 1);
    await page.context().close();
  });
});
