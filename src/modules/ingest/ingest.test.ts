import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { sql } from 'kysely';
import { createTestApp, type Client, type TestApp } from '../../test-support/app.js';
import { TEST_DB_KINDS } from '../../test-support/db.js';
import { eventually } from '../../test-support/eventually.js';
import { connectExternalBroker, createDeviceService, macOf, startEmbeddedBroker, type MqttTransport } from './index.js';

const HOUR = 3_600_000;
const rfc = (d: Date) => {
  const local = new Date(d.getTime() + 8 * HOUR);
  return local.toISOString().replace(/\.\d{3}Z$/, '+08:00');
};

describe.each(TEST_DB_KINDS)('IoT ingest on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let inspA: Client;
  let inspBC: Client;
  let secret: Buffer;
  let deviceId: string;
  let seq = 0;

  const sign = <T extends Record<string, unknown>>(m: T): T & { mac: string; seq: number } => ({ ...m, mac: macOf(secret, m) }) as T & { mac: string; seq: number };
  const tx = (over: Record<string, unknown> = {}) => sign({ v: 1, seq: ++seq, ts: rfc(new Date()), plu: '1001', name: '石斑鱼', weight_g: 1250, tare_g: 0, unit_price_fen_per_kg: 15000, total_fen: 18750, ...over });
  const ev = (type: string, over: Record<string, unknown> = {}) => sign({ v: 1, seq: ++seq, ts: rfc(new Date()), type, ...over });
  const post = (messages: unknown[], auth = secret.toString('base64url'), id = deviceId) =>
    t.app.inject({ method: 'POST', url: `/api/device/v1/scales/${id}/messages`, headers: { authorization: `Bearer ${auth}` }, payload: { messages } });
  const alertsOf = async (type: string) => (await admin.get(`/api/alerts?type=${type}&pageSize=100`)).json().items as { id: number; evidenceCount: number; districtId: number; status: string }[];

  beforeAll(async () => {
    t = await createTestApp(kind, { INGEST_HTTP_PER_SCALE_PER_S: '1000', INGEST_GAP_GRACE_MINUTES: '1', INGEST_WRITERS: kind === 'postgres' ? '2' : '1' });
    admin = await t.as('admin');
    inspA = await t.as('insp_a');
    inspBC = await t.as('insp_bc');
    const price = await t.as('price');
    // 石斑鱼 capped at ¥160/kg in city X, mapped to plu 1001 of merchant A; scale A verified.
    const product = (await price.post('/api/products', { code: 'SF-001', name: '石斑鱼', category: 'seafood' })).json();
    const list = (await price.post('/api/price-lists', { title: '海鲜调控价格', effectiveFrom: new Date(Date.now() - 30 * 24 * HOUR).toISOString(), items: [{ productId: product.id, capFenPerKg: 16000 }] })).json();
    expect((await price.post(`/api/price-lists/${list.id}/publish`)).statusCode).toBe(200);
    expect((await admin.put(`/api/merchants/${t.fx.merchants.A}/plu`, { plu: '1001', productId: product.id })).statusCode).toBe(200);
    const verifier = await t.as('verifier');
    expect((await verifier.post(`/api/scales/${t.fx.scales.A}/verifications`, { certificateNo: 'JD-1', verifiedOn: new Date(Date.now() - 10 * 24 * HOUR).toISOString().slice(0, 10), result: 'pass', validUntil: '2099-12-31' })).statusCode).toBe(201);
    const issued = await inspA.post(`/api/scales/${t.fx.scales.A}/device-credentials`);
    expect(issued.statusCode, issued.body).toBe(201);
    deviceId = issued.json().deviceId;
    secret = Buffer.from(issued.json().secret, 'base64url');
    expect(deviceId).toBe('SN-A-1');
    expect(secret).toHaveLength(32);
  });
  afterAll(async () => t?.close());

  describe('device credentials', () => {
    it('shows the secret once: status never carries it', async () => {
      const status = (await inspA.get(`/api/scales/${t.fx.scales.A}/device`)).json();
      expect(status).toMatchObject({ deviceId: 'SN-A-1', hasCredentials: true, isOnline: false, lastSeq: 0 });
      expect(JSON.stringify(status)).not.toContain(secret.toString('base64url'));
      expect((await inspBC.post(`/api/scales/${t.fx.scales.A}/device-credentials`)).statusCode).toBe(404);
    });

    it('loads a scale once for the messages arriving together, and not at all for a malformed id', async () => {
      // No caching at all (ttl 0): only the single load in flight can make three lookups share a result.
      const devices = createDeviceService(t.ctx.dbHandle.db, t.ctx.registry, { cacheTtlMs: 0 });
      const [a, b, c] = await Promise.all([devices.lookup(deviceId), devices.lookup(deviceId), devices.lookup(deviceId)]);
      expect(a).not.toBeNull();
      expect(a!.secret.equals(secret)).toBe(true);
      expect(b).toBe(a);
      expect(c).toBe(a);
      // Once it is done, the next lookup loads afresh.
      expect(await devices.lookup(deviceId)).not.toBe(a);
      expect(await devices.lookup('not a scale id!')).toBeNull();
    });
  });

  describe('HTTP transport', () => {
    it('refuses a missing or wrong secret with 401', async () => {
      expect((await post([tx()], 'A'.repeat(43))).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'POST', url: `/api/device/v1/scales/${deviceId}/messages`, payload: { messages: [{}] } })).statusCode).toBe(401);
      expect((await post([tx()], secret.toString('base64url'), 'SN-B-1')).statusCode).toBe(401);
      seq -= 2; // two of the three requests carried a (never stored) message
    });

    it('stores a sale once, acks after storage, and makes it queryable within reach', async () => {
      const m = tx();
      const res = await post([m]);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ acks: [{ seq: m.seq, status: 'accepted' }] });
      const sales = (await inspA.get(`/api/sales?merchantId=${t.fx.merchants.A}`)).json();
      expect(sales.items[0]).toMatchObject({ seq: m.seq, plu: '1001', weightG: 1250, totalFen: 18750, isOverCap: false, capFenPerKg: 16000, flags: [] });
      expect((await inspA.get(`/api/sales?marketId=${t.fx.markets.A}`)).json().total).toBe(1);
      expect((await inspBC.get(`/api/sales?merchantId=${t.fx.merchants.A}`)).json().total).toBe(0);
      expect((await post([m])).json()).toEqual({ acks: [{ seq: m.seq, status: 'duplicate' }] });
      const status = (await inspA.get(`/api/scales/${t.fx.scales.A}/device`)).json();
      expect(status).toMatchObject({ lastSeq: m.seq, lastTransport: 'http' });
    });

    it('stores each message once when the same batch arrives several times at once', async () => {
      const batch = Array.from({ length: 200 }, () => tx());
      const results = await Promise.all([post(batch), post(batch), post(batch), post(batch)]);
      const statuses = results.flatMap((r) => r.json().acks.map((a: { status: string }) => a.status));
      expect(statuses.filter((s) => s === 'accepted')).toHaveLength(200);
      expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(600);
      const stored = await t.ctx.dbHandle.db.selectFrom('sale').select((eb) => eb.fn.countAll<number>().as('n')).where('scale_id', '=', t.fx.scales.A).where('seq', '>=', batch[0]!.seq).where('seq', '<=', batch[199]!.seq).executeTakeFirstOrThrow();
      expect(Number(stored.n)).toBe(200);
    });

    it('stores printed names and receipt numbers byte for byte, tabs, line breaks and backslashes included', async () => {
      const odd = ['鱼\t(活)', '蟹\\大\\N', '虾\n二号\r', '\\N'];
      const ms = odd.map((name, i) => tx({ plu: `90${i}`, name, receipt_no: `R\t${i}\\` }));
      expect((await post(ms)).json().acks.map((a: { status: string }) => a.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
      const rows = await t.ctx.dbHandle.db.selectFrom('sale').select(['seq', 'name', 'receipt_no', 'flags']).where('scale_id', '=', t.fx.scales.A).where('seq', 'in', ms.map((m) => m.seq)).orderBy('seq').execute();
      expect(rows).toEqual(ms.map((m, i) => ({ seq: m.seq, name: odd[i], receipt_no: `R\t${i}\\`, flags: [] })));
      // Sent again, each is the same message: a duplicate, not a conflict.
      expect((await post(ms)).json().acks.map((a: { status: string }) => a.status)).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate']);
    });

    it('keeps the stored message on a seq conflict, raises seq_conflict and keeps the rejected one', async () => {
      const first = tx();
      await post([first]);
      const { mac: _mac, ...unsigned } = first as Record<string, unknown>;
      const other = sign({ ...unsigned, total_fen: 1, weight_g: 7 });
      const res = (await post([{ ...other }])).json();
      expect(res.acks[0]).toMatchObject({ seq: first.seq, status: 'rejected' });
      expect(res.acks[0].error).toContain('seq_conflict');
      expect(await alertsOf('seq_conflict')).toHaveLength(1);
      const stored = await t.ctx.dbHandle.db.selectFrom('sale').select(['total_fen']).where('scale_id', '=', t.fx.scales.A).where('seq', '=', first.seq as number).execute();
      expect(stored).toEqual([{ total_fen: 18750 }]);
    });

    it('answers every message of a batch in order; rejected ones are kept with raw bytes and reason', async () => {
      const good = tx();
      const badMac = { ...tx(), mac: 'x'.repeat(43) };
      const tooHeavy = tx({ weight_g: 999_999 });
      const res = (await post([good, badMac, 'not a message', tooHeavy])).json();
      expect(res.acks.map((a: { status: string }) => a.status)).toEqual(['accepted', 'rejected', 'rejected', 'rejected']);
      expect(res.acks[2]).toEqual({ seq: 0, status: 'rejected', error: 'message must be a JSON object' });
      res.acks.splice(2, 1);
      expect(res.acks[1].error).toBe('mac does not verify');
      expect(res.acks[2].error).toContain('maximum capacity');
      const kept = (await inspA.get(`/api/scales/${t.fx.scales.A}/rejections`)).json();
      expect(kept.map((r: { reason: string }) => r.reason)).toEqual(expect.arrayContaining(['mac does not verify']));
      expect(kept.find((r: { seq: number }) => r.seq === badMac.seq).raw).toContain('"mac":"xxx');
    });

    it('counts what it answered on the metrics endpoint, by status', async () => {
      const count = async (status: string) => {
        const body = (await t.app.inject('/metrics')).body;
        const m = new RegExp(`^mashang_ingest_messages_total\\{status="${status}"\\} (\\d+)$`, 'm').exec(body);
        return Number(m?.[1] ?? NaN);
      };
      const before = { accepted: await count('accepted'), rejected: await count('rejected') };
      const good = tx();
      const res = (await post([good, { ...tx(), mac: 'y'.repeat(43) }, good])).json();
      expect(res.acks.map((a: { status: string }) => a.status)).toEqual(['accepted', 'rejected', 'duplicate']);
      expect(await count('accepted')).toBe(before.accepted + 1);
      expect(await count('rejected')).toBe(before.rejected + 1);
      expect(await count('duplicate')).toBeGreaterThanOrEqual(1);
      expect((await t.app.inject('/metrics')).body).toMatch(/^mashang_ingest_queued 0$/m);
    });

    it('refuses a body that is not the protocol shape (400) or over 1 MiB (413)', async () => {
      expect((await t.app.inject({ method: 'POST', url: `/api/device/v1/scales/${deviceId}/messages`, headers: { authorization: `Bearer ${secret.toString('base64url')}` }, payload: { msgs: [] } })).statusCode).toBe(400);
      expect((await post([])).statusCode).toBe(400);
      expect((await post(new Array(501).fill({}))).statusCode).toBe(400);
      const huge = await t.app.inject({ method: 'POST', url: `/api/device/v1/scales/${deviceId}/messages`, headers: { authorization: `Bearer ${secret.toString('base64url')}`, 'content-type': 'application/json' }, payload: JSON.stringify({ messages: [{ pad: 'x'.repeat(1_100_000) }] }) });
      expect(huge.statusCode).toBe(413);
    });
  });

  describe('judging sales and events', () => {
    it('flags over-cap sales red and aggregates them into one alert for the district office', async () => {
      const before = (await alertsOf('over_cap'))[0]?.evidenceCount ?? 0;
      const batch = Array.from({ length: 100 }, () => tx({ unit_price_fen_per_kg: 18000, total_fen: 22500 }));
      const res = (await post(batch)).json();
      expect(res.acks.every((a: { status: string }) => a.status === 'accepted')).toBe(true);
      const alerts = await alertsOf('over_cap');
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ districtId: t.fx.districts.A, status: 'open', evidenceCount: before + 100 });
      const red = (await inspA.get(`/api/sales?scaleId=${t.fx.scales.A}&overCap=true&pageSize=1`)).json();
      expect(red.total).toBe(100);
      expect(red.items[0]).toMatchObject({ isOverCap: true, capFenPerKg: 16000, flags: ['over_cap'] });
      const detail = (await inspA.get(`/api/alerts/${alerts[0]!.id}`)).json();
      expect(JSON.stringify(detail)).toContain('12.5');
      expect((await inspBC.get(`/api/alerts/${alerts[0]!.id}`)).statusCode).toBe(404);
    });

    it('raises arithmetic mismatch and a controlled product sold under an unmapped code', async () => {
      await post([tx({ total_fen: 25000 }), tx({ plu: '9999', name: '芒果干', unit_price_fen_per_kg: 15000, total_fen: 18750 })]);
      expect(await alertsOf('arithmetic_mismatch')).toHaveLength(1);
      expect(await alertsOf('unmapped_product')).toHaveLength(0); // an unmapped code for an uncontrolled product is fine
      await post([tx({ plu: '9998', name: '石斑鱼' })]);
      expect(await alertsOf('unmapped_product')).toHaveLength(1);
    });

    it('raises tamper and unit change at once, calibration only without an authorised order', async () => {
      await post([ev('tamper', { detail: { seal: 'broken' } }), ev('unit_change_attempt', { actor: 'M-01' }), ev('calibration', { actor: 'JL-7' })]);
      expect(await alertsOf('tamper')).toHaveLength(1);
      expect(await alertsOf('unit_change_attempt')).toHaveLength(1);
      expect(await alertsOf('unauthorised_calibration')).toHaveLength(1);
      const verifier = await t.as('verifier');
      const order = await verifier.post(`/api/scales/${t.fx.scales.A}/calibration-orders`, { validFrom: new Date(Date.now() - HOUR).toISOString(), validUntil: new Date(Date.now() + HOUR).toISOString(), calibrator: 'JL-9' });
      expect(order.statusCode, order.body).toBe(201);
      const before = (await alertsOf('unauthorised_calibration'))[0]!.evidenceCount;
      await post([ev('calibration', { actor: 'JL-9' })]);
      expect((await alertsOf('unauthorised_calibration'))[0]!.evidenceCount).toBe(before);
      await post([ev('config_change', { actor: 'someone-else' })]);
      expect(await alertsOf('unauthorised_config_change')).toHaveLength(1);
    });

    it('rejects a transaction from a clock far ahead, and notes drift on heartbeats', async () => {
      const ahead = (await post([tx({ ts: rfc(new Date(Date.now() + 10 * 60_000)) })])).json();
      expect(ahead.acks[0].error).toContain('ahead of the platform clock');
      await post([ev('heartbeat', { ts: rfc(new Date(Date.now() - 4 * 60_000)) })]);
      expect(await alertsOf('clock_drift')).toHaveLength(1);
      expect((await inspA.get(`/api/scales/${t.fx.scales.A}/device`)).json().clockDriftMs).toBeGreaterThan(200_000);
    });
  });

  describe('storage outage', () => {
    it('acknowledges nothing while storage fails (503), and loses nothing once it is back', async () => {
      const db = t.ctx.dbHandle.db;
      const m = tx();
      await sql`alter table sale rename to sale_away`.execute(db);
      try {
        const res = await post([m]);
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBe('5');
      } finally {
        await sql`alter table sale_away rename to sale`.execute(db);
      }
      expect((await post([m])).json().acks[0]).toEqual({ seq: m.seq, status: 'accepted' });
    });

    it('does not take buffered heartbeats resent after an outage for clock drift', async () => {
      const before = (await alertsOf('clock_drift'))[0]?.evidenceCount ?? 0;
      const old = new Date(Date.now() - 30 * 60_000);
      await post([ev('heartbeat', { ts: rfc(old) }), tx({ ts: rfc(old) }), ev('heartbeat', { ts: rfc(new Date(old.getTime() + 60_000)) })]);
      expect((await alertsOf('clock_drift'))[0]?.evidenceCount ?? 0).toBe(before);
    });
  });

  describe('sequence gaps', () => {
    it('opens a gap for skipped numbers, narrows it as they arrive late, and reports what stays open', async () => {
      const a = tx();
      seq += 2; // two sales never sent
      const b = tx();
      await post([a, b]);
      const open = () => t.ctx.dbHandle.db.selectFrom('seq_gap').select(['from_seq', 'to_seq']).where('scale_id', '=', t.fx.scales.A).where('closed_at', 'is', null).execute();
      expect(await open()).toEqual(expect.arrayContaining([{ from_seq: (a.seq as number) + 1, to_seq: (a.seq as number) + 2 }]));
      const lateSeq = (a.seq as number) + 1;
      const late = sign({ v: 1, seq: lateSeq, ts: rfc(new Date()), plu: '1001', name: '石斑鱼', weight_g: 500, tare_g: 0, unit_price_fen_per_kg: 15000, total_fen: 7500 });
      expect((await post([late])).json().acks[0].status).toBe('accepted');
      expect(await open()).toEqual(expect.arrayContaining([{ from_seq: lateSeq + 1, to_seq: lateSeq + 1 }]));
      // The filled number is held now: sent again it is a duplicate, and changed a conflict.
      expect((await post([late])).json().acks[0].status).toBe('duplicate');
      const changed = sign({ v: 1, seq: lateSeq, ts: rfc(new Date()), plu: '1001', name: '石斑鱼', weight_g: 600, tare_g: 0, unit_price_fen_per_kg: 15000, total_fen: 9000 });
      expect((await post([changed])).json().acks[0].status).toBe('rejected');
      await sql`update seq_gap set opened_at = now() - interval '2 minutes' where closed_at is null`.execute(t.ctx.dbHandle.db);
      expect((await t.ctx.sweeper.sweep()).gaps).toBeGreaterThanOrEqual(1);
      expect(await alertsOf('seq_gap')).toHaveLength(1);
      expect((await t.ctx.sweeper.sweep()).gaps).toBe(0); // reported once
    });
  });

  describe('scales going quiet', () => {
    it('reports a scale silent during its market\'s business hours, once per offline episode', async () => {
      const db = t.ctx.dbHandle.db;
      await sql`update market set opens_at = '00:00', closes_at = '23:59:59' where id = ${t.fx.markets.A}`.execute(db);
      await sql`update scale_device set last_seen_at = now() - interval '1 hour', is_online = true where scale_id = ${t.fx.scales.A}`.execute(db);
      expect((await t.ctx.sweeper.sweep()).offline).toBe(1);
      const alerts = await alertsOf('scale_offline');
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ districtId: t.fx.districts.A });
      expect((await t.ctx.sweeper.sweep()).offline).toBe(0);
      // Heard from again after the report, then silent again: a new episode (times shifted back by two hours).
      await sql`update scale_device set offline_reported_at = now() - interval '3 hours' where scale_id = ${t.fx.scales.A}`.execute(db);
      await post([ev('heartbeat')]);
      await sql`update scale_device set last_seen_at = now() - interval '2 hours' where scale_id = ${t.fx.scales.A}`.execute(db);
      expect((await t.ctx.sweeper.sweep()).offline).toBe(1);
      // Outside business hours nothing is reported.
      await sql`update market set opens_at = '00:00', closes_at = '00:00:01' where id = ${t.fx.markets.A}`.execute(db);
      await sql`update scale_device set offline_reported_at = now() - interval '3 hours' where scale_id = ${t.fx.scales.A}`.execute(db);
      await post([ev('heartbeat')]);
      await sql`update scale_device set last_seen_at = now() - interval '2 hours' where scale_id = ${t.fx.scales.A}`.execute(db);
      expect((await t.ctx.sweeper.sweep()).offline).toBe(0);
      await sql`update market set opens_at = '06:00', closes_at = '20:00' where id = ${t.fx.markets.A}`.execute(db);
    });
  });

  describe('MQTT, embedded broker', () => {
    let broker: MqttTransport & { port: number };
    beforeAll(async () => {
      broker = await startEmbeddedBroker({ devices: t.ctx.devices, ingest: t.ctx.ingest, logger: t.ctx.logger, host: '127.0.0.1', port: 0 });
    });
    afterAll(async () => broker?.close());

    const connect = (id: string, password: string) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: id, username: id, password, reconnectPeriod: 0, connectTimeout: 5000 });

    it('takes signed sales and answers on the ack topic after storage', async () => {
      const c = await connect(deviceId, secret.toString('base64url'));
      // Acks owed at once may share one payload: what counts is an ack per seq.
      const acks: { seq: number; status: string; error?: string }[] = [];
      await c.subscribeAsync(`mashang/v1/scales/${deviceId}/ack`, { qos: 1 });
      const got = new Promise<void>((resolve) =>
        c.on('message', (_t, p) => {
          const body = JSON.parse(p.toString()) as { v: number; acks: typeof acks };
          expect(body.v).toBe(1);
          acks.push(...body.acks);
          if (acks.length >= 3) resolve();
        }),
      );
      const one = tx();
      const two = [tx(), ev('heartbeat')];
      await c.publishAsync(`mashang/v1/scales/${deviceId}/tx`, JSON.stringify(one), { qos: 1 });
      await c.publishAsync(`mashang/v1/scales/${deviceId}/tx`, JSON.stringify(two), { qos: 1 });
      await got;
      expect(acks.find((a) => a.seq === one.seq)).toEqual({ seq: one.seq, status: 'accepted' });
      expect(acks.find((a) => a.seq === two[0]!.seq)).toEqual({ seq: two[0]!.seq, status: 'accepted' });
      expect(acks.find((a) => a.seq === two[1]!.seq)).toMatchObject({ status: 'rejected', error: expect.stringContaining('event topic') });
      await c.publishAsync(`mashang/v1/scales/${deviceId}/status`, 'online', { qos: 1, retain: true });
      await new Promise((r) => setTimeout(r, 200));
      expect((await inspA.get(`/api/scales/${t.fx.scales.A}/device`)).json()).toMatchObject({ isOnline: true, lastTransport: 'mqtt' });
      expect((await inspA.get('/api/devices?online=true')).json().items.map((d: { scaleId: number }) => d.scaleId)).toEqual([t.fx.scales.A]);
      await c.endAsync();
      await new Promise((r) => setTimeout(r, 200));
      expect((await inspA.get(`/api/scales/${t.fx.scales.A}/device`)).json().isOnline).toBe(false);
      expect((await inspA.get('/api/devices?online=false')).json().total).toBe(1);
    });

    it('rejects and keeps every kind of bad input on one connection, and goes on taking valid sales', async () => {
      const c = await connect(deviceId, secret.toString('base64url'));
      const acks = new Map<number, { seq: number; status: string; error?: string }>();
      await c.subscribeAsync(`mashang/v1/scales/${deviceId}/ack`, { qos: 1 });
      c.on('message', (_t, p) => {
        for (const a of (JSON.parse(p.toString()) as { acks: { seq: number; status: string; error?: string }[] }).acks) acks.set(a.seq, a);
      });
      const send = (payload: string | Buffer) => c.publishAsync(`mashang/v1/scales/${deviceId}/tx`, payload, { qos: 1 });
      const stored = tx();
      await send(JSON.stringify(stored));
      const ahead = tx({ ts: rfc(new Date(Date.now() + HOUR)) });
      const extra = sign({ v: 1, seq: ++seq, ts: rfc(new Date()), plu: '1001', name: '石斑鱼', weight_g: 1250, tare_g: 0, unit_price_fen_per_kg: 15000, total_fen: 18750, discount_fen: 100 });
      const missing = (({ total_fen: _drop, ...rest }) => sign(rest))(tx());
      const wrongType = tx({ weight_g: '1250' });
      const negative = tx({ tare_g: -5 });
      const huge = tx({ unit_price_fen_per_kg: 1e300, total_fen: 1e300 });
      const badMac = { ...tx(), mac: 'A'.repeat(43) };
      const bad = [ahead, extra, missing, wrongType, negative, huge, badMac];
      await send(Buffer.from('{"v":1,"seq":'));
      await send('"just a string"');
      await send(JSON.stringify(new Array(501).fill(stored)));
      for (const m of bad) await send(JSON.stringify(m));
      // A replay of a stored sale is answered as a duplicate, not stored again.
      await send(JSON.stringify(stored));
      const last = tx();
      await send(JSON.stringify(last));
      await eventually(async () => expect(acks.get(last.seq)?.status).toBe('accepted'), 10_000);
      expect(c.connected).toBe(true);
      for (const m of bad) expect(acks.get(m.seq), `seq ${m.seq}`).toMatchObject({ status: 'rejected' });
      expect(acks.get(ahead.seq)!.error).toContain('ahead of the platform clock');
      expect(acks.get(extra.seq)!.error).toContain('unknown member discount_fen');
      expect(acks.get(missing.seq)!.error).toContain('total_fen');
      expect(acks.get(wrongType.seq)!.error).toContain('weight_g');
      expect(acks.get(negative.seq)!.error).toContain('tare_g');
      expect(acks.get(huge.seq)!.error).toContain('unit_price_fen_per_kg');
      expect(acks.get(badMac.seq)!.error).toBe('mac does not verify');
      expect(acks.get(stored.seq)!.status).toBe('duplicate');
      // Each kept with its reason and raw bytes, the unreadable payloads too.
      const kept = (await inspA.get(`/api/scales/${t.fx.scales.A}/rejections`)).json() as { seq: number | null; reason: string; raw: string; transport: string }[];
      const mqttKept = kept.filter((k) => k.transport === 'mqtt');
      expect(mqttKept.map((k) => k.reason)).toEqual(expect.arrayContaining(['payload is not JSON', 'payload must be a message object or an array of them', 'a batch holds at most 500 messages, this has 501']));
      expect(mqttKept.find((k) => k.reason === 'payload is not JSON')!.raw).toBe('{"v":1,"seq":');
      for (const m of bad) expect(mqttKept.find((k) => k.seq === m.seq)?.reason, `seq ${m.seq}`).toBe(acks.get(m.seq)!.error);
      // The valid sales are in the record, once.
      const rows = await t.ctx.dbHandle.db.selectFrom('sale').select(['seq']).where('scale_id', '=', t.fx.scales.A).where('seq', 'in', [stored.seq, last.seq, ...bad.map((m) => m.seq)]).execute();
      expect(rows.map((r) => Number(r.seq)).sort((x, y) => x - y)).toEqual([stored.seq, last.seq]);
      await c.endAsync();
    });

    it('refuses a wrong secret, and a scale straying outside its own topics', async () => {
      await expect(connect(deviceId, 'B'.repeat(43))).rejects.toThrow();
      const c = await connect(deviceId, secret.toString('base64url'));
      // Refused with SUBACK 0x80, which mqtt.js reports as a subscribe error.
      await expect(c.subscribeAsync('mashang/v1/scales/SN-B-1/ack', { qos: 1 })).rejects.toThrow(/Subscribe error/);
      const closed = new Promise<void>((r) => c.once('close', () => r()));
      c.publish('mashang/v1/scales/SN-B-1/tx', JSON.stringify(tx()), { qos: 1 });
      await closed;
      c.end(true);
    });

    it('cuts off a revoked secret at once, on both transports, until a new one is issued', async () => {
      const c = await connect(deviceId, secret.toString('base64url'));
      const closed = new Promise<void>((r) => c.once('close', () => r()));
      expect((await inspA.request('DELETE', `/api/scales/${t.fx.scales.A}/device-credentials`)).statusCode).toBe(204);
      await closed;
      c.end(true);
      await expect(connect(deviceId, secret.toString('base64url'))).rejects.toThrow();
      expect((await post([tx()])).statusCode).toBe(401);
      expect((await inspA.get(`/api/scales/${t.fx.scales.A}/device`)).json().revokedAt).not.toBeNull();
      const issued = (await inspA.post(`/api/scales/${t.fx.scales.A}/device-credentials`)).json();
      secret = Buffer.from(issued.secret, 'base64url');
      expect((await post([tx()])).json().acks[0].status).toBe('accepted');
    });

    it('cuts off a reissued secret at once', async () => {
      const c = await connect(deviceId, secret.toString('base64url'));
      const closed = new Promise<void>((r) => c.once('close', () => r()));
      const issued = (await inspA.post(`/api/scales/${t.fx.scales.A}/device-credentials`)).json();
      await closed;
      c.end(true);
      await expect(connect(deviceId, secret.toString('base64url'))).rejects.toThrow();
      expect((await post([tx()])).statusCode).toBe(401);
      secret = Buffer.from(issued.secret, 'base64url');
      expect((await post([tx()])).json().acks[0].status).toBe('accepted');
    });
  });

  describe.runIf(kind === 'postgres' && process.env.MQTT_URL)('MQTT, external broker (MQTT_URL)', () => {
    it('consumes through a shared subscription and acknowledges on the scale\'s ack topic', async () => {
      const consumer = await connectExternalBroker({ devices: t.ctx.devices, ingest: t.ctx.ingest, logger: t.ctx.logger, url: process.env.MQTT_URL!, group: `test${Date.now()}` });
      const c = await mqtt.connectAsync(process.env.MQTT_URL!, { clientId: `${deviceId}-${Date.now()}`, reconnectPeriod: 0 });
      await c.subscribeAsync(`mashang/v1/scales/${deviceId}/ack`, { qos: 1 });
      const ack = new Promise<{ acks: { status: string }[] }>((r) => c.on('message', (_t, p) => r(JSON.parse(p.toString()))));
      await new Promise((r) => setTimeout(r, 200));
      await c.publishAsync(`mashang/v1/scales/${deviceId}/tx`, JSON.stringify(tx()), { qos: 1 });
      expect((await ack).acks[0]!.status).toBe('accepted');
      await c.endAsync();
      await consumer.close();
    });

    it('publishes acks while holding back a flood, and closes without waiting for ever', async () => {
      // A writer that stores slowly and reports a long queue for 1.5 s: the consumer holds back,
      // the broker drops what overflows its queue for it, and acks for what was taken go out meanwhile.
      let holding = false;
      let settling = false;
      const pending: (() => void)[] = [];
      const settle = setInterval(() => settling && pending.splice(0, 50).forEach((f) => f()), 20);
      const slow = {
        queued: () => (holding ? 1_000_000 : 0),
        whenBelow: () => new Promise<void>((r) => { const w = setInterval(() => !holding && (clearInterval(w), r()), 20); }),
        submit: async (_d: unknown, _tr: unknown, _ch: unknown, payload: Buffer) => {
          await new Promise<void>((r) => pending.push(r));
          return [{ seq: (JSON.parse(payload.toString()) as { seq: number }).seq, status: 'accepted' as const }];
        },
      } as unknown as typeof t.ctx.ingest;
      const consumer = await connectExternalBroker({ devices: t.ctx.devices, ingest: slow, logger: t.ctx.logger, url: process.env.MQTT_URL!, group: `held${Date.now()}`, consumers: 1 });
      const c = await mqtt.connectAsync(process.env.MQTT_URL!, { clientId: `${deviceId}-${Date.now()}`, reconnectPeriod: 0 });
      await c.subscribeAsync(`mashang/v1/scales/${deviceId}/ack`, { qos: 1 });
      await new Promise((r) => setTimeout(r, 200));
      const big = Buffer.from(JSON.stringify({ ...tx(), pad: 'x'.repeat(1500) }));
      const flood = Array.from({ length: 20_000 }, () => c.publishAsync(`mashang/v1/scales/${deviceId}/tx`, big, { qos: 1 }));
      // Taken at first; then held back while what was taken is acknowledged.
      for (let i = 0; i < 100 && pending.length < 2000; i++) await new Promise((r) => setTimeout(r, 20));
      holding = true;
      settling = true;
      await new Promise((r) => setTimeout(r, 2000));
      holding = false;
      await Promise.all(flood);
      await new Promise((r) => setTimeout(r, 500));
      clearInterval(settle);
      pending.splice(0).forEach((f) => f());
      const closed = await Promise.race([consumer.close().then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
      expect(closed, 'every ack published was answered by the broker, so close() returns').toBe(true);
      await c.endAsync();
    }, 60_000);

    it('renews its connection after holding back, handing over without losing or repeating a message', async () => {
      const consumer = await connectExternalBroker({ devices: t.ctx.devices, ingest: t.ctx.ingest, logger: t.ctx.logger, url: process.env.MQTT_URL!, group: `renew${Date.now()}`, consumers: 1, queueHighWater: 20, renewAfterMs: 300 });
      const c = await mqtt.connectAsync(process.env.MQTT_URL!, { clientId: `${deviceId}-${Date.now()}`, reconnectPeriod: 0 });
      await c.subscribeAsync(`mashang/v1/scales/${deviceId}/ack`, { qos: 1 });
      const acks = new Map<number, string[]>();
      c.on('message', (_t, p) => {
        for (const a of JSON.parse(p.toString()).acks as { seq: number; status: string }[]) acks.set(a.seq, [...(acks.get(a.seq) ?? []), a.status]);
      });
      await new Promise((r) => setTimeout(r, 200));
      const send = (m: ReturnType<typeof tx>) => c.publishAsync(`mashang/v1/scales/${deviceId}/tx`, JSON.stringify(m), { qos: 1 });
      // A burst while the platform is stalled: more than the high-water mark queues at once, so it holds back.
      const burst = Array.from({ length: 1000 }, () => tx());
      const published = Promise.all(burst.map(send));
      await new Promise((r) => setTimeout(r, 50));
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
      await published;
      // A steady trickle goes on through the renewal.
      const trickle: ReturnType<typeof tx>[] = [];
      for (let i = 0; i < 300 && consumer.renewals() === 0; i++) {
        const m = tx();
        trickle.push(m);
        await send(m);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(consumer.renewals()).toBe(1);
      for (let i = 0; i < 50; i++) {
        const m = tx();
        trickle.push(m);
        await send(m);
        await new Promise((r) => setTimeout(r, 20));
      }
      const all = [...burst, ...trickle];
      await eventually(async () => expect(all.filter((m) => !acks.has(m.seq)).length).toBe(0), 15_000);
      expect(all.filter((m) => acks.get(m.seq)!.join() !== 'accepted').map((m) => [m.seq, acks.get(m.seq)])).toEqual([]);
      const stored = await sql<{ n: number; d: number }>`select count(*)::int as n, count(distinct seq)::int as d from sale where scale_id = ${t.fx.scales.A} and seq between ${burst[0]!.seq} and ${trickle.at(-1)!.seq}`.execute(t.ctx.dbHandle.db);
      expect(stored.rows[0]).toEqual({ n: all.length, d: all.length });
      await c.endAsync();
      await consumer.close();
    }, 60_000);

    it('takes a burst of 5,000 payloads while stalled without losing a message', async () => {
      // One consumer connection takes 5,000 payloads sent at once while the platform is stalled.
      const consumer = await connectExternalBroker({ devices: t.ctx.devices, ingest: t.ctx.ingest, logger: t.ctx.logger, url: process.env.MQTT_URL!, group: `burst${Date.now()}`, consumers: 1 });
      const c = await mqtt.connectAsync(process.env.MQTT_URL!, { clientId: `${deviceId}-${Date.now()}`, reconnectPeriod: 0 });
      await c.subscribeAsync(`mashang/v1/scales/${deviceId}/ack`, { qos: 1 });
      const accepted = new Set<number>();
      const all = new Promise<void>((r) =>
        c.on('message', (_t, p) => {
          for (const a of JSON.parse(p.toString()).acks as { seq: number; status: string }[]) if (a.status === 'accepted') accepted.add(a.seq);
          if (accepted.size === 5000) r();
        }),
      );
      await new Promise((r) => setTimeout(r, 200));
      const sent = Array.from({ length: 5000 }, () => tx());
      const published = Promise.all(sent.map((m) => c.publishAsync(`mashang/v1/scales/${deviceId}/tx`, JSON.stringify(m), { qos: 1 })));
      // The platform busy for a second (a long commit, a GC pause) while the burst reaches the broker.
      await new Promise((r) => setTimeout(r, 50));
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
      await published;
      await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
      expect(accepted.size).toBe(5000);
      const stored = await sql<{ n: number }>`select count(*)::int as n from sale where scale_id = ${t.fx.scales.A} and seq between ${sent[0]!.seq} and ${sent[4999]!.seq}`.execute(t.ctx.dbHandle.db);
      expect(stored.rows[0]!.n).toBe(5000);
      await c.endAsync();
      await consumer.close();
    }, 60_000);
  });
});
