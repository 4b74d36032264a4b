import type { TestApp } from '../../src/test-support/app.js';
import { DEFAULT_RULEBOOK } from '../../src/modules/credit/index.js';
import type { Case, PlaceKey } from './types.js';

/** A credit event of the fixture merchant at `at`, in the state a route acts on (written directly: set-up, not the subject). */
async function eventAt(t: TestApp, at: PlaceKey, state: 'proposed' | 'confirmed' | 'objected' | 'repair_pending'): Promise<number> {
  const now = new Date();
  const row = await t.ctx.dbHandle.db
    .insertInto('credit_event')
    .values({
      merchant_id: t.fx.merchants[at],
      item_code: 'PRC-01',
      points: -5,
      occurred_at: new Date(now.getTime() - 400 * 86_400_000),
      recorded_by: null,
      source: 'inspection',
      status: state === 'proposed' ? 'proposed' : state === 'objected' ? 'objected' : 'confirmed',
      evidence: 'matrix',
      confirmed_at: state === 'proposed' ? null : new Date(now.getTime() - 400 * 86_400_000),
      ...(state === 'objected' ? { objection: 'matrix', objected_at: now } : {}),
      ...(state === 'repair_pending' ? { repair_commitment: 'c', repair_evidence: 'e', repair_applied_at: now } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The fixture merchant at `at` with a signed pledge to break. */
async function pledgedAt(t: TestApp, at: PlaceKey): Promise<number> {
  const id = t.fx.merchants[at];
  await t.ctx.dbHandle.db.updateTable('integrity_pledge').set({ withdrawn_at: new Date() }).where('merchant_id', '=', id).where('withdrawn_at', 'is', null).execute();
  await t.ctx.dbHandle.db.insertInto('integrity_pledge').values({ merchant_id: id, text_zh: '承诺', text_en: 'pledge', signed_by: 'x', signed_on: '2026-01-01' }).execute();
  return id;
}

/** Credit routes. The merchant's own routes (/api/me/…) are walked with a merchant account in src/modules/credit/credit.test.ts. */
export const creditCases: Record<string, Case> = {
  'GET /api/merchants/:id/credit': { kind: 'record', resource: 'merchant' },
  'POST /api/merchants/:id/credit-events': { kind: 'record', resource: 'merchant', ok: 201, body: () => ({ itemCode: 'PRC-01', occurredAt: new Date(Date.now() - 86_400_000).toISOString(), evidence: '现场检查笔录 matrix' }) },
  'GET /api/credit/pending': { kind: 'global', ok: [200] },
  'POST /api/credit-events/:id/confirm': { kind: 'record', resource: 'credit_event', fresh: (t, at) => eventAt(t, at, 'proposed') },
  'POST /api/credit-events/:id/withdraw': { kind: 'record', resource: 'credit_event', fresh: (t, at) => eventAt(t, at, 'confirmed'), body: () => ({ note: 'matrix' }) },
  'POST /api/credit-events/:id/objection-decision': { kind: 'record', resource: 'credit_event', fresh: (t, at) => eventAt(t, at, 'objected'), body: () => ({ outcome: 'rejected', note: 'matrix' }) },
  'POST /api/credit-events/:id/repair-decision': { kind: 'record', resource: 'credit_event', fresh: (t, at) => eventAt(t, at, 'repair_pending'), body: () => ({ outcome: 'refused', note: 'matrix' }) },
  'POST /api/merchants/:id/pledge/broken': { kind: 'record', resource: 'merchant', ok: 204, fresh: pledgedAt, body: () => ({ note: 'matrix' }) },
  // A city's staff read its rulebook; the other city's staff get 404.
  'GET /api/cities/:id/rulebook': { kind: 'global', id: (fx) => fx.cities.X, ok: [200, 404] },
  'POST /api/cities/:id/rulebooks': { kind: 'global', id: (fx) => fx.cities.X, body: () => ({ rulebook: DEFAULT_RULEBOOK }), ok: [201, 404] },
  'GET /api/me/credit': { kind: 'global', ok: [200] },
  'POST /api/me/credit-events/:id/reply': { kind: 'global', id: () => 1, body: () => ({ text: 'x' }), ok: [200] },
  'POST /api/me/credit-events/:id/objection': { kind: 'global', id: () => 1, body: () => ({ reason: 'x' }), ok: [200] },
  'POST /api/me/credit-events/:id/repair': { kind: 'global', id: () => 1, body: () => ({ commitment: 'x', evidence: 'y' }), ok: [200] },
  'POST /api/me/pledge': { kind: 'global', body: () => ({ signedBy: 'x' }), ok: [201] },
  'DELETE /api/me/pledge': { kind: 'global', ok: [204] },
};
