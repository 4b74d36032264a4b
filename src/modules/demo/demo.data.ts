/**
 * The demo city as plain data: pure functions of a seed and today's date, no I/O. The same seed
 * makes the same city on every start; only the verification dates move with today, so that
 * "about to expire" and "expired" stay true on the day the demo is loaded.
 */
import { BUSINESS_CATEGORIES, usccCheckCharacter, type BusinessCategory, type CameraKeyPoint } from '../registry/index.js';
import type { Role } from '../auth/index.js';

/** 2024-12-09: the day Xiamen's 一秤一码 pilot began. */
export const DEMO_SEED = 20241209;

/** One password for every demo account; demo accounts sign in only in demo mode. */
export const DEMO_PASSWORD = 'mashang-demo-2026';

// ---------------------------------------------------------------- jurisdictions

export interface DemoDistrict {
  code: string;
  name: string;
  nameEn: string;
}
export interface DemoOffice {
  name: string;
  nameEn: string;
  address: string;
  phone: string;
  districtCodes: string[];
}
export interface DemoCity {
  code: string;
  name: string;
  nameEn: string;
  districts: DemoDistrict[];
  offices: DemoOffice[];
}

export const SANYA = '460200';
export const XIAMEN = '350200';

export const DEMO_CITIES: readonly DemoCity[] = [
  {
    code: SANYA,
    name: '三亚市',
    nameEn: 'Sanya',
    districts: [
      { code: '460202', name: '海棠区', nameEn: 'Haitang District' },
      { code: '460203', name: '吉阳区', nameEn: 'Jiyang District' },
      { code: '460204', name: '天涯区', nameEn: 'Tianya District' },
      { code: '460205', name: '崖州区', nameEn: 'Yazhou District' },
    ],
    offices: [
      // Covers two districts, so an inspector's multi-district reach shows in the demo.
      { name: '吉阳市场监管所', nameEn: 'Jiyang Market Supervision Office', address: '三亚市吉阳区迎宾路369号', phone: '0898-88263115', districtCodes: ['460203', '460202'] },
      { name: '天涯市场监管所', nameEn: 'Tianya Market Supervision Office', address: '三亚市天涯区解放路1066号', phone: '0898-88271530', districtCodes: ['460204'] },
      { name: '崖州市场监管所', nameEn: 'Yazhou Market Supervision Office', address: '三亚市崖州区崖城镇中山东路88号', phone: '0898-88682207', districtCodes: ['460205'] },
    ],
  },
  {
    code: XIAMEN,
    name: '厦门市',
    nameEn: 'Xiamen',
    districts: [
      { code: '350203', name: '思明区', nameEn: 'Siming District' },
      { code: '350206', name: '湖里区', nameEn: 'Huli District' },
      { code: '350211', name: '集美区', nameEn: 'Jimei District' },
    ],
    offices: [
      { name: '集美市场监管所', nameEn: 'Jimei Market Supervision Office', address: '厦门市集美区集美大道1200号', phone: '0592-6068315', districtCodes: ['350211'] },
      { name: '思明市场监管所', nameEn: 'Siming Market Supervision Office', address: '厦门市思明区湖滨南路388号', phone: '0592-2036612', districtCodes: ['350203'] },
      { name: '湖里市场监管所', nameEn: 'Huli Market Supervision Office', address: '厦门市湖里区长乐路2号', phone: '0592-5712208', districtCodes: ['350206'] },
    ],
  },
];

// ---------------------------------------------------------------- markets

type Region = 'hainan' | 'fujian';

export interface DemoMarket {
  key: string;
  cityCode: string;
  districtCode: string;
  name: string;
  address: string;
  managingOrg: string;
  contactName: string;
  contactPhone: string;
}

interface MarketPlan extends DemoMarket {
  region: Region;
  /** Stall zones in order: the category sold there, the zone letter, how many merchants. */
  zones: { category: BusinessCategory; letter: string; count: number }[];
  companies: number;
  withoutUscc: number;
  suspended: number;
  /** Exact number of scales; otherwise each merchant gets what its trade usually has. */
  scaleTotal?: number;
  /** Merchants from the news reports, placed first in their zone. */
  featured?: { category: BusinessCategory; name: string; legalRep: string }[];
}

const MARKET_PLANS: readonly MarketPlan[] = [
  {
    key: 'xinhonggang',
    cityCode: SANYA,
    districtCode: '460203',
    name: '新鸿港市场',
    address: '三亚市吉阳区新风街155号',
    managingOrg: '三亚新鸿港市场管理有限公司',
    contactName: '符明辉',
    contactPhone: '0898-88253906',
    region: 'hainan',
    zones: [
      { category: 'seafood', letter: 'A', count: 30 },
      { category: 'fruit', letter: 'B', count: 12 },
      { category: 'seafood_processing', letter: 'C', count: 10 },
    ],
    companies: 4,
    withoutUscc: 2,
    suspended: 0,
    featured: [{ category: 'seafood', name: '三亚吉阳梅大姐海鲜店', legalRep: '梅秀兰' }],
  },
  {
    key: 'diyi',
    cityCode: SANYA,
    districtCode: '460204',
    name: '第一市场',
    address: '三亚市天涯区新建街42号',
    managingOrg: '三亚第一农贸市场管理处',
    contactName: '钟前坤',
    contactPhone: '0898-88272419',
    region: 'hainan',
    zones: [
      { category: 'seafood', letter: 'A', count: 28 },
      { category: 'fruit', letter: 'B', count: 16 },
      { category: 'seafood_processing', letter: 'C', count: 12 },
    ],
    companies: 5,
    withoutUscc: 2,
    suspended: 1,
  },
  {
    key: 'disan',
    cityCode: SANYA,
    districtCode: '460203',
    name: '第三市场',
    address: '三亚市吉阳区河东路328号',
    managingOrg: '三亚市农投集团第三市场管理处',
    contactName: '黎海燕',
    contactPhone: '0898-88218837',
    region: 'hainan',
    zones: [
      { category: 'seafood', letter: 'A', count: 22 },
      { category: 'fruit', letter: 'B', count: 14 },
      { category: 'seafood_processing', letter: 'C', count: 8 },
    ],
    companies: 3,
    withoutUscc: 2,
    suspended: 0,
  },
  {
    // The 一秤一码 pilot: 95 merchants and 125 scales.
    key: 'xiashang_jimei',
    cityCode: XIAMEN,
    districtCode: '350211',
    name: '夏商(集美)农贸市场',
    address: '厦门市集美区银江路139号',
    managingOrg: '厦门夏商农产品集团有限公司',
    contactName: '郑志强',
    contactPhone: '0592-6213578',
    region: 'fujian',
    zones: [
      { category: 'vegetables', letter: 'A', count: 30 },
      { category: 'meat', letter: 'B', count: 15 },
      { category: 'poultry', letter: 'C', count: 8 },
      { category: 'seafood', letter: 'D', count: 18 },
      { category: 'fruit', letter: 'E', count: 10 },
      { category: 'dry_goods', letter: 'F', count: 8 },
      { category: 'grain_oil', letter: 'G', count: 6 },
    ],
    companies: 6,
    withoutUscc: 3,
    suspended: 0,
    scaleTotal: 125,
    featured: [{ category: 'vegetables', name: '集美区陈记蔬菜摊', legalRep: '陈建国' }],
  },
];

/** Seafood-processing shops on 海棠湾's roads, outside any market: they give the 吉阳 office's second district something to supervise. */
const HAITANG_STREET = { districtCode: '460202', count: 6, roads: ['三亚市海棠区海棠北路', '三亚市海棠区林旺中路', '三亚市海棠区藤桥东路'] };

export const DEMO_MARKETS: readonly DemoMarket[] = MARKET_PLANS.map(({ key, cityCode, districtCode, name, address, managingOrg, contactName, contactPhone }) => ({
  key,
  cityCode,
  districtCode,
  name,
  address,
  managingOrg,
  contactName,
  contactPhone,
}));

// ---------------------------------------------------------------- staff

export interface DemoStaff {
  username: string;
  displayName: string;
  role: Role;
  cityCode: string | null;
  officeName?: string;
  marketKeys?: string[];
  organisation: string;
  /** Shown at start-up: Chinese, then English. */
  label: string;
}

export const SANYA_INSTITUTION = '三亚市计量测试所';
export const XIAMEN_INSTITUTION = '厦门市计量检定测试院';

export const DEMO_STAFF: readonly DemoStaff[] = [
  { username: 'demo_admin', displayName: '系统管理员（演示）', role: 'admin', cityCode: null, organisation: '码上平台运维', label: '系统管理员 · System administrator' },
  { username: 'sanya_bureau', displayName: '三亚市市场监管局（演示）', role: 'city_bureau', cityCode: SANYA, organisation: '三亚市市场监督管理局', label: '三亚市市场监管局 · Sanya city bureau' },
  {
    username: 'jiyang_inspector',
    displayName: '吉阳市场监管所执法人员（演示）',
    role: 'office_inspector',
    cityCode: SANYA,
    officeName: '吉阳市场监管所',
    organisation: '三亚市市场监督管理局吉阳市场监管所',
    label: '吉阳区监管所执法人员 · Jiyang office inspector',
  },
  {
    username: 'xinhonggang_manager',
    displayName: '新鸿港市场管理方（演示）',
    role: 'market_manager',
    cityCode: SANYA,
    marketKeys: ['xinhonggang'],
    organisation: '三亚新鸿港市场管理有限公司',
    label: '新鸿港市场管理方 · Xinhonggang market manager',
  },
  {
    username: 'xinhonggang_merchant',
    displayName: '新鸿港市场第一户商户（演示）',
    role: 'merchant',
    cityCode: SANYA,
    // The account speaks for the first merchant of this market (by stall).
    marketKeys: ['xinhonggang'],
    organisation: '',
    label: '新鸿港市场商户 · Merchant at Xinhonggang',
  },
  { username: 'sanya_metrology', displayName: '三亚市计量测试所（演示）', role: 'verification_institution', cityCode: SANYA, organisation: SANYA_INSTITUTION, label: '三亚市计量测试所 · Sanya verification institution' },
  { username: 'sanya_price', displayName: '三亚市价格监测中心（演示）', role: 'price_centre', cityCode: SANYA, organisation: '三亚市价格监测中心', label: '三亚市价格监测中心 · Sanya price monitoring centre' },
  { username: 'xiamen_bureau', displayName: '厦门市市场监管局（演示）', role: 'city_bureau', cityCode: XIAMEN, organisation: '厦门市市场监督管理局', label: '厦门市市场监管局 · Xiamen city bureau' },
  {
    username: 'jimei_inspector',
    displayName: '集美市场监管所执法人员（演示）',
    role: 'office_inspector',
    cityCode: XIAMEN,
    officeName: '集美市场监管所',
    organisation: '厦门市集美区市场监督管理局集美市场监管所',
    label: '集美区监管所执法人员 · Jimei office inspector',
  },
  {
    username: 'xiashang_manager',
    displayName: '夏商(集美)农贸市场管理方（演示）',
    role: 'market_manager',
    cityCode: XIAMEN,
    marketKeys: ['xiashang_jimei'],
    organisation: '厦门夏商农产品集团有限公司',
    label: '夏商(集美)农贸市场管理方 · Xiashang (Jimei) market manager',
  },
  { username: 'xiamen_metrology', displayName: '厦门市计量检定测试院（演示）', role: 'verification_institution', cityCode: XIAMEN, organisation: XIAMEN_INSTITUTION, label: '厦门市计量检定测试院 · Xiamen verification institution' },
];

// ---------------------------------------------------------------- generated records

export interface DemoMerchant {
  /** Unique within the demo: market key (or district code) and stall number. */
  key: string;
  cityCode: string;
  districtCode: string;
  marketKey: string | null;
  stall: { number: string; areaM2: number; trade: string } | null;
  uscc: string | null;
  hasUscc: boolean;
  name: string;
  legalRep: string;
  entityType: '个体工商户' | '有限责任公司' | '农民专业合作社';
  address: string;
  categories: BusinessCategory[];
  licenceNumbers: string[];
  status: 'operating' | 'suspended';
}

export interface DemoVerification {
  certificateNo: string;
  institution: string;
  verifiedOn: string;
  result: 'pass' | 'fail';
  validUntil: string | null;
}

export interface DemoScale {
  merchantKey: string;
  serialNo: string;
  manufacturer: string;
  model: string;
  maxCapacityG: number;
  divisionG: number;
  accuracyClass: 'III';
  typeApprovalNo: string;
  isIot: boolean;
  /** Oldest first; the last one decides the verification state. */
  verifications: DemoVerification[];
}

export interface DemoCamera {
  merchantKey: string;
  keyPoint: CameraKeyPoint;
  streamUrl: string;
  retentionDays: number;
}

export interface DemoData {
  cities: readonly DemoCity[];
  markets: readonly DemoMarket[];
  merchants: DemoMerchant[];
  scales: DemoScale[];
  cameras: DemoCamera[];
  staff: readonly DemoStaff[];
}

// ---------------------------------------------------------------- randomness and dates

export interface Rng {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: ArrayLike<T>): T;
  chance(p: number): boolean;
  shuffle<T>(items: T[]): T[];
}

/** mulberry32: small, fast, and the same sequence on every platform. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: <T>(items: ArrayLike<T>) => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
    shuffle<T>(items: T[]) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(0, i);
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
  };
}

/** A stream of its own per market, so adding a market leaves the others as they were. */
const streamSeed = (seed: number, key: string) => {
  let h = seed >>> 0;
  for (const ch of key) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193) >>> 0;
  return h;
};

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A mandatory verification of a price-computing scale is valid for one year: through the day before its anniversary. */
export function oneYearValidUntil(verifiedOn: string): string {
  const d = new Date(`${verifiedOn}T00:00:00Z`);
  const day = d.getUTCDate();
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  if (d.getUTCDate() !== day) d.setUTCDate(0); // 29 February: its anniversary is 28 February (then +1)
  else d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** The verification date whose one-year validity ends on `validUntil`. */
const verifiedOnFor = (validUntil: string) => {
  const anniversary = addDays(validUntil, 1);
  const d = new Date(`${anniversary}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() - 1);
  return d.toISOString().slice(0, 10);
};

// ---------------------------------------------------------------- codes

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/** GB 11714 check character of the 9-character organisation code inside a USCC (characters 9-17). */
export function orgCodeCheckCharacter(first8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += parseInt(first8[i]!, 36) * ORG_CODE_WEIGHTS[i]!;
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/**
 * A USCC (GB 32100): registration authority 9 and entity kind (2 individual business, 1 company,
 * 3 farmers' cooperative), the district's division code, an organisation code with its own GB 11714
 * check character, then the GB 32100 check character.
 */
export function makeUscc(kind: '91' | '92' | '93', divisionCode: string, orgPrefix: string, rng: Rng): string {
  let body = orgPrefix;
  while (body.length < 8) body += rng.pick(USCC_CHARS);
  const first17 = kind + divisionCode + body + orgCodeCheckCharacter(body);
  return first17 + usccCheckCharacter(first17);
}

// Prefixes seen in codes recently issued by Hainan's and Fujian's registration authorities.
const ORG_PREFIXES: Record<Region, readonly string[]> = { hainan: ['MA5T', 'MA5R', 'MA5U'], fujian: ['MA2Y', 'MA31', 'MA33', 'MA8U'] };

/** 食品经营许可证: JY, business form (1 sale, 2 catering), division code, six-digit serial, check digit. */
const foodLicence = (form: 1 | 2, divisionCode: string, rng: Rng) => `JY${form}${divisionCode}${String(rng.int(1, 999_999)).padStart(6, '0')}${rng.int(0, 9)}`;

// ---------------------------------------------------------------- people and names

const SURNAMES: Record<Region, readonly string[]> = {
  hainan: ['王', '陈', '符', '林', '吴', '李', '黄', '邢', '周', '郑', '蔡', '张', '麦', '云', '羊', '卢', '潘', '黎', '苏', '梁', '王', '陈', '符', '林'],
  fujian: ['陈', '林', '黄', '张', '吴', '李', '王', '郑', '蔡', '许', '杨', '洪', '刘', '苏', '曾', '庄', '叶', '柯', '谢', '邱', '陈', '林', '黄'],
};
const MALE = ['海', '明', '强', '伟', '军', '华', '文', '志', '国', '建', '平', '德', '福', '生', '清', '坤', '雄', '辉', '东', '荣', '添', '财', '水', '金', '龙', '成', '忠', '亮', '俊', '勇'];
const FEMALE = ['丽', '芳', '秀', '英', '玲', '梅', '兰', '春', '燕', '红', '霞', '娟', '萍', '琴', '花', '妹', '珍', '凤', '月', '美', '慧', '莲', '静', '桂'];

interface Person {
  surname: string;
  given: string;
  female: boolean;
}
const fullName = (p: Person) => p.surname + p.given;

function makePerson(region: Region, rng: Rng): Person {
  const female = rng.chance(0.45);
  const pool = female ? FEMALE : MALE;
  const given = rng.chance(0.8) ? rng.pick(pool) + rng.pick(pool) : rng.pick(pool);
  return { surname: rng.pick(SURNAMES[region]), given: given[0] === given[1] ? given[0]! : given, female };
}

/** What the stall is called by: 阿强, 老符, 陈记, 梅大姐 … */
function nickname(p: Person, rng: Rng): string {
  const last = p.given.at(-1)!;
  const options = p.female ? [`${p.surname}大姐`, `阿${last}`, `${p.surname}记`, `${p.surname}家`, p.given.length === 2 ? p.given : `${p.surname}${p.given}`] : [`阿${last}`, `老${p.surname}`, `${p.surname}记`, `${p.surname}家`, `${p.surname}氏`, p.given.length === 2 ? p.given : `${p.surname}${p.given}`];
  return rng.pick(options);
}

const SHOP_WORDS: Record<Region, Partial<Record<BusinessCategory, readonly string[]>>> = {
  hainan: {
    seafood: ['海鲜店', '海鲜档', '海产品摊', '鲜活海鲜店'],
    fruit: ['水果店', '热带水果摊', '水果档'],
    seafood_processing: ['海鲜加工店', '海鲜加工坊', '海鲜加工档'],
  },
  fujian: {
    vegetables: ['蔬菜摊', '蔬菜店', '果蔬摊'],
    meat: ['猪肉摊', '鲜肉店', '牛羊肉店'],
    poultry: ['禽蛋店', '冰鲜禽摊'],
    seafood: ['水产摊', '海鲜店', '鲜鱼摊'],
    fruit: ['水果店', '水果摊'],
    dry_goods: ['干货店', '南北干货摊'],
    grain_oil: ['粮油店', '粮油批发部'],
  },
};

const BRANDS: Record<Region, readonly string[]> = {
  hainan: ['鲜之源', '蓝海湾', '鹿回头', '南海渔', '椰风', '琼南', '海韵', '渔家乐', '鸿运', '金海岸', '榆林湾', '红沙', '大东海', '椰乡', '南山'],
  fujian: ['鹭岛', '嘉庚', '杏林', '灌口', '后溪', '侨乡', '鑫旺', '闽南', '丰盛', '佳禾', '绿源', '金穗', '福鹭', '兴隆', '天马'],
};

const COMPANY_WORDS: Partial<Record<BusinessCategory, readonly string[]>> = {
  seafood: ['水产有限公司', '海产品贸易有限公司'],
  fruit: ['果业有限公司', '水果贸易有限公司'],
  seafood_processing: ['餐饮管理有限公司', '海鲜加工有限公司'],
  vegetables: ['农产品有限公司', '蔬菜配送有限公司'],
  meat: ['肉类食品有限公司'],
  poultry: ['禽业有限公司'],
  dry_goods: ['食品有限公司'],
  grain_oil: ['粮油贸易有限公司'],
};

const DISTRICT_SHORT: Record<string, string> = { '460202': '海棠', '460203': '吉阳', '460204': '天涯', '460205': '崖州', '350211': '集美' };
const DISTRICT_FULL: Record<string, string> = { '460202': '海棠区', '460203': '吉阳区', '460204': '天涯区', '460205': '崖州区', '350211': '集美区' };

function shopName(region: Region, districtCode: string, category: BusinessCategory, nick: string, rng: Rng): string {
  const word = rng.pick(SHOP_WORDS[region][category]!);
  if (region === 'hainan') return rng.chance(0.7) ? `三亚${DISTRICT_SHORT[districtCode]}${nick}${word}` : `三亚市${DISTRICT_FULL[districtCode]}${nick}${word}`;
  return rng.chance(0.75) ? `${DISTRICT_FULL[districtCode]}${nick}${word}` : `厦门市${DISTRICT_FULL[districtCode]}${nick}${word}`;
}

function companyName(region: Region, category: BusinessCategory, rng: Rng): string {
  const brand = rng.pick(BRANDS[region]);
  const word = rng.pick(COMPANY_WORDS[category]!);
  if (region === 'hainan') return `${category === 'fruit' && rng.chance(0.5) ? '海南' : '三亚'}${brand}${word}`;
  return `厦门${rng.chance(0.4) ? '市集美区' : ''}${brand}${word}`;
}

// ---------------------------------------------------------------- scales

interface ScaleModel {
  manufacturer: string;
  model: string;
  maxCapacityG: number;
  divisionG: number;
  typeApprovalNo: string;
  serialPrefix: string;
}
const M = {
  TM30A: { manufacturer: '上海大华', model: 'TM-30A', maxCapacityG: 30_000, divisionG: 10, typeApprovalNo: '2016F118-31', serialPrefix: 'DH' },
  TM15H: { manufacturer: '上海大华', model: 'TM-15H', maxCapacityG: 15_000, divisionG: 5, typeApprovalNo: '2018F207-31', serialPrefix: 'DH' },
  ACS30: { manufacturer: '凯丰', model: 'ACS-30', maxCapacityG: 30_000, divisionG: 10, typeApprovalNo: '2017F093-33', serialPrefix: 'KF' },
  ACS6: { manufacturer: '凯丰', model: 'ACS-6', maxCapacityG: 6_000, divisionG: 2, typeApprovalNo: '2017F094-33', serialPrefix: 'KF' },
  PS1X: { manufacturer: '顶尖', model: 'PS1X', maxCapacityG: 15_000, divisionG: 5, typeApprovalNo: '2019F123-44', serialPrefix: 'PS' },
  BPLUS: { manufacturer: '梅特勒-托利多', model: 'bPlus', maxCapacityG: 30_000, divisionG: 10, typeApprovalNo: '2015F310-32', serialPrefix: 'MT' },
  SM110: { manufacturer: '寺冈', model: 'SM-110', maxCapacityG: 15_000, divisionG: 5, typeApprovalNo: '2014F052-31', serialPrefix: 'TR' },
} satisfies Record<string, ScaleModel>;

const MODELS_FOR: Record<Region, Partial<Record<BusinessCategory, readonly ScaleModel[]>>> = {
  // Sanya's seafood stalls run the IoT traceable scales, all 30 kg.
  hainan: { seafood: [M.TM30A, M.TM30A, M.ACS30, M.BPLUS], fruit: [M.TM15H, M.PS1X, M.SM110, M.ACS30], seafood_processing: [M.TM30A, M.ACS30] },
  fujian: {
    vegetables: [M.TM15H, M.PS1X, M.ACS30, M.TM15H],
    meat: [M.TM30A, M.ACS30],
    poultry: [M.TM15H, M.ACS30],
    seafood: [M.TM15H, M.TM30A, M.ACS30],
    fruit: [M.PS1X, M.SM110, M.BPLUS],
    dry_goods: [M.ACS6, M.SM110],
    grain_oil: [M.ACS30, M.TM30A],
  },
};

/** Shares of verification states in each market; the remainder is valid. */
const VERIFICATION_MIX = { unverified: 0.05, failed: 0.02, expired: 0.08, expiring: 0.1 } as const;

type PlannedState = 'valid' | 'expiring' | 'expired' | 'failed' | 'unverified';

function planStates(n: number, rng: Rng): PlannedState[] {
  const states: PlannedState[] = [];
  for (const [state, share] of Object.entries(VERIFICATION_MIX) as [PlannedState, number][]) {
    // A market-sized set shows every state at least once; a handful of scales is left to the shares.
    for (let i = 0; i < Math.max(n >= 40 ? 1 : 0, Math.round(n * share)); i++) states.push(state);
  }
  while (states.length < n) states.push('valid');
  return rng.shuffle(states.slice(0, n));
}

class CertificateNumbers {
  private next = new Map<string, number>();
  constructor(private readonly prefix: string, private readonly rng: Rng) {}
  take(verifiedOn: string): string {
    const year = verifiedOn.slice(0, 4);
    const n = (this.next.get(year) ?? this.rng.int(1200, 3800)) + this.rng.int(1, 9);
    this.next.set(year, n);
    return `${this.prefix}${year}-${String(n).padStart(5, '0')}`;
  }
}

function verificationsFor(state: PlannedState, today: string, institution: string, certs: CertificateNumbers, rng: Rng): DemoVerification[] {
  const pass = (verifiedOn: string): DemoVerification => ({ certificateNo: certs.take(verifiedOn), institution, verifiedOn, result: 'pass', validUntil: oneYearValidUntil(verifiedOn) });
  const priorYear = (verifiedOn: string) => addDays(verifiedOn, -rng.int(360, 375));
  switch (state) {
    case 'unverified':
      return [];
    case 'valid': {
      // At least 35 days left, so it does not count as expiring.
      const on = addDays(today, -rng.int(10, 325));
      return rng.chance(0.4) ? [pass(priorYear(on)), pass(on)] : [pass(on)];
    }
    case 'expiring': {
      const on = verifiedOnFor(addDays(today, rng.int(1, 28)));
      return rng.chance(0.5) ? [pass(priorYear(on)), pass(on)] : [pass(on)];
    }
    case 'expired':
      return [pass(verifiedOnFor(addDays(today, -rng.int(3, 120))))];
    case 'failed': {
      const on = addDays(today, -rng.int(3, 45));
      return [pass(priorYear(on)), { certificateNo: certs.take(on), institution, verifiedOn: on, result: 'fail', validUntil: null }];
    }
  }
}

// ---------------------------------------------------------------- the city

const CAMERA_POINTS: Partial<Record<BusinessCategory, readonly CameraKeyPoint[][]>> = {
  seafood: [
    ['weighing_area', 'seafood_tank'],
    ['weighing_area', 'cashier', 'seafood_tank'],
    ['weighing_area', 'cashier', 'seafood_tank'],
  ],
  seafood_processing: [
    ['kitchen', 'weighing_area'],
    ['kitchen', 'weighing_area', 'cashier'],
    ['kitchen', 'packing', 'weighing_area'],
  ],
};

interface Draft {
  merchant: DemoMerchant;
  category: BusinessCategory;
}

/**
 * Builds the whole demo city from a seed: every merchant, scale, verification and camera, with
 * verification dates placed relative to `today` (YYYY-MM-DD, the platform's time zone).
 */
export function buildDemoData(today: string, seed = DEMO_SEED): DemoData {
  const merchants: DemoMerchant[] = [];
  const scales: DemoScale[] = [];
  const cameras: DemoCamera[] = [];
  const usedUscc = new Set<string>();
  const usedNames = new Set<string>();
  const usedSerials = new Set<string>();

  const uniqueUscc = (kind: '91' | '92' | '93', division: string, region: Region, rng: Rng) => {
    for (;;) {
      const u = makeUscc(kind, division, rng.pick(ORG_PREFIXES[region]), rng);
      if (!usedUscc.has(u)) return usedUscc.add(u), u;
    }
  };
  const uniqueName = (make: () => string) => {
    for (let i = 0; ; i++) {
      const n = make();
      if (!usedNames.has(n)) return usedNames.add(n), n;
      if (i > 50) throw new Error(`demo data: cannot find a free merchant name like ${n}`);
    }
  };
  // Shared by every market an institution serves, so its certificate numbers never repeat.
  const certificates = { [SANYA_INSTITUTION]: new CertificateNumbers('SYJD', createRng(streamSeed(seed, 'certs-sanya'))), [XIAMEN_INSTITUTION]: new CertificateNumbers('XMJD', createRng(streamSeed(seed, 'certs-xiamen'))) };
  const serialFor = (model: ScaleModel, rng: Rng) => {
    for (;;) {
      const s = `${model.serialPrefix}${rng.int(19, 24)}${rng.pick(['A', 'B', 'C', 'K'])}${String(rng.int(0, 999_999)).padStart(6, '0')}`;
      if (!usedSerials.has(s)) return usedSerials.add(s), s;
    }
  };

  function draftMerchant(
    rng: Rng,
    region: Region,
    where: { key: string; cityCode: string; districtCode: string; marketKey: string | null; address: string; stall: DemoMerchant['stall'] },
    category: BusinessCategory,
    kind: 'individual' | 'no_uscc' | 'company' | 'cooperative',
    featured?: { name: string; legalRep: string },
  ): DemoMerchant {
    const person = makePerson(region, rng);
    const name = featured
      ? (usedNames.add(featured.name), featured.name)
      : uniqueName(() =>
          kind === 'company'
            ? companyName(region, category, rng)
            : kind === 'cooperative'
              ? `厦门市集美区${rng.pick(BRANDS.fujian)}果蔬专业合作社`
              : shopName(region, where.districtCode, category, nickname(person, rng), rng),
        );
    const entityType = kind === 'company' ? '有限责任公司' : kind === 'cooperative' ? '农民专业合作社' : '个体工商户';
    const uscc = kind === 'no_uscc' ? null : uniqueUscc(kind === 'company' ? '91' : kind === 'cooperative' ? '93' : '92', where.districtCode, region, rng);
    // Cooking for customers is catering (JY2); pre-packed dry goods and grain & oil need a sale licence (JY1); fresh produce often has none.
    const licenceNumbers =
      kind === 'no_uscc'
        ? [] // a stall too small to hold a code holds no licence either
        : category === 'seafood_processing'
          ? [foodLicence(2, where.districtCode, rng)]
          : category === 'dry_goods' || category === 'grain_oil' || kind === 'company' || rng.chance(0.35)
            ? [foodLicence(1, where.districtCode, rng)]
            : [];
    return {
      key: where.key,
      cityCode: where.cityCode,
      districtCode: where.districtCode,
      marketKey: where.marketKey,
      stall: where.stall,
      uscc,
      hasUscc: uscc !== null,
      name,
      legalRep: featured?.legalRep ?? fullName(person),
      entityType,
      address: where.address,
      categories: category === 'seafood_processing' && kind === 'company' ? ['seafood_processing', 'catering'] : [category],
      licenceNumbers,
      status: 'operating',
    };
  }

  function addEquipment(rng: Rng, region: Region, drafts: Draft[], plan: { scaleTotal?: number; institution: string; certs: CertificateNumbers; cityOctet: number; marketOctet: number }) {
    // How many scales each merchant has: the trade's usual number, or an exact total spread over the busiest trades.
    const counts = drafts.map((d) => (d.category === 'seafood' ? (rng.chance(0.4) ? 2 : 1) : d.category === 'fruit' && region === 'hainan' ? (rng.chance(0.2) ? 2 : 1) : 1));
    if (plan.scaleTotal !== undefined) {
      counts.fill(1);
      const busy = rng.shuffle(drafts.map((d, i) => ({ i, weight: d.category === 'meat' || d.category === 'seafood' ? 0 : d.category === 'vegetables' ? 1 : 2 })));
      busy.sort((a, b) => a.weight - b.weight);
      let extra = plan.scaleTotal - drafts.length;
      for (let k = 0; extra > 0; k = (k + 1) % busy.length, extra--) counts[busy[k]!.i]!++;
    }
    const total = counts.reduce((a, b) => a + b, 0);
    const states = planStates(total, rng);
    const certs = plan.certs;
    let host = 10;
    drafts.forEach((d, i) => {
      const models = MODELS_FOR[region][d.category]!;
      const model = rng.pick(models);
      for (let k = 0; k < counts[i]!; k++) {
        scales.push({
          merchantKey: d.merchant.key,
          serialNo: serialFor(model, rng),
          manufacturer: model.manufacturer,
          model: model.model,
          maxCapacityG: model.maxCapacityG,
          divisionG: model.divisionG,
          accuracyClass: 'III',
          typeApprovalNo: model.typeApprovalNo,
          isIot: region === 'hainan' && (d.category === 'seafood' || d.category === 'seafood_processing'),
          verifications: verificationsFor(states.shift()!, today, plan.institution, certs, rng),
        });
      }
      const points = CAMERA_POINTS[d.category];
      if (region === 'hainan' && points) {
        const h = host++;
        rng.pick(points).forEach((keyPoint, channel) => {
          const r = rng.next();
          cameras.push({
            merchantKey: d.merchant.key,
            keyPoint,
            streamUrl: `rtsp://10.${plan.cityOctet}.${plan.marketOctet}.${h}:554/Streaming/Channels/${channel + 1}01`,
            // 30 days is the floor; a few recorders are still set to 15, which the platform flags.
            retentionDays: r < 0.08 ? 15 : r < 0.15 ? 90 : 30,
          });
        });
      }
    });
  }

  MARKET_PLANS.forEach((plan, marketIndex) => {
    const rng = createRng(streamSeed(seed, plan.key));
    const size = plan.zones.reduce((a, z) => a + z.count, 0);
    // Which merchants are companies, lack a USCC or are suspended: drawn per market, never the featured ones.
    const slots = rng.shuffle([...Array(size).keys()].filter((i) => i !== 0 || !plan.featured));
    const kinds = new Map<number, 'company' | 'no_uscc'>();
    let s = 0;
    for (let i = 0; i < plan.companies; i++) kinds.set(slots[s++]!, 'company');
    for (let i = 0; i < plan.withoutUscc; i++) kinds.set(slots[s++]!, 'no_uscc');
    const suspended = new Set(slots.slice(s, s + plan.suspended));

    const drafts: Draft[] = [];
    for (const zone of plan.zones) {
      let number = rng.int(1, 6);
      for (let z = 0; z < zone.count; z++, number += rng.int(1, 3)) {
        const index = drafts.length;
        const stallNumber = `${zone.letter}-${String(number).padStart(3, '0')}`;
        const featured = plan.featured?.find((f) => f.category === zone.category && z === 0);
        let kind: 'individual' | 'no_uscc' | 'company' | 'cooperative' = kinds.get(index) ?? 'individual';
        // A cooperative of vegetable growers sells its own produce in Xiamen's market.
        if (kind === 'company' && plan.region === 'fujian' && zone.category === 'vegetables' && !drafts.some((d) => d.merchant.entityType === '农民专业合作社')) kind = 'cooperative';
        const merchant = draftMerchant(
          rng,
          plan.region,
          {
            key: `${plan.key}/${stallNumber}`,
            cityCode: plan.cityCode,
            districtCode: plan.districtCode,
            marketKey: plan.key,
            address: `${plan.address}${plan.name}${stallNumber}号摊位`,
            stall: { number: stallNumber, areaM2: zone.category === 'seafood_processing' ? rng.int(12, 30) : rng.int(4, 12), trade: BUSINESS_CATEGORIES[zone.category].zh },
          },
          zone.category,
          kind,
          featured,
        );
        if (suspended.has(index)) merchant.status = 'suspended';
        merchants.push(merchant);
        drafts.push({ merchant, category: zone.category });
      }
    }
    const sanya = plan.cityCode === SANYA;
    addEquipment(rng, plan.region, drafts, {
      ...(plan.scaleTotal !== undefined ? { scaleTotal: plan.scaleTotal } : {}),
      institution: sanya ? SANYA_INSTITUTION : XIAMEN_INSTITUTION,
      certs: certificates[sanya ? SANYA_INSTITUTION : XIAMEN_INSTITUTION],
      cityOctet: sanya ? 46 : 35,
      marketOctet: 10 + marketIndex * 10,
    });
  });

  // 海棠湾's roadside processing shops: no market, no stall.
  {
    const rng = createRng(streamSeed(seed, 'haitang_street'));
    const drafts: Draft[] = [];
    for (let i = 0; i < HAITANG_STREET.count; i++) {
      const address = `${rng.pick(HAITANG_STREET.roads)}${rng.int(8, 260)}号`;
      const where = { key: `${HAITANG_STREET.districtCode}/${i + 1}`, cityCode: SANYA, districtCode: HAITANG_STREET.districtCode, marketKey: null, address, stall: null };
      const merchant = draftMerchant(rng, 'hainan', where, 'seafood_processing', i === 2 ? 'company' : 'individual');
      merchants.push(merchant);
      drafts.push({ merchant, category: 'seafood_processing' });
    }
    addEquipment(rng, 'hainan', drafts, { institution: SANYA_INSTITUTION, certs: certificates[SANYA_INSTITUTION], cityOctet: 46, marketOctet: 90 });
  }

  return { cities: DEMO_CITIES, markets: DEMO_MARKETS, merchants, scales, cameras, staff: DEMO_STAFF };
}
