import { describe, expect, it } from 'vitest';
import { macOf, parseScaleMessage } from '../ingest/index.js';
import {
  batchesOf,
  createRng,
  formatTs,
  LatencyHistogram,
  merchantProducts,
  NO_ANOMALIES,
  httpBodyOf,
  payloadOf,
  planSale,
  signMessage,
  SimulatedScale,
  type Ack,
  type Link,
  type Signed,
  type SimProduct,
} from './index.js';

type ParseContext = Parameters<typeof parseScaleMessage>[1];
const SECRET = Buffer.alloc(32, 7);
const parseCtx = (channel: ParseContext['channel'], now = new Date()): ParseContext => ({ channel, maxCapacityG: 30000, secret: SECRET, now, backfillDays: 7 });
const PRODUCTS: SimProduct[] = [
  { plu: '1001', name: '石斑鱼', unitPriceFenPerKg: 14800, capFenPerKg: 16000, category: 'seafood' },
  { plu: '1013', name: '生蚝', unitPriceFenPerKg: 3600, capFenPerKg: 4000, category: 'seafood' },
  { plu: '2001', name: '芒果', unitPriceFenPerKg: 1800, capFenPerKg: null, category: 'fruit' },
];
const SPEC = { products: PRODUCTS, maxCapacityG: 30000 };

describe('the wire form', () => {
  it('reproduces the specification test vector', () => {
    const ms = Date.parse('2026-06-27T10:31:05+08:00');
    const s = signMessage(SECRET, 42, ms, { plu: '1001', name: '石斑鱼', weight_g: 1250, tare_g: 0, unit_price_fen_per_kg: 16000, total_fen: 20000 });
    expect(JSON.parse(s.bytes.toString())).toMatchObject({ ts: '2026-06-27T10:31:05+08:00', mac: 'WOjr9ryXHoeARgjiKguMDmb7LqvIEGBEGj8eC5FUN14' });
    expect(s).toMatchObject({ seq: 42, channel: 'tx' });
  });

  it('writes and signs a sale exactly as the generic serialisers would', () => {
    const ms = Date.parse('2026-06-27T10:31:05+08:00');
    for (const [i, name] of ['石斑鱼', 'a"b\\c', '🐟\n鱼'].entries()) {
      const body = { plu: `10${i}`, name, weight_g: 1250 + i, tare_g: i * 5, unit_price_fen_per_kg: 16000, total_fen: 20000 - i };
      for (const receipt of [undefined, `R-"${i}`]) {
        const message: Record<string, unknown> = { v: 1, seq: 42 + i, ts: formatTs(ms), ...body };
        if (receipt !== undefined) message.receipt_no = receipt;
        message.mac = macOf(SECRET, message);
        expect(signMessage(SECRET, 42 + i, ms, body, receipt).bytes.toString('utf8')).toBe(JSON.stringify(message));
      }
    }
  });

  it('stamps ts in RFC 3339 with +08:00, any time of day', () => {
    expect(formatTs(Date.parse('2026-12-31T16:00:00Z'))).toBe('2027-01-01T00:00:00+08:00');
    expect(formatTs(Date.parse('2026-06-27T02:31:05.999Z'))).toBe('2026-06-27T10:31:05+08:00');
  });

  it('builds sales and events the platform accepts, on the right channel only', () => {
    const rng = createRng(3);
    const now = Date.now();
    for (let seq = 1; seq <= 200; seq++) {
      const plan = planSale(rng, SPEC, { ...NO_ANOMALIES, overCap: 0.3, arithmetic: 0.3, tamper: 0.3, unitChange: 0.3, calibration: 0.3 }, 10);
      const tx = signMessage(SECRET, seq, now, plan.tx, `R-${seq}`);
      const r = parseScaleMessage(JSON.parse(tx.bytes.toString()), parseCtx('tx'));
      expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(parseScaleMessage(JSON.parse(tx.bytes.toString()), parseCtx('event'))).toMatchObject({ ok: false });
      for (const ev of plan.events) {
        const e = signMessage(SECRET, seq + 1000, now, ev);
        expect(e.channel).toBe('event');
        expect(parseScaleMessage(JSON.parse(e.bytes.toString()), parseCtx('event')), e.bytes.toString()).toMatchObject({ ok: true, message: { kind: 'event', type: ev.type } });
      }
    }
    const hb = signMessage(SECRET, 9, now, { type: 'heartbeat' });
    expect(parseScaleMessage(JSON.parse(hb.bytes.toString()), parseCtx('any'))).toMatchObject({ ok: true, message: { type: 'heartbeat', seq: 9 } });
  });

  it('batches oldest first, at most 500 a payload, one channel a payload on MQTT', () => {
    const items: Signed[] = Array.from({ length: 1203 }, (_, i) => ({ seq: i + 1, channel: i === 600 ? 'event' : 'tx', bytes: Buffer.from(`{"seq":${i + 1}}`) }));
    const mqtt = batchesOf(items, 500, true);
    expect(mqtt.map((b) => b.length)).toEqual([500, 100, 1, 500, 102]);
    expect(mqtt.flat().map((s) => s.seq)).toEqual(items.map((s) => s.seq));
    expect(mqtt.every((b) => b.every((s) => s.channel === b[0]!.channel))).toBe(true);
    expect(batchesOf(items, 500, false).map((b) => b.length)).toEqual([500, 500, 203]);
    expect(payloadOf(items.slice(0, 1)).toString()).toBe('{"seq":1}');
    expect(payloadOf(items.slice(0, 3)).toString()).toBe('[{"seq":1},{"seq":2},{"seq":3}]');
    expect(httpBodyOf(items.slice(0, 2)).toString()).toBe('{"messages":[{"seq":1},{"seq":2}]}');
    expect(httpBodyOf(items.slice(0, 1)).toString()).toBe('{"messages":[{"seq":1}]}');
  });
});

describe('sales', () => {
  const N = 20_000;
  const shares = { overCap: 0.05, arithmetic: 0.02, gap: 0.01, tamper: 0.004, duplicate: 0.03, unitChange: 0.002, calibration: 0.002 };
  const plans = (() => {
    const rng = createRng(42);
    return Array.from({ length: N }, () => planSale(rng, SPEC, shares, 10));
  })();
  const share = (f: (p: (typeof plans)[number]) => boolean) => plans.filter(f).length / N;
  // Three standard deviations of a binomial share, plus a hair.
  const near = (observed: number, p: number) => expect(Math.abs(observed - p)).toBeLessThan(3 * Math.sqrt((p * (1 - p)) / N) + 1e-3);

  it('injects each anomaly at its share, independently', () => {
    near(share((p) => p.overCap), shares.overCap);
    near(share((p) => p.arithmetic), shares.arithmetic);
    near(share((p) => p.gap), shares.gap);
    near(share((p) => p.duplicate), shares.duplicate);
    near(share((p) => p.events.some((e) => e.type === 'tamper')), shares.tamper);
    near(share((p) => p.events.some((e) => e.type === 'unit_change_attempt')), shares.unitChange);
    near(share((p) => p.events.some((e) => e.type === 'calibration')), shares.calibration);
    near(share((p) => p.overCap && p.arithmetic), shares.overCap * shares.arithmetic);
  });

  it('prices over-cap sales 5–40 % above the cap and every other sale at the usual price', () => {
    for (const p of plans) {
      const product = PRODUCTS.find((x) => x.plu === p.tx.plu)!;
      if (p.overCap) {
        expect(product.capFenPerKg).not.toBeNull();
        const ratio = p.tx.unit_price_fen_per_kg / product.capFenPerKg!;
        expect(ratio).toBeGreaterThan(1);
        expect(ratio).toBeLessThanOrEqual(1.41);
        expect(ratio).toBeGreaterThanOrEqual(1.04);
      } else {
        expect(p.tx.unit_price_fen_per_kg).toBe(product.unitPriceFenPerKg);
      }
    }
  });

  it('weighs realistically and charges weight × price, except the injected mismatches', () => {
    for (const p of plans) {
      const { weight_g: w, tare_g: tare, unit_price_fen_per_kg: price, total_fen: total } = p.tx;
      const seafood = p.tx.plu.startsWith('1');
      expect(w).toBeGreaterThanOrEqual(seafood ? 300 : 500);
      expect(w).toBeLessThanOrEqual(seafood ? 3000 : 5000);
      expect(tare).toBeGreaterThanOrEqual(0);
      expect(total).toBeGreaterThanOrEqual(0);
      const diff = Math.abs(total - Math.round((w * price) / 1000));
      if (p.arithmetic) expect(diff).toBeGreaterThan(10);
      else expect(diff).toBe(0);
    }
  });

  it('stays within a small scale’s capacity', () => {
    const rng = createRng(7);
    for (let i = 0; i < 2000; i++) {
      const p = planSale(rng, { products: PRODUCTS, maxCapacityG: 1500 }, NO_ANOMALIES, 10);
      expect(p.tx.weight_g).toBeLessThanOrEqual(1500);
      expect(p.tx.weight_g).toBeGreaterThan(0);
    }
  });

  it('is the same sequence for the same seed', () => {
    const again = createRng(42);
    expect(Array.from({ length: 50 }, () => planSale(again, SPEC, shares, 10))).toEqual(plans.slice(0, 50));
  });

  it('prices a merchant’s products a little below their caps, stable per merchant, with its unmapped demo products', () => {
    const mapped = [{ plu: '1001', name: '石斑鱼', category: 'seafood', capFenPerKg: 12000 }];
    const a = merchantProducts({ merchantId: 5, mapped, cityCode: '460200', merchantCategories: [] });
    expect(merchantProducts({ merchantId: 5, mapped, cityCode: '460200', merchantCategories: [] })).toEqual(a);
    expect(a[0]).toMatchObject({ plu: '1001', capFenPerKg: 12000 });
    expect(a[0]!.unitPriceFenPerKg).toBeLessThanOrEqual(12000);
    expect(a[0]!.unitPriceFenPerKg).toBeGreaterThanOrEqual(9600);
    // The other Sanya seafood codes come along unjudged (no cap known to the platform), never fruit.
    expect(a.length).toBe(18);
    expect(a.slice(1).every((p) => p.capFenPerKg === null && p.category === 'seafood')).toBe(true);
    const fruitOnly = merchantProducts({ merchantId: 6, mapped: [], cityCode: '999999', merchantCategories: ['fruit'] });
    expect(fruitOnly.map((p) => p.category)).toEqual(Array(8).fill('fruit'));
    expect(fruitOnly.every((p) => p.capFenPerKg !== null && p.unitPriceFenPerKg <= p.capFenPerKg)).toBe(true);
  });
});

/** A link that records what it is given and acks only when told. */
class FakeLink implements Link {
  isUp = true;
  sent: Signed[][] = [];
  send(items: Signed[]) {
    this.sent.push(items);
  }
  async close() {}
  drop() {
    this.isUp = false;
  }
  seqs() {
    return this.sent.flat().map((s) => s.seq);
  }
}

describe('a simulated scale', () => {
  const make = (shares = NO_ANOMALIES, firstSeq = 1) => {
    const latency = new LatencyHistogram();
    const scale = new SimulatedScale({ deviceId: 'SIM-1', secret: SECRET.toString('base64url'), maxCapacityG: 30000, products: PRODUCTS, firstSeq }, { rng: createRng(1), shares, toleranceFen: 10, latency });
    const link = new FakeLink();
    scale.link = link;
    scale.onConnected();
    return { scale, link, latency };
  };
  const ack = (seq: number, status: Ack['status'] = 'accepted'): Ack => ({ seq, status });

  it('numbers sales and events in one sequence, continuing from the platform’s last seq', () => {
    const { scale, link } = make(NO_ANOMALIES, 101);
    scale.sale();
    scale.event({ type: 'heartbeat' });
    scale.sale();
    scale.flush();
    expect(link.seqs()).toEqual([101, 102, 103]);
    expect(link.sent[0]!.map((s) => s.channel)).toEqual(['tx', 'event', 'tx']);
    expect(scale.lastSeq).toBe(103);
  });

  it('keeps every message until accepted or duplicate, and drops a rejected one, counting it', () => {
    const { scale, link, latency } = make();
    for (let i = 0; i < 5; i++) scale.sale();
    scale.flush();
    scale.onAcks([ack(1), ack(2, 'duplicate'), { seq: 3, status: 'rejected', error: 'mac does not verify' }]);
    expect(scale.pendingSeqs()).toEqual([4, 5]);
    expect(scale.counters).toMatchObject({ sent: 5, accepted: 1, duplicate: 1, rejected: 1 });
    expect(latency.count).toBe(1);
    link.sent = [];
    scale.onConnected();
    expect(link.seqs()).toEqual([4, 5]);
    expect(scale.counters).toMatchObject({ reconnects: 1, resent: 2 });
  });

  it('holds what it makes while offline and sends it all, oldest first, after the reconnect', () => {
    const { scale, link } = make();
    scale.sale();
    scale.flush();
    link.drop();
    for (let i = 0; i < 3; i++) scale.sale();
    scale.event({ type: 'tamper' });
    scale.flush();
    expect(link.seqs()).toEqual([1]);
    link.isUp = true;
    link.sent = [];
    scale.onConnected();
    expect(link.seqs()).toEqual([1, 2, 3, 4, 5]);
    scale.onAcks([1, 2, 3, 4, 5].map((s) => ack(s)));
    expect(scale.unacked).toBe(0);
    expect(scale.counters).toMatchObject({ sent: 5, resent: 1, accepted: 5, reconnects: 1 });
  });

  it('never sends a skipped seq, and sends an injected duplicate twice with the same bytes', () => {
    const { scale, link } = make({ ...NO_ANOMALIES, gap: 0.3, duplicate: 0.3 });
    for (let i = 0; i < 300; i++) scale.sale();
    scale.flush();
    const sent = link.sent.flat();
    const seqs = new Set(sent.map((s) => s.seq));
    expect(scale.skippedSeqs.length).toBeGreaterThan(50);
    for (const s of scale.skippedSeqs) expect(seqs.has(s)).toBe(false);
    expect(seqs.size + scale.skippedSeqs.length).toBe(scale.lastSeq);
    expect(sent.length - seqs.size).toBe(scale.counters.duplicatesInjected);
    const twice = sent.filter((s, i) => sent.findIndex((x) => x.seq === s.seq) !== i);
    for (const d of twice) expect(sent.filter((s) => s.seq === d.seq).map((s) => s.bytes)).toEqual([d.bytes, d.bytes]);
  });

  it('sends again what waited too long for its ack while connected', () => {
    const { scale, link } = make();
    scale.sale();
    scale.sale();
    scale.flush();
    link.sent = [];
    scale.resendOverdue(60_000);
    expect(link.sent).toEqual([]);
    scale.resendOverdue(-1);
    expect(link.seqs()).toEqual([1, 2]);
  });
});

describe('the latency histogram', () => {
  it('answers percentiles to within 2 %', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i);
    expect(h.percentile(50)! / 500).toBeGreaterThan(0.98);
    expect(h.percentile(50)! / 500).toBeLessThan(1.03);
    expect(h.percentile(99)! / 990).toBeGreaterThan(0.98);
    expect(h.percentile(99)! / 990).toBeLessThan(1.03);
    h.reset();
    expect(h.percentile(50)).toBeNull();
  });
});
