/** Pure registry rules: no I/O. */

// GB 32100-2015: the 31 characters a unified social credit code may use (no I, O, S, V, Z).
const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

export type UsccCheck = { ok: true; uscc: string } | { ok: false; reason: string };

/** The check character GB 32100 prescribes for the first 17 characters (which must be valid). */
export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(first17[i]!) * USCC_WEIGHTS[i]!;
  return USCC_CHARSET[(31 - (sum % 31)) % 31]!;
}

/** Validates a USCC: normalises case and surrounding space, then length, characters and check character. */
export function checkUscc(raw: string): UsccCheck {
  const uscc = raw.trim().toUpperCase();
  if (uscc.length !== 18) return { ok: false, reason: `统一社会信用代码应为18位，实为${uscc.length}位 (a USCC has 18 characters, this has ${uscc.length})` };
  for (let i = 0; i < 18; i++) {
    if (!USCC_CHARSET.includes(uscc[i]!)) {
      return { ok: false, reason: `第${i + 1}位字符“${uscc[i]}”不允许 (character ${i + 1} "${uscc[i]}" is not allowed in a USCC)` };
    }
  }
  if (!/^\d{6}$/.test(uscc.slice(2, 8))) {
    return { ok: false, reason: '第3至8位应为行政区划代码 (characters 3-8 must be an administrative division code)' };
  }
  const expected = usccCheckCharacter(uscc.slice(0, 17));
  if (uscc[17] !== expected) {
    return { ok: false, reason: `校验码错误，应为“${expected}” (check character wrong: expected "${expected}")` };
  }
  return { ok: true, uscc };
}

export const ENTITY_TYPES = [
  '个体工商户',
  '有限责任公司',
  '股份有限公司',
  '个人独资企业',
  '合伙企业',
  '农民专业合作社',
  '分公司',
  '其他',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const ENTITY_TYPE_EN: Record<EntityType, string> = {
  个体工商户: 'Individual business',
  有限责任公司: 'Limited liability company',
  股份有限公司: 'Company limited by shares',
  个人独资企业: 'Sole proprietorship',
  合伙企业: 'Partnership',
  农民专业合作社: "Farmers' cooperative",
  分公司: 'Branch',
  其他: 'Other',
};

export const BUSINESS_CATEGORIES = {
  seafood: { zh: '海鲜', en: 'Seafood' },
  fruit: { zh: '水果', en: 'Fruit' },
  meat: { zh: '肉类', en: 'Meat' },
  poultry: { zh: '禽蛋', en: 'Poultry & eggs' },
  vegetables: { zh: '蔬菜', en: 'Vegetables' },
  seafood_processing: { zh: '海鲜加工', en: 'Seafood processing' },
  catering: { zh: '餐饮', en: 'Catering' },
  dry_goods: { zh: '干货', en: 'Dry goods' },
  grain_oil: { zh: '粮油', en: 'Grain & oil' },
  other: { zh: '其他', en: 'Other' },
} as const;
export type BusinessCategory = keyof typeof BUSINESS_CATEGORIES;
export const BUSINESS_CATEGORY_KEYS = Object.keys(BUSINESS_CATEGORIES) as BusinessCategory[];

export const MERCHANT_STATUSES = ['operating', 'suspended', 'closed'] as const;
export type MerchantStatus = (typeof MERCHANT_STATUSES)[number];

export const ACCURACY_CLASSES = ['I', 'II', 'III', 'IIII'] as const;

export const CAMERA_KEY_POINTS = ['weighing_area', 'cashier', 'packing', 'seafood_tank', 'kitchen'] as const;
export type CameraKeyPoint = (typeof CAMERA_KEY_POINTS)[number];

export const VERIFICATION_STATUSES = ['valid', 'expiring', 'expired', 'failed', 'unverified'] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

export interface VerificationFact {
  verifiedOn: string; // YYYY-MM-DD
  result: 'pass' | 'fail';
  validUntil: string | null; // YYYY-MM-DD, last valid day
}

export interface VerificationState {
  status: VerificationStatus;
  validUntil: string | null;
  daysLeft: number | null;
}

/** Days a valid verification counts as "expiring" before its last valid day. */
export const EXPIRING_WITHIN_DAYS = 30;

/**
 * The current mandatory-verification (强制检定) state follows from the latest record: none is
 * unverified; a failed latest verification is failed whatever came before; a pass is valid through
 * its valid-until day, expiring in the last 30 days, expired after.
 */
export function verificationState(records: readonly VerificationFact[], today: string): VerificationState {
  let latest: VerificationFact | undefined;
  for (const r of records) if (!latest || r.verifiedOn >= latest.verifiedOn) latest = r;
  if (!latest) return { status: 'unverified', validUntil: null, daysLeft: null };
  if (latest.result === 'fail') return { status: 'failed', validUntil: null, daysLeft: null };
  const validUntil = latest.validUntil!;
  const daysLeft = daysBetween(today, validUntil);
  if (daysLeft < 0) return { status: 'expired', validUntil, daysLeft };
  return { status: daysLeft <= EXPIRING_WITHIN_DAYS ? 'expiring' : 'valid', validUntil, daysLeft };
}

/** Whole days from one calendar date to another (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

// A formatter is costly to build and called on every sale: one per time zone.
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of an instant in a time zone, as YYYY-MM-DD. */
export function calendarDate(at: Date, timeZone: string): string {
  let f = dateFormats.get(timeZone);
  if (!f) dateFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return f.format(at);
}

/** A problem with one field of an input, in words for people (Chinese, then English). */
export interface FieldProblem {
  field: string;
  message: string;
}

export interface MerchantFields {
  uscc?: string | null;
  hasUscc?: boolean;
  name: string;
  legalRep: string;
  entityType: string;
  categories?: readonly string[];
  status?: string;
}

/**
 * Field checks of a merchant that need no lookups: the USCC and its check character (an individual
 * business may have none, and is then marked so), required names, the fixed lists.
 */
export function merchantFieldProblems(m: MerchantFields): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const hasUscc = m.hasUscc ?? true;
  if (hasUscc) {
    if (!m.uscc || !m.uscc.trim()) {
      problems.push({ field: 'uscc', message: '统一社会信用代码不能为空；无代码的个体户请标记“无统一社会信用代码” (USCC is required; mark individual businesses without one as such)' });
    } else {
      const check = checkUscc(m.uscc);
      if (!check.ok) problems.push({ field: 'uscc', message: check.reason });
    }
  } else {
    if (m.uscc && m.uscc.trim()) problems.push({ field: 'uscc', message: '已标记无统一社会信用代码，却填写了代码 (marked as having no USCC but one is given)' });
    if (m.entityType && m.entityType !== '个体工商户') {
      problems.push({ field: 'hasUscc', message: '只有个体工商户可以没有统一社会信用代码 (only individual businesses may lack a USCC)' });
    }
  }
  if (!m.name?.trim()) problems.push({ field: 'name', message: '主体名称不能为空 (name is required)' });
  else if (m.name.length > 200) problems.push({ field: 'name', message: '主体名称过长 (name is longer than 200 characters)' });
  if (!m.legalRep?.trim()) problems.push({ field: 'legalRep', message: '法定代表人/经营者不能为空 (legal representative or operator is required)' });
  if (!(ENTITY_TYPES as readonly string[]).includes(m.entityType)) {
    problems.push({ field: 'entityType', message: `主体类型“${m.entityType ?? ''}”无效，应为：${ENTITY_TYPES.join('、')} (unknown entity type)` });
  }
  for (const c of m.categories ?? []) {
    if (!(BUSINESS_CATEGORY_KEYS as readonly string[]).includes(c)) {
      problems.push({ field: 'categories', message: `经营类别“${c}”无效 (unknown business category "${c}"; one of ${BUSINESS_CATEGORY_KEYS.join(', ')})` });
    }
  }
  if (m.status !== undefined && !(MERCHANT_STATUSES as readonly string[]).includes(m.status)) {
    problems.push({ field: 'status', message: `状态“${m.status}”无效 (status must be operating, suspended or closed)` });
  }
  return problems;
}

export interface ScaleFields {
  serialNo: string;
  manufacturer: string;
  model: string;
  maxCapacityG: number;
  divisionG: number;
  accuracyClass: string;
}

export function scaleFieldProblems(s: ScaleFields): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!/^[A-Za-z0-9_\-/.]{1,64}$/.test(s.serialNo ?? '')) problems.push({ field: 'serialNo', message: '出厂编号为1-64位字母、数字或 _-/. (serial number: 1-64 letters, digits, _-/.)' });
  if (!s.manufacturer?.trim()) problems.push({ field: 'manufacturer', message: '生产厂家不能为空 (manufacturer is required)' });
  if (!s.model?.trim()) problems.push({ field: 'model', message: '型号规格不能为空 (model is required)' });
  if (!Number.isInteger(s.maxCapacityG) || s.maxCapacityG <= 0 || s.maxCapacityG > 3_000_000) {
    problems.push({ field: 'maxCapacityG', message: '最大称量应为正整数克 (maximum capacity must be a positive whole number of grams)' });
  }
  if (!Number.isInteger(s.divisionG) || s.divisionG <= 0) problems.push({ field: 'divisionG', message: '分度值应为正整数克 (division must be a positive whole number of grams)' });
  else if (Number.isInteger(s.maxCapacityG) && s.divisionG >= s.maxCapacityG) problems.push({ field: 'divisionG', message: '分度值应小于最大称量 (division must be below maximum capacity)' });
  if (!(ACCURACY_CLASSES as readonly string[]).includes(s.accuracyClass)) problems.push({ field: 'accuracyClass', message: '准确度等级应为 I、II、III 或 IIII (accuracy class must be I, II, III or IIII)' });
  return problems;
}

export interface VerificationFields {
  certificateNo: string;
  institution: string;
  verifiedOn: string;
  result: string;
  validUntil?: string | null;
}

export function verificationFieldProblems(v: VerificationFields, today: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!v.certificateNo?.trim()) problems.push({ field: 'certificateNo', message: '检定证书编号不能为空 (certificate number is required)' });
  if (!v.institution?.trim()) problems.push({ field: 'institution', message: '检定机构不能为空 (institution is required)' });
  if (!isCalendarDate(v.verifiedOn)) problems.push({ field: 'verifiedOn', message: '检定日期格式应为 YYYY-MM-DD (verification date must be YYYY-MM-DD)' });
  else if (v.verifiedOn > today) problems.push({ field: 'verifiedOn', message: '检定日期不能晚于今天 (verification date cannot be in the future)' });
  if (v.result !== 'pass' && v.result !== 'fail') problems.push({ field: 'result', message: '检定结论应为合格或不合格 (result must be pass or fail)' });
  if (v.result === 'pass') {
    if (!v.validUntil || !isCalendarDate(v.validUntil)) problems.push({ field: 'validUntil', message: '合格的检定须有有效期至 YYYY-MM-DD (a pass needs a valid-until date)' });
    else if (isCalendarDate(v.verifiedOn) && v.validUntil < v.verifiedOn) problems.push({ field: 'validUntil', message: '有效期不能早于检定日期 (valid-until cannot precede the verification date)' });
  }
  return problems;
}

export function isCalendarDate(s: string | null | undefined): s is string {
  if (!s || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
