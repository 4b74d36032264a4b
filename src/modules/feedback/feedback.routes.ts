import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { actorOf } from '../../http/auth.plugin.js';
import { IdParams, Nullable, staffErrors } from '../../http/schemas.js';
import type { FeedbackService } from './feedback.service.js';

const Bilingual = Type.Object({ zh: Type.String(), en: Type.String() });
const RankedScale = Type.Object({
  scaleId: Type.Integer(),
  serialNo: Type.String(),
  light: Type.String(),
  lightLabel: Bilingual,
  ratings: Type.Integer(),
  inaccurate: Type.Integer(),
  reasons: Type.Array(Type.String()),
  districtId: Type.Integer(),
  marketId: Nullable(Type.Integer()),
  marketName: Nullable(Type.String()),
  merchantId: Nullable(Type.Integer()),
  merchantName: Nullable(Type.String()),
  stallNumber: Nullable(Type.String()),
  updatedAt: Type.String(),
});
const Rating = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  accurate: Type.Boolean(),
  stars: Type.Integer(),
  comment: Nullable(Type.String()),
  fairWeightG: Nullable(Type.Integer()),
  receiptWeightG: Nullable(Type.Integer()),
  isSuspect: Type.Boolean(),
});

/** Staff side of ratings: red and yellow scales ranked for inspection, and a scale's ratings. */
export function registerFeedbackRoutes(app: FastifyInstance, feedback: FeedbackService) {
  app.get(
    '/api/ratings/inspection',
    {
      config: { access: 'rating.read' },
      schema: {
        tags: ['ratings'],
        summary: 'Red-light and yellow-light scales within your jurisdiction, ranked for inspection (strongest evidence first)',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) }),
        response: { 200: Type.Object({ items: Type.Array(RankedScale) }), ...staffErrors },
      },
    },
    async (req) => ({ items: await feedback.rankedForInspection(actorOf(req), (req.query as { limit?: number }).limit ?? 100) }),
  );
  app.get(
    '/api/me/ratings',
    {
      config: { access: 'merchant.self' },
      schema: {
        tags: ['merchant'],
        summary: "My scales' consumer ratings and lights",
        response: { 200: Type.Object({ scales: Type.Array(Type.Object({ scaleId: Type.Integer(), serialNo: Type.String(), light: Type.String(), evidence: Type.Unknown(), ratings: Type.Array(Rating) })) }), ...staffErrors },
      },
    },
    async (req) => ({ scales: await feedback.ratingsOfMerchant(actorOf(req).merchantId ?? 0) }),
  );
  app.get(
    '/api/scales/:id/ratings',
    {
      config: { access: 'rating.read' },
      schema: {
        tags: ['ratings'],
        summary: "A scale's consumer ratings, newest first, and its light with the evidence behind it",
        params: IdParams,
        response: { 200: Type.Object({ scaleId: Type.Integer(), light: Type.String(), evidence: Type.Unknown(), ratings: Type.Array(Rating) }), ...staffErrors },
      },
    },
    async (req) => feedback.ratingsOf(actorOf(req), (req.params as { id: number }).id),
  );
}
