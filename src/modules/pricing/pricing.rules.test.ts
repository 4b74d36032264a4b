import { describe, expect, it } from 'vitest';
import {
  buildNameMatcher,
  buildTimeline,
  chooseCandidate,
  compareCatalogue,
  formatYuan,
  itemProblems,
  judgeAgainstCap,
  listHeaderProblems,
  listInForce,
  normaliseName,
  parseYuan,
  perHalfKgFen,
  pluProblem,
  productProblems,
  resolveAt,
  type ListPeriod,
} from './pricing.rules.js';
import { createRng } from '../demo/demo.data.js';
import { buildSnapshot, type SnapshotRows } from './pricing.snapshot.js';

const H = 3_600_000;
const T0 = Date.parse('2026-06-01T00:00:00+08:00');
const at = (hours: number) => T0 + hours * H;
const list = (id: number, version: number, from: number, to: number | null): ListPeriod => ({ id, version, fromMs: at(from), toMs: to === null ? Infinity : at(to) });

describe('the list in force at a time', () => {
  it('is none before the first list and none in a gap', () => {
    const lists = [list(1, 1, 0, 10), list(2, 2, 20, null)];
    for (const t of [-1, 10, 15, 19.99]) expect(listInForce(lists, at(t)), `t=${t}`).toBeNull();
    expect(listInForce([], at(0))).toBeNull();
  });

  it('starts at effective_from inclusive and ends at effective_to exclusive', () => {
    const lists = [list(1, 1, 0, 10)];
    expect(listInForce(lists, at(0))).toBe(1);
    expect(listInForce(lists, at(0) - 1)).toBeNull();
    expect(listInForce(lists, at(10) - 1)).toBe(1);
    expect(listInForce(lists, at(10))).toBeNull();
  });

  it('an open-ended list rules for ever after', () => {
    expect(listInForce([list(1, 1, 0, null)], at(1e6))).toBe(1);
  });

  it('a correction takes over from its own start; the original rules before it', () => {
    const lists = [list(1, 1, 0, null), list(2, 2, 5, null)];
    expect(listInForce(lists, at(4.99))).toBe(1);
    expect(listInForce(lists, at(5))).toBe(2);
    expect(listInForce(lists, at(500))).toBe(2);
  });

  it('where periods overlap the latest published (highest version) wins, and the older one resumes after it', () => {
    // An open-ended base list, then a holiday list for hours 10-20 published later.
    const lists = [list(1, 1, 0, null), list(2, 2, 10, 20)];
    expect(listInForce(lists, at(9))).toBe(1);
    expect(listInForce(lists, at(10))).toBe(2);
    expect(listInForce(lists, at(19))).toBe(2);
    expect(listInForce(lists, at(20))).toBe(1);
  });

  it('a later version wins even when it was made to start earlier (a back-dated entry of history)', () => {
    const lists = [list(1, 1, 10, null), list(2, 2, 0, 15)];
    expect(listInForce(lists, at(5))).toBe(2);
    expect(listInForce(lists, at(12))).toBe(2);
    expect(listInForce(lists, at(15))).toBe(1);
  });

  it('an older version under a newer one with the same period never rules', () => {
    const lists = [list(1, 1, 0, 10), list(2, 2, 0, 10)];
    for (const t of [0, 5, 9.9]) expect(listInForce(lists, at(t))).toBe(2);
  });

  it('the timeline is merged, disjoint and sorted', () => {
    const timeline = buildTimeline([list(1, 1, 0, null), list(2, 2, 10, 20), list(3, 3, 30, 40)]);
    expect(timeline).toEqual([
      { fromMs: at(0), toMs: at(10), listId: 1 },
      { fromMs: at(10), toMs: at(20), listId: 2 },
      { fromMs: at(20), toMs: at(30), listId: 1 },
      { fromMs: at(30), toMs: at(40), listId: 3 },
      { fromMs: at(40), toMs: Infinity, listId: 1 },
    ]);
    expect(buildTimeline([list(1, 1, 0, 10), list(2, 2, 10, null), list(3, 1.5, 5, 15)]).map((s) => s.listId)).toEqual([1, 3, 2]);
    expect(buildTimeline([])).toEqual([]);
  });

  it('resolveAt on the timeline agrees with the rule for random lists and times', () => {
    const rng = createRng(42);
    for (let round = 0; round < 300; round++) {
      const n = rng.int(0, 8);
      const lists: ListPeriod[] = [];
      for (let i = 0; i < n; i++) {
        const from = rng.int(0, 50);
        lists.push(list(i + 1, i + 1, from, rng.chance(0.4) ? null : from + rng.int(1, 30)));
      }
      const timeline = buildTimeline(rng.shuffle([...lists]));
      for (let k = 0; k < 40; k++) {
        const t = at(rng.int(-5, 90)) + (rng.chance(0.3) ? rng.int(-1, 1) : 0);
        expect(resolveAt(timeline, t), `round ${round} t ${t}`).toBe(listInForce(lists, t));
      }
    }
  });

  it('resolveAt answers none for an invalid time', () => {
    expect(resolveAt(buildTimeline([list(1, 1, 0, null)]), Number.NaN)).toBeNull();
  });
});

describe('a sale against its cap', () => {
  it('exactly at the cap is not over; one fen above is', () => {
    expect(judgeAgainstCap(16000, 16000)).toEqual({ overCap: false, excessFenPerKg: 0, excessPct: 0 });
    expect(judgeAgainstCap(16001, 16000)).toEqual({ overCap: true, excessFenPerKg: 1, excessPct: 0 });
    expect(judgeAgainstCap(15999, 16000)).toEqual({ overCap: false, excessFenPerKg: 0, excessPct: 0 });
  });

  it('gives the excess in fen and in percent of the cap, one decimal, half up', () => {
    expect(judgeAgainstCap(20000, 16000)).toEqual({ overCap: true, excessFenPerKg: 4000, excessPct: 25 });
    expect(judgeAgainstCap(17000, 16000)).toEqual({ overCap: true, excessFenPerKg: 1000, excessPct: 6.3 }); // 6.25 → 6.3
    expect(judgeAgainstCap(10001, 3000)).toEqual({ overCap: true, excessFenPerKg: 7001, excessPct: 233.4 }); // 233.366…
    expect(judgeAgainstCap(32000, 16000).excessPct).toBe(100);
    expect(judgeAgainstCap(16008, 16000).excessPct).toBe(0.1); // 0.05 → 0.1
    expect(judgeAgainstCap(16007, 16000).excessPct).toBe(0); // 0.04375 → 0.0, yet over
  });
});

describe('display', () => {
  it('orders a list by category (seafood first, unknown last), then by code', () => {
    const items = [
      { category: 'fruit', code: 'FR-1' },
      { category: 'mystery', code: 'A' },
      { category: 'seafood', code: 'SF-2' },
      { category: 'seafood', code: 'SF-1' },
    ];
    expect([...items].sort(compareCatalogue).map((i) => i.code)).toEqual(['SF-1', 'SF-2', 'FR-1', 'A']);
  });
  it('per 500 g is half the per-kg cap, rounded half up to the fen', () => {
    expect(perHalfKgFen(16000)).toBe(8000);
    expect(perHalfKgFen(16001)).toBe(8001);
    expect(perHalfKgFen(16003)).toBe(8002);
    expect(perHalfKgFen(1)).toBe(1);
  });
  it('formats fen as yuan with two decimals', () => {
    expect(formatYuan(16000)).toBe('160.00');
    expect(formatYuan(8001)).toBe('80.01');
    expect(formatYuan(5)).toBe('0.05');
    expect(formatYuan(0)).toBe('0.00');
    expect(formatYuan(-150)).toBe('-1.50');
  });
  it('parses yuan as people type them', () => {
    expect(parseYuan('160')).toBe(16000);
    expect(parseYuan(' 160.5 ')).toBe(16050);
    expect(parseYuan('160.05')).toBe(16005);
    for (const bad of ['', '1.234', '-1', 'abc', '1,000', '1.']) expect(parseYuan(bad), bad).toBeNull();
  });
});

describe('normalising and matching printed names', () => {
  it('folds full-width forms, case, spaces, punctuation and symbols', () => {
    expect(normaliseName('石斑鱼')).toBe('石斑鱼');
    expect(normaliseName(' 石 斑　鱼 ')).toBe('石斑鱼');
    expect(normaliseName('石斑鱼（大）')).toBe('石斑鱼大');
    expect(normaliseName('ＡＢＣ１２３')).toBe('abc123');
    expect(normaliseName('东星斑-500g↑')).toBe('东星斑500g');
    expect(normaliseName('【特价】龙虾！')).toBe('特价龙虾');
  });

  const products = [
    { id: 1, name: '石斑鱼', aliases: ['青石斑鱼', '石斑'], spec: '500g以下' },
    { id: 2, name: '石斑鱼', aliases: ['青石斑鱼', '石斑'], spec: '500g及以上' },
    { id: 3, name: '东星斑', aliases: ['东星'], spec: '' },
    { id: 4, name: '青蟹', aliases: ['和乐蟹'], spec: '' },
    { id: 5, name: '鱼', aliases: ['虾'], spec: '' }, // a careless catalogue entry
    { id: 6, name: '芒果', aliases: ['贵妃芒'], spec: '' },
    { id: 7, name: '老虎斑', aliases: [], spec: '' },
  ];
  const m = buildNameMatcher(products);

  it('matches the name, an alias, and names with more around them', () => {
    expect(m.candidates('石斑鱼')).toEqual([1, 2]);
    expect(m.candidates('青石斑鱼')).toEqual([1, 2]);
    expect(m.candidates('野生 石斑鱼（活）')).toEqual([1, 2]);
    expect(m.candidates('石斑')).toEqual([1, 2]);
    expect(m.candidates('东星斑')).toEqual([3]);
    expect(m.candidates('和乐蟹')).toEqual([4]);
    expect(m.candidates('ＱＸ青蟹')).toEqual([4]);
    expect(m.candidates('贵妃芒果')).toEqual([6]);
  });

  it('prefers the longest matching term', () => {
    const m2 = buildNameMatcher([
      { id: 1, name: '石斑鱼', aliases: [], spec: '' },
      { id: 2, name: '青石斑鱼', aliases: [], spec: '' },
    ]);
    expect(m2.candidates('青石斑鱼')).toEqual([2]);
    expect(m2.candidates('石斑鱼')).toEqual([1]);
  });

  it('prefers the size grade whose spec the printed name carries', () => {
    expect(m.candidates('石斑鱼500g以下')).toEqual([1]);
    expect(m.candidates('石斑鱼 500g及以上')).toEqual([2]);
  });

  it('does not over-match: one character, unrelated names, or a short term inside a longer word', () => {
    expect(m.candidates('鱼')).toEqual([]);
    expect(m.candidates('虾')).toEqual([]);
    expect(m.candidates('带鱼')).toEqual([]); // "鱼" is too short to be a term
    expect(m.candidates('白菜')).toEqual([]);
    expect(m.candidates('')).toEqual([]);
    expect(m.candidates('！！')).toEqual([]);
    expect(m.candidates('斑鱼')).toEqual([]); // part of a name is not the name
    expect(m.candidates('老虎')).toEqual([]);
  });

  it('chooses among candidates the highest cap in force, then the lowest id; no cap counts lowest', () => {
    const caps: Record<number, number | null> = { 1: 12000, 2: 16000, 3: null, 4: 16000 };
    expect(chooseCandidate([1, 2], (id) => caps[id] ?? null)).toEqual({ productId: 2, capFenPerKg: 16000 });
    expect(chooseCandidate([2, 4], (id) => caps[id] ?? null)).toEqual({ productId: 2, capFenPerKg: 16000 });
    expect(chooseCandidate([3, 1], (id) => caps[id] ?? null)).toEqual({ productId: 1, capFenPerKg: 12000 });
    expect(chooseCandidate([3], () => null)).toEqual({ productId: 3, capFenPerKg: null });
    expect(chooseCandidate([], () => null)).toBeNull();
  });
});

describe('input checks', () => {
  it('products: code, name, category, and aliases long enough to match', () => {
    expect(productProblems({ code: 'SY-SF-001', name: '石斑鱼', category: 'seafood', aliases: ['石斑'] })).toEqual([]);
    const problems = productProblems({ code: 'bad code!', name: ' ', category: 'fish', aliases: ['鱼', '青石斑'] });
    expect(problems.map((p) => p.field)).toEqual(['code', 'name', 'category', 'aliases.0']);
    expect(problems[3]!.message).toContain('(alias too short');
  });

  it('list headers: a title and a period that ends after it starts', () => {
    const from = new Date(at(0));
    expect(listHeaderProblems({ title: '第1期', effectiveFrom: from, effectiveTo: null })).toEqual([]);
    expect(listHeaderProblems({ title: '第1期', effectiveFrom: from, effectiveTo: new Date(at(1)) })).toEqual([]);
    expect(listHeaderProblems({ title: '', effectiveFrom: from, effectiveTo: from }).map((p) => p.field)).toEqual(['title', 'effectiveTo']);
    expect(listHeaderProblems({ title: 'x', effectiveFrom: new Date('nope'), effectiveTo: null }).map((p) => p.field)).toEqual(['effectiveFrom']);
  });

  it('items: each product once, a whole positive cap in range', () => {
    expect(itemProblems([{ productId: 1, capFenPerKg: 16000 }])).toEqual([]);
    expect(itemProblems([{ productId: 1, capFenPerKg: 0 }, { productId: 1, capFenPerKg: 1.5 }, { productId: 2, capFenPerKg: 1e9 }]).map((p) => p.field)).toEqual([
      'items.0.capFenPerKg',
      'items.1.productId',
      'items.1.capFenPerKg',
      'items.2.capFenPerKg',
    ]);
  });

  it('PLU codes: 1 to 32 characters as the scale sends them', () => {
    expect(pluProblem('1001')).toBeNull();
    expect(pluProblem('石斑鱼大')).toBeNull();
    expect(pluProblem('x'.repeat(32))).toBeNull();
    expect(pluProblem('x'.repeat(33))).not.toBeNull();
    expect(pluProblem('')).not.toBeNull();
    expect(pluProblem('   ')).not.toBeNull();
  });
});

describe('the snapshot judge', () => {
  const rows = (): SnapshotRows => ({
    revision: 1,
    cities: [
      { id: 1, code: '460200', name: '三亚市', name_en: 'Sanya' },
      { id: 2, code: '350200', name: '厦门市', name_en: 'Xiamen' },
    ],
    products: [
      { id: 10, city_id: 1, code: 'SF-1', name: '石斑鱼', name_en: 'Grouper', category: 'seafood', spec: '', aliases: ['青石斑鱼'], active: true },
      { id: 11, city_id: 1, code: 'SF-2', name: '东星斑', name_en: '', category: 'seafood', spec: '', aliases: [], active: true },
      { id: 12, city_id: 1, code: 'SF-3', name: '老虎斑', name_en: '', category: 'seafood', spec: '', aliases: [], active: false },
      { id: 20, city_id: 2, code: 'XM-1', name: '大黄鱼', name_en: '', category: 'seafood', spec: '', aliases: [], active: true },
    ],
    lists: [
      { id: 100, city_id: 1, version: 1, title: 'v1', issuer: '三亚市价格监测中心', effective_from: new Date(at(0)), effective_to: null, published_at: new Date(at(0)), supersedes_id: null, note: '' },
      { id: 101, city_id: 1, version: 2, title: 'v2', issuer: '三亚市价格监测中心', effective_from: new Date(at(10)), effective_to: null, published_at: new Date(at(9)), supersedes_id: 100, note: '' },
    ],
    items: [
      { price_list_id: 100, product_id: 10, cap_fen_per_kg: 16000, name: '石斑鱼', name_en: 'Grouper', spec: '', category: 'seafood' },
      { price_list_id: 100, product_id: 12, cap_fen_per_kg: 14000, name: '老虎斑', name_en: '', spec: '', category: 'seafood' },
      { price_list_id: 101, product_id: 10, cap_fen_per_kg: 15000, name: '石斑鱼', name_en: 'Grouper', spec: '', category: 'seafood' },
    ],
    plu: [
      { merchant_id: 7, plu: '1001', product_id: 10 },
      { merchant_id: 7, plu: '1002', product_id: 11 },
    ],
  });
  const s = buildSnapshot(rows());
  const sale = (over: Partial<Parameters<typeof s.judge>[0]>) => s.judge({ merchantId: 7, cityId: 1, plu: '1001', name: '石斑鱼', unitPriceFenPerKg: 16000, at: new Date(at(1)), ...over });

  it('judges a mapped plu by the version in force at its time', () => {
    expect(sale({})).toEqual({ productId: 10, productName: '石斑鱼', capFenPerKg: 16000, priceListId: 100, overCap: false, excessFenPerKg: 0, excessPct: 0, unmappedControlled: null });
    expect(sale({ at: new Date(at(10)) })).toMatchObject({ capFenPerKg: 15000, priceListId: 101, overCap: true, excessFenPerKg: 1000, excessPct: 6.7 });
  });

  it('a mapped product not on the list in force has no cap and is not over', () => {
    expect(sale({ plu: '1002', unitPriceFenPerKg: 999999 })).toEqual({ productId: 11, productName: '东星斑', capFenPerKg: null, priceListId: 100, overCap: false, excessFenPerKg: 0, excessPct: 0, unmappedControlled: null });
  });

  it('before any list there is no list and no cap', () => {
    expect(sale({ at: new Date(at(-1)) })).toMatchObject({ productId: 10, capFenPerKg: null, priceListId: null, overCap: false });
  });

  it('an unmapped plu printed as a controlled product is reported with that product and its cap', () => {
    expect(sale({ plu: '9999', name: '青石斑鱼' })).toEqual({ productId: null, productName: null, capFenPerKg: null, priceListId: 100, overCap: false, excessFenPerKg: 0, excessPct: 0, unmappedControlled: { productId: 10, productName: '石斑鱼', capFenPerKg: 16000 } });
    expect(sale({ plu: '9999', name: '东星斑', at: new Date(at(10)) }).unmappedControlled).toEqual({ productId: 11, productName: '东星斑', capFenPerKg: null });
  });

  it('an unmapped plu with an unrelated name, an inactive product or another city’s product reports nothing', () => {
    expect(sale({ plu: '9999', name: '白菜' }).unmappedControlled).toBeNull();
    expect(sale({ plu: '9999', name: '老虎斑' }).unmappedControlled).toBeNull();
    expect(sale({ plu: '9999', name: '大黄鱼' }).unmappedControlled).toBeNull();
    expect(sale({ plu: '9999', name: '大黄鱼', cityId: 2 }).unmappedControlled).toMatchObject({ productId: 20 });
  });

  it('an unknown city or merchant never throws', () => {
    expect(sale({ cityId: 999, plu: '9999' })).toMatchObject({ productId: null, priceListId: null, unmappedControlled: null });
    expect(sale({ merchantId: 999, plu: '1001', name: '石斑鱼' })).toMatchObject({ productId: null, unmappedControlled: { productId: 10 } });
    expect(sale({ at: new Date('garbage') })).toMatchObject({ priceListId: null, overCap: false });
  });

  it('finds cities by code and the list at a time', () => {
    expect(s.cityByCode('460200')).toMatchObject({ id: 1, name: '三亚市' });
    expect(s.cityByCode('000000')).toBeNull();
    expect(s.listAt(1, new Date(at(12)))!.items.map((i) => i.capFenPerKg)).toEqual([15000]);
  });
});
