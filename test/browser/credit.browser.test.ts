/**
 * Credit in a real browser: a merchant's own account is refused a pledge signed in another's
 * name (with the server's reason), signs its integrity pledge and replies to a deduction, and the
 * public page (no JavaScript) then shows the pledge and the reply beside the deduction; a market
 * manager proposes a bonus on the merchant's page and an inspector finds it awaiting confirmation
 * in 信用待办 and on the merchant's page.
 * Same set-up as admin.browser.test.ts; MASHANG_SCREENSHOTS=<dir> keeps screenshots.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserSuite, shot, signIn as signInAs, startBrowserJourney } from './support.js';
import { createTestApp, type TestApp } from '../../src/test-support/app.js';

const MERCHANT_USER = 'merchant_a';
const MERCHANT_PASSWORD = 'merchant-pass-123';

browserSuite('credit in the web app and on the public page', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let legalRep: string;

  beforeAll(async () => {
    t = await createTestApp('pglite');
    const admin = await t.as('admin');
    legalRep = (await admin.get(`/api/merchants/${t.fx.merchants.A}`)).json().legalRep as string;
    const account = await admin.post('/api/staff', { username: MERCHANT_USER, password: MERCHANT_PASSWORD, displayName: '甲海鲜（商户）', role: 'merchant', cityId: t.fx.cities.X, merchantId: t.fx.merchants.A });
    expect(account.statusCode, account.body).toBe(201);
    // An inspector's record counts at once: prices not clearly marked, two hours ago.
    const insp = await t.as('insp_a');
    const deduction = await insp.post(`/api/merchants/${t.fx.merchants.A}/credit-events`, { itemCode: 'PRC-01', occurredAt: new Date(Date.now() - 2 * 3_600_000).toISOString(), evidence: '现场检查笔录 XJ-2026-001，价签缺失照片3张' });
    expect(deduction.statusCode, deduction.body).toBe(201);
    expect(deduction.json().status).toBe('confirmed');
    ({ browser, base } = await startBrowserJourney(t));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const signIn = (username: string) => signInAs(browser, base, username);
  /** support.signIn with a password of the test's own (the fixtures' password is for fixture users). */
  async function signInWith(username: string, password: string) {
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1366, height: 860 } });
    const page = await context.newPage();
    await page.goto(`${base}/admin/`);
    await page.fill('#login-username', username);
    await page.fill('#login-password', password);
    await page.click('button[type=submit]');
    await page.getByTestId('who').waitFor();
    return page;
  }

  it('a merchant signs its pledge and replies to a deduction; the public page shows both', async () => {
    const page = await signInWith(MERCHANT_USER, MERCHANT_PASSWORD);
    await page.locator('h1', { hasText: '我的信用' }).waitFor();
    const nav = (await page.locator('nav').textContent())!;
    expect(nav).toContain('我的信用');
    for (const staffOnly of ['概览', '商户', '预警', '人员账号', '信用待办', '即将上线']) expect(nav).not.toContain(staffOnly);
    expect(await page.getByTestId('public-page-link').getAttribute('href')).toBe(`/p/merchants/${t.fx.merchants.A}`);
    // Its own scales and what consumers said about them.
    await page.getByTestId('my-scale-ratings').waitFor();
    expect(await page.getByTestId('my-scale-ratings').textContent()).toContain('SN-A-1');

    const row = page.getByTestId('credit-events').locator('tr[data-item="PRC-01"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('已确认');
    expect(await row.textContent()).toContain('−5');
    await shot(page, 'credit-merchant-home');

    // Signed by anyone but the legal representative, the pledge is refused with the server's reason.
    await page.fill('#f-signedBy', '李四');
    await page.click('[data-testid=pledge-form] button:has-text("签署承诺")');
    const refusal = page.getByTestId('pledge-form').getByRole('alert').first();
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain(legalRep);
    await page.fill('#f-signedBy', legalRep);
    await page.click('[data-testid=pledge-form] button:has-text("签署承诺")');
    await page.getByTestId('pledge-signed').waitFor();
    expect(await page.getByTestId('pledge-signed').textContent()).toContain(legalRep);

    const reply = '价签已于当日补齐，欢迎复查。';
    await row.locator('button', { hasText: '回复' }).click();
    await page.fill('#f-text', reply);
    await page.click('[data-testid=merchant-reply-form] button:has-text("提交")');
    await row.getByTestId('event-reply').filter({ hasText: reply }).waitFor();

    const merchantApi = await t.as(MERCHANT_USER, MERCHANT_PASSWORD);
    const record = (await merchantApi.get('/api/me/credit')).json() as { score: number; stars: number };
    expect(await page.getByTestId('credit-score').textContent()).toBe(String(record.score));
    await shot(page, 'credit-merchant-signed');
    await page.context().close();

    // The scan page, as a consumer's phone without JavaScript sees it.
    const phone = await browser.newContext({ javaScriptEnabled: false, locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    const pub = await phone.newPage();
    const res = await pub.goto(`${base}/p/merchants/${t.fx.merchants.A}`);
    expect(res?.status()).toBe(200);
    const body = (await pub.locator('body').textContent())!;
    expect(body).toContain('诚信经营承诺');
    expect(body).toContain(`由 ${legalRep} 于`);
    const deductionItem = pub.locator('li', { hasText: '未明码标价或价格标识牌不规范' });
    expect(await deductionItem.textContent()).toContain(`商户回复：${reply}`);
    await shot(pub, 'credit-public-page');
    await phone.close();
  });

  it('a market manager proposes a bonus on the merchant page; an inspector finds it in 信用待办', async () => {
    const manager = await signIn('manager_a');
    await manager.goto(`${base}/admin/merchants/${t.fx.merchants.A}`);
    const panel = manager.locator('.credit-panel');
    await panel.getByTestId('credit-summary').waitFor();
    await panel.locator('button', { hasText: '记录加分/扣分' }).click();
    await manager.locator('#f-itemCode option[value="HON-01"]').waitFor({ state: 'attached' });
    await manager.selectOption('#f-itemCode', 'HON-01');
    expect(await manager.getByTestId('evidence-required').textContent()).toContain('市场管理方评选文件');
    await manager.fill('#f-evidence', '甲市场2026年第三季度诚信经营户评选文件');
    await manager.click('[data-testid=credit-record-form] button:has-text("记录")');
    const proposed = panel.getByTestId('credit-events').locator('tr[data-item="HON-01"]');
    await proposed.waitFor();
    expect(await proposed.textContent()).toContain('待核实');
    await shot(manager, 'credit-merchant-manager');
    await manager.context().close();

    const inspector = await signIn('insp_a');
    await inspector.click('nav >> text=信用待办');
    const pending = inspector.getByTestId('credit-pending').locator('tbody tr', { hasText: 'HON-01' });
    await pending.waitFor();
    expect(await pending.textContent()).toContain('甲海鲜');
    await shot(inspector, 'credit-pending');
    expect(await pending.locator('button', { hasText: '确认' }).isVisible()).toBe(true);

    await inspector.goto(`${base}/admin/merchants/${t.fx.merchants.A}`);
    const events = inspector.locator('.credit-panel').getByTestId('credit-events');
    await events.locator('tr[data-item="HON-01"]', { hasText: '待核实' }).waitFor();
    expect(await events.locator('tr[data-item="PRC-01"]').textContent()).toContain('价签已于当日补齐');
    expect(await events.locator('tr[data-item="HON-01"] button', { hasText: '确认' }).isVisible()).toBe(true);
    await shot(inspector, 'credit-merchant-inspector');
    await inspector.context().close();
  });
});
