import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { actorOf, byOf } from '../../http/auth.plugin.js';
import { IdParams, Nullable, page, PageQuery, Paged, staffErrors } from '../../http/schemas.js';
import { PENALTY_TYPE_KEYS, type PenaltyType } from '../credit/index.js';
import type { PenaltyService } from './penalty.service.js';

const Bilingual = Type.Object({ zh: Type.String(), en: Type.String() });
const PenaltyTypeSchema = Type.Union(PENALTY_TYPE_KEYS.map((k) => Type.Literal(k)), { description: 'warning | public_criticism | minor_fine | fine | confiscation | licence_suspension | qualification_downgrade | licence_revocation | business_restriction' });
const Penalty = Type.Object({
  id: Type.Integer(),
  merchantId: Type.Integer(),
  merchantName: Type.String(),
  districtId: Type.Integer(),
  marketId: Nullable(Type.Integer()),
  decisionNo: Type.String(),
  violation: Type.String(),
  legalBasis: Type.String(),
  penaltyType: Type.String(),
  penaltyTypeLabel: Bilingual,
  penaltyText: Type.String(),
  authority: Type.String(),
  decidedOn: Type.String(),
  simpleProcedure: Type.Boolean(),
  restrictionEndsOn: Nullable(Type.String()),
  recordedBy: Nullable(Type.Integer()),
  recordedAt: Type.String(),
  repairedOn: Nullable(Type.String()),
  creditEventId: Nullable(Type.Integer()),
  disclosure: Type.Object({
    published: Type.Boolean({ description: 'published at all (not a warning alone, not the simple procedure)' }),
    isPublic: Type.Boolean({ description: 'on the public merchant page today' }),
    publicFrom: Nullable(Type.String()),
    publicUntil: Nullable(Type.String()),
    withdrawnEarly: Type.Boolean(),
    basis: Bilingual,
  }),
});
const NewPenalty = Type.Object({
  decisionNo: Type.String({ minLength: 1, maxLength: 80, description: '行政处罚决定书文号, unique' }),
  violation: Type.String({ minLength: 1, maxLength: 2000 }),
  legalBasis: Type.String({ minLength: 1, maxLength: 1000 }),
  penaltyType: PenaltyTypeSchema,
  penaltyText: Type.String({ minLength: 1, maxLength: 1000, description: 'the penalty in words, e.g. 罚款人民币5000元' }),
  authority: Type.String({ minLength: 1, maxLength: 100 }),
  decidedOn: Type.String({ format: 'date' }),
  simpleProcedure: Type.Optional(Type.Boolean({ default: false })),
  restrictionEndsOn: Type.Optional(Nullable(Type.String({ format: 'date' }))),
});

/** Administrative penalty decisions: recorded by the office, listed within reach. */
export function registerPenaltyRoutes(app: FastifyInstance, penalties: PenaltyService) {
  const id = (req: { params: unknown }) => (req.params as { id: number }).id;

  app.post(
    '/api/merchants/:id/penalties',
    {
      config: { access: 'penalty.record' },
      schema: {
        tags: ['penalties'],
        summary: 'Record an administrative penalty decision (行政处罚). It deducts the merchant’s credit at once (PEN-01/02/03) and is public on the merchant page for its disclosure period.',
        params: IdParams,
        body: NewPenalty,
        response: { 201: Penalty, ...staffErrors },
      },
    },
    async (req, reply) => {
      const b = req.body as { decisionNo: string; violation: string; legalBasis: string; penaltyType: PenaltyType; penaltyText: string; authority: string; decidedOn: string; simpleProcedure?: boolean; restrictionEndsOn?: string | null };
      return reply.status(201).send(await penalties.record(byOf(req), { ...b, merchantId: id(req) }));
    },
  );
  app.get('/api/merchants/:id/penalties', { config: { access: 'penalty.read' }, schema: { tags: ['penalties'], summary: "A merchant's penalty decisions, public or not, newest first", params: IdParams, response: { 200: Type.Object({ items: Type.Array(Penalty) }), ...staffErrors } } }, async (req) => ({
    items: await penalties.listForMerchant(actorOf(req), id(req)),
  }));
  app.get(
    '/api/penalties',
    {
      config: { access: 'penalty.read' },
      schema: {
        tags: ['penalties'],
        summary: 'Penalty decisions within your jurisdiction, newest first',
        querystring: Type.Object({ ...PageQuery, merchantId: Type.Optional(Type.Integer({ minimum: 1 })) }),
        response: { 200: Paged(Penalty), ...staffErrors },
      },
    },
    async (req) => {
      const q = req.query as { page?: number; pageSize?: number; q?: string; merchantId?: number };
      return penalties.list(actorOf(req), { ...page(q), ...(q.q ? { q: q.q } : {}), ...(q.merchantId ? { merchantId: q.merchantId } : {}) });
    },
  );
  app.get('/api/penalties/:id', { config: { access: 'penalty.read' }, schema: { tags: ['penalties'], summary: 'One penalty decision, with where it stands in its disclosure period', params: IdParams, response: { 200: Penalty, ...staffErrors } } }, async (req) =>
    penalties.get(actorOf(req), id(req)),
  );
}
