import type { By } from '../../src/modules/auth/index.js';
import type { TestApp } from '../../src/test-support/app.js';
import type { Case, PlaceKey } from './types.js';

/** The administrator, to bring a complaint to the stage an action needs (the lifecycle itself is tested in complaint.test.ts). */
const adminBy = (t: TestApp): By => ({
  actor: { staffId: t.fx.users.admin, username: 'admin', displayName: 'admin', role: 'admin', cityId: null, officeId: null, merchantId: null, reach: { kind: 'all' }, isDemo: false },
  requestId: 'access-matrix',
});

/** A new complaint about the merchant at a place, received, accepted, accepted with its clock paused, or closed with mediation terminated. */
async function complaintAt(t: TestApp, at: PlaceKey, stage: 'received' | 'accepted' | 'paused' | 'terminated' = 'received'): Promise<number> {
  const filed = await t.ctx.complaints.file({ merchantId: t.fx.merchants[at], consumerName: '王五', consumerPhone: '13900139000', content: `矩阵测试：称重缺斤短两，摊位 ${at}` });
  if (filed.status !== 'filed') throw new Error(`complaint not filed: ${JSON.stringify(filed.problems)}`);
  if (stage !== 'received') await t.ctx.complaints.accept(adminBy(t), filed.id);
  if (stage === 'paused') await t.ctx.complaints.startPause(adminBy(t), filed.id, { kind: 'testing', reason: '送检样品 (sample sent for testing)' });
  if (stage === 'terminated') await t.ctx.complaints.close(adminBy(t), filed.id, { outcome: 'terminated', upheld: false, note: '双方未能达成一致 (no agreement)' });
  return filed.id;
}
const onePerPlace = async (t: TestApp) => ({ A: await complaintAt(t, 'A'), B: await complaintAt(t, 'B'), Y: await complaintAt(t, 'Y') });

let decisions = 0;
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const penaltyBody = (n: number) => ({
  decisionNo: `矩阵市监处罚〔2026〕${n}号`,
  violation: '使用未经检定的电子计价秤',
  legalBasis: '《中华人民共和国计量法》第二十六条',
  penaltyType: 'fine',
  penaltyText: '罚款人民币2000元',
  authority: '测试市市场监督管理局',
  decidedOn: daysAgo(20),
});
async function penaltiesPerPlace(t: TestApp) {
  const at = async (p: PlaceKey) => (await t.ctx.penalties.record(adminBy(t), { merchantId: t.fx.merchants[p], ...penaltyBody(100_000 + ++decisions), penaltyType: 'fine' })).id;
  return { A: await at('A'), B: await at('B'), Y: await at('Y') };
}

/** Complaints (the office's work and the merchant's side of mediation) and penalty decisions. */
export const complaintCases: Record<string, Case> = {
  'GET /api/complaints': { kind: 'list', resource: 'complaint', setup: onePerPlace },
  'GET /api/complaints/:id': { kind: 'record', resource: 'complaint', setup: onePerPlace },
  'POST /api/complaints/:id/accept': { kind: 'record', resource: 'complaint', fresh: (t, at) => complaintAt(t, at) },
  'POST /api/complaints/:id/refuse': { kind: 'record', resource: 'complaint', fresh: (t, at) => complaintAt(t, at), body: () => ({ reason: '不属于本部门管辖 (outside our remit)' }) },
  'POST /api/complaints/:id/messages': { kind: 'record', resource: 'complaint', ok: 201, body: (_fx, _at, n) => ({ body: `请商户说明情况 ${n}` }) },
  'POST /api/complaints/:id/close': { kind: 'record', resource: 'complaint', fresh: (t, at) => complaintAt(t, at, 'accepted'), body: () => ({ outcome: 'agreement', upheld: false, note: '商户已退还差价 (the merchant refunded)' }) },
  'POST /api/complaints/:id/pauses': { kind: 'record', resource: 'complaint', ok: 201, fresh: (t, at) => complaintAt(t, at, 'accepted'), body: () => ({ kind: 'verification', reason: '电子秤送计量检定所检定 (the scale goes for verification)' }) },
  'POST /api/complaints/:id/pauses/end': { kind: 'record', resource: 'complaint', fresh: (t, at) => complaintAt(t, at, 'paused') },
  'POST /api/complaints/:id/termination-notified': { kind: 'record', resource: 'complaint', fresh: (t, at) => complaintAt(t, at, 'terminated') },
  // A merchant's own complaints: no user of the walk is a merchant, so every one is refused (merchant access: complaint.test.ts).
  'GET /api/me/complaints': { kind: 'global', ok: [200] },
  'GET /api/me/complaints/:id': { kind: 'global', id: () => 1, ok: [200, 404] },
  'POST /api/me/complaints/:id/messages': { kind: 'global', id: () => 1, body: () => ({ body: '我们已联系消费者' }), ok: [201, 404, 409] },

  'POST /api/merchants/:id/penalties': { kind: 'record', resource: 'merchant', ok: 201, body: (_fx, _at, n) => penaltyBody(n) },
  'GET /api/merchants/:id/penalties': { kind: 'record', resource: 'merchant' },
  'GET /api/penalties': { kind: 'list', resource: 'penalty', setup: penaltiesPerPlace },
  'GET /api/penalties/:id': { kind: 'record', resource: 'penalty', setup: penaltiesPerPlace },
};
