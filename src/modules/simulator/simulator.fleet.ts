/**
 * A fleet of simulated scales selling at an aggregate rate, spread evenly over the scales with
 * jitter, over MQTT or HTTP. One timer drives every scale (cheap at any fleet size); what a scale
 * makes within one tick goes out as one payload.
 */
import { connectHttpLink, connectMqttLink, type LinkLog, type StartedLink } from './simulator.links.js';
import { createRng, LatencyHistogram, NO_ANOMALIES, scaleSeed, type AnomalyShares, type SimScaleSpec } from './simulator.rules.js';
import { SimulatedScale, type ScaleCounters } from './simulator.scale.js';

export interface FleetLog extends LinkLog {
  info(obj: object, msg: string): void;
}

export interface FleetOptions {
  scales: SimScaleSpec[];
  transport: 'mqtt' | 'http';
  /** mqtt://host:port, for the MQTT transport. */
  mqttUrl?: string;
  /** http://host:port of the platform, for the HTTP transport. */
  httpUrl?: string;
  /** Aggregate sales per second over the whole fleet. */
  ratePerS: number;
  shares?: Partial<AnomalyShares>;
  seed?: number;
  /** Seconds between heartbeats of each scale (0: none). Default 60. */
  heartbeatS?: number;
  /** Each scale announces itself with a power_on event when the fleet starts. Default true. */
  powerOn?: boolean;
  /** The platform's rounding tolerance, so injected mismatches exceed it. Default 10 fen. */
  toleranceFen?: number;
  /** A message unacknowledged this long while connected is sent again. Default 30 s. */
  ackTimeoutMs?: number;
  /** Timer period; default from the per-scale rate, 10 to 250 ms. */
  tickMs?: number;
  /** Keep per-seq records (sent, acked, skipped) for tests; off for long runs. Default true. */
  recordSeqs?: boolean;
  /** Keep what was sent until it is acked (a real scale). false only where nobody acks: the benchmark's broker-only run. Default true. */
  keepUnacked?: boolean;
  mqttProtocolVersion?: 4 | 5;
  /** Topics under this prefix instead of the protocol's `mashang/v1/scales/` (the benchmark's broker-only run). */
  mqttTopicPrefix?: string;
  reconnectPeriodMs?: number;
  log?: FleetLog;
  /** The platform refused a scale's credentials (reissued or revoked); the scale has stopped. Default: a warning. */
  onAuthFailure?: (deviceId: string, reason: string) => void;
  /** Time source for the messages' ts (ms since epoch). */
  clock?: () => number;
}

export interface FleetStats extends ScaleCounters {
  scales: number;
  /** Scales stopped because the platform refused their credentials. */
  stoppedScales: number;
  unacked: number;
  ackP50Ms: number | null;
  ackP99Ms: number | null;
  elapsedS: number;
}

export interface Fleet {
  readonly scales: readonly SimulatedScale[];
  /** Connects every scale and starts selling. Rejects when no scale could come up within `timeoutMs`. */
  start(opts?: { timeoutMs?: number }): Promise<void>;
  /** Changes the aggregate rate (sales per second) from now on. */
  setRate(ratePerS: number): void;
  /** Changes anomaly shares from the next sale on. */
  setShares(shares: Partial<AnomalyShares>): void;
  stats(): FleetStats;
  /** Clears the ack latency histogram (to measure one step of a benchmark). */
  resetLatency(): void;
  /** Drops every connection as a network failure would; the scales reconnect and resend. */
  dropConnections(): void;
  /** Waits until nothing is unacknowledged (or the timeout passes); true when all were acked. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Stops selling, waits up to `flushTimeoutMs` (default 10 s) for outstanding acks, disconnects. */
  stop(opts?: { flushTimeoutMs?: number }): Promise<FleetStats>;
}

const silent: FleetLog = { debug() {}, info() {}, warn() {}, error() {} };

export function createFleet(o: FleetOptions): Fleet {
  const log = o.log ?? silent;
  const shares: AnomalyShares = { ...NO_ANOMALIES, ...o.shares };
  for (const [k, v] of Object.entries(shares)) if (!(v >= 0 && v <= 1)) throw new Error(`anomaly share ${k} must be from 0 to 1, got ${v}`);
  if (o.transport === 'mqtt' && !o.mqttUrl) throw new Error('the MQTT transport needs mqttUrl');
  if (o.transport === 'http' && !o.httpUrl) throw new Error('the HTTP transport needs httpUrl');
  if (!o.scales.length) throw new Error('a fleet needs at least one scale');
  const seed = o.seed ?? 1;
  const latency = new LatencyHistogram();
  const heartbeatMs = (o.heartbeatS ?? 60) * 1000;
  const ackTimeoutMs = o.ackTimeoutMs ?? 30_000;
  const rng = createRng(seed ^ 0x5eed);

  const scales = o.scales.map(
    (spec, i) =>
      new SimulatedScale(spec, { rng: createRng(scaleSeed(seed, i)), shares, toleranceFen: o.toleranceFen ?? 10, latency, log, recordSeqs: o.recordSeqs ?? true, keepUnacked: o.keepUnacked ?? true, ...(o.clock ? { clock: o.clock } : {}) }),
  );
  const links: StartedLink[] = [];
  let intervalMs = 0;
  const nextSaleAt: number[] = [];
  const nextBeatAt: number[] = [];
  let timer: NodeJS.Timeout | null = null;
  let started = 0;
  let stopped = false;
  let lastOverdueCheck = 0;

  function setRate(ratePerS: number) {
    if (!(ratePerS >= 0)) throw new Error(`rate must be >= 0, got ${ratePerS}`);
    const now = performance.now();
    const next = ratePerS > 0 ? (scales.length / ratePerS) * 1000 : Infinity;
    scales.forEach((_, i) => {
      if (!Number.isFinite(next)) return void (nextSaleAt[i] = Infinity);
      // Evenly phased over one interval, so the fleet does not sell in lock-step.
      const at = now + ((i + rng.next()) / scales.length) * next;
      nextSaleAt[i] = Number.isFinite(nextSaleAt[i] ?? Infinity) ? Math.min(nextSaleAt[i]!, at) : at;
    });
    intervalMs = next;
  }

  function tick() {
    const now = performance.now();
    for (let i = 0; i < scales.length; i++) {
      const s = scales[i]!;
      if (s.stoppedReason) continue;
      // Behind by more than a second (a stalled loop): resume from now rather than burst.
      if (now - nextSaleAt[i]! > 1000) nextSaleAt[i] = now;
      while (nextSaleAt[i]! <= now) {
        s.sale();
        nextSaleAt[i]! += intervalMs * (0.5 + rng.next());
      }
      if (heartbeatMs > 0 && nextBeatAt[i]! <= now) {
        s.event({ type: 'heartbeat' });
        nextBeatAt[i] = now + heartbeatMs;
      }
      s.flush();
    }
    if (now - lastOverdueCheck > 1000) {
      lastOverdueCheck = now;
      for (const s of scales) s.resendOverdue(ackTimeoutMs);
    }
  }

  function stats(): FleetStats {
    const sum = {} as ScaleCounters;
    for (const s of scales) for (const [k, v] of Object.entries(s.counters)) sum[k as keyof ScaleCounters] = (sum[k as keyof ScaleCounters] ?? 0) + v;
    return {
      scales: scales.length,
      stoppedScales: scales.filter((s) => s.stoppedReason).length,
      ...sum,
      unacked: scales.reduce((n, s) => n + s.unacked, 0),
      ackP50Ms: latency.percentile(50),
      ackP99Ms: latency.percentile(99),
      elapsedS: started ? Math.round((performance.now() - started) / 100) / 10 : 0,
    };
  }

  const hooks = {
    log,
    onAuthFailure: (s: SimulatedScale, reason: string) =>
      o.onAuthFailure ? o.onAuthFailure(s.deviceId, reason) : log.warn({ deviceId: s.deviceId, reason }, 'credentials refused: this scale stops'),
  };

  async function drain(timeoutMs: number) {
    const until = performance.now() + timeoutMs;
    while (performance.now() < until) {
      if (scales.every((s) => s.unacked === 0 || s.stoppedReason)) return true;
      for (const s of scales) {
        s.flush();
        s.resendOverdue(ackTimeoutMs);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return scales.every((s) => s.unacked === 0 || s.stoppedReason);
  }

  return {
    scales,
    setRate,
    setShares(next) {
      // Every scale holds this very object: one change reaches them all.
      for (const [k, v] of Object.entries(next)) {
        if (v === undefined) continue;
        if (!(v >= 0 && v <= 1)) throw new Error(`anomaly share ${k} must be from 0 to 1, got ${v}`);
        shares[k as keyof AnomalyShares] = v;
      }
    },
    stats,
    resetLatency: () => latency.reset(),
    drain,
    async start({ timeoutMs = 15_000 } = {}) {
      for (const s of scales) {
        const link =
          o.transport === 'mqtt'
            ? connectMqttLink(s, { url: o.mqttUrl!, ...hooks, ...(o.reconnectPeriodMs ? { reconnectPeriodMs: o.reconnectPeriodMs } : {}), ...(o.mqttProtocolVersion ? { protocolVersion: o.mqttProtocolVersion } : {}), ...(o.mqttTopicPrefix ? { topicPrefix: o.mqttTopicPrefix } : {}) })
            : connectHttpLink(s, { baseUrl: o.httpUrl!, ...hooks });
        s.link = link;
        links.push(link);
        if (o.powerOn ?? true) s.event({ type: 'power_on', detail: { firmware: 'mashang-sim/1' } });
      }
      // Wait until every scale is up or refused (over HTTP: until a batch is answered; without a
      // power_on nothing goes out yet, so nothing to wait for). Give up early when none comes up
      // and every one keeps failing.
      const t0 = performance.now();
      const upAt = (i: number) => links[i]!.hasBeenUp() && !scales[i]!.stoppedReason;
      const mustWait = o.transport === 'mqtt' || (o.powerOn ?? true);
      while (mustWait) {
        const waited = performance.now() - t0;
        const up = links.filter((_, i) => upAt(i)).length;
        if (links.every((_, i) => upAt(i) || scales[i]!.stoppedReason)) break;
        if (waited > timeoutMs || (up === 0 && waited > 3000 && links.every((l) => l.lastError()))) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const upCount = mustWait ? links.filter((_, i) => upAt(i)).length : scales.length;
      if (upCount === 0) {
        const errors = [...new Set(links.map((l) => l.lastError()).filter(Boolean))];
        await Promise.all(links.map((l) => l.close({ graceful: false })));
        const where = o.transport === 'mqtt' ? `the MQTT broker at ${o.mqttUrl}` : `the platform at ${o.httpUrl}`;
        throw new Error(`no scale could connect to ${where}${errors.length ? `: ${errors.slice(0, 3).join('; ')}` : ` within ${timeoutMs / 1000} s`}`);
      }
      if (upCount < scales.length) log.warn({ up: upCount, scales: scales.length }, 'not every scale is connected yet; the rest keep trying');
      started = performance.now();
      const now = performance.now();
      scales.forEach((_, i) => (nextBeatAt[i] = now + heartbeatMs * (0.2 + 0.8 * rng.next())));
      setRate(o.ratePerS);
      const tickMs = o.tickMs ?? Math.max(10, Math.min(250, Number.isFinite(intervalMs) ? intervalMs / 4 : 250));
      timer = setInterval(tick, tickMs);
    },
    dropConnections() {
      for (const l of links) l.drop();
    },
    async stop({ flushTimeoutMs = 10_000 } = {}) {
      if (stopped) return stats();
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      for (const s of scales) s.flush();
      const clean = await drain(flushTimeoutMs);
      if (!clean) log.warn({ unacked: scales.reduce((n, s) => n + s.unacked, 0) }, 'stopping with unacknowledged messages');
      await Promise.all(links.map((l) => l.close({ graceful: true })));
      return stats();
    },
  };
}
