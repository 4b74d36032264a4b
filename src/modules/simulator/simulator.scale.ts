/**
 * One simulated scale, whatever the transport: numbers its messages, signs them, keeps each until
 * an `accepted` or `duplicate` ack for its seq, and sends the unacknowledged ones again, oldest
 * first, after every reconnect (protocol v1, "Delivery").
 */
import { NO_ANOMALIES, planSale, signMessage, type AnomalyShares, type EventBody, type Rng, type Signed, type SimScaleSpec } from './simulator.rules.js';
import type { LatencyHistogram } from './simulator.rules.js';

export interface Ack {
  seq: number;
  status: 'accepted' | 'duplicate' | 'rejected';
  error?: string;
}

/** What a transport does for a scale. `send` gets messages oldest first; the link batches them. */
export interface Link {
  /** True while messages can go out (MQTT: connected and subscribed to acks). */
  readonly isUp: boolean;
  send(items: Signed[]): void;
  close(opts?: { graceful?: boolean }): Promise<void>;
  /** Drops the connection as a network failure would (tests). */
  drop(): void;
}

export interface ScaleCounters {
  sales: number;
  events: number;
  /** Distinct messages put on the wire at least once. */
  sent: number;
  /** Further transmissions: after a reconnect, an ack timeout, or an injected duplicate. */
  resent: number;
  accepted: number;
  duplicate: number;
  rejected: number;
  reconnects: number;
  /** MQTT publishes or HTTP requests carrying messages. */
  payloads: number;
  overCap: number;
  arithmetic: number;
  gaps: number;
  tamper: number;
  unitChange: number;
  calibration: number;
  duplicatesInjected: number;
  errors: number;
}

const zero = (): ScaleCounters => ({
  sales: 0, events: 0, sent: 0, resent: 0, accepted: 0, duplicate: 0, rejected: 0, reconnects: 0, payloads: 0,
  overCap: 0, arithmetic: 0, gaps: 0, tamper: 0, unitChange: 0, calibration: 0, duplicatesInjected: 0, errors: 0,
});

interface Entry extends Signed {
  /** When it first went out (performance.now()); 0 while never sent. */
  firstSentAt: number;
  lastSentAt: number;
}

export interface ScaleLog {
  warn(obj: object, msg: string): void;
}

export interface ScaleOptions {
  rng: Rng;
  shares: AnomalyShares;
  toleranceFen: number;
  latency: LatencyHistogram;
  /** Time source for ts (ms since epoch); tests pin it. */
  clock?: () => number;
  log?: ScaleLog;
}

/** The scale's own state; a Link is attached by the fleet. Not thread-safe, not re-entrant: one event loop. */
export class SimulatedScale {
  readonly deviceId: string;
  readonly spec: SimScaleSpec;
  readonly counters: ScaleCounters = zero();
  /** Seqs skipped on purpose (never sent). */
  readonly skippedSeqs: number[] = [];
  /** Seqs acknowledged accepted or duplicate, for tests and reports. */
  readonly ackedSeqs = new Set<number>();
  /** Seqs sent (at least once). */
  readonly sentSeqs = new Set<number>();
  link: Link | null = null;
  /** Set when the platform refused the credentials: the scale stops. */
  stoppedReason: string | null = null;

  private readonly secret: Buffer;
  private nextSeq: number;
  private readonly outbox = new Map<number, Entry>();
  private fresh: Entry[] = [];
  private receipt = 0;
  private readonly o: ScaleOptions;
  private readonly clock: () => number;
  private hasConnected = false;
  private readonly recordSeqs: boolean;
  private readonly keepUnacked: boolean;

  constructor(spec: SimScaleSpec, o: ScaleOptions & { recordSeqs?: boolean; keepUnacked?: boolean }) {
    this.spec = spec;
    this.deviceId = spec.deviceId;
    this.secret = Buffer.from(spec.secret, 'base64url');
    this.nextSeq = Math.max(1, spec.firstSeq ?? 1);
    this.o = o;
    this.clock = o.clock ?? Date.now;
    this.recordSeqs = o.recordSeqs ?? true;
    this.keepUnacked = o.keepUnacked ?? true;
    if (!spec.products.length) throw new Error(`scale ${spec.deviceId} has no products to sell`);
  }

  get unacked(): number {
    return this.outbox.size;
  }
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  private enqueue(s: Signed) {
    const e: Entry = { seq: s.seq, channel: s.channel, bytes: s.bytes, firstSentAt: 0, lastSentAt: 0 };
    this.outbox.set(s.seq, e);
    this.fresh.push(e);
  }

  /**
   * Makes one sale (with whatever anomalies the shares draw); sent at the next flush(). `forced`
   * sells that plu at that price instead, with no anomaly (a benchmark's probe).
   */
  sale(forced?: { plu: string; unitPriceFenPerKg: number }): void {
    if (this.stoppedReason) return;
    const plan = planSale(this.o.rng, this.spec, forced ? NO_ANOMALIES : this.o.shares, this.o.toleranceFen);
    if (forced) {
      const product = this.spec.products.find((p) => p.plu === forced.plu);
      if (!product) throw new Error(`scale ${this.deviceId} does not sell plu ${forced.plu}`);
      plan.tx = { ...plan.tx, plu: product.plu, name: product.name, unit_price_fen_per_kg: forced.unitPriceFenPerKg, total_fen: Math.round((plan.tx.weight_g * forced.unitPriceFenPerKg) / 1000) };
      plan.overCap = product.capFenPerKg !== null && forced.unitPriceFenPerKg > product.capFenPerKg;
    }
    const now = this.clock();
    for (const ev of plan.events) {
      this.event(ev, now);
      if (ev.type === 'tamper') this.counters.tamper++;
      else if (ev.type === 'unit_change_attempt') this.counters.unitChange++;
      else if (ev.type === 'calibration') this.counters.calibration++;
    }
    if (plan.gap) {
      if (this.recordSeqs) this.skippedSeqs.push(this.nextSeq);
      this.nextSeq++;
      this.counters.gaps++;
    }
    const seq = this.nextSeq++;
    this.enqueue(signMessage(this.secret, seq, now, plan.tx, `${this.deviceId.slice(-8)}-${++this.receipt}`.slice(-32)));
    this.counters.sales++;
    if (plan.overCap) this.counters.overCap++;
    if (plan.arithmetic) this.counters.arithmetic++;
    if (plan.duplicate) {
      // The same bytes again, right behind the first copy.
      this.fresh.push(this.fresh[this.fresh.length - 1]!);
      this.counters.duplicatesInjected++;
    }
  }

  /** Queues an event (heartbeat, power_on, tamper ...). */
  event(body: EventBody, now = this.clock()): void {
    if (this.stoppedReason) return;
    this.enqueue(signMessage(this.secret, this.nextSeq++, now, body));
    this.counters.events++;
  }

  /** Sends what was made since the last flush, if the link is up; otherwise it waits in the outbox for the reconnect. */
  flush(): void {
    if (!this.fresh.length) return;
    const link = this.link;
    if (!link?.isUp) {
      this.fresh = [];
      return;
    }
    const items = this.fresh;
    this.fresh = [];
    const t = performance.now();
    const out: Entry[] = [];
    for (const e of items) {
      // Acked already (fast ack of the first copy of a duplicate): nothing left to send.
      if (!this.outbox.has(e.seq)) continue;
      if (e.firstSentAt === 0) {
        e.firstSentAt = t;
        this.counters.sent++;
        if (this.recordSeqs) this.sentSeqs.add(e.seq);
      } else this.counters.resent++;
      e.lastSentAt = t;
      out.push(e);
      // Nobody will ack (the benchmark's broker-only run): sent is done with.
      if (!this.keepUnacked) this.outbox.delete(e.seq);
    }
    if (out.length) link.send(out);
  }

  /** The link is (again) up: everything unacknowledged goes out, oldest first. */
  onConnected(): void {
    if (this.hasConnected) this.counters.reconnects++;
    this.hasConnected = true;
    this.fresh = [];
    if (!this.outbox.size) return;
    this.resend([...this.outbox.values()]);
  }

  private resend(entries: Entry[]) {
    const t = performance.now();
    for (const e of entries) {
      if (e.firstSentAt === 0) {
        e.firstSentAt = t;
        this.counters.sent++;
        if (this.recordSeqs) this.sentSeqs.add(e.seq);
      } else this.counters.resent++;
      e.lastSentAt = t;
    }
    this.link?.send(entries);
  }

  /** Sends again what has waited longer than `timeoutMs` for its ack while the link stayed up (a lost ack). */
  resendOverdue(timeoutMs: number): void {
    if (!this.link?.isUp || !this.outbox.size) return;
    const limit = performance.now() - timeoutMs;
    const overdue: Entry[] = [];
    for (const e of this.outbox.values()) {
      if (e.lastSentAt === 0 || e.lastSentAt > limit) break;
      overdue.push(e);
    }
    if (overdue.length) this.resend(overdue);
  }

  /** Acks from the platform (MQTT ack topic or HTTP response). */
  onAcks(acks: readonly Ack[]): void {
    const t = performance.now();
    for (const a of acks) {
      const e = this.outbox.get(a.seq);
      if (a.status === 'rejected') {
        this.counters.rejected++;
        // A rejected message would be rejected again: drop it, and say why.
        if (e) this.outbox.delete(a.seq);
        this.o.log?.warn({ deviceId: this.deviceId, seq: a.seq, error: a.error }, 'message rejected by the platform');
        continue;
      }
      if (a.status === 'accepted') this.counters.accepted++;
      else this.counters.duplicate++;
      if (this.recordSeqs) this.ackedSeqs.add(a.seq);
      if (!e) continue;
      if (a.status === 'accepted' && e.firstSentAt) this.o.latency.record(t - e.firstSentAt);
      this.outbox.delete(a.seq);
    }
  }

  /** The platform refused the credentials: nothing more is sent. */
  stop(reason: string): void {
    this.stoppedReason = reason;
    this.fresh = [];
  }

  /** Messages still waiting for an ack, oldest first (tests). */
  pendingSeqs(): number[] {
    return [...this.outbox.keys()];
  }
}
