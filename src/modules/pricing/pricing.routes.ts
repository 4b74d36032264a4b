import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { actorOf, byOf } from '../../http/auth.plugin.js';
import { IdParams, Paged, page, staffErrors } from '../../http/schemas.js';
import { langOf, renderPricePage, renderUnknownCity } from './pricing.page.js';
import { PRODUCT_CATEGORIES } from './pricing.rules.js';
import type { PricingService } from './pricing.service.js';
import * as S from './pricing.schemas.js';

type Id = { id: number };

/** Pricing routes: each parses, makes one service call with the caller, and presents. */
export function registerPricingRoutes(app: FastifyInstance, pricing: PricingService) {
  const ok = (schema: unknown) => ({ 200: schema, ...staffErrors });
  const created = (schema: unknown) => ({ 201: schema, ...staffErrors });
  const tags = ['pricing'];

  app.get('/api/products/categories', { config: { access: 'price.read' }, schema: { tags, summary: 'Product categories of the catalogue', response: ok(Type.Array(Type.Object({ value: Type.String(), zh: Type.String(), en: Type.String() }))) } }, async () =>
    Object.entries(PRODUCT_CATEGORIES).map(([value, l]) => ({ value, ...l })),
  );

  // ---- catalogue ----
  app.get('/api/products', { config: { access: 'price.read' }, schema: { tags, summary: 'The controlled-price catalogue of your city (an administrator: every city)', querystring: S.ProductQuery, response: ok(Paged(S.Product)) } }, async (req) =>
    pricing.listProducts(actorOf(req), { ...(req.query as object), ...page(req.query as never) }),
  );
  app.post('/api/products', { config: { access: 'price.publish' }, schema: { tags, summary: 'Add a product to the catalogue', body: S.ProductInput, response: created(S.Product) } }, async (req, reply) =>
    reply.status(201).send(await pricing.createProduct(byOf(req), req.body as never)),
  );
  app.get('/api/products/:id', { config: { access: 'price.read' }, schema: { tags, params: IdParams, response: ok(S.Product) } }, async (req) => pricing.getProduct(actorOf(req), (req.params as Id).id));
  app.patch('/api/products/:id', { config: { access: 'price.publish' }, schema: { tags, params: IdParams, body: S.ProductPatch, response: ok(S.Product) } }, async (req) =>
    pricing.updateProduct(byOf(req), (req.params as Id).id, req.body as never),
  );

  // ---- price lists ----
  app.get('/api/price-lists', { config: { access: 'price.read' }, schema: { tags, summary: 'Price lists, newest first', querystring: S.PriceListQuery, response: ok(Paged(S.PriceList)) } }, async (req) =>
    pricing.listPriceLists(actorOf(req), { ...(req.query as object), ...page(req.query as never) }),
  );
  app.post('/api/price-lists', { config: { access: 'price.publish' }, schema: { tags, summary: 'Start a draft price list', body: S.PriceListInput, response: created(S.PriceListDetail) } }, async (req, reply) =>
    reply.status(201).send(await pricing.createDraft(byOf(req), req.body as never)),
  );
  app.get('/api/price-lists/:id', { config: { access: 'price.read' }, schema: { tags, summary: 'A price list with its items', params: IdParams, response: ok(S.PriceListDetail) } }, async (req) =>
    pricing.getPriceList(actorOf(req), (req.params as Id).id),
  );
  app.patch('/api/price-lists/:id', { config: { access: 'price.publish' }, schema: { tags, summary: "Change a draft's title, period, issuer or note (409 once published)", params: IdParams, body: S.PriceListPatch, response: ok(S.PriceListDetail) } }, async (req) =>
    pricing.updateDraft(byOf(req), (req.params as Id).id, req.body as never),
  );
  app.put('/api/price-lists/:id/items', { config: { access: 'price.publish' }, schema: { tags, summary: "Replace a draft's items (409 once published)", params: IdParams, body: S.ItemsInput, response: ok(S.PriceListDetail) } }, async (req) =>
    pricing.setDraftItems(byOf(req), (req.params as Id).id, (req.body as { items: never }).items),
  );
  app.post('/api/price-lists/:id/publish', { config: { access: 'price.publish' }, schema: { tags, summary: 'Publish a draft: it takes the next version number and never changes again', params: IdParams, response: ok(S.PriceListDetail) } }, async (req) =>
    pricing.publish(byOf(req), (req.params as Id).id),
  );
  app.post(
    '/api/price-lists/:id/correct',
    {
      config: { access: 'price.publish' },
      schema: { tags, summary: 'Start a correction of a published list: a new draft, prefilled, superseding it from effectiveFrom once published (body optional)', params: IdParams, body: S.CorrectInput, response: created(S.PriceListDetail) },
      // Every field has a default, so no body at all means the same as {}.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req, reply) => reply.status(201).send(await pricing.correct(byOf(req), (req.params as Id).id, req.body as never)),
  );
  app.get('/api/prices/in-force', { config: { access: 'price.read' }, schema: { tags, summary: 'The list in force in a city at a time (default: your city, now), as sales are judged', querystring: S.InForceQuery, response: ok(S.InForce) } }, async (req) =>
    pricing.inForce(actorOf(req), req.query as never),
  );

  // ---- merchants' PLU mappings ----
  app.get('/api/merchants/:id/plu', { config: { access: 'merchant.read' }, schema: { tags, summary: "A merchant's scale PLU codes and the catalogue products they map to", params: IdParams, response: ok(Type.Array(S.PluMapping)) } }, async (req) =>
    pricing.listPlu(actorOf(req), (req.params as Id).id),
  );
  app.put('/api/merchants/:id/plu', { config: { access: 'plu.write' }, schema: { tags, summary: 'Map a PLU code to a catalogue product of the merchant’s city', params: IdParams, body: S.PluInput, response: ok(S.PluMapping) } }, async (req) =>
    pricing.setPlu(byOf(req), (req.params as Id).id, req.body as never),
  );
  app.delete('/api/merchants/:id/plu/:plu', { config: { access: 'plu.write' }, schema: { tags, summary: 'Unmap a PLU code (no error when it was not mapped)', params: S.PluParams, response: { 204: Type.Null(), ...staffErrors } } }, async (req, reply) => {
    const p = req.params as { id: number; plu: string };
    await pricing.removePlu(byOf(req), p.id, p.plu);
    return reply.status(204).send();
  });
}

/** GET /p/prices/:cityCode: the public page a price tag's QR code opens. No sign-in. */
export function registerPricingPage(app: FastifyInstance, pricing: PricingService) {
  app.get('/p/prices/:cityCode', { config: { access: 'public' }, schema: { hide: true, params: S.PageParams, querystring: S.PageQueryLang } }, async (req, reply) => {
    const { cityCode } = req.params as { cityCode: string };
    const lang = langOf((req.query as { lang?: string }).lang);
    const path = `/p/prices/${encodeURIComponent(cityCode)}`;
    const now = new Date();
    const found = pricing.publicPrices(cityCode, now);
    reply.type('text/html; charset=utf-8').header('content-language', lang === 'en' ? 'en' : 'zh-CN');
    if (!found) return reply.status(404).header('cache-control', 'public, max-age=60').send(renderUnknownCity(lang, path));
    return reply.header('cache-control', 'public, max-age=60').send(renderPricePage({ city: found.city, list: found.list, lang, now, timeZone: pricing.timezone, path }));
  });
}
