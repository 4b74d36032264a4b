/**
 * The bulk re-score sums counted points in SQL; the public page explains the score with
 * scoreMerchant. This holds the two together on a varied city: every item and status, recorded
 * points harsher, milder and of the other sign (从旧兼从轻), events on both sides of the expiry and
 * `now` instants to the microsecond, ties, caps passed, objections, unknown items, missing
 * confirmation, under the default rulebook and under a changed one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { TEST_DB_KINDS, openTestDb, type TestDb } from '../../test-support/db.js';
import { createRegistryService } from '../registry/index.js';
import { createCreditService, DEFAULT_RULEBOOK, scoreMerchant, toRuleEvent, type CreditRulebook } from './index.js';
import { actorOf, type By } from '../auth/index.js';

const DAY = 86_400_000;
const OFFSET = 8 * 3_600_000;
const NOW = new Date('2026-06-15T03:17:42.345Z');
const MERCHANTS = 240;

/** A changed rulebook: some items milder, some harsher, caps moved, a deduction turned bonus, an item dropped. */
const CHANGED: CreditRulebook = {
  ...DEFAULT_RULEBOOK,
  items: DEFAULT_RULEBOOK.items
    .filter((i) => i.code !== 'PRC-03')
    .map((i, k) => {
      if (i.code === 'VID-03') return { ...i, points: 3 };
      if (i.code === 'CAP-01') return { ...i, points: -8, maxPerPeriod: 12, validForDays: 200 };
      if (i.code === 'PEN-03') return { ...i, maxPerPeriod: 45 };
      if (i.points < 0) return { ...i, points: k % 2 ? i.points + 2 : i.points - 1, maxPerPeriod: i.maxPerPeriod == null ? null : Math.max(Math.abs(i.points) + 2, i.maxPerPeriod - 3) };
      return i;
    }),
};

describe.each(TEST_DB_KINDS)('bulk re-score agrees with scoreMerchant on %s', (kind) => {
  let db: TestDb;
  let credit: ReturnType<typeof createCreditService>;
  let cityId: number;
  let bureau: By;

  beforeAll(async () => {
    db = await openTestDb(kind);
    const q = db.db;
    const city = await q.insertInto('city').values({ code: '460200', name: '测试市', name_en: 'Testcity' }).returning('id').executeTakeFirstOrThrow();
    cityId = city.id;
    const district = await q.insertInto('district').values({ city_id: city.id, code: '460202', name: '甲区' }).returning('id').executeTakeFirstOrThrow();
    const staff = await q.insertInto('staff').values({ username: 'bureau', display_name: 'bureau', password_hash: 'x', role: 'city_bureau', city_id: city.id } as never).returningAll().executeTakeFirstOrThrow();
    bureau = { actor: await actorOf(q, staff), requestId: 'test' };
    await sql`insert into merchant (has_uscc, uscc, name, legal_rep, entity_type, district_id, categories, created_at)
      select false, null, '商户' || g, '经营者' || g, '个体工商户', ${district.id}, '{seafood}', ${new Date(NOW.getTime() - 400 * DAY)} from generate_series(1, ${MERCHANTS}) g`.execute(q);
    const ids = (await q.selectFrom('merchant').select('id').orderBy('id').execute()).map((r) => r.id);

    let seed = 7;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    const items = [...DEFAULT_RULEBOOK.items, { code: 'ZZ-99', points: -4, validForDays: 365 }];
    const statuses = ['proposed', 'confirmed', 'confirmed', 'confirmed', 'confirmed', 'objected', 'objected', 'withdrawn', 'repaired'];
    const nowDay = Math.floor((NOW.getTime() + OFFSET) / DAY);
    // A timestamp with microseconds, as PostgreSQL keeps it.
    const at = (ms: number, micros = 0) => new Date(ms).toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);
    const values: string[] = [];
    const shared = NOW.getTime() - 100 * DAY; // several events at the same instant: ties
    for (const id of ids) {
      const n = Math.floor(rand() * 28);
      for (let k = 0; k < n; k++) {
        const it = pick(items);
        const valid = pick([it.validForDays, 200, 365, 730]);
        const boundary = (nowDay - valid + 1) * DAY - OFFSET;
        const when = pick([
          () => at(NOW.getTime() - Math.floor(rand() * 900 * DAY)),
          () => at(boundary - 1, pick([0, 999])),
          () => at(boundary, pick([0, 1, 500])),
          () => at(boundary - 1, 500),
          () => at(NOW.getTime(), pick([0, 500, 999])),
          () => at(NOW.getTime() + 1),
          () => at(NOW.getTime() + 3 * DAY),
          () => at(shared),
          () => at(shared),
        ])();
        const recorded = pick([it.points, it.points, it.points - 3, it.points + 2, -it.points, 2]);
        const status = pick(statuses);
        const confirmedBy = rand() < 0.85 ? staff.id : null;
        values.push(`(${id}, '${it.code}', ${recorded}, '${when}', '${status}', ${confirmedBy ?? 'null'}, 'inspection', 'test')`);
      }
    }
    // Merchants made to need the replay: a capped item passed by events of both signs, and by an objected event.
    const [m1, m2] = ids;
    for (let k = 0; k < 6; k++) values.push(`(${m1}, 'CMP-01', ${k % 2 ? 2 : -3}, '${at(NOW.getTime() - (10 + k) * DAY)}', 'confirmed', ${staff.id}, 'complaint', 'test')`);
    for (let k = 0; k < 6; k++) values.push(`(${m2}, 'PRC-01', -5, '${at(NOW.getTime() - (10 + k) * DAY)}', '${k === 5 ? 'objected' : 'confirmed'}', ${staff.id}, 'inspection', 'test')`);
    for (let i = 0; i < values.length; i += 500)
      await sql.raw(`insert into credit_event (merchant_id, item_code, points, occurred_at, status, confirmed_by, source, evidence) values ${values.slice(i, i + 500).join(',')}`).execute(q);

    credit = createCreditService(q, createRegistryService(q, { timezone: 'Asia/Shanghai' }), { timezone: 'Asia/Shanghai', now: () => NOW });
  });
  afterAll(async () => db?.cleanup());

  async function expectAgreement(rb: CreditRulebook) {
    const rows = await db.db.selectFrom('credit_event').selectAll().orderBy('id', 'desc').execute();
    const stored = new Map((await db.db.selectFrom('merchant_credit').selectAll().execute()).map((r) => [r.merchant_id, r]));
    const byMerchant = new Map<number, ReturnType<typeof toRuleEvent>[]>();
    for (const r of rows) (byMerchant.get(r.merchant_id) ?? byMerchant.set(r.merchant_id, []).get(r.merchant_id)!).push(toRuleEvent(r));
    const merchants = await db.db.selectFrom('merchant').select('id').execute();
    expect(stored.size).toBe(merchants.length);
    const scores = new Set<number>();
    for (const { id } of merchants) {
      const s = scoreMerchant(byMerchant.get(id) ?? [], rb, NOW);
      const got = stored.get(id)!;
      expect({ id, score: got.score, stars: got.stars, underObjection: got.under_objection }).toEqual({ id, score: s.score, stars: s.stars, underObjection: s.underObjection });
      scores.add(s.score);
    }
    // A varied city: many different scores, stars from one to five.
    expect(scores.size).toBeGreaterThan(20);
    return stored;
  }

  it('scores every merchant as the explanation does, under the default rulebook', async () => {
    const n = await credit.rescoreCity(cityId, 'first', { batch: 37, parallel: kind === 'postgres' ? 2 : 1 });
    expect(n).toBe(MERCHANTS);
    const stored = await expectAgreement((await credit.rulebookFor(cityId)).rulebook);
    expect(new Set([...stored.values()].map((r) => r.stars))).toEqual(new Set([1, 2, 3, 4, 5]));
    const history = await db.db.selectFrom('credit_star_history').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(history.n)).toBe(MERCHANTS);
  });

  it('re-scores everyone under a changed rulebook, and keeps a star history row only where the stars moved', async () => {
    const before = new Map((await db.db.selectFrom('merchant_credit').select(['merchant_id', 'stars']).execute()).map((r) => [r.merchant_id, r.stars]));
    const published = await credit.publishRulebook(bureau, cityId, CHANGED);
    expect(published.rescored).toBe(MERCHANTS);
    const stored = await expectAgreement((await credit.rulebookFor(cityId)).rulebook);
    const moved = [...stored.values()].filter((r) => r.stars !== before.get(r.merchant_id)).map((r) => r.merchant_id);
    expect(moved.length).toBeGreaterThan(0);
    const newRows = await db.db.selectFrom('credit_star_history').select('merchant_id').where('cause', '=', `rulebook v${published.version}`).execute();
    expect(newRows.map((r) => r.merchant_id).sort((a, b) => a - b)).toEqual(moved.sort((a, b) => a - b));
    expect([...stored.values()].every((r) => r.rulebook_id === published.id)).toBe(true);
  });
});
