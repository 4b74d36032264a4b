/**
 * Judge benchmark: loads the demo city (with its controlled prices and PLU mappings) into an
 * in-memory PGlite, then calls pricing.judge() in a tight loop over the demo merchants' sales and
 * prints one line of JSON: nanoseconds per call for a mapped plu, an unmapped plu whose printed
 * name matches a controlled product, and one that matches nothing; and the snapshot reload time.
 *
 *   npx tsx scripts/bench-judge.ts
 *   CALLS=5000000 npx tsx scripts/bench-judge.ts
 */
import pino from 'pino';
import { loadConfig } from '../src/config/config.js';
import { buildServices } from '../src/context.js';
import { openPGlite } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { loadDemo } from '../src/modules/demo/index.js';
import { DEMO_CATALOGUE, type SaleInput } from '../src/modules/pricing/index.js';

const CALLS = Number(process.env.CALLS ?? 2_000_000);

const handle = await openPGlite();
await migrate(handle);
const ctx = buildServices(loadConfig({ MASHANG_DEMO: 'true' }).config, pino({ level: 'silent' }), handle);
await ctx.pricing.ready();
let t = performance.now();
const demo = await loadDemo(ctx);
const demoMs = performance.now() - t;

const db = handle.db;
const sanya = (await db.selectFrom('city').select('id').where('code', '=', '460200').executeTakeFirstOrThrow()).id;
const merchants = (await db.selectFrom('merchant_plu').select('merchant_id').distinct().execute()).map((r) => r.merchant_id);
const now = new Date();
const catalogue = DEMO_CATALOGUE['460200'];
const mapped: SaleInput[] = [];
for (const merchantId of merchants.slice(0, 200)) {
  for (const row of ctx.pricing.pluTable(merchantId, sanya, now)) mapped.push({ merchantId, cityId: sanya, plu: row.plu, name: row.productName, unitPriceFenPerKg: (row.capFenPerKg ?? 10000) + 100, at: now });
}
const unmappedMatching = catalogue.map((p, i) => ({ merchantId: merchants[i % merchants.length]!, cityId: sanya, plu: `9${p.plu}`, name: `鲜活${p.name}`, unitPriceFenPerKg: p.capFenPerKg, at: now }));
const unrelated = ['大白菜', '五花肉', '鸡蛋', '土豆', '西红柿'].map((name, i) => ({ merchantId: merchants[i]!, cityId: sanya, plu: '8888', name, unitPriceFenPerKg: 500, at: now }));

function nsPerCall(sales: readonly SaleInput[]): number {
  let over = 0;
  for (let i = 0; i < 100_000; i++) over += ctx.pricing.judge(sales[i % sales.length]!).overCap ? 1 : 0; // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) over += ctx.pricing.judge(sales[i % sales.length]!).overCap ? 1 : 0;
  const ns = Number(process.hrtime.bigint() - start) / CALLS;
  if (over < 0) console.log(over); // keeps the loop's result alive
  return Math.round(ns * 10) / 10;
}

const result = {
  demoLoadS: Math.round(demoMs) / 1000,
  demoCounts: demo.counts,
  calls: CALLS,
  mappedNsPerCall: nsPerCall(mapped),
  overCap: ctx.pricing.judge(mapped[0]!).overCap,
  unmappedMatchingNsPerCall: nsPerCall(unmappedMatching),
  unmappedUnrelatedNsPerCall: nsPerCall(unrelated),
  snapshotReloadMs: 0,
};
t = performance.now();
await ctx.pricing.refresh();
result.snapshotReloadMs = Math.round((performance.now() - t) * 10) / 10;
console.log(JSON.stringify(result));
ctx.pricing.close();
await handle.close();
