/**
 * The in-memory picture ingest judges every sale against: built once from rows (no I/O here),
 * then read without allocation on the hot path. A new snapshot replaces the old one whole.
 */
import { buildNameMatcher, buildTimeline, chooseCandidate, compareCatalogue, judgeAgainstCap, NOT_OVER, resolveAt, type NameMatcher, type Segment } from './pricing.rules.js';

/** What ingest asks about one sale. */
export interface SaleInput {
  merchantId: number;
  cityId: number;
  plu: string;
  /** The name printed on the receipt. */
  name: string;
  unitPriceFenPerKg: number;
  /** The sale's `ts`. */
  at: Date;
}

/** The verdict on one sale (the contract with ingest; change only together with it). */
export interface SaleJudgement {
  /** The catalogue product the merchant mapped this plu to; null when unmapped. */
  productId: number | null;
  productName: string | null;
  /** The mapped product's cap in the list in force at `at`; null when unmapped or not on that list. */
  capFenPerKg: number | null;
  /** The list in force at `at` in the city, whether or not it caps this product; null when none. */
  priceListId: number | null;
  overCap: boolean;
  excessFenPerKg: number;
  excessPct: number;
  /** Set when the plu is unmapped but the printed name matches an active catalogue product of the city. */
  unmappedControlled: { productId: number; productName: string; capFenPerKg: number | null } | null;
}

export interface SnapshotRows {
  revision: number;
  cities: { id: number; code: string; name: string; name_en: string }[];
  products: { id: number; city_id: number; code: string; name: string; name_en: string; category: string; spec: string; aliases: string[]; active: boolean }[];
  lists: {
    id: number;
    city_id: number;
    version: number;
    title: string;
    issuer: string;
    effective_from: Date;
    effective_to: Date | null;
    published_at: Date;
    supersedes_id: number | null;
    note: string;
  }[];
  items: { price_list_id: number; product_id: number; cap_fen_per_kg: number; name: string; name_en: string; spec: string; category: string }[];
  plu: { merchant_id: number; plu: string; product_id: number }[];
}

export interface SnapshotProduct {
  id: number;
  cityId: number;
  code: string;
  name: string;
  nameEn: string;
  category: string;
  spec: string;
  aliases: readonly string[];
  active: boolean;
}

export interface SnapshotItem {
  productId: number;
  name: string;
  nameEn: string;
  spec: string;
  category: string;
  capFenPerKg: number;
}

export interface SnapshotList {
  id: number;
  cityId: number;
  version: number;
  title: string;
  issuer: string;
  effectiveFrom: Date;
  effectiveTo: Date | null;
  publishedAt: Date;
  supersedesId: number | null;
  note: string;
  /** In catalogue order (compareCatalogue). */
  items: readonly SnapshotItem[];
  caps: ReadonlyMap<number, number>;
}

export interface SnapshotCity {
  id: number;
  code: string;
  name: string;
  nameEn: string;
}

interface CityState {
  city: SnapshotCity;
  timeline: Segment[];
  lists: Map<number, SnapshotList>;
  matcher: NameMatcher;
  /** Printed name → candidate product ids. Receipts repeat a few names endlessly, so this stays small. */
  matches: Map<string, readonly number[]>;
}

const MATCH_CACHE_LIMIT = 4096;

export interface Snapshot {
  readonly revision: number;
  readonly cityCount: number;
  judge(input: SaleInput): SaleJudgement;
  listAt(cityId: number, at: Date): SnapshotList | null;
  city(cityId: number): SnapshotCity | null;
  cityByCode(code: string): SnapshotCity | null;
  product(productId: number): SnapshotProduct | null;
  /** A merchant's mappings, plu → product id. */
  mappingsOf(merchantId: number): ReadonlyMap<string, number>;
}

const NO_MAPPINGS: ReadonlyMap<string, number> = new Map();

export function buildSnapshot(rows: SnapshotRows): Snapshot {
  const products = new Map<number, SnapshotProduct>();
  for (const p of rows.products) products.set(p.id, { id: p.id, cityId: p.city_id, code: p.code, name: p.name, nameEn: p.name_en, category: p.category, spec: p.spec, aliases: p.aliases, active: p.active });

  const itemsByList = new Map<number, SnapshotItem[]>();
  for (const it of rows.items) {
    let list = itemsByList.get(it.price_list_id);
    if (!list) itemsByList.set(it.price_list_id, (list = []));
    list.push({ productId: it.product_id, name: it.name, nameEn: it.name_en, spec: it.spec, category: it.category, capFenPerKg: it.cap_fen_per_kg });
  }
  const sortKey = (it: SnapshotItem) => ({ category: it.category, code: products.get(it.productId)?.code ?? '' });

  const cities = new Map<number, CityState>();
  const byCode = new Map<string, CityState>();
  for (const c of rows.cities) {
    const active = rows.products.filter((p) => p.city_id === c.id && p.active);
    const state: CityState = {
      city: { id: c.id, code: c.code, name: c.name, nameEn: c.name_en },
      timeline: [],
      lists: new Map(),
      matcher: buildNameMatcher(active.map((p) => ({ id: p.id, name: p.name, aliases: p.aliases, spec: p.spec }))),
      matches: new Map(),
    };
    cities.set(c.id, state);
    byCode.set(c.code, state);
  }
  for (const l of rows.lists) {
    const state = cities.get(l.city_id);
    if (!state) continue;
    const items = (itemsByList.get(l.id) ?? []).sort((a, b) => compareCatalogue(sortKey(a), sortKey(b)) || a.productId - b.productId);
    state.lists.set(l.id, {
      id: l.id,
      cityId: l.city_id,
      version: l.version,
      title: l.title,
      issuer: l.issuer,
      effectiveFrom: l.effective_from,
      effectiveTo: l.effective_to,
      publishedAt: l.published_at,
      supersedesId: l.supersedes_id,
      note: l.note,
      items,
      caps: new Map(items.map((i) => [i.productId, i.capFenPerKg])),
    });
  }
  for (const state of cities.values()) {
    state.timeline = buildTimeline(
      [...state.lists.values()].map((l) => ({ id: l.id, version: l.version, fromMs: l.effectiveFrom.getTime(), toMs: l.effectiveTo ? l.effectiveTo.getTime() : Infinity })),
    );
  }

  const plu = new Map<number, Map<string, number>>();
  for (const m of rows.plu) {
    let byPlu = plu.get(m.merchant_id);
    if (!byPlu) plu.set(m.merchant_id, (byPlu = new Map()));
    byPlu.set(m.plu, m.product_id);
  }

  const listAtMs = (state: CityState | undefined, atMs: number): SnapshotList | null => {
    if (!state) return null;
    const id = resolveAt(state.timeline, atMs);
    return id === null ? null : state.lists.get(id) ?? null;
  };

  function candidatesFor(state: CityState, printed: string): readonly number[] {
    let ids = state.matches.get(printed);
    if (ids === undefined) {
      ids = state.matcher.candidates(printed);
      if (state.matches.size >= MATCH_CACHE_LIMIT) state.matches.clear();
      state.matches.set(printed, ids);
    }
    return ids;
  }

  return {
    revision: rows.revision,
    cityCount: rows.cities.length,
    judge(input) {
      const state = cities.get(input.cityId);
      const list = listAtMs(state, input.at.getTime());
      const priceListId = list ? list.id : null;
      const productId = plu.get(input.merchantId)?.get(input.plu);
      if (productId !== undefined) {
        const cap = list?.caps.get(productId);
        const verdict = cap === undefined ? NOT_OVER : judgeAgainstCap(input.unitPriceFenPerKg, cap);
        return {
          productId,
          productName: products.get(productId)?.name ?? null,
          capFenPerKg: cap ?? null,
          priceListId,
          overCap: verdict.overCap,
          excessFenPerKg: verdict.excessFenPerKg,
          excessPct: verdict.excessPct,
          unmappedControlled: null,
        };
      }
      let unmappedControlled: SaleJudgement['unmappedControlled'] = null;
      if (state) {
        const ids = candidatesFor(state, input.name);
        if (ids.length) {
          const chosen = chooseCandidate(ids, (id) => list?.caps.get(id) ?? null)!;
          unmappedControlled = { productId: chosen.productId, productName: products.get(chosen.productId)!.name, capFenPerKg: chosen.capFenPerKg };
        }
      }
      return { productId: null, productName: null, capFenPerKg: null, priceListId, overCap: false, excessFenPerKg: 0, excessPct: 0, unmappedControlled };
    },
    listAt: (cityId, at) => listAtMs(cities.get(cityId), at.getTime()),
    city: (cityId) => cities.get(cityId)?.city ?? null,
    cityByCode: (code) => byCode.get(code)?.city ?? null,
    product: (productId) => products.get(productId) ?? null,
    mappingsOf: (merchantId) => plu.get(merchantId) ?? NO_MAPPINGS,
  };
}

export const EMPTY_ROWS: SnapshotRows = { revision: -1, cities: [], products: [], lists: [], items: [], plu: [] };
