/**
 * Credit scoring micro-benchmark: scores synthetic merchants of 20 events each under the default
 * rulebook and prints one line of JSON: nanoseconds per merchant for quickScore (score and stars,
 * the nightly re-score) and scoreMerchant (with the counted list and explanation), for events in
 * occurred-at order (as the repository returns them) and shuffled, and the seconds a million
 * merchants would take.
 *
 *   npx tsx scripts/bench-credit-rules.ts
 *   MERCHANTS=1000000 npx tsx scripts/bench-credit-rules.ts
 */
import { DEFAULT_RULEBOOK } from '../src/modules/credit/credit.rulebook.default.js';
import { quickScore, scoreMerchant, type CreditEvent, type CreditEventStatus } from '../src/modules/credit/credit.rules.js';

const SCORINGS = Number(process.env.MERCHANTS ?? 1_000_000);
const EVENTS = Number(process.env.EVENTS ?? 20);
const POOL = 10_000; // distinct merchants, cycled through so memory stays small

let seed = 7;
const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
const rb = DEFAULT_RULEBOOK;
const now = new Date('2026-06-01T12:00:00+08:00');
const statuses: CreditEventStatus[] = ['confirmed', 'confirmed', 'confirmed', 'confirmed', 'proposed', 'objected', 'repaired', 'withdrawn'];

function merchant(m: number, sorted: boolean): CreditEvent[] {
  const events: CreditEvent[] = [];
  for (let k = 0; k < EVENTS; k++) {
    const item = rb.items[Math.floor(rand() * rb.items.length)]!;
    events.push({
      id: m * EVENTS + k,
      merchantId: m,
      itemCode: item.code,
      points: item.points,
      occurredAt: new Date(now.getTime() - Math.floor(rand() * 900) * 86_400_000),
      recordedBy: 1,
      source: 'inspection',
      status: statuses[Math.floor(rand() * statuses.length)]!,
      confirmedBy: 2,
      confirmedAt: null,
    });
  }
  if (sorted) events.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  return events;
}

const sortedPool = Array.from({ length: POOL }, (_, m) => merchant(m, true));
const shuffledPool = Array.from({ length: POOL }, (_, m) => merchant(m, false));

function nsPerMerchant(pool: CreditEvent[][], full: boolean, n: number): number {
  let sink = 0;
  for (let i = 0; i < 50_000; i++) sink += full ? scoreMerchant(pool[i % POOL]!, rb, now).score : quickScore(pool[i % POOL]!, rb, now).score; // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += full ? scoreMerchant(pool[i % POOL]!, rb, now).score : quickScore(pool[i % POOL]!, rb, now).score;
  const ns = Number(process.hrtime.bigint() - start) / n;
  if (sink < 0) console.log(sink); // keeps the result alive
  return Math.round(ns);
}

const quickSorted = nsPerMerchant(sortedPool, false, SCORINGS);
const quickShuffled = nsPerMerchant(shuffledPool, false, SCORINGS);
const fullSorted = nsPerMerchant(sortedPool, true, Math.min(SCORINGS, 300_000));
console.log(
  JSON.stringify({
    eventsPerMerchant: EVENTS,
    scorings: SCORINGS,
    quickScoreNsPerMerchant: quickSorted,
    quickScoreShuffledNsPerMerchant: quickShuffled,
    scoreMerchantNsPerMerchant: fullSorted,
    quickScoreSecondsPerMillion: Math.round(quickSorted / 10) / 100,
    scoreMerchantSecondsPerMillion: Math.round(fullSorted / 10) / 100,
  }),
);
