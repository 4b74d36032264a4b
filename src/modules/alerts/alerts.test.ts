import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices } from '../../context.js';
import { buildApp } from '../../http/app.js';
import { createTestApp, type Client, type TestApp } from '../../test-support/app.js';
import { TEST_DB_KINDS } from '../../test-support/db.js';
import { createAlertsService, type AlertSummary, type Finding } from './index.js';

type Place = 'A' | 'B' | 'Y';
interface StreamEvent {
  event: string;
  data: AlertSummary & Record<string, unknown>;
}

/** Reads a Server-Sent Events stream over real HTTP, as a browser would. */
async function openStream(url: string, cookie: string) {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { cookie: `mashang_session=${cookie}`, accept: 'text/event-stream' }, signal: ac.signal });
  const events: StreamEvent[] = [];
  let ended = false;
  const done = (async () => {
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const lines = block.split('\n');
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
          if (event) events.push({ event, data: data ? JSON.parse(data) : null });
        }
      }
    } catch {
      /* aborted */
    } finally {
      ended = true;
    }
  })();
  const waitFor = async (pred: (e: StreamEvent) => boolean, ms = 5000): Promise<StreamEvent> => {
    const until = Date.now() + ms;
    for (;;) {
      const found = events.find(pred);
      if (found) return found;
      if (ended || Date.now() > until) throw new Error(`no matching event within ${ms} ms; got ${JSON.stringify(events.map((e) => [e.event, e.data?.id]))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await waitFor((e) => e.event === 'ready');
  return { res, events, waitFor, done, isEnded: () => ended, close: () => ac.abort() };
}

describe.each(TEST_DB_KINDS)('alerts on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let inspA: Client;
  let inspBC: Client;
  let bureau: Client;
  let n = 0;

  beforeAll(async () => {
    t = await createTestApp(kind);
    [admin, inspA, inspBC, bureau] = await Promise.all([t.as('admin'), t.as('insp_a'), t.as('insp_bc'), t.as('bureau')]);
  });
  afterAll(async () => t?.close());

  /** A finding on the fixture scale at a place; `key` defaults to a fresh one so tests do not fold into each other. */
  const finding = (at: Place, over: Partial<Finding> & { key?: string; when?: Date; i?: number } = {}): Finding => {
    const fx = t.fx;
    const i = over.i ?? 0;
    return {
      type: over.type ?? 'over_cap',
      ...(over.severity ? { severity: over.severity } : {}),
      subject: { scaleId: fx.scales[at], merchantId: fx.merchants[at], marketId: fx.markets[at], districtId: fx.districts[at] },
      aggregationKey: over.key ?? `test:${at}:${++n}`,
      title: over.title ?? '石斑鱼超调控价 (grouper over the cap)',
      evidence: {
        at: over.when ?? new Date(),
        summary: `单价 160.00 元/kg，超出 ${i} 分 (over by ${i} fen)`,
        data: { unitPriceFenPerKg: 16000, capFenPerKg: 14000, excessFen: 2000 + i, excessPct: 14.3 },
        source: { scaleId: fx.scales[at], seq: 1000 + i },
      },
    };
  };
  const storedEvidence = async (alertId: number) =>
    (await t.ctx.dbHandle.db.selectFrom('alert_evidence').select(sql<number>`count(*)::int`.as('n')).where('alert_id', '=', alertId).executeTakeFirstOrThrow()).n;

  describe('raising and aggregation', () => {
    it('folds a hundred over-cap sales of one scale into one open alert with a hundred pieces of evidence', async () => {
      const key = `scale:${t.fx.scales.A}:morning`;
      const raised = await t.ctx.alerts.raise(Array.from({ length: 100 }, (_, i) => finding('A', { key, i })));
      expect(raised).toHaveLength(1);
      const [a] = raised;
      expect(a).toMatchObject({ created: true, evidenceAdded: 100, evidenceCount: 100, status: 'open', type: 'over_cap', severity: 'high', districtId: t.fx.districts.A, scaleId: t.fx.scales.A, merchantName: '甲海鲜', marketName: '甲市场', districtName: '甲区' });
      expect(a!.alertId).toBe(a!.id);
      expect(await storedEvidence(a!.id)).toBe(100);
      const detail = (await inspA.get(`/api/alerts/${a!.id}?evidencePageSize=10`)).json();
      expect(detail.evidence.total).toBe(100);
      expect(detail.evidence.items).toHaveLength(10);
      expect(detail.evidence.items[0]).toMatchObject({ source: { scaleId: t.fx.scales.A }, data: { capFenPerKg: 14000 } });
    });

    it('adds later sales of the same finding to the open alert, one call or many', async () => {
      const key = `scale:${t.fx.scales.A}:split`;
      const first = await t.ctx.alerts.raise(Array.from({ length: 25 }, (_, i) => finding('A', { key, i })));
      for (let r = 0; r < 3; r++) {
        const [more] = await t.ctx.alerts.raise(Array.from({ length: 25 }, (_, i) => finding('A', { key, i })));
        expect(more).toMatchObject({ id: first[0]!.id, created: false, evidenceAdded: 25 });
      }
      const [a] = await t.ctx.alerts.raise([finding('A', { key })]);
      expect(a).toMatchObject({ evidenceCount: 101, version: 5 });
      expect(await storedEvidence(a!.id)).toBe(101);
    });

    it('never opens two alerts for one finding raised fifty times at once', async () => {
      const key = `scale:${t.fx.scales.B}:race`;
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => t.ctx.alerts.raise([finding('B', { key, i })])));
      const ids = new Set(results.map((r) => r[0]!.id));
      expect(ids.size).toBe(1);
      expect(results.filter((r) => r[0]!.created)).toHaveLength(1);
      const rows = await t.ctx.dbHandle.db.selectFrom('alert').select(['id', 'evidence_count']).where('aggregation_key', '=', key).execute();
      expect(rows).toEqual([{ id: [...ids][0], evidence_count: 50 }]);
      expect(await storedEvidence(rows[0]!.id)).toBe(50);
    });

    it('keeps the first 1000 pieces of evidence and counts the rest', async () => {
      const key = `scale:${t.fx.scales.A}:flood`;
      const [a] = await t.ctx.alerts.raise(Array.from({ length: 1005 }, (_, i) => finding('A', { key, i })));
      expect(a).toMatchObject({ evidenceCount: 1005, evidenceStored: 1000 });
      const [b] = await t.ctx.alerts.raise(Array.from({ length: 5 }, (_, i) => finding('A', { key, i })));
      expect(b).toMatchObject({ id: a!.id, evidenceCount: 1010, evidenceStored: 1000 });
      expect(await storedEvidence(a!.id)).toBe(1000);
    });

    it('stores the evidence of a new alert even when the one before it under that key was full and got closed', async () => {
      const key = `scale:${t.fx.scales.A}:full-then-closed`;
      const [full] = await t.ctx.alerts.raise(Array.from({ length: 1000 }, (_, i) => finding('A', { key, i })));
      expect(full).toMatchObject({ evidenceCount: 1000, evidenceStored: 1000 });
      // Known full now: more pieces are counted, not stored.
      const [more] = await t.ctx.alerts.raise(Array.from({ length: 3 }, (_, i) => finding('A', { key, i })));
      expect(more).toMatchObject({ id: full!.id, evidenceCount: 1003, evidenceStored: 1000 });
      expect((await inspA.post(`/api/alerts/${full!.id}/dismiss`, { note: '已核实为误报' })).statusCode).toBe(200);
      // The next finding opens a new alert, whose pieces are all kept.
      const [fresh] = await t.ctx.alerts.raise(Array.from({ length: 4 }, (_, i) => finding('A', { key, i })));
      expect(fresh).toMatchObject({ created: true, evidenceCount: 4, evidenceStored: 4 });
      expect(fresh!.id).not.toBe(full!.id);
      expect(await storedEvidence(fresh!.id)).toBe(4);
      expect(await storedEvidence(full!.id)).toBe(1000);
      const detail = (await inspA.get(`/api/alerts/${fresh!.id}`)).json();
      expect(detail.evidence.items[0]).toMatchObject({ source: { scaleId: t.fx.scales.A }, data: { capFenPerKg: 14000 } });
    });

    it('takes the greatest severity seen, the latest summary, and the earliest and latest times', async () => {
      const key = `scale:${t.fx.scales.A}:severity`;
      const early = new Date('2026-06-27T01:00:00Z');
      const late = new Date('2026-06-27T03:00:00Z');
      await t.ctx.alerts.raise([finding('A', { key, when: new Date('2026-06-27T02:00:00Z') })]);
      await t.ctx.alerts.raise([{ ...finding('A', { key, when: late, severity: 'critical' }), evidence: { at: late, summary: 'the latest', data: {} } }]);
      const [a] = await t.ctx.alerts.raise([finding('A', { key, when: early, severity: 'low' })]);
      expect(a).toMatchObject({ severity: 'critical', summary: 'the latest', firstSeenAt: early.toISOString(), lastSeenAt: late.toISOString() });
    });

    it('opens separate alerts for different types of one scale', async () => {
      const key = `scale:${t.fx.scales.A}:types`;
      const raised = await t.ctx.alerts.raise([finding('A', { key }), finding('A', { key, type: 'tamper' }), finding('A', { key })]);
      expect(raised.map((r) => [r.type, r.severity, r.evidenceAdded])).toEqual([
        ['over_cap', 'high', 2],
        ['tamper', 'critical', 1],
      ]);
    });

    it('refuses malformed findings before writing anything', async () => {
      const before = await t.ctx.dbHandle.db.selectFrom('alert').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
      await expect(t.ctx.alerts.raise([finding('A'), { ...finding('A'), type: 'meteor_strike' as never }])).rejects.toMatchObject({ code: 'invalid_input' });
      const after = await t.ctx.dbHandle.db.selectFrom('alert').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
      expect(after.n).toBe(before.n);
    });

    it('raises inside the caller\'s transaction, so a rollback leaves nothing', async () => {
      const key = `scale:${t.fx.scales.A}:rollback`;
      await expect(
        t.ctx.dbHandle.db.transaction().execute(async (trx) => {
          const raised = await t.ctx.alerts.raiseIn(trx, [finding('A', { key })]);
          expect(raised[0]!.created).toBe(true);
          throw new Error('ingest batch failed');
        }),
      ).rejects.toThrow('ingest batch failed');
      expect(await t.ctx.dbHandle.db.selectFrom('alert').select('id').where('aggregation_key', '=', key).execute()).toEqual([]);
    });
  });

  describe('routing', () => {
    it('routes an alert to the office covering its district', async () => {
      const [a, b] = await t.ctx.alerts.raise([finding('A'), finding('B')]);
      expect(a).toMatchObject({ officeId: t.fx.offices.A, officeName: '甲区监管所' });
      expect(b).toMatchObject({ officeId: t.fx.offices.BC, officeName: '乙丙监管所' });
    });

    it('picks the lowest-id office when several cover the district, and the others still see it', async () => {
      const db = t.ctx.dbHandle.db;
      const extra = await db.insertInto('office').values({ city_id: t.fx.cities.X, name: '乙区第二监管所' }).returning('id').executeTakeFirstOrThrow();
      await db.insertInto('office_district').values({ office_id: extra.id, district_id: t.fx.districts.B }).execute();
      const [b] = await t.ctx.alerts.raise([finding('B')]);
      expect(b!.officeId).toBe(Math.min(t.fx.offices.BC, extra.id));
      await db.deleteFrom('office_district').where('office_id', '=', extra.id).execute();
      expect((await inspBC.get(`/api/alerts/${b!.id}`)).statusCode).toBe(200);
    });
  });

  describe('lifecycle through the API', () => {
    it('acknowledges and resolves with who, when and a note, each step audited with before and after', async () => {
      const [a] = await t.ctx.alerts.raise([finding('A')]);
      const ack = await inspA.post(`/api/alerts/${a!.id}/acknowledge`, { note: '已派员核查' });
      expect(ack.statusCode).toBe(200);
      expect(ack.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: t.fx.users.inspA, version: a!.version + 1 });
      const res = await inspA.post(`/api/alerts/${a!.id}/resolve`, { note: '已责令退还差价并整改' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'resolved', closedBy: t.fx.users.inspA });
      expect(res.json().closedAt).toBeTruthy();

      const detail = (await inspA.get(`/api/alerts/${a!.id}`)).json();
      expect(detail.allowedActions).toEqual(['reopen']);
      expect(detail.actions.map((x: { action: string; fromStatus: string; toStatus: string; staffName: string; note: string }) => [x.action, x.fromStatus, x.toStatus, x.staffName, x.note])).toEqual([
        ['acknowledge', 'open', 'acknowledged', 'insp_a', '已派员核查'],
        ['resolve', 'acknowledged', 'resolved', 'insp_a', '已责令退还差价并整改'],
      ]);
      const audit = (await admin.get(`/api/audit?entity=alert&entityId=${a!.id}`)).json().items;
      expect(audit.map((e: { action: string }) => e.action).sort()).toEqual(['alert.acknowledge', 'alert.resolve']);
      const resolve = audit.find((e: { action: string }) => e.action === 'alert.resolve');
      expect(resolve).toMatchObject({ staffId: t.fx.users.inspA, before: { status: 'acknowledged' }, after: { status: 'resolved', note: '已责令退还差价并整改' }, requestId: res.headers['x-request-id'] });
    });

    it('answers an illegal step with 409 and says why, and a missing note with 400', async () => {
      const [a] = await t.ctx.alerts.raise([finding('A')]);
      expect((await inspA.post(`/api/alerts/${a!.id}/reopen`, {})).statusCode).toBe(409);
      expect((await inspA.post(`/api/alerts/${a!.id}/acknowledge`, {})).statusCode).toBe(200);
      const again = await inspA.post(`/api/alerts/${a!.id}/acknowledge`, {});
      expect(again.statusCode).toBe(409);
      expect(again.json().error.message).toBe('预警当前为“处理中”，不能签收 (an alert that is acknowledged cannot be acknowledged)');
      expect(again.json().error.details).toMatchObject({ status: 'acknowledged', allowedActions: ['resolve', 'dismiss'] });
      expect((await inspA.post(`/api/alerts/${a!.id}/resolve`, {})).statusCode).toBe(400);
      const blank = await inspA.post(`/api/alerts/${a!.id}/dismiss`, { note: '   ' });
      expect(blank.statusCode).toBe(400);
      expect(blank.json().error.details[0].field).toBe('note');
      expect((await inspA.post(`/api/alerts/${a!.id}/dismiss`, { note: '误报：秤已更换' })).statusCode).toBe(200);
      expect((await inspA.post(`/api/alerts/${a!.id}/resolve`, { note: 'x' })).statusCode).toBe(409);
    });

    it('opens a new alert for a finding that recurs after resolution, and will not reopen the old one over it', async () => {
      const key = `scale:${t.fx.scales.A}:recur`;
      const [old] = await t.ctx.alerts.raise([finding('A', { key })]);
      expect((await inspA.post(`/api/alerts/${old!.id}/resolve`, { note: '已处理' })).statusCode).toBe(200);
      const [fresh] = await t.ctx.alerts.raise([finding('A', { key })]);
      expect(fresh).toMatchObject({ created: true, evidenceCount: 1, status: 'open' });
      expect(fresh!.id).not.toBe(old!.id);
      expect((await inspA.get(`/api/alerts/${old!.id}`)).json().alert).toMatchObject({ status: 'resolved', evidenceCount: 1 });

      const reopen = await inspA.post(`/api/alerts/${old!.id}/reopen`, { note: '复查' });
      expect(reopen.statusCode).toBe(409);
      expect(reopen.json().error.details).toEqual({ activeAlertId: fresh!.id });
      expect((await inspA.post(`/api/alerts/${fresh!.id}/dismiss`, { note: '重复' })).statusCode).toBe(200);
      const ok = await inspA.post(`/api/alerts/${old!.id}/reopen`, { note: '复查仍超价' });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ status: 'open', closedAt: null, closedBy: null });
      const [next] = await t.ctx.alerts.raise([finding('A', { key })]);
      expect(next).toMatchObject({ id: old!.id, created: false, evidenceCount: 2 });
    });
  });

  describe('lists and reach', () => {
    it('shows an inspector only the alerts of the districts its office covers, and hides the others as not found', async () => {
      const [a, b, y] = await t.ctx.alerts.raise([finding('A'), finding('B'), finding('Y')]);
      const listA = (await inspA.get('/api/alerts?pageSize=500')).json();
      expect(listA.items.every((i: { districtId: number }) => i.districtId === t.fx.districts.A)).toBe(true);
      expect(listA.items.map((i: { id: number }) => i.id)).toContain(a!.id);
      expect((await inspA.get(`/api/alerts/${b!.id}`)).statusCode).toBe(404);
      const act = await inspA.post(`/api/alerts/${b!.id}/acknowledge`, {});
      expect(act.statusCode).toBe(404);
      expect((await inspBC.get(`/api/alerts/${b!.id}`)).json().alert.status).toBe('open');
      const city = (await bureau.get('/api/alerts?pageSize=500')).json().items.map((i: { id: number }) => i.id);
      expect(city).toEqual(expect.arrayContaining([a!.id, b!.id]));
      expect(city).not.toContain(y!.id);
    });

    it('filters by status, type, severity, place, subject, text and time, most recently active first', async () => {
      const scale = t.fx.scales.A;
      const [jan] = await t.ctx.alerts.raise([finding('A', { type: 'clock_drift', when: new Date('2026-01-10T02:00:00Z'), title: '时钟偏差 jan' })]);
      const [mar] = await t.ctx.alerts.raise([finding('A', { type: 'clock_drift', when: new Date('2026-03-10T02:00:00Z'), title: '时钟偏差 mar' })]);
      await inspA.post(`/api/alerts/${mar!.id}/acknowledge`, {});
      const ids = async (q: string) => (await inspA.get(`/api/alerts?pageSize=500&${q}`)).json().items.map((i: { id: number }) => i.id);
      expect(await ids('type=clock_drift')).toEqual(expect.arrayContaining([mar!.id, jan!.id]));
      expect(await ids('type=clock_drift&status=acknowledged')).toContain(mar!.id);
      expect(await ids('type=clock_drift&status=acknowledged')).not.toContain(jan!.id);
      expect(await ids('type=clock_drift&status=active')).toEqual(expect.arrayContaining([mar!.id, jan!.id]));
      expect(await ids('type=clock_drift&severity=high')).toEqual([]);
      expect(await ids(`type=clock_drift&scaleId=${scale}&merchantId=${t.fx.merchants.A}&marketId=${t.fx.markets.A}&districtId=${t.fx.districts.A}`)).toEqual(expect.arrayContaining([mar!.id, jan!.id]));
      expect(await ids(`type=clock_drift&scaleId=${t.fx.scales.B}`)).toEqual([]);
      expect(await ids(`type=clock_drift&q=${encodeURIComponent('jan')}`)).toEqual([jan!.id]);
      expect(await ids(`type=clock_drift&from=2026-02-01T00:00:00%2B08:00&to=2026-04-01T00:00:00%2B08:00`)).toEqual([mar!.id]);
      const both = await ids('type=clock_drift');
      expect(both.indexOf(mar!.id)).toBeLessThan(both.indexOf(jan!.id));
      expect((await inspA.get('/api/alerts?from=yesterday')).statusCode).toBe(400);
      expect((await inspA.get('/api/alerts?type=meteor')).statusCode).toBe(400);
    });

    it('counts open and acknowledged alerts by type and severity within reach', async () => {
      const before = (await inspBC.get('/api/alerts/summary')).json();
      const beforeA = (await inspA.get('/api/alerts/summary')).json();
      await t.ctx.alerts.raise([finding('A', { type: 'tamper' })]);
      const after = (await inspBC.get('/api/alerts/summary')).json();
      const afterA = (await inspA.get('/api/alerts/summary')).json();
      expect(after).toEqual(before);
      const tamper = (s: { byType: { type: string; open: number; zh: string }[] }) => s.byType.find((x) => x.type === 'tamper')!;
      expect(tamper(afterA).open).toBe(tamper(beforeA).open + 1);
      expect(tamper(afterA).zh).toBe('防作弊告警');
      const critical = (s: { bySeverity: { severity: string; open: number }[] }) => s.bySeverity.find((x) => x.severity === 'critical')!.open;
      expect(critical(afterA)).toBe(critical(beforeA) + 1);
      expect(afterA.open).toBe(beforeA.open + 1);
    });
  });

  describe('live stream', () => {
    let base: string;
    beforeAll(async () => {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });

    it('asks for sign-in and the alert.read permission', async () => {
      expect((await fetch(`${base}/api/alerts/stream`)).status).toBe(401);
      const manager = await t.as('manager_a');
      expect((await fetch(`${base}/api/alerts/stream`, { headers: { cookie: `mashang_session=${manager.cookie}` } })).status).toBe(403);
    });

    it('brings an alert of its district to an inspector, and not one of another district', async () => {
      const s = await openStream(`${base}/api/alerts/stream`, inspA.cookie);
      try {
        expect(s.res.headers.get('content-type')).toContain('text/event-stream');
        const [b] = await t.ctx.alerts.raise([finding('B')]);
        const [a] = await t.ctx.alerts.raise([finding('A')]);
        const got = await s.waitFor((e) => e.event === 'alert' && e.data.id === a!.id);
        expect(got.data).toMatchObject({ change: 'created', status: 'open', districtId: t.fx.districts.A, districtName: '甲区', merchantName: '甲海鲜', typeLabel: { zh: '超调控价' } });
        expect(s.events.some((e) => e.data?.id === b!.id)).toBe(false);

        await inspA.post(`/api/alerts/${a!.id}/acknowledge`, {});
        const ack = await s.waitFor((e) => e.event === 'alert' && e.data.id === a!.id && e.data.change === 'status');
        expect(ack.data.status).toBe('acknowledged');
      } finally {
        s.close();
      }
    });

    it('sends a burst of evidence as a few updates that end on the final count', async () => {
      const s = await openStream(`${base}/api/alerts/stream`, inspA.cookie);
      try {
        const key = `scale:${t.fx.scales.A}:burst`;
        const [a] = await t.ctx.alerts.raise([finding('A', { key })]);
        for (let i = 0; i < 100; i++) await t.ctx.alerts.raise([finding('A', { key, i })]);
        await s.waitFor((e) => e.data?.id === a!.id && e.data.evidenceCount === 101);
        const mine = s.events.filter((e) => e.data?.id === a!.id);
        expect(mine[0]!.data.change).toBe('created');
        expect(mine.length).toBeLessThan(101);
      } finally {
        s.close();
      }
    });

    it('ends open streams when the app closes', async () => {
      const ctx = buildServices(t.ctx.config, pino({ level: 'silent' }), t.ctx.dbHandle);
      const app = await buildApp(ctx);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const s = await openStream(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/alerts/stream`, inspA.cookie);
      const closed = app.close().then(() => 'closed');
      expect(await Promise.race([closed, new Promise((r) => setTimeout(() => r('hung'), 5000))])).toBe('closed');
      await s.done;
      expect(s.isEnded()).toBe(true);
    });

    it.runIf(kind === 'postgres')('brings an alert raised on another instance through LISTEN/NOTIFY', async () => {
      const db = t.ctx.dbHandle.db;
      const name = (await sql<{ n: string }>`select current_database() as n`.execute(db)).rows[0]!.n;
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${name}`;
      // Instance 1 serves the stream; instance 2 only raises.
      const ctx1 = buildServices(t.ctx.config, pino({ level: 'silent' }), t.ctx.dbHandle, { alertsNotifyUrl: url.toString() });
      const app1: FastifyInstance = await buildApp(ctx1);
      await app1.listen({ port: 0, host: '127.0.0.1' });
      const other = createAlertsService(db, { notify: { url: url.toString() } });
      const s = await openStream(`http://127.0.0.1:${(app1.server.address() as AddressInfo).port}/api/alerts/stream`, inspA.cookie);
      try {
        const [b] = await other.raise([finding('B')]);
        const [a] = await other.raise([finding('A')]);
        const got = await s.waitFor((e) => e.event === 'alert' && e.data.id === a!.id);
        expect(got.data).toMatchObject({ change: 'created', districtName: '甲区' });
        expect(s.events.some((e) => e.data?.id === b!.id)).toBe(false);
        const [again] = await other.raise([finding('A', { key: a!.aggregationKey })]);
        await s.waitFor((e) => e.data?.id === a!.id && e.data.change === 'evidence' && e.data.version === again!.version);

        // The LISTEN connection dies: it comes back, and viewers are told to reload what they may have missed.
        await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen%'`.execute(db);
        await s.waitFor((e) => e.event === 'resync');
        const [later] = await other.raise([finding('A')]);
        await s.waitFor((e) => e.event === 'alert' && e.data.id === later!.id);
      } finally {
        s.close();
        await other.close();
        await app1.close();
      }
    });
  });
});
