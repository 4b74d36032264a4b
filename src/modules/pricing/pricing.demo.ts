/**
 * Demo controlled prices: Sanya's seafood and tropical-fruit catalogue with a published list and
 * a correction of it, a smaller Xiamen list, and PLU mappings for the demo merchants' scales.
 * Loaded through the service, so validation and the audit log apply; lists are published by each
 * city's demo price-centre account (the administrator where a city has none).
 */
import type { Db } from '../../db/connect.js';
import { actorOf, type By } from '../auth/index.js';
import { formatLocal } from './pricing.page.js';
import type { ProductCategory } from './pricing.rules.js';
import type { PricingService } from './pricing.service.js';

export interface DemoProduct {
  /** The PLU code every demo merchant's scale uses for this product. */
  plu: string;
  code: string;
  name: string;
  nameEn: string;
  category: ProductCategory;
  spec: string;
  aliases: string[];
  /** The cap of the first list. */
  capFenPerKg: number;
}

const SF = 'seafood' as const;
const FR = 'fruit' as const;

export const DEMO_CATALOGUE: Readonly<Record<'460200' | '350200', readonly DemoProduct[]>> = {
  // Sanya (460200): what the seafood and fruit stalls of 新鸿港、第一、第三市场 sell to tourists.
  '460200': [
    { plu: '1001', code: 'SY-SF-001', name: '石斑鱼', nameEn: 'Grouper', category: SF, spec: '活，500g以下', aliases: ['石斑', '青斑', '青石斑'], capFenPerKg: 12000 },
    { plu: '1002', code: 'SY-SF-002', name: '石斑鱼', nameEn: 'Grouper', category: SF, spec: '活，500g及以上', aliases: ['石斑', '青斑', '青石斑'], capFenPerKg: 16000 },
    { plu: '1003', code: 'SY-SF-003', name: '东星斑', nameEn: 'Leopard coral grouper', category: SF, spec: '活，500g以上', aliases: ['东星', '星斑'], capFenPerKg: 44000 },
    { plu: '1004', code: 'SY-SF-004', name: '老虎斑', nameEn: 'Tiger grouper', category: SF, spec: '活', aliases: ['虎斑'], capFenPerKg: 14000 },
    { plu: '1005', code: 'SY-SF-005', name: '青蟹', nameEn: 'Mud crab', category: SF, spec: '活，肉蟹250g以上', aliases: ['和乐蟹', '肉蟹', '锯缘青蟹'], capFenPerKg: 18000 },
    { plu: '1006', code: 'SY-SF-006', name: '膏蟹', nameEn: 'Mud crab with roe', category: SF, spec: '活，母蟹', aliases: ['红膏蟹', '青蟹膏'], capFenPerKg: 26000 },
    { plu: '1007', code: 'SY-SF-007', name: '花蟹', nameEn: 'Blue swimmer crab', category: SF, spec: '活', aliases: ['三点蟹', '梭子蟹'], capFenPerKg: 12000 },
    { plu: '1008', code: 'SY-SF-008', name: '锦绣龙虾', nameEn: 'Ornate spiny lobster', category: SF, spec: '活，500g以下', aliases: ['龙虾', '青龙'], capFenPerKg: 76000 },
    { plu: '1009', code: 'SY-SF-009', name: '锦绣龙虾', nameEn: 'Ornate spiny lobster', category: SF, spec: '活，500g及以上', aliases: ['龙虾', '青龙'], capFenPerKg: 96000 },
    { plu: '1010', code: 'SY-SF-010', name: '皮皮虾', nameEn: 'Mantis shrimp', category: SF, spec: '活', aliases: ['濑尿虾', '虾蛄', '富贵虾'], capFenPerKg: 12000 },
    { plu: '1011', code: 'SY-SF-011', name: '基围虾', nameEn: 'Greasyback shrimp', category: SF, spec: '活', aliases: ['沙虾'], capFenPerKg: 10000 },
    { plu: '1012', code: 'SY-SF-012', name: '鲍鱼', nameEn: 'Abalone', category: SF, spec: '活，10-12头/斤', aliases: ['九孔鲍'], capFenPerKg: 20000 },
    { plu: '1013', code: 'SY-SF-013', name: '生蚝', nameEn: 'Oyster', category: SF, spec: '活', aliases: ['牡蛎', '海蛎'], capFenPerKg: 4000 },
    { plu: '1014', code: 'SY-SF-014', name: '扇贝', nameEn: 'Scallop', category: SF, spec: '活', aliases: ['扇子贝'], capFenPerKg: 5000 },
    { plu: '1015', code: 'SY-SF-015', name: '鱿鱼', nameEn: 'Squid', category: SF, spec: '鲜', aliases: ['枪乌贼', '鲜鱿'], capFenPerKg: 8000 },
    { plu: '1016', code: 'SY-SF-016', name: '红鱼', nameEn: 'Red snapper', category: SF, spec: '活', aliases: ['红鳍笛鲷', '红友'], capFenPerKg: 14000 },
    { plu: '1017', code: 'SY-SF-017', name: '马鲛鱼', nameEn: 'Spanish mackerel', category: SF, spec: '鲜', aliases: ['鲅鱼', '马鲛'], capFenPerKg: 6000 },
    { plu: '1018', code: 'SY-SF-018', name: '象拔蚌', nameEn: 'Geoduck', category: SF, spec: '活', aliases: [], capFenPerKg: 60000 },
    { plu: '2001', code: 'SY-FR-001', name: '芒果', nameEn: 'Mango', category: FR, spec: '贵妃芒', aliases: ['贵妃芒', '台农芒'], capFenPerKg: 2400 },
    { plu: '2002', code: 'SY-FR-002', name: '菠萝蜜', nameEn: 'Jackfruit', category: FR, spec: '整果', aliases: ['木菠萝'], capFenPerKg: 1600 },
    { plu: '2003', code: 'SY-FR-003', name: '榴莲', nameEn: 'Durian', category: FR, spec: '金枕头，整果', aliases: ['金枕头', '金枕'], capFenPerKg: 9000 },
    { plu: '2004', code: 'SY-FR-004', name: '山竹', nameEn: 'Mangosteen', category: FR, spec: '鲜果', aliases: [], capFenPerKg: 5000 },
    { plu: '2005', code: 'SY-FR-005', name: '红毛丹', nameEn: 'Rambutan', category: FR, spec: '鲜果', aliases: [], capFenPerKg: 4000 },
    { plu: '2006', code: 'SY-FR-006', name: '莲雾', nameEn: 'Wax apple', category: FR, spec: '鲜果', aliases: ['黑金刚'], capFenPerKg: 3600 },
    { plu: '2007', code: 'SY-FR-007', name: '火龙果', nameEn: 'Dragon fruit', category: FR, spec: '红心', aliases: ['红心火龙果'], capFenPerKg: 1600 },
    { plu: '2008', code: 'SY-FR-008', name: '释迦', nameEn: 'Sugar apple', category: FR, spec: '鲜果', aliases: ['番荔枝', '佛头果'], capFenPerKg: 5000 },
  ],
  // Xiamen (350200): a smaller list for 集美's seafood and fruit stalls.
  '350200': [
    { plu: '1001', code: 'XM-SF-001', name: '大黄鱼', nameEn: 'Large yellow croaker', category: SF, spec: '鲜，400g以上', aliases: ['大黄花鱼', '黄花鱼'], capFenPerKg: 9000 },
    { plu: '1002', code: 'XM-SF-002', name: '白鲳鱼', nameEn: 'Silver pomfret', category: SF, spec: '鲜', aliases: ['鲳鱼', '白鲳'], capFenPerKg: 12000 },
    { plu: '1003', code: 'XM-SF-003', name: '基围虾', nameEn: 'Greasyback shrimp', category: SF, spec: '活', aliases: ['沙虾'], capFenPerKg: 11000 },
    { plu: '1004', code: 'XM-SF-004', name: '花蛤', nameEn: 'Manila clam', category: SF, spec: '活', aliases: ['花甲', '蛤蜊'], capFenPerKg: 1600 },
    { plu: '1005', code: 'XM-SF-005', name: '海蛎', nameEn: 'Oyster', category: SF, spec: '去壳', aliases: ['蚝仔', '牡蛎'], capFenPerKg: 4400 },
    { plu: '1006', code: 'XM-SF-006', name: '青蟹', nameEn: 'Mud crab', category: SF, spec: '活', aliases: ['红蟳'], capFenPerKg: 16000 },
    { plu: '2001', code: 'XM-FR-001', name: '龙眼', nameEn: 'Longan', category: FR, spec: '鲜果', aliases: ['桂圆'], capFenPerKg: 2400 },
    { plu: '2002', code: 'XM-FR-002', name: '芦柑', nameEn: 'Ponkan', category: FR, spec: '鲜果', aliases: ['椪柑'], capFenPerKg: 1000 },
  ],
};

/** Sanya's correction of its first list, ten days ago: the caps it changed. */
const SANYA_CORRECTION: Record<string, number> = { 'SY-SF-003': 42000, 'SY-SF-005': 19000, 'SY-FR-001': 2000 };

/**
 * Every ninth merchant leaves one code unmapped (榴莲 for fruit, 老虎斑 for seafood), so a scale that
 * sells it under its printed name shows the platform catching an unmapped controlled product.
 */
export const DEMO_UNMAPPED_PLU = { seafood: '1004', fruit: '2003' } as const;

const DAY = 86_400_000;

/** Midnight at the start of `date` (YYYY-MM-DD) in a time zone. */
function zonedMidnight(date: string, timeZone: string): Date {
  const utc = Date.parse(`${date}T00:00:00Z`);
  const shownAs = Date.parse(`${formatLocal(new Date(utc), timeZone).replace(' ', 'T')}:00Z`);
  return new Date(utc - (shownAs - utc));
}

async function priceCentreOf(db: Db, cityId: number, fallback: By): Promise<By> {
  const row = await db.selectFrom('staff').selectAll().where('role', '=', 'price_centre').where('city_id', '=', cityId).where('is_demo', '=', true).orderBy('id').executeTakeFirst();
  return row ? { actor: await actorOf(db, row), requestId: fallback.requestId } : fallback;
}

/** Loads the demo controlled prices into a freshly loaded demo city. Returns what it created. */
export async function loadPricingDemo(pricing: PricingService, db: Db, admin: By, opts: { now?: Date } = {}): Promise<Record<string, number>> {
  const counts = { products: 0, priceLists: 0, pluMappings: 0 };
  const now = opts.now ?? new Date();
  const today = formatLocal(now, pricing.timezone).slice(0, 10);
  const daysAgo = (n: number) => zonedMidnight(today, pricing.timezone).getTime() - n * DAY;
  const cities = await db.selectFrom('city').select(['id', 'code', 'name']).where('code', 'in', Object.keys(DEMO_CATALOGUE)).execute();

  for (const city of cities) {
    const catalogue = DEMO_CATALOGUE[city.code as keyof typeof DEMO_CATALOGUE];
    const centre = await priceCentreOf(db, city.id, admin);
    const productIds = new Map<string, number>();
    for (const p of catalogue) {
      const { id } = await pricing.createProduct(centre, { cityId: city.id, code: p.code, name: p.name, nameEn: p.nameEn, category: p.category, spec: p.spec, aliases: p.aliases });
      productIds.set(p.code, id);
      counts.products++;
    }
    const items = catalogue.map((p) => ({ productId: productIds.get(p.code)!, capFenPerKg: p.capFenPerKg }));
    const sanya = city.code === '460200';
    const year = today.slice(0, 4);
    const first = await pricing.createDraft(centre, {
      cityId: city.id,
      title: `${city.name}海鲜、水果调控价格（${year}年第1期）`,
      issuer: `${city.name}价格监测中心`,
      effectiveFrom: new Date(daysAgo(sanya ? 60 : 30)),
      note: sanya ? '旅游旺季主要海鲜、水果品种最高销售价格' : '主要海鲜、水果品种最高销售价格',
      items,
    });
    await pricing.publish(centre, first.id);
    counts.priceLists++;
    if (sanya) {
      const draft = await pricing.correct(centre, first.id, { effectiveFrom: new Date(daysAgo(10)), note: '更正第1版：根据市场监测调整东星斑、青蟹、芒果调控价格' });
      await pricing.setDraftItems(
        centre,
        draft.id,
        catalogue.map((p) => ({ productId: productIds.get(p.code)!, capFenPerKg: SANYA_CORRECTION[p.code] ?? p.capFenPerKg })),
      );
      await pricing.publish(centre, draft.id);
      counts.priceLists++;
    }

    // Every seafood or fruit merchant of the city maps its scales' codes to the catalogue.
    const merchants = await db
      .selectFrom('merchant')
      .innerJoin('district', 'district.id', 'merchant.district_id')
      .select(['merchant.id', 'merchant.categories'])
      .where('district.city_id', '=', city.id)
      .orderBy('merchant.id')
      .execute();
    const rows: { merchantId: number; plu: string; productId: number }[] = [];
    merchants.forEach((m, i) => {
      const sells = (c: ProductCategory) => (c === 'seafood' ? m.categories.some((x) => x === 'seafood' || x === 'seafood_processing') : m.categories.includes(c));
      for (const p of catalogue) {
        if (!sells(p.category)) continue;
        if (i % 9 === 4 && p.plu === DEMO_UNMAPPED_PLU[p.category as 'seafood' | 'fruit']) continue;
        rows.push({ merchantId: m.id, plu: p.plu, productId: productIds.get(p.code)! });
      }
    });
    await pricing.setPluMappings(admin, rows);
    counts.pluMappings += rows.length;
  }
  return counts;
}
