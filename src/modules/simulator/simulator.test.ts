/**
 * The simulator end to end against the platform: provisioned fixture scales sell over the
 * embedded broker, over HTTP and (where MQTT_URL names one) through an external broker; a
 * connection dropped mid-run loses nothing and stores nothing twice.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import mqtt from 'mqtt';
import pino from 'pino';
import { createTestApp, FIXTURE_PASSWORD, type Client, type TestApp } from '../../test-support/app.js';
import { TEST_DB_KINDS } from '../../test-support/db.js';
import type { By } from '../auth/index.js';
import { connectExternalBroker, startEmbeddedBroker } from '../ingest/index.js';
import { administratorBy, createFleet, provisionInProcess, provisionOverApi, startDemoSimulation, type Fleet, type SimulatedScale, type SimScaleSpec } from './index.js';

const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const silent = pino({ level: 'silent' });
const SHARES = { overCap: 0.2, arithmetic: 0.05, gap: 0.05, tamper: 0.03, duplicate: 0.05, unitChange: 0.01, calibration: 0.01 };
const EXTERNAL = process.env.MQTT_URL;

/** Can an anonymous client connect to the external broker? (The scales bring credentials; the platform's consumer brings none.) */
async function brokerTakesAnonymous(url: string): Promise<string | null> {
  try {
    const c = await mqtt.connectAsync(url, { clientId: `probe-${randomBytes(4).toString('hex')}`, connectTimeout: 3000, reconnectPeriod: 0 });
    await c.endAsync();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

describe.each(TEST_DB_KINDS)('the scale simulator against the platform on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let by: By;
  let pluProductId: number;

  beforeAll(async () => {
    t = await createTestApp(kind, { INGEST_FLUSH_MS: '5' });
    admin = await t.as('admin');
    by = (await administratorBy(t.ctx.dbHandle.db, { username: 'admin' }))!;
    // 石斑鱼 capped at ¥160/kg in city X and mapped to plu 1001 of merchant A; scale A verified.
    const price = await t.as('price');
    const product = (await price.post('/api/products', { code: 'SF-001', name: '石斑鱼', category: 'seafood' })).json();
    pluProductId = product.id;
    const list = (await price.post('/api/price-lists', { title: '海鲜调控价格', effectiveFrom: new Date(Date.now() - 30 * 24 * HOUR).toISOString(), items: [{ productId: product.id, capFenPerKg: 16000 }] })).json();
    expect((await price.post(`/api/price-lists/${list.id}/publish`)).statusCode).toBe(200);
    expect((await admin.put(`/api/merchants/${t.fx.merchants.A}/plu`, { plu: '1001', productId: product.id })).statusCode).toBe(200);
    const verifier = await t.as('verifier');
    const verified = await verifier.post(`/api/scales/${t.fx.scales.A}/verifications`, { certificateNo: 'JD-1', verifiedOn: new Date(Date.now() - 10 * 24 * HOUR).toISOString().slice(0, 10), result: 'pass', validUntil: '2099-12-31' });
    expect(verified.statusCode, verified.body).toBe(201);
  });
  afterAll(async () => t?.close());

  const provision = (scaleIds: number[]) => provisionInProcess(t.ctx, { count: scaleIds.length, by, scaleIds });

  /** Every seq the scale sent was acked and is stored exactly once; every seq it skipped is an open gap. */
  async function expectExactlyOnce(scale: SimulatedScale) {
    const db = t.ctx.dbHandle.db;
    const scaleId = scale.spec.scaleId!;
    const from = scale.spec.firstSeq ?? 1;
    const rows = await sql<{ seq: string | number }>`
      select seq from sale where scale_id = ${scaleId} and seq >= ${from}
      union all select seq from scale_event where scale_id = ${scaleId} and seq >= ${from}`.execute(db);
    const stored = rows.rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
    expect(new Set(stored).size, 'a seq stored twice').toBe(stored.length);
    const sent = [...scale.sentSeqs].sort((a, b) => a - b);
    expect(scale.unacked).toBe(0);
    expect([...scale.ackedSeqs].sort((a, b) => a - b)).toEqual(sent);
    expect(stored).toEqual(sent);
    expect(sent.length + scale.skippedSeqs.length).toBe(scale.lastSeq - from + 1);

    const gaps = await db.selectFrom('seq_gap').select(['from_seq', 'to_seq']).where('scale_id', '=', scaleId).where('closed_at', 'is', null).execute();
    for (const s of scale.skippedSeqs) expect(gaps.some((g) => Number(g.from_seq) <= s && s <= Number(g.to_seq)), `seq ${s} skipped but no open gap`).toBe(true);
    for (const g of gaps) for (let s = Number(g.from_seq); s <= Number(g.to_seq); s++) if (s >= from) expect(scale.skippedSeqs).toContain(s);
  }

  /** The sales the fleet injected anomalies into are flagged as such, one for one. */
  async function expectFlags(scale: SimulatedScale, opts: { judged: boolean }) {
    const db = t.ctx.dbHandle.db;
    const scaleId = scale.spec.scaleId!;
    const from = scale.spec.firstSeq ?? 1;
    const count = async (where: ReturnType<typeof sql>) => Number((await sql<{ n: string }>`select count(*) as n from sale where scale_id = ${scaleId} and seq >= ${from} and ${where}`.execute(db)).rows[0]!.n);
    expect(await count(sql`true`)).toBe(scale.counters.sales - scale.counters.rejected);
    expect(await count(sql`'arithmetic_mismatch' = any(flags)`)).toBe(scale.counters.arithmetic);
    const overCap = await count(sql`is_over_cap`);
    // Only merchant A maps a plu (1001) to a capped product: B's sales are never judged over the cap.
    expect(overCap).toBe(opts.judged ? scale.counters.overCap : 0);
    const tamper = Number((await sql<{ n: string }>`select count(*) as n from scale_event where scale_id = ${scaleId} and seq >= ${from} and type = 'tamper'`.execute(db)).rows[0]!.n);
    expect(tamper).toBe(scale.counters.tamper);
  }

  async function run(fleet: Fleet, disrupt: () => Promise<void>) {
    await fleet.start();
    await sleep(800);
    await disrupt();
    await sleep(1500);
    const stats = await fleet.stop({ flushTimeoutMs: 20_000 });
    expect(stats.rejected).toBe(0);
    expect(stats.unacked).toBe(0);
    expect(stats.reconnects).toBeGreaterThan(0);
    return stats;
  }

  describe('over MQTT through the embedded broker', () => {
    let specs: SimScaleSpec[];
    it('provisions the fixture IoT scales with what their merchants sell', async () => {
      specs = await provision([t.fx.scales.A, t.fx.scales.B]);
      expect(specs.map((s) => s.deviceId)).toEqual(['SN-A-1', 'SN-B-1']);
      expect(specs[0]!.products.find((p) => p.plu === '1001')).toMatchObject({ name: '石斑鱼', capFenPerKg: 16000 });
      expect(specs[0]!.products.find((p) => p.plu === '1001')!.unitPriceFenPerKg).toBeLessThanOrEqual(16000);
      expect(specs.every((s) => s.firstSeq === 1 && s.maxCapacityG === 30000)).toBe(true);
      void pluProductId;
    });

    it('sells, survives a dropped connection and a broker restart, and every sale is stored once', async () => {
      let broker = await startEmbeddedBroker({ devices: t.ctx.devices, ingest: t.ctx.ingest, logger: silent, host: '127.0.0.1', port: 0 });
      const port = broker.port;
      const fleet = createFleet({ scales: specs, transport: 'mqtt', mqttUrl: `mqtt://127.0.0.1:${port}`, ratePerS: 40, shares: SHARES, seed: 1, heartbeatS: 0.5, reconnectPeriodMs: 200 });
      try {
        const stats = await run(fleet, async () => {
          fleet.dropConnections();
          await sleep(700);
          await broker.close();
          await sleep(300);
          broker = await startEmbeddedBroker({ devices: t.ctx.devices, ingest: t.ctx.ingest, logger: silent, host: '127.0.0.1', port });
        });
        expect(stats.sales).toBeGreaterThan(40);
        for (const s of fleet.scales) {
          await expectExactlyOnce(s);
          await expectFlags(s, { judged: s.spec.scaleId === t.fx.scales.A });
        }
        expect(fleet.scales[0]!.counters.overCap).toBeGreaterThan(0);
        expect(fleet.scales.reduce((n, s) => n + s.skippedSeqs.length, 0)).toBeGreaterThan(0);
      } finally {
        await fleet.stop();
        await broker.close();
      }
      // What the scale's merchant and its office see: the sales, the over-cap alert.
      const sales = (await admin.get(`/api/sales?scaleId=${t.fx.scales.A}&pageSize=500`)).json();
      expect(sales.total).toBe(fleet.scales[0]!.counters.sales);
      expect(sales.items.some((s: { isOverCap: boolean; flags: string[] }) => s.isOverCap && s.flags.includes('over_cap'))).toBe(true);
      const overCap = (await admin.get('/api/alerts?type=over_cap&pageSize=100')).json().items as { scaleId: number; status: string }[];
      expect(overCap.some((a) => a.scaleId === t.fx.scales.A)).toBe(true);
      const insp = await t.as('insp_a');
      expect((await insp.get('/api/alerts?type=over_cap&pageSize=100')).json().items.length).toBeGreaterThan(0);
      const device = (await admin.get(`/api/scales/${t.fx.scales.A}/device`)).json();
      expect(device).toMatchObject({ lastSeq: fleet.scales[0]!.lastSeq, isOnline: false, lastTransport: 'mqtt' });
    });
  });

  describe('over HTTP', () => {
    it('continues each scale’s sequence, survives a dropped link, and every sale is stored once', async () => {
      const specs = await provision([t.fx.scales.A, t.fx.scales.B]);
      expect(specs[0]!.firstSeq).toBeGreaterThan(1);
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      const fleet = createFleet({ scales: specs, transport: 'http', httpUrl: url, ratePerS: 30, shares: SHARES, seed: 2, heartbeatS: 0.5 });
      try {
        const stats = await run(fleet, async () => fleet.dropConnections());
        expect(stats.sales).toBeGreaterThan(20);
        for (const s of fleet.scales) {
          await expectExactlyOnce(s);
          await expectFlags(s, { judged: s.spec.scaleId === t.fx.scales.A });
        }
      } finally {
        await fleet.stop();
      }
      const device = (await admin.get(`/api/scales/${t.fx.scales.B}/device`)).json();
      expect(device).toMatchObject({ lastSeq: fleet.scales[1]!.lastSeq, lastTransport: 'http' });
    });

    it('provisions over the staff API as the CLI does, and names what went wrong', async () => {
      const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      const specs = await provisionOverApi({ baseUrl: url, username: 'admin', password: FIXTURE_PASSWORD, count: 2 });
      expect(specs.map((s) => s.deviceId)).toEqual(['SN-A-1', 'SN-B-1']);
      expect(specs[0]!.firstSeq).toBe((await t.ctx.devices.status(by.actor, t.fx.scales.A)).lastSeq + 1);
      expect(specs[0]!.products.find((p) => p.plu === '1001')).toMatchObject({ capFenPerKg: 16000 });
      await expect(provisionOverApi({ baseUrl: url, username: 'admin', password: 'wrong-password', count: 1 })).rejects.toThrow(/sign-in as admin .* failed \(HTTP 401\)/);
      // The verification institution sees scales but may not issue device secrets.
      await expect(provisionOverApi({ baseUrl: url, username: 'verifier', password: FIXTURE_PASSWORD, count: 1 })).rejects.toThrow(/device-credentials: not permitted for this user \(HTTP 403/);
      await expect(provisionOverApi({ baseUrl: 'http://127.0.0.1:9', username: 'admin', password: 'x', count: 1 })).rejects.toThrow(/cannot reach the platform at http:\/\/127.0.0.1:9/);
    });

    it('stops a scale whose credentials were reissued, and says why', async () => {
      const [spec] = await provision([t.fx.scales.B]);
      await t.ctx.devices.issue(by, t.fx.scales.B);
      const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      const fleet = createFleet({ scales: [spec!], transport: 'http', httpUrl: url, ratePerS: 5, seed: 3 });
      await expect(fleet.start({ timeoutMs: 5000 })).rejects.toThrow(/no scale could connect.*401/);
      expect(fleet.scales[0]!.stoppedReason).toMatch(/401/);
    });
  });

  describe('the demo simulation', () => {
    const capture = () => {
      const lines: string[] = [];
      const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
      return { logger, lines };
    };
    it('is skipped with one line when MASHANG_SIMULATE=false, and outside a demo database', async () => {
      const off = capture();
      const sim = await startDemoSimulation({ ...t.ctx, logger: off.logger }, { mqttUrl: 'mqtt://127.0.0.1:9', env: { MASHANG_SIMULATE: 'false' } });
      await sim.stop();
      expect(off.lines).toHaveLength(1);
      expect(off.lines[0]).toContain('MASHANG_SIMULATE=false');
      const notDemo = capture();
      await (await startDemoSimulation({ ...t.ctx, logger: notDemo.logger }, { mqttUrl: 'mqtt://127.0.0.1:9', env: {} })).stop();
      expect(notDemo.lines).toHaveLength(1);
      expect(notDemo.lines[0]).toContain('not created as a demo');
    });
  });

  describe.runIf(EXTERNAL)('over MQTT through the external broker (MQTT_URL)', () => {
    it('sells through the broker to the shared-subscription consumer, and every sale is stored once', async (testCtx) => {
      const refused = await brokerTakesAnonymous(EXTERNAL!);
      if (refused) {
        console.warn(`skipped: the broker at ${EXTERNAL} refuses an anonymous client (${refused}); configure the platform's credentials in MQTT_URL`);
        testCtx.skip();
      }
      // Scales of their own, so tests elsewhere on the same broker never take over these client ids.
      const serial = `SIM-${randomBytes(5).toString('hex')}`;
      const made = await admin.post('/api/scales', { serialNo: serial, manufacturer: '上海大华', model: 'TM-30', maxCapacityG: 15000, divisionG: 5, accuracyClass: 'III', isIot: true, merchantId: t.fx.merchants.A });
      expect(made.statusCode, made.body).toBe(201);
      const specs = await provision([made.json().id]);
      expect(specs[0]!.deviceId).toBe(serial);
      const consumer = await connectExternalBroker({ devices: t.ctx.devices, ingest: t.ctx.ingest, logger: silent, url: EXTERNAL!, group: `simtest${randomBytes(4).toString('hex')}` });
      const fleet = createFleet({ scales: specs, transport: 'mqtt', mqttUrl: EXTERNAL!, ratePerS: 20, shares: SHARES, seed: 4, heartbeatS: 0.5, reconnectPeriodMs: 200 });
      try {
        const stats = await run(fleet, async () => fleet.dropConnections());
        expect(stats.sales).toBeGreaterThan(15);
        await expectExactlyOnce(fleet.scales[0]!);
        await expectFlags(fleet.scales[0]!, { judged: true });
      } finally {
        await fleet.stop();
        await consumer.close();
        // Leave no retained status behind on a shared broker.
        const c = await mqtt.connectAsync(EXTERNAL!, { clientId: `cleanup-${randomBytes(4).toString('hex')}`, reconnectPeriod: 0 });
        await c.publishAsync(`mashang/v1/scales/${serial}/status`, '', { qos: 1, retain: true });
        await c.endAsync();
      }
    });
  });
});
