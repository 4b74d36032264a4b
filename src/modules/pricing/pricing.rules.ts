/**
 * Pure pricing rules: which price list is in force at a time, a sale against its cap, matching a
 * printed name to controlled products, per-500 g display, input checks. No I/O.
 */
import type { FieldProblem } from '../registry/index.js';

export const PRODUCT_CATEGORIES = {
  seafood: { zh: '海鲜', en: 'Seafood' },
  fruit: { zh: '水果', en: 'Fruit' },
  vegetables: { zh: '蔬菜', en: 'Vegetables' },
  meat: { zh: '肉类', en: 'Meat' },
  poultry: { zh: '禽蛋', en: 'Poultry and eggs' },
  grain_oil: { zh: '粮油', en: 'Grain and oil' },
  other: { zh: '其他', en: 'Other' },
} as const;
export type ProductCategory = keyof typeof PRODUCT_CATEGORIES;
export const PRODUCT_CATEGORY_KEYS = Object.keys(PRODUCT_CATEGORIES) as ProductCategory[];

/** Catalogue order, as lists are shown: by category in PRODUCT_CATEGORIES order, then by product code. */
export function compareCatalogue(a: { category: string; code: string }, b: { category: string; code: string }): number {
  const rank = (c: string) => {
    const i = (PRODUCT_CATEGORY_KEYS as string[]).indexOf(c);
    return i < 0 ? PRODUCT_CATEGORY_KEYS.length : i;
  };
  return rank(a.category) - rank(b.category) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

/** The highest cap a list may carry: 100,000 yuan per kg, far above any real controlled price. */
export const MAX_CAP_FEN_PER_KG = 10_000_000;
/** Names and aliases shorter than this (after normalising) never match: "鱼" alone would match every fish. */
export const MIN_MATCH_LENGTH = 2;

// ---------------------------------------------------------------- which list is in force

/** A published list's period: [fromMs, toMs), toMs Infinity when open-ended. */
export interface ListPeriod {
  id: number;
  version: number;
  fromMs: number;
  toMs: number;
}

/** A stretch of time with one list in force. Segments are sorted, disjoint and never empty. */
export interface Segment {
  fromMs: number;
  toMs: number;
  listId: number;
}

/**
 * The rule, stated once: at time t, among the published lists whose period contains t, the one
 * with the highest version (the latest published) is in force; none when no period contains t.
 * A correction therefore takes over from its own effective_from, and the list it corrects rules
 * again wherever the correction's period does not reach. Linear: the reference for buildTimeline.
 */
export function listInForce(lists: readonly ListPeriod[], atMs: number): number | null {
  let best: ListPeriod | null = null;
  for (const l of lists) if (l.fromMs <= atMs && atMs < l.toMs && (!best || l.version > best.version)) best = l;
  return best ? best.id : null;
}

/** Precomputes listInForce for every instant as sorted segments, so a lookup is a binary search. */
export function buildTimeline(lists: readonly ListPeriod[]): Segment[] {
  const bounds = [...new Set(lists.flatMap((l) => (Number.isFinite(l.toMs) ? [l.fromMs, l.toMs] : [l.fromMs])))].sort((a, b) => a - b);
  const segments: Segment[] = [];
  for (let i = 0; i < bounds.length; i++) {
    const fromMs = bounds[i]!;
    const toMs = i + 1 < bounds.length ? bounds[i + 1]! : Infinity;
    // Periods start and end only on bounds, so the winner at a segment's start holds throughout it.
    const listId = listInForce(lists, fromMs);
    if (listId === null) continue;
    const last = segments.at(-1);
    if (last && last.listId === listId && last.toMs === fromMs) last.toMs = toMs;
    else segments.push({ fromMs, toMs, listId });
  }
  return segments;
}

/** The list in force at `atMs` on a timeline from buildTimeline; null when none (or atMs is NaN). */
export function resolveAt(timeline: readonly Segment[], atMs: number): number | null {
  if (Number.isNaN(atMs)) return null;
  let lo = 0;
  let hi = timeline.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = timeline[mid]!;
    if (atMs < s.fromMs) hi = mid - 1;
    else if (atMs >= s.toMs) lo = mid + 1;
    else return s.listId;
  }
  return null;
}

// ---------------------------------------------------------------- a sale against its cap

export interface CapVerdict {
  overCap: boolean;
  /** How far the unit price is above the cap, fen per kg; 0 when not over. */
  excessFenPerKg: number;
  /** The excess as a percentage of the cap, one decimal (half up); 0 when not over. */
  excessPct: number;
}

export const NOT_OVER: CapVerdict = Object.freeze({ overCap: false, excessFenPerKg: 0, excessPct: 0 });

/** A unit price exactly at the cap is within it; one fen above is over. */
export function judgeAgainstCap(unitPriceFenPerKg: number, capFenPerKg: number): CapVerdict {
  const excess = unitPriceFenPerKg - capFenPerKg;
  if (excess <= 0) return NOT_OVER;
  return { overCap: true, excessFenPerKg: excess, excessPct: Math.round((excess * 1000) / capFenPerKg) / 10 };
}

// ---------------------------------------------------------------- display

/** The cap per 500 g (斤) people read on a price tag: half the per-kg cap, rounded half up to the fen. */
export const perHalfKgFen = (fenPerKg: number) => Math.round(fenPerKg / 2);

/** Fen as yuan with two decimals: 16000 → "160.00". */
export function formatYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.round(fen));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Yuan as typed by a person ("160", "160.5", "160.50") → fen; null when it is not such an amount. */
export function parseYuan(text: string): number | null {
  const m = /^\s*(\d{1,7})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

// ---------------------------------------------------------------- matching printed names

/**
 * A name reduced to what identifies it: compatibility forms folded (full-width → half-width,
 * ideographic space → space), lower case, and every space, punctuation mark and symbol removed.
 */
export function normaliseName(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s\p{P}\p{S}]/gu, '');
}

const lengthOf = (s: string) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

export interface MatchableProduct {
  id: number;
  name: string;
  aliases: readonly string[];
  spec: string;
}

export interface NameMatcher {
  /** Ids of the products the printed name matches best, ascending; empty when none. */
  candidates(printed: string): readonly number[];
}

const NONE: readonly number[] = Object.freeze([]);

/**
 * Matches a printed receipt name to products: a product matches when the normalised printed name
 * contains its normalised name or one of its aliases of at least MIN_MATCH_LENGTH characters.
 * The longest such term wins ("青石斑鱼" beats "石斑鱼"); among products tied on it (size grades
 * of one species), those whose spec also appears in the printed name are preferred.
 */
export function buildNameMatcher(products: readonly MatchableProduct[]): NameMatcher {
  const terms: { term: string; length: number; productId: number }[] = [];
  const specs = new Map<number, string>();
  for (const p of products) {
    const seen = new Set<string>();
    for (const raw of [p.name, ...p.aliases]) {
      const term = normaliseName(raw);
      const length = lengthOf(term);
      if (length < MIN_MATCH_LENGTH || seen.has(term)) continue;
      seen.add(term);
      terms.push({ term, length, productId: p.id });
    }
    const spec = normaliseName(p.spec);
    if (lengthOf(spec) >= MIN_MATCH_LENGTH) specs.set(p.id, spec);
  }
  return {
    candidates(printed) {
      const n = normaliseName(printed);
      if (lengthOf(n) < MIN_MATCH_LENGTH) return NONE;
      let best = 0;
      let ids: number[] = [];
      for (const t of terms) {
        if (t.length < best || !n.includes(t.term)) continue;
        if (t.length > best) {
          best = t.length;
          ids = [t.productId];
        } else if (!ids.includes(t.productId)) ids.push(t.productId);
      }
      if (!ids.length) return NONE;
      const bySpec = ids.filter((id) => n.includes(specs.get(id) ?? '\u0000'));
      return (bySpec.length ? bySpec : ids).sort((a, b) => a - b);
    },
  };
}

/**
 * Of several equally good candidates, the one with the highest cap in force (the reading most
 * lenient to the merchant), then the lowest id; a candidate with no cap counts below any cap.
 */
export function chooseCandidate(ids: readonly number[], capOf: (productId: number) => number | null): { productId: number; capFenPerKg: number | null } | null {
  let chosen: { productId: number; capFenPerKg: number | null } | null = null;
  for (const id of ids) {
    const cap = capOf(id);
    if (!chosen || (cap ?? -1) > (chosen.capFenPerKg ?? -1) || ((cap ?? -1) === (chosen.capFenPerKg ?? -1) && id < chosen.productId)) chosen = { productId: id, capFenPerKg: cap };
  }
  return chosen;
}

// ---------------------------------------------------------------- input checks

export interface ProductFields {
  code: string;
  name: string;
  category: string;
  aliases?: readonly string[];
}

export function productProblems(p: ProductFields): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(p.code.trim())) problems.push({ field: 'code', message: '商品编码应为1-32位字母、数字、“-”“_”或“.” (code: 1-32 letters, digits, "-", "_" or ".")' });
  if (!p.name.trim()) problems.push({ field: 'name', message: '商品名称不能为空 (product name is required)' });
  if (!(PRODUCT_CATEGORY_KEYS as string[]).includes(p.category)) problems.push({ field: 'category', message: `品类无效，应为 ${PRODUCT_CATEGORY_KEYS.join(', ')} (unknown category)` });
  (p.aliases ?? []).forEach((a, i) => {
    if (lengthOf(normaliseName(a)) < MIN_MATCH_LENGTH) problems.push({ field: `aliases.${i}`, message: `别名“${a}”过短，至少${MIN_MATCH_LENGTH}个字才能用于名称匹配 (alias too short to match names: at least ${MIN_MATCH_LENGTH} characters)` });
  });
  return problems;
}

export interface ListHeaderFields {
  title: string;
  effectiveFrom: Date;
  effectiveTo: Date | null;
}

export function listHeaderProblems(h: ListHeaderFields): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!h.title.trim()) problems.push({ field: 'title', message: '价格表标题不能为空 (title is required)' });
  if (Number.isNaN(h.effectiveFrom.getTime())) problems.push({ field: 'effectiveFrom', message: '生效时间无效 (effective-from is not a valid time)' });
  if (h.effectiveTo && Number.isNaN(h.effectiveTo.getTime())) problems.push({ field: 'effectiveTo', message: '失效时间无效 (effective-to is not a valid time)' });
  else if (h.effectiveTo && h.effectiveTo.getTime() <= h.effectiveFrom.getTime()) problems.push({ field: 'effectiveTo', message: '失效时间须晚于生效时间 (effective-to must be after effective-from)' });
  return problems;
}

export function itemProblems(items: readonly { productId: number; capFenPerKg: number }[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<number>();
  items.forEach((it, i) => {
    if (seen.has(it.productId)) problems.push({ field: `items.${i}.productId`, message: '同一商品不能重复列出 (a product may appear only once)' });
    seen.add(it.productId);
    if (!Number.isInteger(it.capFenPerKg) || it.capFenPerKg <= 0 || it.capFenPerKg > MAX_CAP_FEN_PER_KG) {
      problems.push({ field: `items.${i}.capFenPerKg`, message: `调控价应为1至${MAX_CAP_FEN_PER_KG}分/公斤的整数 (cap must be a whole number of fen per kg, 1 to ${MAX_CAP_FEN_PER_KG})` });
    }
  });
  return problems;
}

/** A PLU exactly as the scale sends it (scale protocol: 1 to 32 characters), and not only space. */
export function pluProblem(plu: string): FieldProblem | null {
  const n = lengthOf(plu);
  return n >= 1 && n <= 32 && plu.trim() !== '' ? null : { field: 'plu', message: 'PLU应为1-32个字符 (PLU: 1 to 32 characters, as the scale sends it)' };
}
