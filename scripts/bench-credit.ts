/**
 * Credit benchmark: N merchants (default 1,000,000 on PostgreSQL, 100,000 on the embedded PGlite)
 * with 20 credit events each, a full re-score of every merchant under a newly published rulebook,
 * then single events recorded one at a time while the public merchant page is polled until it
 * shows each change. Prints one line of JSON:
 *
 *   merchants, events           what was loaded
 *   load_s                      bulk load (SQL, triggers off: set-up, not measured work)
 *   full_rescore_s              publish a changed rulebook -> every merchant's score and stars stored
 *   event_to_page_p50/p99_ms    recordEvent (an inspector's deduction) -> the public page shows the new score
 *
 *   npm run bench:credit
 *   DATABASE_URL=postgres://… npm run bench:credit      # a scratch database on that server, dropped after
 *   MERCHANTS=200000 npm run bench:credit
 *
 * To iterate on the re-score without reloading (PostgreSQL only): BENCH_KEEP=1 keeps the scratch
 * database and prints its URL; BENCH_DB=<that URL> re-uses it (no load, never dropped). A re-used
 * database has scores already; a fresh one is scored once under the first rulebook before the
 * measured re-score, so `full_rescore_s` always replaces existing scores, as a city's would be.
 */
import { sql } from 'kysely';
import pino from 'pino';
import { loadConfig } from '../src/config/config.js';
import { buildServices } from '../src/context.js';
import { openPostgres } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { buildApp } from '../src/http/app.js';
import { actorOf, type By } from '../src/modules/auth/index.js';
import { DEFAULT_RULEBOOK } from '../src/modules/credit/index.js';
import { openBenchDb } from './bench-support.js';

const usePg = Boolean(process.env.DATABASE_URL);
const WANTED = Number(process.env.MERCHANTS ?? (usePg ? 1_000_000 : 100_000));
const EVENTS_EACH = 20;
const PROBES = Number(process.env.PROBES ?? 50);

const log = (s: string) => console.error(`bench: ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const REUSE = process.env.BENCH_DB;
const KEEP = process.env.BENCH_KEEP === '1';

async function openDb() {
  if (REUSE) return { handle: openPostgres(REUSE, 6), kind: 'postgres' as const, url: REUSE, drop: async () => {} };
  return openBenchDb(process.env.DATABASE_URL, 6);
}

async function main() {
  const { handle, kind, url, drop } = await openDb();
  try {
    await migrate(handle);
    const db = handle.db;
    const { config } = loadConfig({ MASHANG_DEMO: 'false', MASHANG_SIMULATE: 'false' });
    const ctx = buildServices(config, pino({ level: 'silent' }), handle);
    const app = await buildApp(ctx);
    await app.ready();
    const staffBy = async (username: string) => ({ actor: await actorOf(db, await db.selectFrom('staff').selectAll().where('username', '=', username).executeTakeFirstOrThrow()), requestId: 'bench' }) satisfies By;

    /** One city, its district, market, office, a bureau officer and an inspector; the merchants and their events. */
    async function load() {
      const city = await db.insertInto('city').values({ code: '460200', name: '三亚市', name_en: 'Sanya' }).returning('id').executeTakeFirstOrThrow();
      const district = await db.insertInto('district').values({ city_id: city.id, code: '460202', name: '吉阳区' }).returning('id').executeTakeFirstOrThrow();
      const market = await db.insertInto('market').values({ district_id: district.id, name: '新鸿港市场' }).returning('id').executeTakeFirstOrThrow();
      const office = await db.insertInto('office').values({ city_id: city.id, name: '吉阳市场监管所' }).returning('id').executeTakeFirstOrThrow();
      await db.insertInto('office_district').values({ office_id: office.id, district_id: district.id }).execute();
      const staff = async (username: string, role: string, extra: Record<string, unknown>) => {
        const row = await db.insertInto('staff').values({ username, display_name: username, password_hash: 'x', role, ...extra } as never).returningAll().executeTakeFirstOrThrow();
        return { actor: await actorOf(db, row), requestId: 'bench' } satisfies By;
      };
      const bureau = await staff('bench_bureau', 'city_bureau', { city_id: city.id });
      const inspector = await staff('bench_inspector', 'office_inspector', { city_id: city.id, office_id: office.id });

      log(`loading ${WANTED} merchants and ${WANTED * EVENTS_EACH} events (${kind})`);
      const triggers = ['merchant_public_touch', 'credit_event_public_touch'];
      await sql`alter table merchant disable trigger merchant_public_touch`.execute(db);
      await sql`alter table credit_event disable trigger credit_event_public_touch`.execute(db);
      const CHUNK = 100_000;
      for (let from = 1; from <= WANTED; from += CHUNK) {
        const to = Math.min(WANTED, from + CHUNK - 1);
        await sql`insert into merchant (has_uscc, uscc, name, legal_rep, entity_type, district_id, market_id, categories)
          select false, null, '海鲜商户' || g, '经营者' || g, '个体工商户', ${district.id}, ${market.id}, '{seafood}'
          from generate_series(${from}::int, ${to}::int) g`.execute(db);
      }
      const { min, max } = (await sql<{ min: number; max: number }>`select min(id)::int as min, max(id)::int as max from merchant`.execute(db)).rows[0]!;
      // 20 events each from the default rulebook's items, spread over the last two years, mostly confirmed.
      const items = DEFAULT_RULEBOOK.items.filter((i) => i.category !== 'pledge');
      const codes = items.map((i) => i.code);
      const points = items.map((i) => i.points);
      // Set-up speed only: the event indexes are built once after the load rather than row by row.
      const indexes = (await sql<{ name: string; def: string }>`select indexname as name, indexdef as def from pg_indexes where tablename = 'credit_event' and indexname in ('credit_event_merchant_idx', 'credit_event_status_idx')`.execute(db)).rows;
      for (const ix of indexes) await sql`drop index ${sql.id(ix.name)}`.execute(db);
      const EV_CHUNK = Math.max(1, Math.floor(500_000 / EVENTS_EACH));
      for (let from = min; from <= max; from += EV_CHUNK) {
        const to = Math.min(max, from + EV_CHUNK - 1);
        await sql`insert into credit_event (merchant_id, item_code, points, occurred_at, recorded_at, source, status, evidence, confirmed_at, confirmed_by)
          select m, (${codes}::text[])[1 + (m * 7 + k * 13) % ${codes.length}], (${points}::int[])[1 + (m * 7 + k * 13) % ${codes.length}],
                 now() - ((m * 31 + k * 17) % 720) * interval '1 day', now(), 'inspection',
                 case when (m + k) % 10 = 0 then 'proposed' else 'confirmed' end, 'bench', now() - ((m * 31 + k * 17) % 720) * interval '1 day', ${inspector.actor.staffId}
          from generate_series(${from}::int, ${to}::int) m, generate_series(1, ${EVENTS_EACH}) k`.execute(db);
        if (((from - min) / EV_CHUNK) % 10 === 0) log(`  events for merchants up to ${to}`);
      }
      for (const ix of indexes) await sql.raw(ix.def).execute(db);
      for (const tr of triggers) await sql`alter table ${sql.raw(tr.startsWith('merchant') ? 'merchant' : 'credit_event')} enable trigger ${sql.raw(tr)}`.execute(db);
      // As autovacuum leaves a table that grew by inserts: statistics and the visibility map (index-only scans) up to date.
      if (kind === 'postgres') await sql`vacuum analyze`.execute(db);
      else await sql`analyze`.execute(db);
      return { city, bureau, inspector, min, merchants: WANTED };
    }

    /** A database loaded by an earlier run with BENCH_KEEP=1. */
    async function reuse() {
      const city = await db.selectFrom('city').select('id').where('code', '=', '460200').executeTakeFirstOrThrow();
      const { min, n } = (await sql<{ min: number; n: number }>`select min(id)::int as min, count(*)::int as n from merchant`.execute(db)).rows[0]!;
      log(`re-using ${n} merchants in ${REUSE}`);
      return { city, bureau: await staffBy('bench_bureau'), inspector: await staffBy('bench_inspector'), min, merchants: n };
    }

    const t0 = performance.now();
    const loaded = REUSE ? await reuse() : await load();
    const { city, bureau, inspector, min, merchants: MERCHANTS } = loaded;
    const loadS = (performance.now() - t0) / 1000;
    if (!REUSE) log(`loaded in ${loadS.toFixed(1)} s`);
    if (KEEP && url) log(`kept: BENCH_DB=${url}`);

    // ---------------- scores under the first rulebook (a fresh load has none yet): not measured
    await ctx.credit.rulebookFor(city.id);
    let initialScoreS: number | null = null;
    const scored = (await sql<{ n: number }>`select count(*)::int as n from merchant_credit`.execute(db)).rows[0]!.n;
    if (scored < MERCHANTS) {
      const i0 = performance.now();
      await ctx.credit.rescoreCity(city.id, 'bench: first scores');
      initialScoreS = (performance.now() - i0) / 1000;
      log(`first scores in ${initialScoreS.toFixed(1)} s`);
    }

    // ---------------- full re-score under a changed rulebook (every deduction one point milder)
    const changed = { ...DEFAULT_RULEBOOK, items: DEFAULT_RULEBOOK.items.map((i) => (i.points < -1 ? { ...i, points: i.points + 1 } : i)) };
    const r0 = performance.now();
    const published = await ctx.credit.publishRulebook(bureau, city.id, changed);
    const fullRescoreS = (performance.now() - r0) / 1000;
    const stored = (await sql<{ n: number }>`select count(*)::int as n from merchant_credit where rulebook_id = ${published.id}`.execute(db)).rows[0]!.n;
    log(`re-scored ${published.rescored} merchants (${stored} stored under v${published.version}) in ${fullRescoreS.toFixed(1)} s`);
    // ---------------- single events -> public page
    const latencies: number[] = [];
    for (let i = 0; i < PROBES; i++) {
      const merchantId = min + Math.floor(((i * 7919) % MERCHANTS));
      const url = `/p/merchants/${merchantId}`;
      await app.inject({ method: 'GET', url }); // hot in the cache first
      const before = (await db.selectFrom('merchant_credit').select('score').where('merchant_id', '=', merchantId).executeTakeFirstOrThrow()).score;
      const s0 = performance.now();
      await ctx.credit.recordEvent(inspector, { merchantId, itemCode: 'PRC-01', occurredAt: new Date(), evidence: `bench probe ${i}` });
      const after = (await db.selectFrom('merchant_credit').select('score').where('merchant_id', '=', merchantId).executeTakeFirstOrThrow()).score;
      const needle = `信用分 ${after} 分`;
      for (;;) {
        const res = await app.inject({ method: 'GET', url });
        if (after === before || res.body.includes(needle)) break;
        if (performance.now() - s0 > 10_000) throw new Error(`page for merchant ${merchantId} did not show score ${after} within 10 s`);
        await sleep(2);
      }
      latencies.push(performance.now() - s0);
    }
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! * 10) / 10;

    await app.close();
    console.log(
      JSON.stringify({
        db: kind,
        merchants: MERCHANTS,
        events: MERCHANTS * EVENTS_EACH,
        load_s: Math.round(loadS * 10) / 10,
        first_score_s: initialScoreS === null ? null : Math.round(initialScoreS * 10) / 10,
        full_rescore_s: Math.round(fullRescoreS * 10) / 10,
        rescored: published.rescored,
        event_to_page_p50_ms: pct(0.5),
        event_to_page_p99_ms: pct(0.99),
        probes: latencies.length,
        rss_mb: Math.round(process.memoryUsage().rss / 1e6),
      }),
    );
  } finally {
    await handle.close().catch(() => {});
    if (!KEEP) await drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
