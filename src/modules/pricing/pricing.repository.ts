import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import type { SnapshotRows } from './pricing.snapshot.js';

export type Q = Db | Transaction<Database>;

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

// ---- the snapshot ----

export const getRevision = async (q: Q) => (await q.selectFrom('pricing_revision').select('revision').where('id', '=', 1).executeTakeFirstOrThrow()).revision;

/** What tells an instance its snapshot is stale: a pricing write anywhere, or a city added by the registry. */
export const probeChanges = (q: Q) =>
  q
    .selectFrom('pricing_revision')
    .select(['revision', (eb) => eb.selectFrom('city').select(sql<number>`count(*)::int`.as('n')).as('cities')])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();

/** Takes the revision row's lock for the rest of the transaction: pricing writes form one queue, and version numbers cannot race. */
export const bumpRevision = (trx: Transaction<Database>) => trx.updateTable('pricing_revision').set({ revision: sql`revision + 1` }).where('id', '=', 1).execute();

/** Everything the judge needs, read in one repeatable-read transaction so the revision matches the rows. */
export function loadSnapshotRows(db: Db): Promise<SnapshotRows> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const revision = await getRevision(trx);
      const cities = await trx.selectFrom('city').select(['id', 'code', 'name', 'name_en']).orderBy('id').execute();
      const products = await trx.selectFrom('product').select(['id', 'city_id', 'code', 'name', 'name_en', 'category', 'spec', 'aliases', 'active']).orderBy('id').execute();
      const lists = await trx
        .selectFrom('price_list')
        .select(['id', 'city_id', 'version', 'title', 'issuer', 'effective_from', 'effective_to', 'published_at', 'supersedes_id', 'note'])
        .where('status', '=', 'published')
        .orderBy('id')
        .execute();
      const items = await trx
        .selectFrom('price_list_item')
        .innerJoin('price_list', 'price_list.id', 'price_list_item.price_list_id')
        .select(['price_list_item.price_list_id', 'price_list_item.product_id', 'price_list_item.cap_fen_per_kg', 'price_list_item.name', 'price_list_item.name_en', 'price_list_item.spec', 'price_list_item.category'])
        .where('price_list.status', '=', 'published')
        .execute();
      const plu = await trx.selectFrom('merchant_plu').select(['merchant_id', 'plu', 'product_id']).execute();
      return { revision, cities, products, lists: lists.map((l) => ({ ...l, version: l.version!, published_at: l.published_at! })), items, plu };
    });
}

// ---- places (read only: the registry owns these tables) ----

export const findCity = (q: Q, id: number) => q.selectFrom('city').select(['id', 'code', 'name', 'name_en']).where('id', '=', id).executeTakeFirst();

/** Where a merchant sits, for reach checks and to know its city. */
export const findMerchantPlace = (q: Q, id: number) =>
  q
    .selectFrom('merchant')
    .innerJoin('district', 'district.id', 'merchant.district_id')
    .select(['merchant.id', 'merchant.name', 'merchant.district_id', 'merchant.market_id', 'district.city_id'])
    .where('merchant.id', '=', id)
    .executeTakeFirst();
export type MerchantPlace = NonNullable<Awaited<ReturnType<typeof findMerchantPlace>>>;

export const findStaffOrganisation = async (q: Q, staffId: number) => (await q.selectFrom('staff').select('organisation').where('id', '=', staffId).executeTakeFirst())?.organisation ?? '';

// ---- products ----

export const findProduct = (q: Q, id: number) => q.selectFrom('product').selectAll().where('id', '=', id).executeTakeFirst();
export type ProductRow = NonNullable<Awaited<ReturnType<typeof findProduct>>>;
export const findProductByCode = (q: Q, cityId: number, code: string) => q.selectFrom('product').select(['id']).where('city_id', '=', cityId).where('code', '=', code).executeTakeFirst();
export const findProducts = (q: Q, ids: readonly number[]) => (ids.length ? q.selectFrom('product').selectAll().where('id', 'in', ids).execute() : Promise.resolve([] as ProductRow[]));

export interface ProductFilter {
  cityIds: readonly number[] | 'all';
  q?: string;
  category?: string;
  active?: boolean;
  limit: number;
  offset: number;
}

export async function listProducts(q: Q, f: ProductFilter) {
  let qb = q.selectFrom('product');
  if (f.cityIds !== 'all') qb = f.cityIds.length ? qb.where('city_id', 'in', f.cityIds) : qb.where(sql<boolean>`false`);
  if (f.q) {
    const p = likePattern(f.q);
    qb = qb.where((eb) => eb.or([eb('name', 'ilike', p), eb('name_en', 'ilike', p), eb('code', 'ilike', p), eb(sql<string>`array_to_string(aliases, ' ')`, 'ilike', p)]));
  }
  if (f.category) qb = qb.where('category', '=', f.category);
  if (f.active !== undefined) qb = qb.where('active', '=', f.active);
  const [items, total] = await Promise.all([
    qb.selectAll().orderBy('city_id').orderBy('category').orderBy('code').limit(f.limit).offset(f.offset).execute(),
    qb.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: total.n };
}

// ---- price lists ----

export const findPriceList = (q: Q, id: number) => q.selectFrom('price_list').selectAll().where('id', '=', id).executeTakeFirst();
export type PriceListRow = NonNullable<Awaited<ReturnType<typeof findPriceList>>>;

export const listItems = (q: Q, listId: number) =>
  q
    .selectFrom('price_list_item')
    .innerJoin('product', 'product.id', 'price_list_item.product_id')
    .selectAll('price_list_item')
    .select(['product.code as product_code'])
    .where('price_list_id', '=', listId)
    .execute();
export type ItemRow = Awaited<ReturnType<typeof listItems>>[number];

export async function listPriceLists(q: Q, f: { cityIds: readonly number[] | 'all'; status?: string; limit: number; offset: number }) {
  let qb = q.selectFrom('price_list');
  if (f.cityIds !== 'all') qb = f.cityIds.length ? qb.where('price_list.city_id', 'in', f.cityIds) : qb.where(sql<boolean>`false`);
  if (f.status) qb = qb.where('price_list.status', '=', f.status as 'draft' | 'published');
  const [items, total] = await Promise.all([
    qb
      .selectAll('price_list')
      .select((eb) => eb.selectFrom('price_list_item').whereRef('price_list_item.price_list_id', '=', 'price_list.id').select(sql<number>`count(*)::int`.as('n')).as('item_count'))
      .orderBy('price_list.id', 'desc')
      .limit(f.limit)
      .offset(f.offset)
      .execute(),
    qb.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: total.n };
}

export const nextVersion = async (trx: Transaction<Database>, cityId: number) =>
  ((await trx.selectFrom('price_list').select(sql<number | null>`max(version)`.as('v')).where('city_id', '=', cityId).executeTakeFirstOrThrow()).v ?? 0) + 1;

export async function replaceItems(trx: Transaction<Database>, listId: number, items: readonly { productId: number; capFenPerKg: number }[], products: ReadonlyMap<number, ProductRow>) {
  await trx.deleteFrom('price_list_item').where('price_list_id', '=', listId).execute();
  if (!items.length) return;
  await trx
    .insertInto('price_list_item')
    .values(
      items.map((i) => {
        const p = products.get(i.productId)!;
        return { price_list_id: listId, product_id: i.productId, cap_fen_per_kg: i.capFenPerKg, name: p.name, name_en: p.name_en, spec: p.spec, category: p.category };
      }),
    )
    .execute();
}

// ---- PLU mappings ----

export const findPlu = (q: Q, merchantId: number, plu: string) => q.selectFrom('merchant_plu').selectAll().where('merchant_id', '=', merchantId).where('plu', '=', plu).executeTakeFirst();

export const listPlu = (q: Q, merchantId: number) =>
  q
    .selectFrom('merchant_plu')
    .innerJoin('product', 'product.id', 'merchant_plu.product_id')
    .select(['merchant_plu.plu', 'merchant_plu.product_id', 'merchant_plu.updated_at', 'product.code', 'product.name', 'product.spec', 'product.category', 'product.active'])
    .where('merchant_id', '=', merchantId)
    .orderBy('merchant_plu.plu')
    .execute();
export type PluRow = Awaited<ReturnType<typeof listPlu>>[number];

export const upsertPlu = (trx: Transaction<Database>, rows: readonly { merchantId: number; plu: string; productId: number }[], staffId: number) =>
  trx
    .insertInto('merchant_plu')
    .values(rows.map((r) => ({ merchant_id: r.merchantId, plu: r.plu, product_id: r.productId, updated_by: staffId })))
    .onConflict((oc) => oc.columns(['merchant_id', 'plu']).doUpdateSet((eb) => ({ product_id: eb.ref('excluded.product_id'), updated_by: eb.ref('excluded.updated_by'), updated_at: new Date() })))
    .execute();

export const deletePlu = (trx: Transaction<Database>, merchantId: number, plu: string) =>
  trx.deleteFrom('merchant_plu').where('merchant_id', '=', merchantId).where('plu', '=', plu).returning(['product_id']).executeTakeFirst();
