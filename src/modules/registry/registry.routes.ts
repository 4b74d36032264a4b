import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { actorOf, byOf } from '../../http/auth.plugin.js';
import { IdParams, Paged, page, staffErrors } from '../../http/schemas.js';
import { ACCURACY_CLASSES, BUSINESS_CATEGORIES, CAMERA_KEY_POINTS, ENTITY_TYPES, ENTITY_TYPE_EN, MERCHANT_STATUSES } from './registry.rules.js';
import type { RegistryService } from './registry.service.js';
import * as S from './registry.schemas.js';

type Id = { id: number };

/** Registry routes: each parses, makes one service call with the caller, and presents. */
export function registerRegistryRoutes(app: FastifyInstance, registry: RegistryService) {
  const ok = (schema: unknown) => ({ 200: schema, ...staffErrors });
  const created = (schema: unknown) => ({ 201: schema, ...staffErrors });

  app.get('/api/registry/vocabulary', { config: { access: 'signed_in' }, schema: { tags: ['registry'], summary: 'Fixed lists: entity types, business categories, statuses, accuracy classes, camera key points', response: { 200: Type.Unknown() } } }, async () => ({
    entityTypes: ENTITY_TYPES.map((t) => ({ value: t, zh: t, en: ENTITY_TYPE_EN[t] })),
    categories: Object.entries(BUSINESS_CATEGORIES).map(([value, l]) => ({ value, ...l })),
    merchantStatuses: MERCHANT_STATUSES,
    accuracyClasses: ACCURACY_CLASSES,
    cameraKeyPoints: CAMERA_KEY_POINTS,
  }));

  app.get('/api/registry/summary', { config: { access: 'market.read' }, schema: { tags: ['registry'], summary: 'Counts within your jurisdiction', response: ok(S.Summary) } }, async (req) => registry.summary(actorOf(req)));

  // ---- jurisdictions ----
  app.get('/api/jurisdictions', { config: { access: 'jurisdiction.read' }, schema: { tags: ['jurisdictions'], summary: 'Cities with their districts and supervision offices', response: ok(Type.Array(S.Jurisdiction)) } }, async (req) =>
    registry.listJurisdictions(actorOf(req)),
  );
  app.post('/api/cities', { config: { access: 'office.write' }, schema: { tags: ['jurisdictions'], body: S.CityInput, response: created(Type.Unknown()) } }, async (req, reply) =>
    reply.status(201).send(await registry.createCity(byOf(req), req.body as never)),
  );
  app.post('/api/cities/:id/districts', { config: { access: 'office.write' }, schema: { tags: ['jurisdictions'], params: IdParams, body: S.CityInput, response: created(Type.Unknown()) } }, async (req, reply) =>
    reply.status(201).send(await registry.createDistrict(byOf(req), (req.params as Id).id, req.body as never)),
  );
  app.post('/api/offices', { config: { access: 'office.write' }, schema: { tags: ['jurisdictions'], summary: 'Create a supervision office covering districts', body: S.OfficeInput, response: created(Type.Unknown()) } }, async (req, reply) =>
    reply.status(201).send(await registry.saveOffice(byOf(req), null, req.body as never)),
  );
  app.put('/api/offices/:id', { config: { access: 'office.write' }, schema: { tags: ['jurisdictions'], params: IdParams, body: S.OfficeInput, response: ok(Type.Unknown()) } }, async (req) =>
    registry.saveOffice(byOf(req), (req.params as Id).id, req.body as never),
  );

  // ---- markets and stalls ----
  app.get('/api/markets', { config: { access: 'market.read' }, schema: { tags: ['markets'], querystring: S.MarketQuery, response: ok(Paged(S.Market)) } }, async (req) => {
    const q = req.query as { q?: string; districtId?: number };
    return registry.listMarkets(actorOf(req), { ...q, ...page(req.query as never) });
  });
  app.post('/api/markets', { config: { access: 'market.create' }, schema: { tags: ['markets'], body: S.MarketInput, response: created(S.Market) } }, async (req, reply) =>
    reply.status(201).send(await registry.createMarket(byOf(req), req.body as never)),
  );
  app.get('/api/markets/:id', { config: { access: 'market.read' }, schema: { tags: ['markets'], params: IdParams, response: ok(S.Market) } }, async (req) => registry.getMarket(actorOf(req), (req.params as Id).id));
  app.patch('/api/markets/:id', { config: { access: 'market.update' }, schema: { tags: ['markets'], params: IdParams, body: S.MarketPatch, response: ok(S.Market) } }, async (req) =>
    registry.updateMarket(byOf(req), (req.params as Id).id, req.body as never),
  );
  app.get('/api/markets/:id/stalls', { config: { access: 'market.read' }, schema: { tags: ['markets'], params: IdParams, response: ok(Type.Array(S.Stall)) } }, async (req) =>
    registry.listStalls(actorOf(req), (req.params as Id).id),
  );
  app.post('/api/markets/:id/stalls', { config: { access: 'stall.write' }, schema: { tags: ['markets'], params: IdParams, body: S.StallInput, response: created(S.Stall) } }, async (req, reply) =>
    reply.status(201).send(await registry.createStall(byOf(req), (req.params as Id).id, req.body as never)),
  );
  app.patch('/api/stalls/:id', { config: { access: 'stall.write' }, schema: { tags: ['markets'], params: IdParams, body: S.StallPatch, response: ok(S.Stall) } }, async (req) =>
    registry.updateStall(byOf(req), (req.params as Id).id, req.body as never),
  );

  // ---- merchants ----
  app.get('/api/merchants', { config: { access: 'merchant.read' }, schema: { tags: ['merchants'], querystring: S.MerchantQuery, response: ok(Paged(S.Merchant)) } }, async (req) =>
    registry.listMerchants(actorOf(req), { ...(req.query as object), ...page(req.query as never) }),
  );
  app.post('/api/merchants', { config: { access: 'merchant.write' }, schema: { tags: ['merchants'], body: S.MerchantInput, response: created(S.Merchant) } }, async (req, reply) =>
    reply.status(201).send(await registry.createMerchant(byOf(req), req.body as never)),
  );
  app.get('/api/merchants/:id', { config: { access: 'merchant.read' }, schema: { tags: ['merchants'], params: IdParams, response: ok(S.Merchant) } }, async (req) =>
    registry.getMerchant(actorOf(req), (req.params as Id).id),
  );
  app.patch('/api/merchants/:id', { config: { access: 'merchant.write' }, schema: { tags: ['merchants'], params: IdParams, body: S.MerchantPatch, response: ok(S.Merchant) } }, async (req) =>
    registry.updateMerchant(byOf(req), (req.params as Id).id, req.body as never),
  );

  // ---- scales ----
  app.get('/api/scales', { config: { access: 'scale.read' }, schema: { tags: ['scales'], querystring: S.ScaleQuery, response: ok(Paged(S.Scale)) } }, async (req) =>
    registry.listScales(actorOf(req), { ...(req.query as object), ...page(req.query as never) }),
  );
  app.post('/api/scales', { config: { access: 'scale.write' }, schema: { tags: ['scales'], body: S.ScaleInput, response: created(S.Scale) } }, async (req, reply) =>
    reply.status(201).send(await registry.createScale(byOf(req), req.body as never)),
  );
  app.get('/api/scales/:id', { config: { access: 'scale.read' }, schema: { tags: ['scales'], params: IdParams, response: ok(S.Scale) } }, async (req) => registry.getScale(actorOf(req), (req.params as Id).id));
  app.patch('/api/scales/:id', { config: { access: 'scale.write' }, schema: { tags: ['scales'], params: IdParams, body: S.ScalePatch, response: ok(S.Scale) } }, async (req) =>
    registry.updateScale(byOf(req), (req.params as Id).id, req.body as never),
  );
  app.post('/api/scales/:id/assignment', { config: { access: 'scale.write' }, schema: { tags: ['scales'], summary: 'Move the scale to a merchant and stall, or unassign it', params: IdParams, body: S.AssignInput, response: ok(S.Scale) } }, async (req) =>
    registry.assignScale(byOf(req), (req.params as Id).id, req.body as never),
  );
  app.get('/api/scales/:id/assignments', { config: { access: 'scale.read' }, schema: { tags: ['scales'], summary: 'Assignment history', params: IdParams, response: ok(Type.Array(S.Assignment)) } }, async (req) =>
    registry.listAssignments(actorOf(req), (req.params as Id).id),
  );
  app.get('/api/scales/:id/verifications', { config: { access: 'scale.read' }, schema: { tags: ['scales'], params: IdParams, response: ok(Type.Array(S.Verification)) } }, async (req) =>
    registry.listVerifications(actorOf(req), (req.params as Id).id),
  );
  app.post('/api/scales/:id/verifications', { config: { access: 'verification.write' }, schema: { tags: ['scales'], summary: 'Record a mandatory verification (强制检定)', params: IdParams, body: S.VerificationInput, response: created(S.Verification) } }, async (req, reply) =>
    reply.status(201).send(await registry.addVerification(byOf(req), (req.params as Id).id, req.body as never)),
  );

  // ---- cameras ----
  app.get('/api/cameras', { config: { access: 'camera.read' }, schema: { tags: ['cameras'], querystring: S.CameraQuery, response: ok(Paged(S.Camera)) } }, async (req) =>
    registry.listCameras(actorOf(req), { ...(req.query as object), ...page(req.query as never) }),
  );
  app.post('/api/cameras', { config: { access: 'camera.write' }, schema: { tags: ['cameras'], body: S.CameraInput, response: created(S.Camera) } }, async (req, reply) =>
    reply.status(201).send(await registry.createCamera(byOf(req), req.body as never)),
  );
  app.get('/api/cameras/:id', { config: { access: 'camera.read' }, schema: { tags: ['cameras'], params: IdParams, response: ok(S.Camera) } }, async (req) => registry.getCamera(actorOf(req), (req.params as Id).id));
  app.patch('/api/cameras/:id', { config: { access: 'camera.write' }, schema: { tags: ['cameras'], params: IdParams, body: S.CameraPatch, response: ok(S.Camera) } }, async (req) =>
    registry.updateCamera(byOf(req), (req.params as Id).id, req.body as never),
  );
}
