import type { Transaction } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import { conflict, forbidden, invalid, notFound } from '../../shared/errors.js';
import { appendAuditEntries, type AuditWrite } from '../audit/index.js';
import { isWithinReach, type Actor, type By } from '../auth/index.js';
import type { FieldProblem } from '../registry/index.js';
import * as repo from './pricing.repository.js';
import { toInForceList, toItem, toPlu, toPriceList, toProduct } from './pricing.mappers.js';
import { compareCatalogue, itemProblems, listHeaderProblems, pluProblem, productProblems } from './pricing.rules.js';
import { buildSnapshot, EMPTY_ROWS, type SaleInput, type SaleJudgement, type Snapshot, type SnapshotCity, type SnapshotList } from './pricing.snapshot.js';

export interface ProductInput {
  /** Defaults to the caller's city; an administrator names one. */
  cityId?: number;
  code: string;
  name: string;
  nameEn?: string;
  category: string;
  spec?: string;
  aliases?: string[];
  active?: boolean;
}
export type ProductPatch = Partial<Omit<ProductInput, 'cityId'>>;

export interface ItemInput {
  productId: number;
  capFenPerKg: number;
}
export interface PriceListInput {
  cityId?: number;
  title: string;
  /** The publishing body; defaults to the author's organisation (a price centre) or "<city>价格监测中心". */
  issuer?: string;
  effectiveFrom: Date | string;
  effectiveTo?: Date | string | null;
  note?: string;
  items?: ItemInput[];
}
export type PriceListPatch = Partial<Omit<PriceListInput, 'cityId' | 'items'>>;

export interface PluInput {
  plu: string;
  productId: number;
}

export interface Page {
  page: number;
  pageSize: number;
}

export interface PricingOptions {
  timezone: string;
  now?: () => Date;
  /** How often to look for changes made by other instances (default 30 s; 0 never). */
  refreshIntervalMs?: number;
  logger?: { warn(obj: object, msg: string): void };
}

const window = (p: Page) => ({ limit: p.pageSize, offset: (p.page - 1) * p.pageSize });
const rejectProblems = (problems: FieldProblem[]) => {
  if (problems.length) throw invalid(problems.map((p) => p.message).join('; '), problems);
};
const toDate = (d: Date | string) => (d instanceof Date ? d : new Date(d));
const cleanAliases = (aliases: readonly string[] | undefined) => [...new Set((aliases ?? []).map((a) => a.trim()).filter(Boolean))];
const PUBLISHED = '该价格表已发布，不能修改；请发布更正版本 (a published price list is never changed: publish a correction)';

/**
 * Controlled prices: the catalogue, versioned price lists, merchants' PLU mappings, and the
 * in-memory snapshot that judges every sale. Every write goes through the audit log and then
 * reloads the snapshot; a timer picks up what other instances wrote.
 */
export function createPricingService(db: Db, opts: PricingOptions) {
  const now = () => opts.now?.() ?? new Date();
  const audit = (by: By, w: Omit<AuditWrite, 'staffId' | 'requestId'>): AuditWrite => ({ ...w, staffId: by.actor.staffId, requestId: by.requestId });
  const warn = (err: unknown, msg: string) => opts.logger?.warn({ err }, msg);

  // ---------------------------------------------------------------- the snapshot
  let snap: Snapshot = buildSnapshot(EMPTY_ROWS);
  let queue: Promise<unknown> = Promise.resolve();

  /** Loads run one after another, so an older load never replaces a newer snapshot. */
  function reload(onlyIfChanged: boolean): Promise<void> {
    const run = queue.then(async () => {
      if (onlyIfChanged) {
        const probe = await repo.probeChanges(db);
        if (probe.revision === snap.revision && probe.cities === snap.cityCount) return;
      }
      snap = buildSnapshot(await repo.loadSnapshotRows(db));
    });
    queue = run.catch(() => {});
    return run;
  }
  const first = reload(false);
  first.catch((e) => warn(e, 'pricing: first snapshot load failed; retrying on the timer'));
  const interval = opts.refreshIntervalMs ?? 30_000;
  const timer = interval > 0 ? setInterval(() => void reload(true).catch((e) => warn(e, 'pricing: snapshot refresh failed')), interval) : null;
  timer?.unref();

  /** One transaction holding the revision lock (pricing writes queue up), then a fresh snapshot. */
  async function write<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    const out = await db.transaction().execute(async (trx) => {
      await repo.bumpRevision(trx);
      return fn(trx);
    });
    // The write is committed: a failed reload must not turn it into an error; the timer retries.
    await reload(false).catch((e) => warn(e, 'pricing: snapshot reload after a write failed'));
    return out;
  }

  // ---------------------------------------------------------------- cities and reach
  const canSeeCity = (actor: Actor, cityId: number) => actor.role === 'admin' || actor.cityId === cityId;
  const visibleCities = (actor: Actor): readonly number[] | 'all' => (actor.role === 'admin' ? 'all' : actor.cityId ? [actor.cityId] : []);

  /** The city a write lands in: the one named, or the caller's; never another city than the caller's own (administrators excepted). */
  async function targetCity(actor: Actor, cityId: number | undefined) {
    const id = cityId ?? actor.cityId ?? undefined;
    if (id === undefined) rejectProblems([{ field: 'cityId', message: '请指定城市 (cityId is required)' }]);
    if (!canSeeCity(actor, id!)) throw forbidden('只能管理本市的调控价格 (you may manage the controlled prices of your own city only)');
    const city = await repo.findCity(db, id!);
    if (!city) rejectProblems([{ field: 'cityId', message: `城市 ${id} 不存在 (unknown city)` }]);
    return city!;
  }

  async function loadProduct(actor: Actor, id: number, q: repo.Q = db) {
    const p = await repo.findProduct(q, id);
    if (!p || !canSeeCity(actor, p.city_id)) throw notFound('product', id);
    return p;
  }
  async function loadList(actor: Actor, id: number, q: repo.Q = db) {
    const l = await repo.findPriceList(q, id);
    if (!l || !canSeeCity(actor, l.city_id)) throw notFound('price list', id);
    return l;
  }
  async function loadDraft(actor: Actor, id: number, q: repo.Q) {
    const l = await loadList(actor, id, q);
    if (l.status !== 'draft') throw conflict(PUBLISHED);
    return l;
  }
  /** Merchants outside the caller's reach answer as not found, as in the registry. */
  async function loadMerchant(actor: Actor, id: number, q: repo.Q = db) {
    const m = await repo.findMerchantPlace(q, id);
    if (!m || !isWithinReach(actor.reach, { districtId: m.district_id, marketId: m.market_id })) throw notFound('merchant', id);
    return m;
  }

  /** Items must name active products of the list's city, once each, with a sane cap. */
  async function checkedItems(q: repo.Q, cityId: number, items: readonly ItemInput[]) {
    const problems = itemProblems(items);
    const products = new Map((await repo.findProducts(q, [...new Set(items.map((i) => i.productId))])).map((p) => [p.id, p]));
    items.forEach((it, i) => {
      const p = products.get(it.productId);
      if (!p || p.city_id !== cityId) problems.push({ field: `items.${i}.productId`, message: `商品 ${it.productId} 不在本市目录中 (product ${it.productId} is not in this city's catalogue)` });
      else if (!p.active) problems.push({ field: `items.${i}.productId`, message: `商品“${p.name}”已停用 (product ${p.name} is inactive)` });
    });
    rejectProblems(problems);
    return products;
  }

  function header(input: PriceListPatch, base?: repo.PriceListRow) {
    const h = {
      title: (input.title ?? base?.title ?? '').trim(),
      effectiveFrom: input.effectiveFrom !== undefined ? toDate(input.effectiveFrom) : base!.effective_from,
      effectiveTo: input.effectiveTo !== undefined ? (input.effectiveTo === null ? null : toDate(input.effectiveTo)) : (base?.effective_to ?? null),
    };
    rejectProblems(listHeaderProblems(h));
    return h;
  }

  const inForceNow = (l: { id: number; city_id: number; status: string }) => l.status === 'published' && snap.listAt(l.city_id, now())?.id === l.id;

  async function listDetail(actor: Actor, id: number) {
    const l = await loadList(actor, id);
    const items = (await repo.listItems(db, id)).sort((a, b) => compareCatalogue({ category: a.category, code: a.product_code }, { category: b.category, code: b.product_code }));
    return { ...toPriceList({ ...l, item_count: items.length }, inForceNow(l)), items: items.map(toItem) };
  }

  const api = {
    // ---------------------------------------------------------------- the hot path (synchronous, in memory)

    /**
     * Judges one sale against the controlled price in force at its `ts`, from the in-memory
     * snapshot: no I/O, never throws, well under a microsecond for a mapped plu. Before the first
     * load (see ready()) nothing is known and every sale comes back unjudged.
     */
    judge(input: SaleInput): SaleJudgement {
      return snap.judge(input);
    },
    /** Reloads the snapshot now (writes in this service call it themselves). */
    refresh: (): Promise<void> => reload(false),
    /** Resolves after the first load; rejects if it failed. */
    ready: (): Promise<void> => first,
    /** Stops the change-watching timer. */
    close(): void {
      if (timer) clearInterval(timer);
    },
    /** A catalogue product as the snapshot holds it (for alert texts: code, spec, English name). */
    product: (productId: number) => snap.product(productId),
    /** A merchant's PLU table with each product's cap in force at `at` (for the scale simulator and the merchant page). */
    pluTable(merchantId: number, cityId: number, at: Date) {
      const list = snap.listAt(cityId, at);
      return [...snap.mappingsOf(merchantId)].map(([plu, productId]) => {
        const p = snap.product(productId);
        return { plu, productId, productName: p?.name ?? '', spec: p?.spec ?? '', capFenPerKg: list?.caps.get(productId) ?? null };
      });
    },
    /** What the public price page shows: the city by its division code and its list in force at `at`; null for an unknown city. */
    publicPrices(cityCode: string, at: Date): { city: SnapshotCity; list: SnapshotList | null } | null {
      const s = snap;
      const city = s.cityByCode(cityCode);
      return city ? { city, list: s.listAt(city.id, at) } : null;
    },
    /** The platform's time zone, for showing times to people. */
    timezone: opts.timezone,

    // ---------------------------------------------------------------- catalogue
    async listProducts(actor: Actor, f: { cityId?: number; q?: string; category?: string; active?: boolean } & Page) {
      const visible = visibleCities(actor);
      const cityIds = f.cityId === undefined ? visible : visible === 'all' || visible.includes(f.cityId) ? [f.cityId] : [];
      const { items, total } = await repo.listProducts(db, { cityIds, q: f.q, category: f.category, active: f.active, ...window(f) });
      return { items: items.map(toProduct), total, page: f.page, pageSize: f.pageSize };
    },
    async getProduct(actor: Actor, id: number) {
      return toProduct(await loadProduct(actor, id));
    },
    async createProduct(by: By, input: ProductInput) {
      const city = await targetCity(by.actor, input.cityId);
      const values = { code: input.code.trim(), name: input.name.trim(), nameEn: (input.nameEn ?? '').trim(), category: input.category, spec: (input.spec ?? '').trim(), aliases: cleanAliases(input.aliases) };
      rejectProblems(productProblems(values));
      const id = await write(async (trx) => {
        if (await repo.findProductByCode(trx, city.id, values.code)) throw conflict(`商品编码 ${values.code} 已存在 (product code exists)`, [{ field: 'code', message: '本市目录中已有此编码 (code already used in this city)' }]);
        const { id } = await trx
          .insertInto('product')
          .values({ city_id: city.id, code: values.code, name: values.name, name_en: values.nameEn, category: values.category, spec: values.spec, aliases: values.aliases, active: input.active ?? true, created_by: by.actor.staffId, updated_by: by.actor.staffId })
          .returning('id')
          .executeTakeFirstOrThrow();
        await appendAuditEntries(trx, [audit(by, { action: 'product.create', entity: 'product', entityId: id, after: { cityId: city.id, ...values, active: input.active ?? true } })]);
        return id;
      });
      return this.getProduct(by.actor, id);
    },
    async updateProduct(by: By, id: number, patch: ProductPatch) {
      const current = await loadProduct(by.actor, id);
      const merged = {
        code: (patch.code ?? current.code).trim(),
        name: (patch.name ?? current.name).trim(),
        nameEn: (patch.nameEn ?? current.name_en).trim(),
        category: patch.category ?? current.category,
        spec: (patch.spec ?? current.spec).trim(),
        aliases: patch.aliases !== undefined ? cleanAliases(patch.aliases) : current.aliases,
        active: patch.active ?? current.active,
      };
      rejectProblems(productProblems(merged));
      await write(async (trx) => {
        if (merged.code !== current.code) {
          const other = await repo.findProductByCode(trx, current.city_id, merged.code);
          if (other && other.id !== id) throw conflict(`商品编码 ${merged.code} 已存在 (product code exists)`, [{ field: 'code', message: '本市目录中已有此编码 (code already used in this city)' }]);
        }
        await trx
          .updateTable('product')
          .set({ code: merged.code, name: merged.name, name_en: merged.nameEn, category: merged.category, spec: merged.spec, aliases: merged.aliases, active: merged.active, updated_at: new Date(), updated_by: by.actor.staffId })
          .where('id', '=', id)
          .execute();
        await appendAuditEntries(trx, [audit(by, { action: 'product.update', entity: 'product', entityId: id, before: toProduct(current), after: patch })]);
      });
      return this.getProduct(by.actor, id);
    },

    // ---------------------------------------------------------------- price lists
    async listPriceLists(actor: Actor, f: { cityId?: number; status?: 'draft' | 'published' } & Page) {
      const visible = visibleCities(actor);
      const cityIds = f.cityId === undefined ? visible : visible === 'all' || visible.includes(f.cityId) ? [f.cityId] : [];
      const { items, total } = await repo.listPriceLists(db, { cityIds, status: f.status, ...window(f) });
      return { items: items.map((l) => toPriceList(l, inForceNow(l))), total, page: f.page, pageSize: f.pageSize };
    },
    getPriceList: (actor: Actor, id: number) => listDetail(actor, id),

    /** A new draft; it judges nothing until published. */
    async createDraft(by: By, input: PriceListInput) {
      const city = await targetCity(by.actor, input.cityId);
      const h = header(input);
      const organisation = by.actor.role === 'price_centre' ? await repo.findStaffOrganisation(db, by.actor.staffId) : '';
      const issuer = input.issuer?.trim() || organisation || `${city.name}价格监测中心`;
      const id = await write(async (trx) => {
        const products = await checkedItems(trx, city.id, input.items ?? []);
        const { id } = await trx
          .insertInto('price_list')
          .values({ city_id: city.id, title: h.title, issuer, effective_from: h.effectiveFrom, effective_to: h.effectiveTo, note: input.note ?? '', created_by: by.actor.staffId })
          .returning('id')
          .executeTakeFirstOrThrow();
        await repo.replaceItems(trx, id, input.items ?? [], products);
        await appendAuditEntries(trx, [audit(by, { action: 'price_list.create', entity: 'price_list', entityId: id, after: { cityId: city.id, ...h, issuer, note: input.note ?? '', items: input.items ?? [] } })]);
        return id;
      });
      return listDetail(by.actor, id);
    },
    async updateDraft(by: By, id: number, patch: PriceListPatch) {
      await write(async (trx) => {
        const current = await loadDraft(by.actor, id, trx);
        const h = header(patch, current);
        await trx
          .updateTable('price_list')
          .set({ title: h.title, effective_from: h.effectiveFrom, effective_to: h.effectiveTo, ...(patch.issuer !== undefined ? { issuer: patch.issuer.trim() } : {}), ...(patch.note !== undefined ? { note: patch.note } : {}), updated_at: new Date() })
          .where('id', '=', id)
          .execute();
        await appendAuditEntries(trx, [audit(by, { action: 'price_list.update', entity: 'price_list', entityId: id, before: toPriceList(current, false), after: patch })]);
      });
      return listDetail(by.actor, id);
    },
    /** Replaces every item of a draft. */
    async setDraftItems(by: By, id: number, items: ItemInput[]) {
      await write(async (trx) => {
        const current = await loadDraft(by.actor, id, trx);
        const before = (await repo.listItems(trx, id)).map((i) => ({ productId: i.product_id, capFenPerKg: i.cap_fen_per_kg }));
        const products = await checkedItems(trx, current.city_id, items);
        await repo.replaceItems(trx, id, items, products);
        await trx.updateTable('price_list').set({ updated_at: new Date() }).where('id', '=', id).execute();
        await appendAuditEntries(trx, [audit(by, { action: 'price_list.items', entity: 'price_list', entityId: id, before, after: items })]);
      });
      return listDetail(by.actor, id);
    },
    /**
     * Publishes a draft: it takes the city's next version number and, from its effective_from,
     * rules over every older version whose period it shares. From then on it never changes.
     */
    async publish(by: By, id: number) {
      await write(async (trx) => {
        const current = await loadDraft(by.actor, id, trx);
        header({}, current);
        const items = await repo.listItems(trx, id);
        if (!items.length) rejectProblems([{ field: 'items', message: '价格表没有商品，不能发布 (a price list needs at least one product to be published)' }]);
        // The labels the list will show forever are the catalogue's as of now.
        const products = await checkedItems(trx, current.city_id, items.map((i) => ({ productId: i.product_id, capFenPerKg: i.cap_fen_per_kg })));
        await repo.replaceItems(trx, id, items.map((i) => ({ productId: i.product_id, capFenPerKg: i.cap_fen_per_kg })), products);
        const version = await repo.nextVersion(trx, current.city_id);
        const at = now();
        await trx.updateTable('price_list').set({ status: 'published', version, published_at: at, published_by: by.actor.staffId, updated_at: at }).where('id', '=', id).execute();
        await appendAuditEntries(trx, [
          audit(by, {
            action: 'price_list.publish',
            entity: 'price_list',
            entityId: id,
            after: { cityId: current.city_id, version, title: current.title, effectiveFrom: current.effective_from, effectiveTo: current.effective_to, supersedesId: current.supersedes_id, items: items.map((i) => ({ productId: i.product_id, capFenPerKg: i.cap_fen_per_kg })) },
          }),
        ]);
      });
      return listDetail(by.actor, id);
    },
    /**
     * Starts a correction of a published list: a new draft with its items, superseding it from
     * `effectiveFrom` (default: now, or the original's start if that is later). Publishing the
     * draft is what makes it rule.
     */
    async correct(by: By, id: number, input: { effectiveFrom?: Date | string; title?: string; note?: string } = {}) {
      const original = await loadList(by.actor, id);
      if (original.status !== 'published') throw conflict('只能更正已发布的价格表；草稿可直接修改 (only a published list is corrected; edit a draft directly)');
      const from = input.effectiveFrom !== undefined ? toDate(input.effectiveFrom) : new Date(Math.max(now().getTime(), original.effective_from.getTime()));
      if (input.effectiveFrom === undefined && original.effective_to && original.effective_to.getTime() <= from.getTime()) {
        rejectProblems([{ field: 'effectiveFrom', message: '原价格表已过期，请指定更正的生效时间 (the original list has ended: say when the correction takes effect)' }]);
      }
      const h = header({ title: input.title ?? original.title, effectiveFrom: from, effectiveTo: original.effective_to });
      const newId = await write(async (trx) => {
        const items = await repo.listItems(trx, id);
        const { id: newId } = await trx
          .insertInto('price_list')
          .values({
            city_id: original.city_id,
            title: h.title,
            issuer: original.issuer,
            effective_from: h.effectiveFrom,
            effective_to: h.effectiveTo,
            supersedes_id: id,
            note: input.note ?? `更正第${original.version}版 (correction of version ${original.version})`,
            created_by: by.actor.staffId,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        if (items.length) {
          await trx
            .insertInto('price_list_item')
            .values(items.map((i) => ({ price_list_id: newId, product_id: i.product_id, cap_fen_per_kg: i.cap_fen_per_kg, name: i.name, name_en: i.name_en, spec: i.spec, category: i.category })))
            .execute();
        }
        await appendAuditEntries(trx, [audit(by, { action: 'price_list.correct', entity: 'price_list', entityId: newId, after: { supersedesId: id, ...h } })]);
        return newId;
      });
      return listDetail(by.actor, newId);
    },
    /** The list in force in a city at a time, as judge() sees it. */
    inForce(actor: Actor, f: { cityId?: number; at?: Date | string }) {
      const cityId = f.cityId ?? actor.cityId ?? undefined;
      if (cityId === undefined) rejectProblems([{ field: 'cityId', message: '请指定城市 (cityId is required)' }]);
      const s = snap;
      const city = s.city(cityId!);
      if (!city || !canSeeCity(actor, cityId!)) throw notFound('city', cityId);
      const at = f.at !== undefined ? toDate(f.at) : now();
      if (Number.isNaN(at.getTime())) rejectProblems([{ field: 'at', message: '时间无效 (not a valid time)' }]);
      const list = s.listAt(city.id, at);
      return { cityId: city.id, cityCode: city.code, cityName: city.name, at: at.toISOString(), list: list ? toInForceList(list, s) : null };
    },

    // ---------------------------------------------------------------- PLU mappings
    async listPlu(actor: Actor, merchantId: number) {
      const m = await loadMerchant(actor, merchantId);
      const list = snap.listAt(m.city_id, now());
      return (await repo.listPlu(db, merchantId)).map((r) => toPlu(merchantId, r, list?.caps.get(r.product_id) ?? null));
    },
    async setPlu(by: By, merchantId: number, input: PluInput) {
      await this.setPluMappings(by, [{ merchantId, ...input }]);
      const m = await loadMerchant(by.actor, merchantId);
      const row = (await repo.listPlu(db, merchantId)).find((r) => r.plu === input.plu)!;
      return toPlu(merchantId, row, snap.listAt(m.city_id, now())?.caps.get(row.product_id) ?? null);
    },
    /**
     * Maps plu codes to products, for one or many merchants in one transaction (imports, the demo),
     * one audit entry per mapping. Each merchant must be within reach; each product in its city.
     */
    async setPluMappings(by: By, given: readonly ({ merchantId: number } & PluInput)[]) {
      // The same merchant and plu twice: the last one wins, as if applied in order.
      const rows = [...new Map(given.map((r) => [`${r.merchantId}\u0000${r.plu}`, r])).values()];
      if (!rows.length) return;
      const problems: FieldProblem[] = [];
      for (const [i, r] of rows.entries()) {
        const p = pluProblem(r.plu);
        if (p) problems.push(rows.length === 1 ? p : { ...p, field: `${i}.plu` });
      }
      rejectProblems(problems);
      await write(async (trx) => {
        const merchants = new Map<number, repo.MerchantPlace>();
        for (const id of new Set(rows.map((r) => r.merchantId))) merchants.set(id, await loadMerchant(by.actor, id, trx));
        const products = new Map((await repo.findProducts(trx, [...new Set(rows.map((r) => r.productId))])).map((p) => [p.id, p]));
        rows.forEach((r, i) => {
          const p = products.get(r.productId);
          const field = rows.length === 1 ? 'productId' : `${i}.productId`;
          if (!p || p.city_id !== merchants.get(r.merchantId)!.city_id) problems.push({ field, message: `商品 ${r.productId} 不在商户所在城市的目录中 (product ${r.productId} is not in the catalogue of the merchant's city)` });
          else if (!p.active) problems.push({ field, message: `商品“${p.name}”已停用 (product ${p.name} is inactive)` });
        });
        rejectProblems(problems);
        const before = new Map<number, Map<string, number>>();
        for (const id of merchants.keys()) before.set(id, new Map((await repo.listPlu(trx, id)).map((r) => [r.plu, r.product_id])));
        await repo.upsertPlu(trx, rows, by.actor.staffId);
        await appendAuditEntries(
          trx,
          rows.map((r) =>
            audit(by, { action: 'merchant_plu.set', entity: 'merchant', entityId: r.merchantId, before: { plu: r.plu, productId: before.get(r.merchantId)!.get(r.plu) ?? null }, after: { plu: r.plu, productId: r.productId } }),
          ),
        );
      });
    },
    /** Unmaps a plu; unmapping one that is not mapped changes nothing and is not an error. */
    async removePlu(by: By, merchantId: number, plu: string) {
      await loadMerchant(by.actor, merchantId);
      await write(async (trx) => {
        await loadMerchant(by.actor, merchantId, trx);
        const gone = await repo.deletePlu(trx, merchantId, plu);
        if (gone) await appendAuditEntries(trx, [audit(by, { action: 'merchant_plu.remove', entity: 'merchant', entityId: merchantId, before: { plu, productId: gone.product_id }, after: { plu, productId: null } })]);
      });
    },
  };
  return api;
}

export type PricingService = ReturnType<typeof createPricingService>;
