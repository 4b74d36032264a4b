/**
 * Pure parts of the scale simulator: a seeded random source, realistic sales, injected anomalies,
 * the protocol v1 message form (seq, ts with +08:00, mac), and a latency histogram. No I/O.
 */
import { ByteWriter } from '../../shared/byte-writer.js';
import { hmacSha256 } from '../../shared/hmac.js';
import { macOf } from '../ingest/index.js';

/** A product as a merchant's scale knows it: its code, printed name, usual price and the cap in force. */
export interface SimProduct {
  plu: string;
  name: string;
  /** The merchant's usual price; a little below the cap when there is one. */
  unitPriceFenPerKg: number;
  capFenPerKg: number | null;
  /** seafood | fruit | ...: decides realistic weights. */
  category?: string;
}

/** One simulated scale: what provisioning hands the simulator. */
export interface SimScaleSpec {
  deviceId: string;
  /** base64url, 32 bytes. */
  secret: string;
  maxCapacityG: number;
  products: SimProduct[];
  /** The first seq to use: one more than the highest the platform holds (a real scale remembers it). */
  firstSeq?: number;
  /** The platform's scale id, when known (tests, reports). */
  scaleId?: number;
}

/** Shares of sales (0..1, each drawn independently per sale) that carry an anomaly. */
export interface AnomalyShares {
  /** Unit price 5–40 % above the cap (on a capped product). */
  overCap: number;
  /** total_fen off by more than the rounding tolerance. */
  arithmetic: number;
  /** A seq skipped before the sale: never sent. */
  gap: number;
  /** A tamper event before the sale. */
  tamper: number;
  /** The sale sent twice. */
  duplicate: number;
  /** A unit_change_attempt event before the sale. */
  unitChange: number;
  /** A calibration event (with no authorised order) before the sale. */
  calibration: number;
}

export const NO_ANOMALIES: AnomalyShares = { overCap: 0, arithmetic: 0, gap: 0, tamper: 0, duplicate: 0, unitChange: 0, calibration: 0 };

// ---------------------------------------------------------------- random source

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(xs: readonly T[]): T;
}

/** sfc32 seeded through splitmix32: fast, good enough, the same sequence for the same seed everywhere. */
export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
  };
}

/** A seed for scale `index` of a fleet seeded with `seed`. */
export const scaleSeed = (seed: number, index: number) => (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;

// ---------------------------------------------------------------- what a scale sells

/** Net weights people buy, in grams: seafood 0.3–3 kg, fruit 0.5–5 kg. */
export function weightRangeG(category: string | undefined): [number, number] {
  if (category === 'seafood' || category === 'seafood_processing') return [300, 3000];
  if (category === 'fruit') return [500, 5000];
  if (category === 'vegetables') return [250, 3000];
  return [200, 3000];
}

/** The merchant's usual price for a capped product: 80–97 % of the cap, to the jiao (10 fen). */
export function usualPriceBelowCap(rng: Rng, capFenPerKg: number): number {
  return Math.max(10, Math.min(capFenPerKg, Math.round((capFenPerKg * (0.8 + rng.next() * 0.17)) / 10) * 10));
}

/** An over-cap price: 5–40 % above the cap, to the jiao, always above it. */
export function overCapPrice(rng: Rng, capFenPerKg: number): number {
  return Math.max(capFenPerKg + 1, Math.round((capFenPerKg * (1.05 + rng.next() * 0.35)) / 10) * 10);
}

export interface TxBody {
  plu: string;
  name: string;
  weight_g: number;
  tare_g: number;
  unit_price_fen_per_kg: number;
  total_fen: number;
}
export interface EventBody {
  type: 'power_on' | 'power_off' | 'heartbeat' | 'calibration' | 'config_change' | 'unit_change_attempt' | 'tamper' | 'clock_set';
  actor?: string;
  detail?: Record<string, unknown>;
}

/** What one sale turns into: events that come before it, seqs skipped, the sale itself, how often it goes out. */
export interface SalePlan {
  events: EventBody[];
  /** Skip one seq before the sale (an injected gap). */
  gap: boolean;
  tx: TxBody;
  overCap: boolean;
  arithmetic: boolean;
  duplicate: boolean;
}

// A scale's products are fixed for its life: its capped ones are picked out once.
const cappedCache = new WeakMap<readonly SimProduct[], SimProduct[]>();
const NONE_CAPPED: SimProduct[] = [];
function cappedOf(products: readonly SimProduct[]): SimProduct[] {
  let capped = cappedCache.get(products);
  if (!capped) cappedCache.set(products, (capped = products.filter((p) => p.capFenPerKg !== null)));
  return capped;
}

/**
 * The next sale of a scale. Every share is drawn on every call in a fixed order, so the same seed
 * gives the same sales whatever the timing. `toleranceFen`: the platform's rounding tolerance.
 */
export function planSale(rng: Rng, spec: Pick<SimScaleSpec, 'products' | 'maxCapacityG'>, shares: AnomalyShares, toleranceFen: number): SalePlan {
  const roll = { gap: rng.next(), tamper: rng.next(), unit: rng.next(), calib: rng.next(), over: rng.next(), arith: rng.next(), dup: rng.next() };
  const events: EventBody[] = [];
  if (roll.tamper < shares.tamper) events.push({ type: 'tamper', detail: { sensor: rng.pick(['seal_broken', 'case_opened', 'load_cell_bypass']) } });
  if (roll.unit < shares.unitChange) events.push({ type: 'unit_change_attempt', detail: { from: 'kg', to: rng.pick(['jin', 'lb']) } });
  if (roll.calib < shares.calibration) events.push({ type: 'calibration', actor: `JL${rng.int(100000, 999999)}`, detail: { points_g: [0, 5000, 15000] } });

  const capped = roll.over < shares.overCap ? cappedOf(spec.products) : NONE_CAPPED;
  const overCap = capped.length > 0;
  const product = overCap ? rng.pick(capped) : rng.pick(spec.products);
  const price = overCap ? overCapPrice(rng, product.capFenPerKg!) : product.unitPriceFenPerKg;

  const tareG = rng.next() < 0.5 ? 0 : rng.int(2, 30) * 5;
  const [lo, hi] = weightRangeG(product.category);
  const top = Math.max(5, Math.min(hi, spec.maxCapacityG - tareG));
  const bottom = Math.min(lo, top);
  const weightG = Math.max(1, Math.min(spec.maxCapacityG, Math.round((bottom + rng.next() * (top - bottom)) / 5) * 5));

  const expected = Math.round((weightG * price) / 1000);
  let total = expected;
  const arithmetic = roll.arith < shares.arithmetic;
  if (arithmetic) {
    const off = toleranceFen + 1 + rng.int(0, Math.max(20, Math.round(expected * 0.1)));
    // Mostly overcharging; undercharging only where the total stays above zero.
    total = rng.next() < 0.8 || expected - off < 0 ? expected + off : expected - off;
  }
  return {
    events,
    gap: roll.gap < shares.gap,
    tx: { plu: product.plu, name: product.name, weight_g: weightG, tare_g: tareG, unit_price_fen_per_kg: price, total_fen: total },
    overCap,
    arithmetic,
    duplicate: roll.dup < shares.duplicate,
  };
}

// ---------------------------------------------------------------- the wire form

const CST_MS = 8 * 3_600_000;
let lastTsSecond = NaN;
let lastTs = '';

/** RFC 3339 with the +08:00 offset the scales in China use, to the second. */
export function formatTs(ms: number): string {
  // A fleet stamps thousands of messages within one second: format each second once.
  const second = Math.floor(ms / 1000);
  if (second !== lastTsSecond) {
    lastTsSecond = second;
    lastTs = new Date(second * 1000 + CST_MS).toISOString().slice(0, 19) + '+08:00';
  }
  return lastTs;
}

export type Channel = 'tx' | 'event';

/** A signed message, serialised once: sent (and sent again) as these exact bytes (UTF-8 JSON). */
export interface Signed {
  seq: number;
  channel: Channel;
  bytes: Buffer;
}

/** Builds and signs message `seq`: `{v, seq, ts, ...body, mac}`. */
export function signMessage(secret: Buffer, seq: number, tsMs: number, body: TxBody | EventBody, receiptNo?: string): Signed {
  const ts = formatTs(tsMs);
  if ('plu' in body) return signSale(secret, seq, ts, body, receiptNo);
  const message: Record<string, unknown> = { v: 1, seq, ts, ...body };
  message.mac = macOf(secret, message);
  return { seq, channel: 'event', bytes: Buffer.from(JSON.stringify(message)) };
}

// Both forms of a sale are written as bytes into these (one event loop: reused by every sale).
const canonicalW = new ByteWriter(1024);
const wireW = new ByteWriter(1024);

/**
 * A sale as a scale's firmware would write it: the canonical form (RFC 8785, members in sorted
 * order) spelt out for the fixed members of a sale, then the wire form in the firmware's own order.
 * Both equal what macOf and JSON.stringify give (tested), at a fraction of the cost.
 */
function signSale(secret: Buffer, seq: number, ts: string, b: TxBody, receiptNo?: string): Signed {
  const c = canonicalW.reset().utf8('{"name":').jsonString(b.name).utf8(',"plu":').jsonString(b.plu);
  if (receiptNo !== undefined) c.utf8(',"receipt_no":').jsonString(receiptNo);
  c.utf8(',"seq":').int(seq).utf8(',"tare_g":').int(b.tare_g).utf8(',"total_fen":').int(b.total_fen).utf8(',"ts":').jsonString(ts);
  c.utf8(',"unit_price_fen_per_kg":').int(b.unit_price_fen_per_kg).utf8(',"v":1,"weight_g":').int(b.weight_g).byte(125);
  const mac = hmacSha256(secret, c.bytes(), 'base64url');
  const w = wireW.reset().utf8('{"v":1,"seq":').int(seq).utf8(',"ts":').jsonString(ts).utf8(',"plu":').jsonString(b.plu).utf8(',"name":').jsonString(b.name);
  w.utf8(',"weight_g":').int(b.weight_g).utf8(',"tare_g":').int(b.tare_g).utf8(',"unit_price_fen_per_kg":').int(b.unit_price_fen_per_kg).utf8(',"total_fen":').int(b.total_fen);
  if (receiptNo !== undefined) w.utf8(',"receipt_no":').jsonString(receiptNo);
  w.utf8(',"mac":"').utf8(mac).utf8('"}');
  return { seq, channel: 'tx', bytes: Buffer.from(w.bytes()) };
}

/** `[a,b,...]` of messages' bytes, with `before` and `after` around it: one allocation. */
function joined(items: readonly Signed[], before: string, after: string): Buffer {
  let size = before.length + after.length + 1 + items.length;
  for (const s of items) size += s.bytes.length;
  const out = Buffer.allocUnsafe(size);
  let at = out.write(before, 0, 'latin1');
  out[at++] = 91;
  for (let i = 0; i < items.length; i++) {
    if (i) out[at++] = 44;
    at += items[i]!.bytes.copy(out, at);
  }
  out[at++] = 93;
  out.write(after, at, 'latin1');
  return out;
}

/** One MQTT payload: a single message stays an object, more become an array. */
export const payloadOf = (items: readonly Signed[]): Buffer => (items.length === 1 ? items[0]!.bytes : joined(items, '', ''));

/** One HTTP request body: `{"messages":[...]}`. */
export const httpBodyOf = (items: readonly Signed[]): Buffer => joined(items, '{"messages":', '}');

/**
 * Splits messages (oldest first) into payloads of at most `max`, keeping seq order; with
 * `byChannel` (MQTT) a payload holds one channel only, so a run of events breaks a run of sales.
 */
export function batchesOf(items: readonly Signed[], max: number, byChannel: boolean): Signed[][] {
  const out: Signed[][] = [];
  let cur: Signed[] = [];
  for (const s of items) {
    if (cur.length === max || (byChannel && cur.length && cur[0]!.channel !== s.channel)) {
      out.push(cur);
      cur = [];
    }
    cur.push(s);
  }
  if (cur.length) out.push(cur);
  return out;
}

// ---------------------------------------------------------------- latency

/** Log-bucketed latencies (2 % resolution, 0.1 ms to ~17 min): constant memory, cheap to record. */
export class LatencyHistogram {
  private static readonly BASE = Math.log(1.02);
  private readonly buckets = new Uint32Array(900);
  count = 0;
  record(ms: number) {
    const units = Math.max(1, ms * 10);
    const i = Math.min(this.buckets.length - 1, Math.ceil(Math.log(units) / LatencyHistogram.BASE));
    this.buckets[i]!++;
    this.count++;
  }
  /** The p-th percentile (0..100) in ms, to 2 %; null when empty. */
  percentile(p: number): number | null {
    if (!this.count) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return Math.round(Math.exp(i * LatencyHistogram.BASE) * 10) / 100;
    }
    return null;
  }
  reset() {
    this.buckets.fill(0);
    this.count = 0;
  }
}
