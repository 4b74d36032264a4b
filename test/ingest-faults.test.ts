/**
 * Ingest under faults. On the embedded default: the platform killed with SIGKILL mid-stream (its
 * broker with it) and started again. Against the real servers (DATABASE_URL and MQTT_URL, as in CI): platform
 * processes as `npm start` runs them, on one scratch PostgreSQL database and the external broker,
 * fed by the simulator over MQTT. A platform killed with SIGKILL mid-stream and started again;
 * its database connections dropped mid-stream; the broker restarting mid-stream; two instances
 * sharing the load, one of them killed.
 * After each, every sale the simulator saw acked is stored exactly once, every sale it sent is
 * stored (what it still held arrived after it resent), and no over-cap sale is alerted twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase } from '../src/test-support/db.js';
import { freePort } from '../src/test-support/net.js';
import { openPGlite } from '../src/db/connect.js';
import { DEMO_PASSWORD } from '../src/modules/demo/demo.data.js';
import { createFleet, provisionOverApi, type Fleet, type SimScaleSpec } from '../src/modules/simulator/index.js';

const RUN = Boolean(process.env.DATABASE_URL && process.env.MQTT_URL);
const MOSQUITTO = '/usr/sbin/mosquitto';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One platform process; `start` waits until it says it is up. */
class Platform {
  child: ChildProcess | null = null;
  output = '';
  constructor(
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {}
  get url() {
    return `http://127.0.0.1:${this.port}`;
  }
  start(): Promise<void> {
    this.output = '';
    // node itself (not the tsx wrapper, whose child would outlive a SIGKILL): the signal reaches the platform.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...this.env, PORT: String(this.port) } });
    this.child = child;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`platform on ${this.port} not up in 90 s:\n${this.output}`)), 90_000);
      const onData = (d: Buffer) => {
        this.output += d.toString();
        if (this.output.includes('is up in')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`platform on ${this.port} exited (${code ?? signal}) before it was up:\n${this.output}`));
      });
    });
  }
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  }
  alive() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }
  /** This process's ingest counts from its metrics endpoint. */
  async accepted(): Promise<number> {
    const body = await (await fetch(`${this.url}/metrics`)).text();
    return Number(/^mashang_ingest_messages_total\{status="accepted"\} (\d+)$/m.exec(body)?.[1] ?? NaN);
  }
}

describe.runIf(RUN)('ingest faults on PostgreSQL and the external broker', () => {
  let scratch: { url: string; drop: () => Promise<void> };
  let name: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mashang-faults-'));
  let db: pg.Pool;
  let env: NodeJS.ProcessEnv;
  let a: Platform;
  let b: Platform;
  let specs: SimScaleSpec[];
  let seed = 1;

  beforeAll(async () => {
    scratch = await createScratchDatabase(process.env.DATABASE_URL!, 'mashang_faults');
    name = new URL(scratch.url).pathname.slice(1);
    db = new pg.Pool({ connectionString: scratch.url, max: 2, application_name: 'vitest-faults' });
    // Dropping the platform's connections (below) spares this pool's; an error on an idle one is not the test's.
    db.on('error', () => {});
    env = { ...process.env, DATABASE_URL: scratch.url, MASHANG_DATA_DIR: dataDir, MASHANG_DEMO: 'true', MASHANG_SIMULATE: 'false', LOG_LEVEL: 'error' };
    a = new Platform(await freePort(), env);
    b = new Platform(await freePort(), env);
    await a.start();
    specs = await provisionOverApi({ baseUrl: a.url, username: 'demo_admin', password: DEMO_PASSWORD, count: 6 });
  });

  afterAll(async () => {
    await Promise.all([a?.kill(), b?.kill()]);
    await db?.end();
    await scratch?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** The simulated scales go on from where the record stands (a real scale remembers its seq). */
  async function fleetFrom(ratePerS: number, mqttUrl = process.env.MQTT_URL!): Promise<Fleet> {
    const last = await db.query<{ scale_id: string; last_seq: string }>('select scale_id, last_seq from scale_device where scale_id = any($1::bigint[])', [specs.map((s) => s.scaleId)]);
    const lastOf = new Map(last.rows.map((r) => [Number(r.scale_id), Number(r.last_seq)]));
    const fleet = createFleet({
      scales: specs.map((s) => ({ ...s, firstSeq: (lastOf.get(s.scaleId!) ?? 0) + 1 })),
      transport: 'mqtt',
      mqttUrl,
      ratePerS,
      reconnectPeriodMs: 500,
      shares: { overCap: 0.1 },
      seed: seed++,
      heartbeatS: 0,
      // A sale sent while no platform consumed is resent after this long without its ack.
      ackTimeoutMs: 3000,
    });
    await fleet.start({ timeoutMs: 15_000 });
    return fleet;
  }

  async function overCapCounts() {
    const ids = specs.map((s) => s.scaleId);
    const sales = await db.query<{ n: string }>('select count(*) n from sale where scale_id = any($1::bigint[]) and is_over_cap', [ids]);
    const evidence = await db.query<{ n: string | null }>("select sum(evidence_count) n from alert where type = 'over_cap' and scale_id = any($1::bigint[])", [ids]);
    return { sales: Number(sales.rows[0]!.n), evidence: Number(evidence.rows[0]!.n ?? 0) };
  }

  /** Stops selling, waits for every ack, and checks the record against what the scales saw. */
  async function settleAndCheck(fleet: Fleet, before: { sales: number; evidence: number }) {
    fleet.setRate(0);
    expect(await fleet.drain(60_000)).toBe(true);
    const stats = await fleet.stop({ flushTimeoutMs: 5000 });
    expect(stats.unacked).toBe(0);
    expect(stats.rejected).toBe(0);
    for (const s of fleet.scales) {
      const rows = await db.query<{ seq: string; n: string }>(
        'select seq, count(*) n from (select seq from sale where scale_id = $1 union all select seq from scale_event where scale_id = $1) x where seq >= $2 group by seq',
        [s.spec.scaleId, s.spec.firstSeq],
      );
      const stored = new Map(rows.rows.map((r) => [Number(r.seq), Number(r.n)]));
      // Exactly once each.
      expect([...stored.values()].filter((n) => n !== 1)).toEqual([]);
      // Every seq acked is stored, and every seq sent was acked in the end: nothing lost.
      for (const seq of s.ackedSeqs) expect(stored.has(seq), `scale ${s.deviceId} seq ${seq} acked but not stored`).toBe(true);
      expect([...s.sentSeqs].filter((seq) => !s.ackedSeqs.has(seq))).toEqual([]);
      expect(stored.size).toBe(s.sentSeqs.size);
    }
    // Each stored over-cap sale is one piece of evidence: none alerted twice, none missed.
    const after = await overCapCounts();
    expect(after.sales - before.sales).toBeGreaterThan(0);
    expect(after.evidence - before.evidence).toBe(after.sales - before.sales);
    return stats;
  }

  it('loses nothing and stores nothing twice when the platform is killed mid-stream and started again', async () => {
    const before = await overCapCounts();
    const fleet = await fleetFrom(300);
    await sleep(1500);
    const ackedBefore = fleet.stats().accepted;
    expect(ackedBefore).toBeGreaterThan(0);
    await a.kill();
    // The scales go on selling with no platform behind the broker.
    const sentAtKill = fleet.stats().sent;
    await sleep(1500);
    expect(fleet.stats().sent).toBeGreaterThan(sentAtKill);
    await a.start();
    await sleep(1500);
    const stats = await settleAndCheck(fleet, before);
    // What was sent while the platform was down came back in a resend.
    expect(stats.resent).toBeGreaterThan(0);
    expect(stats.accepted).toBeGreaterThan(ackedBefore);
  }, 150_000);

  it('loses nothing and stores nothing twice when its database connections are dropped mid-stream', async () => {
    const before = await overCapCounts();
    const fleet = await fleetFrom(300);
    await sleep(1000);
    for (let i = 0; i < 3; i++) {
      const dropped = await db.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and application_name not like 'vitest%'`, [name]);
      const seen = await db.query(`select pid, datname, application_name, state, backend_type from pg_stat_activity where datname = $1`, [name]);
      expect(dropped.rowCount, JSON.stringify(seen.rows) + a.output).toBeGreaterThan(0);
      await sleep(700);
    }
    await sleep(1000);
    await settleAndCheck(fleet, before);
    expect(a.alive()).toBe(true);
    expect((await fetch(`${a.url}/readyz`)).status).toBe(200);
  }, 150_000);

  it('splits the load between two instances, and loses nothing when one of them is killed', async () => {
    await b.start();
    const before = await overCapCounts();
    const [a0, b0] = [await a.accepted(), await b.accepted()];
    const fleet = await fleetFrom(600);
    await sleep(3000);
    // Each instance took a share through the shared subscription.
    const [a1, b1] = [await a.accepted(), await b.accepted()];
    expect(a1 - a0).toBeGreaterThan(0);
    expect(b1 - b0).toBeGreaterThan(0);
    await b.kill();
    await sleep(2000);
    await settleAndCheck(fleet, before);
    expect(a.alive()).toBe(true);
  }, 150_000);
  // A broker of our own (the machine's serves other tests): Mosquitto on a free port, stopped and started again.
  it.runIf(fs.existsSync(MOSQUITTO))('loses nothing and stores nothing twice when the broker restarts mid-stream', async () => {
    const port = await freePort();
    const conf = path.join(dataDir, 'mosquitto.conf');
    fs.writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
    let broker: ChildProcess | null = null;
    const startBroker = async () => {
      broker = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' });
      for (let i = 0; i < 100; i++) {
        const up = await new Promise<boolean>((r) => net.connect(port, '127.0.0.1').once('connect', function (this: net.Socket) { this.destroy(); r(true); }).once('error', () => r(false)));
        if (up) return;
        await sleep(50);
      }
      throw new Error('mosquitto did not start');
    };
    const stopBroker = async () => {
      const c = broker;
      if (!c || c.exitCode !== null) return;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await gone;
    };
    const url = `mqtt://127.0.0.1:${port}`;
    const c = new Platform(await freePort(), { ...env, MQTT_URL: url });
    try {
      await startBroker();
      await c.start();
      const before = await overCapCounts();
      const fleet = await fleetFrom(300, url);
      await sleep(1500);
      await stopBroker();
      await sleep(1000);
      await startBroker();
      await sleep(3000);
      const stats = await settleAndCheck(fleet, before);
      // Every scale came back to the new broker, and what it held went out again.
      expect(stats.reconnects).toBeGreaterThanOrEqual(specs.length);
      expect(stats.resent).toBeGreaterThan(0);
      expect(c.alive()).toBe(true);
    } finally {
      await c.kill();
      await stopBroker();
    }
  }, 150_000);
});

// The embedded default (PGlite on disk, aedes in the platform's process): a SIGKILL takes the broker
// down with the platform; the scales reconnect to the restarted one and resend.
describe('ingest faults on the embedded default', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mashang-faults-embedded-'));
  let p: Platform;
  afterAll(async () => {
    await p?.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses nothing and stores nothing twice when the platform is killed mid-stream and started again', async () => {
    const mqttPort = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, MASHANG_DATA_DIR: dataDir, MQTT_PORT: String(mqttPort), MASHANG_DEMO: 'true', MASHANG_SIMULATE: 'false', LOG_LEVEL: 'error' };
    delete env.DATABASE_URL;
    delete env.MQTT_URL;
    p = new Platform(await freePort(), env);
    await p.start();
    const specs = await provisionOverApi({ baseUrl: p.url, username: 'demo_admin', password: DEMO_PASSWORD, count: 4 });
    const fleet = createFleet({ scales: specs, transport: 'mqtt', mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, ratePerS: 200, shares: { overCap: 0.1 }, seed: 7, heartbeatS: 0, ackTimeoutMs: 3000, reconnectPeriodMs: 500 });
    await fleet.start({ timeoutMs: 15_000 });
    await sleep(1500);
    const ackedBefore = fleet.stats().accepted;
    expect(ackedBefore).toBeGreaterThan(0);
    await p.kill();
    await sleep(500);
    await p.start();
    await sleep(1500);
    fleet.setRate(0);
    expect(await fleet.drain(60_000)).toBe(true);
    const stats = await fleet.stop({ flushTimeoutMs: 5000 });
    expect(stats.unacked).toBe(0);
    expect(stats.rejected).toBe(0);
    expect(stats.reconnects).toBeGreaterThanOrEqual(specs.length);
    expect(stats.accepted).toBeGreaterThan(ackedBefore);
    // Stop it cleanly, then read the record itself.
    const stopped = new Promise((r) => p.child!.once('exit', r));
    p.child!.kill('SIGTERM');
    await stopped;
    const h = await openPGlite(path.join(dataDir, 'pglite'));
    try {
      for (const s of fleet.scales) {
        const rows = await sql<{ seq: number; n: number }>`select seq, count(*)::int n from (select seq from sale where scale_id = ${s.spec.scaleId} union all select seq from scale_event where scale_id = ${s.spec.scaleId}) x where seq >= ${s.spec.firstSeq} group by seq`.execute(h.db);
        const stored = new Map(rows.rows.map((r) => [Number(r.seq), Number(r.n)]));
        expect([...stored.values()].filter((n) => n !== 1)).toEqual([]);
        for (const seq of s.ackedSeqs) expect(stored.has(seq), `scale ${s.deviceId} seq ${seq} acked but not stored`).toBe(true);
        expect(stored.size).toBe(s.sentSeqs.size);
      }
    } finally {
      await h.close();
    }
  }, 180_000);
});
