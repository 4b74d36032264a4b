/**
 * A complaint's whole journey in a real browser: a consumer files it on the public form (no
 * JavaScript) and gets a reference; an inspector finds it in 消费投诉 with its acceptance clock and
 * the phone masked, and accepts it; testing stops the mediation clock for a while (暂停调解计时, then
 * 结束暂停); the merchant's own account answers in 我的投诉 and sees the pause; the inspector
 * sees the answer and closes the complaint as upheld. The merchant's credit score then drops by the
 * rulebook's CMP-01 points and the public merchant page counts one upheld complaint.
 * Same set-up as credit.browser.test.ts; MASHANG_SCREENSHOTS=<dir> keeps screenshots.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { browserSuite, shot, signIn, startBrowserJourney } from './support.js';
import { createTestApp, type TestApp } from '../../src/test-support/app.js';

const MERCHANT_USER = 'merchant_a';
const MERCHANT_PASSWORD = 'merchant-pass-123';
const PHONE = '13812345678';

browserSuite('a complaint from the public form to an upheld decision', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let scoreBefore: number;

  beforeAll(async () => {
    t = await createTestApp('pglite');
    const admin = await t.as('admin');
    const account = await admin.post('/api/staff', { username: MERCHANT_USER, password: MERCHANT_PASSWORD, displayName: '甲海鲜（商户）', role: 'merchant', cityId: t.fx.cities.X, merchantId: t.fx.merchants.A });
    expect(account.statusCode, account.body).toBe(201);
    const credit = await (await t.as('insp_a')).get(`/api/merchants/${t.fx.merchants.A}/credit`);
    expect(credit.statusCode, credit.body).toBe(200);
    scoreBefore = credit.json().score as number;
    ({ browser, base } = await startBrowserJourney(t));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('is filed, accepted, answered, and closed as upheld: the credit score drops and the public page counts it', async () => {
    // The consumer's phone, without JavaScript: the plain form, then the follow page with the reference.
    const phone = await browser.newContext({ javaScriptEnabled: false, locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    const pub = await phone.newPage();
    expect((await pub.goto(`${base}/p/merchants/${t.fx.merchants.A}/complaint`))?.status()).toBe(200);
    await pub.fill('#nm', '王五');
    await pub.fill('#ph', PHONE);
    await pub.fill('#ct', '在甲海鲜买的石斑鱼，回家用公平秤复称少了150克，要求退还差价。');
    await Promise.all([pub.waitForURL(/\/p\/complaints\/TS\d+\?phone=5678&filed=1$/), pub.click('form button[type=submit]')]);
    const reference = /\/p\/complaints\/(TS\d+)/.exec(pub.url())![1]!;
    expect(await pub.locator('[role=status]').textContent()).toContain(`投诉编号 ${reference}`);
    await shot(pub, 'complaint-filed');

    // The inspector finds it in 消费投诉, awaiting a decision on the 7-working-day clock.
    const insp = await signIn(browser, base, 'insp_a');
    await insp.click('nav >> text=消费投诉');
    const row = insp.getByTestId('complaint-list').locator(`tr[data-reference="${reference}"]`);
    await row.waitFor();
    const rowText = (await row.textContent())!;
    expect(rowText).toContain('甲海鲜');
    expect(rowText).toContain('待受理');
    expect(rowText).toContain('受理或不予受理决定');
    expect(rowText).toMatch(/剩 \d+ 个工作日|今日到期/);
    await shot(insp, 'complaints-list');

    await row.locator('a', { hasText: reference }).click();
    expect(await insp.getByTestId('consumer-phone').textContent()).toBe('138****5678');
    expect(await insp.locator('body').textContent()).not.toContain(PHONE);
    expect(await insp.getByTestId('complaint-clocks').locator('tr[data-step=acceptance]').textContent()).toMatch(/\d{4}-\d{2}-\d{2}/);
    await insp.click('button[data-action=accept]');
    await insp.click('[data-testid=complaint-accept-form] button:has-text("确认受理")');
    await insp.getByTestId('complaint-status').filter({ hasText: '已受理' }).waitFor();
    expect(await insp.getByTestId('complaint-clocks').locator('tr[data-step=mediation]').textContent()).toContain('个工作日');

    // The fish goes for testing: the mediation clock stops, then runs again.
    await insp.click('button[data-action=pause]');
    const pause = insp.getByTestId('complaint-pause-form');
    await pause.locator('input[name=kind][value=testing]').check();
    await pause.locator('#f-reason').fill('石斑鱼样品送市场监管检测中心检测');
    await pause.locator('button:has-text("确认暂停调解计时")').click();
    await insp.getByTestId('complaint-clocks').locator('tr[data-step=mediation]', { hasText: '已暂停' }).waitFor();
    await insp.getByTestId('pause-now').filter({ hasText: '检测' }).waitFor();
    await shot(insp, 'complaint-paused');
    await insp.click('button[data-action=end-pause]');
    await insp.getByTestId('complaint-end-pause-form').locator('button:has-text("确认结束暂停")').click();
    await insp.locator('button[data-action=pause]').waitFor();
    expect(await insp.getByTestId('pause-now').count()).toBe(0);
    expect(await insp.getByTestId('complaint-pauses').locator('tbody tr').count()).toBe(1);

    // The merchant's own account answers in 我的投诉.
    const answer = '已联系顾客，同意退还差价并道歉。';
    const merchant = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1366, height: 860 } }).then((c) => c.newPage());
    await merchant.goto(`${base}/admin/`);
    await merchant.fill('#login-username', MERCHANT_USER);
    await merchant.fill('#login-password', MERCHANT_PASSWORD);
    await merchant.click('button[type=submit]');
    await merchant.click('nav >> text=我的投诉');
    await merchant.getByTestId('my-complaint-list').locator(`tr[data-reference="${reference}"] a`).click();
    // The detail page loads after the click: wait for the masked consumer name rather than reading the loading screen.
    await merchant.locator('body', { hasText: '王*' }).waitFor();
    await merchant.getByTestId('complaint-pauses').filter({ hasText: '石斑鱼样品送市场监管检测中心检测' }).waitFor();
    await merchant.fill('#f-body', answer);
    await merchant.click('[data-testid=message-form] button:has-text("发送")');
    await merchant.getByTestId('complaint-thread').locator('li[data-author=merchant]', { hasText: answer }).waitFor();
    await merchant.getByTestId('complaint-status').filter({ hasText: '调解中' }).waitFor();
    await shot(merchant, 'complaint-merchant');
    await merchant.context().close();

    // The inspector sees the answer and closes the complaint as upheld.
    await insp.reload();
    await insp.getByTestId('complaint-thread').locator('li[data-author=merchant]', { hasText: answer }).waitFor();
    await insp.click('button[data-action=close]');
    const form = insp.getByTestId('complaint-close-form');
    await form.locator('input[name=outcome][value=agreement]').check();
    await form.locator('input[name=upheld][value=yes]').check();
    expect(await form.getByTestId('upheld-consequence').textContent()).toContain('CMP-01');
    await form.locator('#f-note').fill('经公平秤复核短秤150克，投诉属实；双方达成退还差价协议。');
    await shot(insp, 'complaint-close');
    await form.locator('button:has-text("确认结束调解")').click();
    await insp.getByTestId('complaint-status').filter({ hasText: '已办结' }).filter({ hasText: '经查属实' }).waitFor();
    await shot(insp, 'complaint-closed');
    await insp.context().close();

    // The deduction counts at once, by the rulebook's points for CMP-01.
    const api = await t.as('insp_a');
    const rulebook = (await api.get(`/api/cities/${t.fx.cities.X}/rulebook`)).json() as { rulebook: { items: { code: string; points: number }[] } };
    const points = rulebook.rulebook.items.find((i) => i.code === 'CMP-01')!.points;
    const after = (await api.get(`/api/merchants/${t.fx.merchants.A}/credit`)).json() as { score: number; events: { itemCode: string; status: string; source: string }[] };
    expect(after.events.find((e) => e.itemCode === 'CMP-01')).toMatchObject({ status: 'confirmed', source: 'complaint' });
    expect(points).toBeLessThan(0);
    expect(after.score).toBe(scoreBefore + points);

    // The scan page counts one upheld complaint.
    const res = await pub.goto(`${base}/p/merchants/${t.fx.merchants.A}`);
    expect(res?.status()).toBe(200);
    expect(await pub.locator('body').textContent()).toMatch(/收到消费投诉 1 件，经查属实 1 件/);
    await shot(pub, 'complaint-public-page');
    await phone.close();
  });
});
