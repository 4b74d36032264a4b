import type { TestApp } from '../../src/test-support/app.js';
import type { Case, PlaceKey } from './types.js';

let raised = 0;

/** Raises a new over-cap alert on the fixture scale at a place (a unique key, so never folded into another). */
async function raiseAt(t: TestApp, at: PlaceKey, status: 'open' | 'resolved' = 'open'): Promise<number> {
  const fx = t.fx;
  const [a] = await t.ctx.alerts.raise([
    {
      type: 'over_cap',
      subject: { scaleId: fx.scales[at], merchantId: fx.merchants[at], marketId: fx.markets[at], districtId: fx.districts[at] },
      aggregationKey: `matrix:${at}:${++raised}`,
      title: `矩阵预警 ${at}`,
      evidence: { at: new Date(), summary: '单价超调控价 (over the cap)', data: { excessFen: 200 } },
    },
  ]);
  // A closed alert to reopen: set directly, as if resolved long ago (the lifecycle itself is tested in alerts.test.ts).
  if (status === 'resolved') await t.ctx.dbHandle.db.updateTable('alert').set({ status: 'resolved', closed_at: new Date() }).where('id', '=', a!.id).execute();
  return a!.id;
}

const onePerPlace = async (t: TestApp) => ({ A: await raiseAt(t, 'A'), B: await raiseAt(t, 'B'), Y: await raiseAt(t, 'Y') });

/** Alert routes. Each action takes an alert only once, so each request gets an alert of its own. */
export const alertCases: Record<string, Case> = {
  'GET /api/alerts/stream': { kind: 'stream' },
  'GET /api/alerts': { kind: 'list', resource: 'alert', setup: onePerPlace },
  'GET /api/alerts/summary': { kind: 'global', ok: [200] },
  'GET /api/alerts/:id': { kind: 'record', resource: 'alert', setup: onePerPlace },
  'POST /api/alerts/:id/acknowledge': { kind: 'record', resource: 'alert', fresh: (t, at) => raiseAt(t, at), body: () => ({ note: '已派员核查 (inspector sent)' }) },
  'POST /api/alerts/:id/resolve': { kind: 'record', resource: 'alert', fresh: (t, at) => raiseAt(t, at), body: () => ({ note: '已责令整改 (ordered to correct)' }) },
  'POST /api/alerts/:id/dismiss': { kind: 'record', resource: 'alert', fresh: (t, at) => raiseAt(t, at), body: () => ({ note: '误报 (false alarm)' }) },
  'POST /api/alerts/:id/credit-event': { kind: 'record', resource: 'alert', ok: 201, fresh: (t, at) => raiseAt(t, at), body: () => ({ note: '现场核实属实 (confirmed on site)' }) },
  'POST /api/alerts/:id/reopen': { kind: 'record', resource: 'alert', fresh: (t, at) => raiseAt(t, at, 'resolved'), body: () => ({ note: '复查发现仍在超价 (still over the cap)' }) },
};
