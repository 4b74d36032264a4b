import { macOf } from '../../src/modules/ingest/index.js';
import type { TestApp } from '../../src/test-support/app.js';
import type { Case, PlaceKey } from './types.js';

const madeFor = new WeakMap<TestApp, Promise<Partial<Record<PlaceKey, number>>>>();
/** Credentials for the fixture scales at A, B and Y, and one stored sale on each; made once per app. */
const scalesWithSales = (t: TestApp) => {
  if (!madeFor.has(t)) madeFor.set(t, makeScalesWithSales(t));
  return madeFor.get(t)!;
};

async function makeScalesWithSales(t: TestApp): Promise<Partial<Record<PlaceKey, number>>> {
  const ts = new Date(Date.now() + 8 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+08:00');
  const admin = (await t.ctx.auth.authenticate((await t.as('admin')).cookie))!.actor;
  for (const at of ['A', 'B', 'Y'] as const) {
    const issued = await t.ctx.devices.issue({ actor: admin, requestId: 'matrix' }, t.fx.scales[at]);
    const device = (await t.ctx.devices.lookup(issued.deviceId))!;
    const m = { v: 1, seq: 1, ts, plu: '1', name: '白菜', weight_g: 1000, tare_g: 0, unit_price_fen_per_kg: 300, total_fen: 300 };
    const acks = await t.ctx.ingest.submit(device, 'http', 'any', [{ ...m, mac: macOf(Buffer.from(issued.secret, 'base64url'), m) }]);
    if (acks[0]?.status !== 'accepted') throw new Error(`matrix set-up sale at ${at}: ${JSON.stringify(acks)}`);
  }
  return t.fx.scales;
}

const byScale = (i: Record<string, unknown>) => ({ id: i.scaleId as number, districtId: i.districtId as number, marketId: i.marketId as number | null });

/** Staff routes of IoT ingest. The device transport itself authenticates by device secret (src/modules/ingest/ingest.test.ts). */
export const ingestCases: Record<string, Case> = {
  'POST /api/scales/:id/device-credentials': { kind: 'record', resource: 'scale', ok: 201 },
  // Runs right after the issue above within each role's walk, so there is always a secret to revoke.
  'DELETE /api/scales/:id/device-credentials': { kind: 'record', resource: 'scale', ok: 204 },
  'GET /api/scales/:id/device': { kind: 'record', resource: 'scale' },
  'GET /api/devices': { kind: 'list', resource: 'device', setup: scalesWithSales, place: byScale },
  'GET /api/sales': { kind: 'list', resource: 'sale', setup: scalesWithSales, place: byScale },
  'GET /api/scales/:id/rejections': { kind: 'record', resource: 'scale' },
  'GET /api/scales/:id/calibration-orders': { kind: 'record', resource: 'scale' },
  'POST /api/scales/:id/calibration-orders': {
    kind: 'record',
    resource: 'scale',
    ok: 201,
    body: () => ({ validFrom: new Date().toISOString(), validUntil: new Date(Date.now() + 3_600_000).toISOString(), calibrator: 'JL-1' }),
  },
};
