import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './test-support/app.js';
import { startUpkeep } from './upkeep.js';

describe('upkeep', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite');
  });
  afterAll(async () => t?.close());

  it('re-scores every merchant of every city, so expired events and new rulebooks reach the stored stars', async () => {
    const upkeep = startUpkeep(t.ctx, 3_600_000, 3_600_000);
    await upkeep.runNow();
    await upkeep.stop();
    const stored = await t.ctx.dbHandle.db.selectFrom('merchant_credit').select(['merchant_id', 'stars']).execute();
    const merchants = await t.ctx.dbHandle.db.selectFrom('merchant').select('id').execute();
    expect(stored.map((s) => s.merchant_id).sort()).toEqual(merchants.map((m) => m.id).sort());
    expect(stored.every((s) => s.stars >= 1 && s.stars <= 5)).toBe(true);
    // The market page lists the stars it stored.
    const page = await t.app.inject({ method: 'GET', url: `/p/markets/${t.fx.markets.A}` });
    expect(page.body).toContain('★');
  });
});
