/**
 * What every browser journey needs: Debian's Chromium (skipped with one line outside CI when absent,
 * required in CI), the service listening on a free port with the fixtures, signing in, screenshots.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { describe } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { FIXTURE_PASSWORD, type TestApp } from '../../src/test-support/app.js';
import { WEB_DIST } from '../../src/http/app.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium && !process.env.CI) console.log(`browser tests skipped: ${CHROMIUM} not found (apt-get install chromium)`);

/** `describe` when Chromium is there or in CI (where its absence must fail), else `describe.skip`. */
export const browserSuite = hasChromium || process.env.CI ? describe : describe.skip;

/** Starts the app on a free port and a headless Chromium; throws with the reason when either cannot run. */
export async function startBrowserJourney(t: TestApp): Promise<{ browser: Browser; base: string }> {
  if (!hasChromium) throw new Error(`${CHROMIUM} not found: browser tests need Chromium in CI (apt-get install chromium)`);
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error('web/dist is not built: run `npm run build:web` first');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { browser, base };
}

/** A new browser context signed in as a fixture user, on the overview page. */
export async function signIn(browser: Browser, base: string, username: string, viewport = { width: 1366, height: 860 }): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport });
  const page = await context.newPage();
  await page.goto(`${base}/admin/`);
  await page.fill('#login-username', username);
  await page.fill('#login-password', FIXTURE_PASSWORD);
  await page.click('button[type=submit]');
  await page.getByTestId('who').waitFor();
  return page;
}

/** Keeps a full-page screenshot when MASHANG_SCREENSHOTS names a folder. */
export async function shot(page: Page, name: string) {
  const dir = process.env.MASHANG_SCREENSHOTS;
  if (dir) await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
