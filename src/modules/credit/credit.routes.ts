import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { actorOf, byOf } from '../../http/auth.plugin.js';
import { IdParams, Nullable, staffErrors } from '../../http/schemas.js';
import { forbidden, notFound } from '../../shared/errors.js';
import type { CreditService } from './credit.service.js';

const Bilingual = Type.Object({ zh: Type.String(), en: Type.String() });
const EventOut = Type.Object({
  id: Type.Integer(),
  merchantId: Type.Integer(),
  itemCode: Type.String(),
  title: Nullable(Bilingual),
  points: Type.Integer(),
  occurredAt: Type.String(),
  source: Type.String(),
  status: Type.String(),
  evidence: Type.String(),
  reply: Nullable(Type.String()),
  objection: Nullable(Type.String()),
  repairOutcome: Nullable(Type.String()),
});
const Record_ = Type.Object({
  merchantId: Type.Integer(),
  score: Type.Integer(),
  stars: Type.Integer(),
  rulebookVersion: Type.Integer(),
  riskClass: Nullable(Type.String()),
  underObjection: Type.Integer(),
  explanation: Type.Array(Bilingual),
  counted: Type.Array(Type.Object({ eventId: Type.Integer(), itemCode: Type.String(), points: Type.Number(), title: Bilingual, occurredOn: Type.String(), expiresOn: Type.String(), underObjection: Type.Boolean() })),
  notCounted: Type.Array(Type.Object({ eventId: Type.Integer(), itemCode: Type.String(), reason: Type.String() })),
  events: Type.Array(EventOut),
  pledge: Nullable(Type.Object({ signedBy: Type.String(), signedOn: Type.String(), text: Bilingual })),
  pledgeText: Bilingual,
  merchant: Type.Object({ name: Type.String(), legalRep: Type.String({ description: 'who signs the pledge' }) }),
  history: Type.Array(Type.Object({ at: Type.String(), score: Type.Integer(), stars: Type.Integer(), cause: Type.String() })),
});
const Note = Type.Object({ note: Type.String({ minLength: 1, maxLength: 1000 }) });

type Explained = Awaited<ReturnType<CreditService['explain']>>;
const present = (merchantId: number, r: Explained) => ({
  merchantId,
  score: r.score.score,
  stars: r.score.stars,
  rulebookVersion: r.rulebookVersion,
  riskClass: r.riskClass,
  underObjection: r.score.underObjection,
  explanation: r.score.explanation,
  counted: r.score.counted.map((c) => ({ eventId: c.eventId, itemCode: c.itemCode, points: c.points, title: c.title, occurredOn: c.occurredOn, expiresOn: c.expiresOn, underObjection: c.underObjection })),
  notCounted: r.score.notCounted,
  events: r.events.map((e) => ({
    id: e.id,
    merchantId: e.merchantId,
    itemCode: e.itemCode,
    title: e.title,
    points: e.points,
    occurredAt: e.occurredAt.toISOString(),
    source: e.source,
    status: e.status,
    evidence: e.evidence,
    reply: e.reply,
    objection: e.objectionText,
    repairOutcome: e.repairOutcome,
  })),
  pledge: r.pledge,
  pledgeText: r.pledgeText,
  merchant: r.merchant,
  history: r.history,
});
const eventOut = (e: Awaited<ReturnType<CreditService['confirmEvent']>>) => ({
  id: e.id,
  merchantId: e.merchant_id,
  itemCode: e.item_code,
  title: null,
  points: e.points,
  occurredAt: e.occurred_at.toISOString(),
  source: e.source,
  status: e.status,
  evidence: e.evidence,
  reply: e.reply,
  objection: e.objection,
  repairOutcome: e.repair_outcome,
});

/** Staff and merchants' routes of credit: records, events and their due process, rulebooks, the pledge. */
export function registerCreditRoutes(app: FastifyInstance, credit: CreditService) {
  const id = (req: { params: unknown }) => (req.params as { id: number }).id;

  // ---------------- staff
  app.get('/api/merchants/:id/credit', { config: { access: 'credit.read' }, schema: { tags: ['credit'], summary: "A merchant's credit record: score, stars, the events that make it and every other event with its due-process state", params: IdParams, response: { 200: Record_, ...staffErrors } } }, async (req) =>
    present(id(req), await credit.record(actorOf(req), id(req))),
  );
  app.post(
    '/api/merchants/:id/credit-events',
    {
      config: { access: 'credit.record' },
      schema: {
        tags: ['credit'],
        summary: "Record a bonus or deduction against the rulebook. An inspector's record counts at once; a market manager's evaluation waits for an inspector to confirm it.",
        params: IdParams,
        body: Type.Object({ itemCode: Type.String({ minLength: 1, maxLength: 40 }), occurredAt: Type.String({ format: 'date-time' }), evidence: Type.String({ minLength: 1, maxLength: 2000 }) }),
        response: { 201: EventOut, ...staffErrors },
      },
    },
    async (req, reply) => {
      const b = req.body as { itemCode: string; occurredAt: string; evidence: string };
      const e = await credit.recordEvent(byOf(req), { merchantId: id(req), itemCode: b.itemCode, occurredAt: new Date(b.occurredAt), evidence: b.evidence });
      return reply.status(201).send(eventOut(e));
    },
  );
  app.post(
    '/api/alerts/:id/credit-event',
    {
      config: { access: 'alert.act' },
      schema: {
        tags: ['credit', 'alerts'],
        summary: "Turn a system finding into a credit event for the alert's merchant, with the alert as its evidence (one per alert). The item defaults to the one the alert type suggests (over_cap → CAP-01, expired_verification_sale → MET-03, red_light_scale → MET-05).",
        params: IdParams,
        body: Type.Object({ itemCode: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })), note: Type.Optional(Type.String({ maxLength: 1000, description: "the inspector's confirmation, added to the evidence" })) }),
        response: { 201: EventOut, ...staffErrors },
      },
    },
    async (req, reply) => {
      const b = (req.body ?? {}) as { itemCode?: string; note?: string };
      return reply.status(201).send(eventOut(await credit.recordFromAlert(byOf(req), id(req), b)));
    },
  );
  app.get('/api/credit/pending', { config: { access: 'credit.decide' }, schema: { tags: ['credit'], summary: 'Events awaiting a decision within your jurisdiction: proposed deductions, objections, repair applications', response: { 200: Type.Object({ items: Type.Array(Type.Object({ id: Type.Integer(), merchantId: Type.Integer(), merchantName: Type.String(), itemCode: Type.String(), points: Type.Integer(), status: Type.String(), occurredAt: Type.String(), source: Type.String(), evidence: Type.String(), objection: Nullable(Type.String()), repairPending: Type.Boolean(), repairCommitment: Nullable(Type.String()) })) }), ...staffErrors } } }, async (req) => ({
    items: await credit.pending(actorOf(req)),
  }));
  app.post('/api/credit-events/:id/confirm', { config: { access: 'credit.decide' }, schema: { tags: ['credit'], summary: 'Confirm a proposed event: from now it counts', params: IdParams, response: { 200: EventOut, ...staffErrors } } }, async (req) =>
    eventOut(await credit.confirmEvent(byOf(req), id(req))),
  );
  app.post('/api/credit-events/:id/withdraw', { config: { access: 'credit.decide' }, schema: { tags: ['credit'], summary: 'Set an event aside (recorded in error); it stays in the history', params: IdParams, body: Note, response: { 200: EventOut, ...staffErrors } } }, async (req) =>
    eventOut(await credit.withdrawEvent(byOf(req), id(req), (req.body as { note: string }).note)),
  );
  app.post(
    '/api/credit-events/:id/objection-decision',
    { config: { access: 'credit.decide' }, schema: { tags: ['credit'], summary: "Decide a merchant's objection: upheld withdraws the event, rejected keeps it", params: IdParams, body: Type.Object({ outcome: Type.Union([Type.Literal('upheld'), Type.Literal('rejected')]), note: Type.String({ minLength: 1, maxLength: 1000 }) }), response: { 200: EventOut, ...staffErrors } } },
    async (req) => {
      const b = req.body as { outcome: 'upheld' | 'rejected'; note: string };
      return eventOut(await credit.decideObjection(byOf(req), id(req), b.outcome, b.note));
    },
  );
  app.post(
    '/api/credit-events/:id/repair-decision',
    { config: { access: 'credit.decide' }, schema: { tags: ['credit'], summary: 'Decide a credit repair application: granted restores the points and keeps the history', params: IdParams, body: Type.Object({ outcome: Type.Union([Type.Literal('granted'), Type.Literal('refused')]), note: Type.String({ minLength: 1, maxLength: 1000 }) }), response: { 200: EventOut, ...staffErrors } } },
    async (req) => {
      const b = req.body as { outcome: 'granted' | 'refused'; note: string };
      return eventOut(await credit.decideRepair(byOf(req), id(req), b.outcome, b.note));
    },
  );
  app.post('/api/merchants/:id/pledge/broken', { config: { access: 'credit.decide' }, schema: { tags: ['credit'], summary: 'Record that the merchant broke its integrity pledge (its bonus goes)', params: IdParams, body: Note, response: { 204: Type.Null(), ...staffErrors } } }, async (req, reply) => {
    await credit.markPledgeBroken(byOf(req), id(req), (req.body as { note: string }).note);
    return reply.status(204).send();
  });
  app.get('/api/cities/:id/rulebook', { config: { access: 'credit.read' }, schema: { tags: ['credit'], summary: "The rulebook in force in a city (信用评价标准及评分细则)", params: IdParams, response: { 200: Type.Object({ id: Type.Integer(), version: Type.Integer(), rulebook: Type.Unknown() }), ...staffErrors } } }, async (req) => {
    const actor = actorOf(req);
    if (actor.reach.kind !== 'all' && actor.cityId !== id(req)) throw notFound('city', id(req));
    return credit.rulebookFor(id(req));
  });
  app.post(
    '/api/cities/:id/rulebooks',
    { config: { access: 'rulebook.publish' }, schema: { tags: ['credit'], summary: 'Publish a new rulebook version; every merchant of the city is re-scored under it', params: IdParams, body: Type.Object({ rulebook: Type.Unknown() }), response: { 201: Type.Object({ id: Type.Integer(), version: Type.Integer(), rescored: Type.Integer() }), ...staffErrors } } },
    async (req, reply) => reply.status(201).send(await credit.publishRulebook(byOf(req), id(req), (req.body as { rulebook: never }).rulebook)),
  );

  // ---------------- the merchant itself
  const mine = (req: Parameters<typeof actorOf>[0]) => {
    const m = actorOf(req).merchantId;
    if (!m) throw forbidden('不是商户账号 (not a merchant account)');
    return m;
  };
  app.get('/api/me/credit', { config: { access: 'merchant.self' }, schema: { tags: ['merchant'], summary: 'My credit record, every event and why it counts or not', response: { 200: Record_, ...staffErrors } } }, async (req) => {
    const m = mine(req);
    return present(m, await credit.record(actorOf(req), m));
  });
  app.post('/api/me/credit-events/:id/reply', { config: { access: 'merchant.self' }, schema: { tags: ['merchant'], summary: 'Reply publicly to an event (shown beside it on the public page)', params: IdParams, body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 500 }) }), response: { 200: EventOut, ...staffErrors } } }, async (req) =>
    eventOut(await credit.reply(byOf(req), id(req), (req.body as { text: string }).text)),
  );
  app.post('/api/me/credit-events/:id/objection', { config: { access: 'merchant.self' }, schema: { tags: ['merchant'], summary: 'Object to a deduction within the period the rulebook allows', params: IdParams, body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }), response: { 200: EventOut, ...staffErrors } } }, async (req) =>
    eventOut(await credit.object(byOf(req), id(req), (req.body as { reason: string }).reason)),
  );
  app.post(
    '/api/me/credit-events/:id/repair',
    { config: { access: 'merchant.self' }, schema: { tags: ['merchant'], summary: 'Apply for credit repair (信用修复) after the minimum period, with a written commitment and evidence', params: IdParams, body: Type.Object({ commitment: Type.String({ minLength: 1, maxLength: 2000 }), evidence: Type.String({ minLength: 1, maxLength: 2000 }) }), response: { 200: EventOut, ...staffErrors } } },
    async (req) => {
      const b = req.body as { commitment: string; evidence: string };
      return eventOut(await credit.applyRepair(byOf(req), id(req), b.commitment, b.evidence));
    },
  );
  app.post('/api/me/pledge', { config: { access: 'merchant.self' }, schema: { tags: ['merchant'], summary: 'Sign the integrity pledge (诚信经营承诺) of the rulebook in force, as the legal representative or operator', body: Type.Object({ signedBy: Type.String({ minLength: 1, maxLength: 60 }) }), response: { 201: Type.Object({ id: Type.Integer(), signedBy: Type.String(), signedOn: Type.String() }), ...staffErrors } } }, async (req, reply) => {
    const p = await credit.signPledge(byOf(req), (req.body as { signedBy: string }).signedBy);
    return reply.status(201).send({ id: p.id, signedBy: p.signed_by, signedOn: p.signed_on });
  });
  app.delete('/api/me/pledge', { config: { access: 'merchant.self' }, schema: { tags: ['merchant'], summary: 'Withdraw the integrity pledge (its bonus goes)', response: { 204: Type.Null(), ...staffErrors } } }, async (req, reply) => {
    await credit.withdrawPledge(byOf(req));
    return reply.status(204).send();
  });
}
