import { actorOf, type By } from '../../src/modules/auth/index.js';
import type { TestApp } from '../../src/test-support/app.js';
import type { Case } from './types.js';

/**
 * Records the pricing cases act on, made once per database by the setup of the PLU cases (the
 * first pricing case with a setup): products in cities X and Y, a published list and a draft in
 * city X, and a pool of drafts for the publish case, one per call so each publish is a first.
 * Price lists and products belong to a city, not a place, so their cases are 'global': permitted
 * roles of the other city get 404.
 */
const made = { productX: 0, productY: 0, published: 0, draft: 0, publishable: [] as number[] };

async function prepare(t: TestApp) {
  const db = t.ctx.dbHandle.db;
  const admin: By = { actor: await actorOf(db, await db.selectFrom('staff').selectAll().where('username', '=', 'admin').executeTakeFirstOrThrow()), requestId: 'matrix' };
  const p = t.ctx.pricing;
  made.productX = (await p.createProduct(admin, { cityId: t.fx.cities.X, code: 'MX-FISH', name: '矩阵石斑', category: 'seafood' })).id;
  made.productY = (await p.createProduct(admin, { cityId: t.fx.cities.Y, code: 'MY-FISH', name: '矩阵黄鱼', category: 'seafood' })).id;
  const draft = (title: string) => p.createDraft(admin, { cityId: t.fx.cities.X, title, effectiveFrom: new Date(Date.now() + 86_400_000), items: [{ productId: made.productX, capFenPerKg: 16000 }] });
  const published = await draft('矩阵已发布');
  made.published = (await p.publish(admin, published.id)).id;
  made.draft = (await draft('矩阵草稿')).id;
  made.publishable = [];
  for (let i = 0; i < 10; i++) made.publishable.push((await draft(`矩阵待发布${i}`)).id);
  return t.fx.merchants;
}

export const pricingCases: Record<string, Case> = {
  'GET /api/merchants/:id/plu': { kind: 'record', resource: 'merchant_plu', setup: prepare },
  'PUT /api/merchants/:id/plu': { kind: 'record', resource: 'merchant_plu', body: (_fx, at, n) => ({ plu: `M${n}`, productId: at === 'Y' ? made.productY : made.productX }) },
  'DELETE /api/merchants/:id/plu/:plu': { kind: 'record', resource: 'merchant_plu', ok: 204 },
  'GET /api/products/categories': { kind: 'global', ok: [200] },
  'GET /api/products': { kind: 'global', ok: [200] },
  'POST /api/products': { kind: 'global', body: (fx, n) => ({ cityId: fx.cities.X, code: `MX-${n}`, name: `矩阵商品${n}`, category: 'fruit' }), ok: [201] },
  'GET /api/products/:id': { kind: 'global', id: () => made.productX, ok: [200, 404] },
  'PATCH /api/products/:id': { kind: 'global', id: () => made.productX, body: (_fx, n) => ({ spec: `规格${n}` }), ok: [200] },
  'GET /api/price-lists': { kind: 'global', ok: [200] },
  'POST /api/price-lists': { kind: 'global', body: (fx, n) => ({ cityId: fx.cities.X, title: `矩阵价格表${n}`, effectiveFrom: '2030-01-01T00:00:00+08:00' }), ok: [201] },
  'GET /api/price-lists/:id': { kind: 'global', id: () => made.published, ok: [200, 404] },
  'PATCH /api/price-lists/:id': { kind: 'global', id: () => made.draft, body: (_fx, n) => ({ note: `备注${n}` }), ok: [200] },
  'PUT /api/price-lists/:id/items': { kind: 'global', id: () => made.draft, body: (_fx, n) => ({ items: [{ productId: made.productX, capFenPerKg: 10000 + n }] }), ok: [200] },
  'POST /api/price-lists/:id/publish': { kind: 'global', id: () => made.publishable.shift()!, ok: [200] },
  'POST /api/price-lists/:id/correct': { kind: 'global', id: () => made.published, ok: [201] },
  // An administrator belongs to no city and must name one.
  'GET /api/prices/in-force': { kind: 'global', ok: [200, 400] },
};
