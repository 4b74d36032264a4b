/**
 * Pure import rules: cells to values, the header row, each row's fields checked with the
 * registry's own rules, then the lookups (districts, markets, duplicates, reach) checked against
 * what the database holds. No I/O: the service reads the file and fetches the lookups.
 */
import { isWithinReach, type Reach } from '../auth/index.js';
import {
  BUSINESS_CATEGORIES,
  BUSINESS_CATEGORY_KEYS,
  ENTITY_TYPES,
  ENTITY_TYPE_EN,
  checkUscc,
  merchantFieldProblems,
  scaleFieldProblems,
  verificationFieldProblems,
  type BulkMarket,
  type BulkMerchant,
  type BulkScale,
  type DistrictRef,
  type FieldProblem,
  type MarketRef,
  type MerchantRef,
  type StallRef,
  type StallSpec,
} from '../registry/index.js';
import { COLUMNS, VERIFICATION_KEYS, columnOf, matchHeader, type ImportKind, type Unit } from './imports.columns.js';

/** A cell as read from either file type. */
export type Cell = string | number | boolean | Date | null;

export interface Problem {
  /** The row number a person sees in the spreadsheet; the header is row 1. */
  row: number;
  /** The header text as in the file. */
  column: string;
  value: string;
  reason: string;
}

// ---------------------------------------------------------------- cells

/** Turns what exceljs hands over (rich text, formulas, hyperlinks, errors …) into a plain cell. */
export function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return o.richText.map((r: { text?: unknown }) => (typeof r?.text === 'string' ? r.text : '')).join('');
    if ('result' in o) return toCell(o.result);
    if ('formula' in o || 'sharedFormula' in o) return null;
    if (typeof o.text === 'string') return o.text;
    if (typeof o.error === 'string') return o.error;
  }
  return null;
}

// Control characters become spaces (they also keep the bulk insert's list separator out of the data).
const CONTROL = /[\u0000-\u001f\u007f\u200b-\u200d\u2028\u2029\ufeff]/g;

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/** What a person sees in the cell, trimmed. */
export function cellText(c: Cell): string {
  if (c === null) return '';
  if (typeof c === 'string') return c.replace(CONTROL, ' ').trim();
  if (typeof c === 'number') return Number.isFinite(c) ? String(c) : '';
  if (typeof c === 'boolean') return c ? '是' : '否';
  return isoDate(c);
}

/** Text for codes: full-width characters made ASCII (and Ⅲ made III). */
export const codeText = (c: Cell) => cellText(c).normalize('NFKC').trim();
/** Code text without any spaces, for numbers, dates and the USCC, where spaces only ever separate for the eye. */
const compactText = (c: Cell) => codeText(c).replace(/\s+/g, '');

const UNIT_FACTORS: Record<string, number> = { kg: 1000, 千克: 1000, 公斤: 1000, g: 1, 克: 1 };

/**
 * A weight in grams from a number or text in `unit` (text may name its own unit: "30kg", "15 千克").
 * NaN when it is not a number; fractions of a gram are kept for the rules to refuse.
 */
export function toGrams(c: Cell, unit: Unit): number {
  let n: number;
  let factor = UNIT_FACTORS[unit]!;
  if (typeof c === 'number') n = c;
  else {
    const t = compactText(c).replace(/,/g, '').toLowerCase();
    const m = /^([+-]?\d+(?:\.\d+)?|[+-]?\.\d+)(kg|g|千克|公斤|克)?$/.exec(t);
    if (!m) return NaN;
    n = Number(m[1]);
    if (m[2]) factor = UNIT_FACTORS[m[2]]!;
  }
  const g = n * factor;
  const whole = Math.round(g);
  return Math.abs(g - whole) < 1e-6 ? whole : g;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
// Excel's day 0 is 1899-12-30 (its 1900 leap-year bug folded in for every date after February 1900).
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/**
 * A calendar date as YYYY-MM-DD from a date cell, an Excel serial number, or text such as
 * 2026-05-01, 2026/5/1, 2026.5.1, 20260501 or 2026年5月1日. Anything else comes back as the text,
 * for the rules to refuse; empty stays empty.
 */
export function toDateText(c: Cell): string {
  if (c === null) return '';
  if (c instanceof Date) return isoDate(c);
  if (typeof c === 'number') {
    if (c >= 20_000 && c < 80_000) return isoDate(new Date(EXCEL_EPOCH_MS + Math.floor(c) * 86_400_000));
    return String(c);
  }
  const t = compactText(c);
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$/.exec(t) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  return m ? `${m[1]}-${pad2(Number(m[2]))}-${pad2(Number(m[3]))}` : cellText(c);
}

const TRUE_WORDS = new Set(['是', 'y', 'yes', 'true', '1', '√', '✓', '✔', 'on', '有', '对']);
const FALSE_WORDS = new Set(['否', 'n', 'no', 'false', '0', '×', '✗', 'off', '无', '不是', '']);

/** Yes or no; null when the text is neither. Empty is no. */
export function toBool(c: Cell): boolean | null {
  if (typeof c === 'boolean') return c;
  const t = cellText(c).normalize('NFKC').toLowerCase();
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  return null;
}

/** Several values in one cell, separated by 、 , ， ; ； or line breaks; blanks and repeats dropped. */
export function splitList(c: Cell): string[] {
  const raw = c === null ? '' : String(typeof c === 'string' ? c : cellText(c));
  return [...new Set(raw.split(/[、,，;；\r\n]+/).map((s) => s.replace(CONTROL, ' ').trim()).filter(Boolean))];
}

const CATEGORY_BY_WORD = new Map<string, string>();
for (const key of BUSINESS_CATEGORY_KEYS) {
  const l = BUSINESS_CATEGORIES[key];
  for (const w of [key, l.zh, l.en]) CATEGORY_BY_WORD.set(w.toLowerCase(), key);
}
/** A business category key from its key, Chinese or English label; otherwise the text, for the rules to refuse. */
export const toCategory = (text: string) => CATEGORY_BY_WORD.get(text.trim().toLowerCase()) ?? text.trim();

const ENTITY_BY_WORD = new Map<string, string>([
  ['个体户', '个体工商户'],
  ['个体', '个体工商户'],
  ['有限公司', '有限责任公司'],
  ['合作社', '农民专业合作社'],
  ['individual', '个体工商户'],
  ['llc', '有限责任公司'],
]);
for (const t of ENTITY_TYPES) {
  ENTITY_BY_WORD.set(t, t);
  ENTITY_BY_WORD.set(ENTITY_TYPE_EN[t].toLowerCase(), t);
}
export const toEntityType = (text: string) => ENTITY_BY_WORD.get(text.trim().toLowerCase()) ?? text.trim();

const STATUS_BY_WORD = new Map<string, string>([
  ['', 'operating'],
  ['经营中', 'operating'],
  ['营业', 'operating'],
  ['在营', 'operating'],
  ['正常', 'operating'],
  ['存续', 'operating'],
  ['operating', 'operating'],
  ['停业', 'suspended'],
  ['歇业', 'suspended'],
  ['暂停营业', 'suspended'],
  ['suspended', 'suspended'],
  ['注销', 'closed'],
  ['已注销', 'closed'],
  ['关闭', 'closed'],
  ['closed', 'closed'],
]);
export const toStatus = (text: string) => STATUS_BY_WORD.get(text.trim().toLowerCase()) ?? text.trim();
export const STATUS_LABELS: Record<string, string> = { operating: '经营中', suspended: '停业', closed: '注销' };

const ACCURACY_BY_WORD = new Map<string, string>([
  ['I', 'I'],
  ['II', 'II'],
  ['III', 'III'],
  ['IIII', 'IIII'],
  ['IV', 'IIII'],
  ['1', 'I'],
  ['2', 'II'],
  ['3', 'III'],
  ['4', 'IIII'],
  ['特种准确度级', 'I'],
  ['高准确度级', 'II'],
  ['中准确度级', 'III'],
  ['普通准确度级', 'IIII'],
  ['特种', 'I'],
  ['高', 'II'],
  ['中', 'III'],
  ['普通', 'IIII'],
]);
/** I, II, III or IIII from those, Roman numeral characters (Ⅲ), digits or the Chinese class names. */
export const toAccuracyClass = (c: Cell) => {
  const t = compactText(c).toUpperCase();
  return ACCURACY_BY_WORD.get(t) ?? ACCURACY_BY_WORD.get(t.replace(/级$/, '')) ?? t;
};

const RESULT_BY_WORD = new Map<string, string>([
  ['合格', 'pass'],
  ['通过', 'pass'],
  ['pass', 'pass'],
  ['passed', 'pass'],
  ['不合格', 'fail'],
  ['未通过', 'fail'],
  ['fail', 'fail'],
  ['failed', 'fail'],
]);
export const toResult = (text: string) => RESULT_BY_WORD.get(text.trim().toLowerCase()) ?? text.trim();

// ---------------------------------------------------------------- header

export interface HeaderColumn {
  index: number;
  key: string;
  /** As written in the file. */
  header: string;
  unit?: Unit;
}

export interface Header {
  row: number;
  columns: HeaderColumn[];
  /** Headers that are none of ours: ignored, and said so. */
  unknown: { index: number; header: string }[];
}

/** The columns a row would name if it were the header. */
export function readHeaderRow(kind: ImportKind, row: number, cells: readonly Cell[]): Header {
  const columns: HeaderColumn[] = [];
  const unknown: Header['unknown'] = [];
  cells.forEach((c, index) => {
    const header = cellText(c);
    if (!header) return;
    const m = matchHeader(kind, header);
    if (m) columns.push({ index, key: m.key, header, ...(m.unit ? { unit: m.unit } : {}) });
    else unknown.push({ index, header });
  });
  return { row, columns, unknown };
}

/** Whether a row reads as the header: two of our columns, or one in the very first row. */
export const isHeaderRow = (h: Header, isFirstRow: boolean) => h.columns.length >= 2 || (isFirstRow && h.columns.length >= 1);

export type HeaderCheck = { ok: true; notes: Problem[] } | { ok: false; code: string; message: string };

/** Required columns present, none twice; unknown columns become notes on the header row. */
export function checkHeader(kind: ImportKind, h: Header): HeaderCheck {
  const seen = new Map<string, string>();
  for (const c of h.columns) {
    const first = seen.get(c.key);
    if (first !== undefined) return { ok: false, code: 'duplicate_column', message: `列“${first}”与“${c.header}”是同一列，只能出现一次 (columns "${first}" and "${c.header}" mean the same thing; give it once)` };
    seen.set(c.key, c.header);
  }
  const missing = COLUMNS[kind].filter((c) => c.required && !seen.has(c.key)).map((c) => c.header);
  if (missing.length) {
    return {
      ok: false,
      code: 'missing_columns',
      message: `缺少必需的列：${missing.join('、')}。请使用导入模板，并确认选择了正确的导入类型 (required columns missing: ${missing.join(', ')}; use the template and check the kind of list chosen)`,
    };
  }
  const notes = h.unknown.map((u) => ({ row: h.row, column: u.header, value: u.header, reason: '无法识别的列，已忽略 (unrecognised column, ignored)' }));
  return { ok: true, notes };
}

// ---------------------------------------------------------------- rows

/** One data row, its cells looked up by column key. */
export interface RowCells {
  row: number;
  cells: readonly Cell[];
}

interface RowContext {
  kind: ImportKind;
  header: Header;
  /** Column key → index in the row; and → header text as in the file. */
  index: Map<string, number>;
  headerText: (key: string) => string;
  unit: (key: string) => Unit | undefined;
  maxLength: Map<string, number>;
}

export function rowContext(kind: ImportKind, header: Header): RowContext {
  const index = new Map(header.columns.map((c) => [c.key, c.index]));
  const text = new Map(header.columns.map((c) => [c.key, c.header]));
  const units = new Map(header.columns.map((c) => [c.key, c.unit]));
  const maxLength = new Map(COLUMNS[kind].flatMap((c) => (c.maxLength ? [[c.key, c.maxLength] as const] : [])));
  return { kind, header, index, headerText: (key) => text.get(key) ?? columnOf(kind, key).header, unit: (key) => units.get(key), maxLength };
}

/** Whether every cell of a row is empty (such rows are skipped, not counted). */
export const isBlankRow = (cells: readonly Cell[]) => cells.every((c) => c === null || (typeof c === 'string' && !c.replace(CONTROL, '').trim()));

class RowReader {
  readonly problems: Problem[] = [];
  constructor(
    readonly ctx: RowContext,
    readonly r: RowCells,
  ) {}
  cell(key: string): Cell {
    const i = this.ctx.index.get(key);
    return i === undefined ? null : (this.r.cells[i] ?? null);
  }
  text(key: string): string {
    const t = cellText(this.cell(key));
    const max = this.ctx.maxLength.get(key);
    if (max && t.length > max) this.problem(key, `超过${max}个字符 (longer than ${max} characters)`, t);
    return t;
  }
  problem(key: string, reason: string, value?: string) {
    this.problems.push({ row: this.r.row, column: this.ctx.headerText(key), value: value ?? cellText(this.cell(key)), reason });
  }
  /** Field problems from the registry's rules, each put on the column it is about. */
  fieldProblems(found: readonly FieldProblem[], columnOfField: Record<string, string>) {
    for (const f of found) this.problem(columnOfField[f.field] ?? f.field, f.message);
  }
}

// ---- drafts: a row's own fields, before any lookup

export interface MarketDraft {
  row: number;
  name: string;
  district: string;
  address: string;
  managingOrg: string;
  contactName: string;
  contactPhone: string;
}
export interface MerchantDraft {
  row: number;
  uscc: string | null;
  hasUscc: boolean;
  /** The USCC passed its check (so it can be looked up). */
  usccOk: boolean;
  name: string;
  legalRep: string;
  entityType: string;
  address: string;
  categories: string[];
  licenceNumbers: string[];
  market: string;
  stall: string;
  status: string;
  district: string;
}
export interface ScaleDraft {
  row: number;
  serialNo: string;
  serialOk: boolean;
  manufacturer: string;
  model: string;
  maxCapacityG: number;
  divisionG: number;
  accuracyClass: string;
  typeApprovalNo: string;
  isIot: boolean;
  merchantUscc: string;
  merchantName: string;
  market: string;
  stall: string;
  district: string;
  verification: { certificateNo: string; institution: string; verifiedOn: string; result: string; validUntil: string | null } | null;
}

export interface Drafted<D> {
  draft: D;
  problems: Problem[];
}

export function draftMarket(ctx: RowContext, r: RowCells): Drafted<MarketDraft> {
  const x = new RowReader(ctx, r);
  const draft: MarketDraft = {
    row: r.row,
    name: x.text('name'),
    district: codeLike(x.text('district')),
    address: x.text('address'),
    managingOrg: x.text('managingOrg'),
    contactName: x.text('contactName'),
    contactPhone: x.text('contactPhone'),
  };
  if (!draft.name) x.problem('name', '市场名称不能为空 (market name is required)');
  if (!draft.district) x.problem('district', '所属辖区不能为空 (district is required)');
  return { draft, problems: x.problems };
}

const MERCHANT_FIELDS = { uscc: 'uscc', hasUscc: 'uscc', name: 'name', legalRep: 'legalRep', entityType: 'entityType', categories: 'categories', status: 'status' };

export function draftMerchant(ctx: RowContext, r: RowCells): Drafted<MerchantDraft> {
  const x = new RowReader(ctx, r);
  const usccText = compactText(x.cell('uscc')).toUpperCase();
  const entityType = toEntityType(x.text('entityType'));
  // Only an individual business may lack a USCC (and is then marked so); for others the rule asks for one.
  const hasUscc = !(usccText === '' && entityType === '个体工商户');
  const categoryTexts = splitList(x.cell('categories'));
  const licenceNumbers = splitList(x.cell('licenceNumbers'));
  const draft: MerchantDraft = {
    row: r.row,
    uscc: usccText || null,
    hasUscc,
    usccOk: false,
    name: x.text('name'),
    legalRep: x.text('legalRep'),
    entityType,
    address: x.text('address'),
    categories: categoryTexts.map(toCategory),
    licenceNumbers,
    market: x.text('market'),
    stall: codeText(x.cell('stall')),
    status: toStatus(x.text('status')),
    district: codeLike(x.text('district')),
  };
  const found = merchantFieldProblems({ uscc: draft.uscc, hasUscc, name: draft.name, legalRep: draft.legalRep, entityType, categories: draft.categories, status: draft.status });
  x.fieldProblems(found, MERCHANT_FIELDS);
  draft.usccOk = hasUscc && !!draft.uscc && !found.some((f) => f.field === 'uscc');
  if (draft.categories.length > 20) x.problem('categories', '经营类别最多20个 (at most 20 business categories)');
  if (licenceNumbers.length > 20) x.problem('licenceNumbers', '许可证号最多20个 (at most 20 licence numbers)');
  for (const l of licenceNumbers) if (l.length > 60) x.problem('licenceNumbers', '许可证号超过60个字符 (a licence number is longer than 60 characters)', l);
  if (draft.stall.length > 20) x.problem('stall', '摊位号超过20个字符 (stall number longer than 20 characters)');
  return { draft, problems: x.problems };
}

const SCALE_FIELDS = { serialNo: 'serialNo', manufacturer: 'manufacturer', model: 'model', maxCapacityG: 'maxCapacity', divisionG: 'division', accuracyClass: 'accuracyClass' };
const VERIFICATION_FIELDS = { certificateNo: 'certificateNo', institution: 'institution', verifiedOn: 'verifiedOn', result: 'result', validUntil: 'validUntil' };

export function draftScale(ctx: RowContext, r: RowCells, today: string): Drafted<ScaleDraft> {
  const x = new RowReader(ctx, r);
  const iot = toBool(x.cell('isIot'));
  const draft: ScaleDraft = {
    row: r.row,
    serialNo: codeText(x.cell('serialNo')),
    serialOk: false,
    manufacturer: x.text('manufacturer'),
    model: x.text('model'),
    maxCapacityG: toGrams(x.cell('maxCapacity'), ctx.unit('maxCapacity') ?? 'kg'),
    divisionG: toGrams(x.cell('division'), ctx.unit('division') ?? 'g'),
    accuracyClass: toAccuracyClass(x.cell('accuracyClass')),
    typeApprovalNo: x.text('typeApprovalNo'),
    isIot: iot ?? false,
    merchantUscc: compactText(x.cell('merchantUscc')).toUpperCase(),
    merchantName: x.text('merchantName'),
    market: x.text('market'),
    stall: codeText(x.cell('stall')),
    district: codeLike(x.text('district')),
    verification: null,
  };
  if (iot === null) x.problem('isIot', '物联网秤应填“是”或“否” (IoT scale must be yes (是) or no (否))');
  const found = scaleFieldProblems(draft);
  x.fieldProblems(found, SCALE_FIELDS);
  draft.serialOk = !found.some((f) => f.field === 'serialNo');
  if (draft.stall.length > 20) x.problem('stall', '摊位号超过20个字符 (stall number longer than 20 characters)');
  if (VERIFICATION_KEYS.some((k) => cellText(x.cell(k)) !== '')) {
    const validUntil = toDateText(x.cell('validUntil'));
    const v = {
      certificateNo: x.text('certificateNo'),
      institution: x.text('institution'),
      verifiedOn: toDateText(x.cell('verifiedOn')),
      result: toResult(x.text('result')),
      validUntil: validUntil || null,
    };
    x.fieldProblems(verificationFieldProblems(v, today), VERIFICATION_FIELDS);
    draft.verification = v;
  }
  return { draft, problems: x.problems };
}

/** District and market references: full-width slashes and digits made ASCII. */
function codeLike(text: string): string {
  return text.replace(/／/g, '/').replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
}

// ---------------------------------------------------------------- lookups

export interface Lookups {
  districts: readonly DistrictRef[];
  /** Markets bearing any name the file gives. */
  markets: readonly MarketRef[];
  /** Stalls of those markets. */
  stalls: readonly StallRef[];
  /** Merchants bearing any USCC the file gives. */
  merchantsByUscc: readonly MerchantRef[];
  /** Merchants bearing any name the file gives. */
  merchantsByName: readonly MerchantRef[];
  /** Serial numbers among the file's that are registered. */
  registeredSerials: readonly string[];
}

export interface Who {
  reach: Reach;
  /** Market managers register scales only to merchants of their markets. */
  isMarketManager: boolean;
  /** Whether the role may record verifications (verification.write). */
  canRecordVerification: boolean;
}

/** What the lookups need from the drafts: every district, market, USCC, name and serial they mention. */
export function lookupKeys(drafts: readonly (MarketDraft | MerchantDraft | ScaleDraft)[]) {
  const marketNames = new Set<string>();
  const usccs = new Set<string>();
  const names = new Set<string>();
  const serials = new Set<string>();
  const addMarket = (text: string) => {
    if (!text) return;
    marketNames.add(text);
    const slash = text.indexOf('/');
    if (slash > 0) marketNames.add(text.slice(slash + 1).trim());
  };
  for (const d of drafts) {
    if ('usccOk' in d) {
      addMarket(d.market);
      if (d.usccOk && d.uscc) usccs.add(d.uscc);
      if (!d.hasUscc && d.name) names.add(d.name);
    } else if ('serialNo' in d) {
      addMarket(d.market);
      if (d.serialOk) serials.add(d.serialNo);
      if (d.merchantUscc) usccs.add(d.merchantUscc);
      if (d.merchantName) names.add(d.merchantName);
    } else if (d.name) {
      // A market's own name: to find one already registered in its district.
      marketNames.add(d.name);
    }
  }
  return { marketNames: [...marketNames], usccs: [...usccs], names: [...names], serials: [...serials] };
}

type Found<T> = { ok: true; value: T } | { ok: false; reason: string };

function groupBy<T, K>(xs: readonly T[], key: (x: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}

/** Finds districts by 6-digit code or name, and markets by name or "district/market", preferring those within reach when names repeat. */
function places(l: Lookups, who: Who) {
  const districtsByCode = new Map(l.districts.map((d) => [d.code, d]));
  const districtsByName = groupBy(l.districts, (d) => d.name);
  const districtsById = new Map(l.districts.map((d) => [d.id, d]));
  const marketsByName = groupBy(l.markets, (m) => m.name);
  const inReachDistrict = (d: DistrictRef) => isWithinReach(who.reach, { districtId: d.id, marketId: null });
  const inReachMarket = (m: MarketRef) => isWithinReach(who.reach, { districtId: m.districtId, marketId: m.id });

  function district(text: string): Found<DistrictRef> {
    if (/^\d{6}$/.test(text)) {
      const d = districtsByCode.get(text);
      return d ? { ok: true, value: d } : { ok: false, reason: `行政区划代码“${text}”不存在 (unknown district code "${text}")` };
    }
    const all = districtsByName.get(text) ?? [];
    if (all.length === 1) return { ok: true, value: all[0]! };
    if (!all.length) return { ok: false, reason: `辖区“${text}”不存在 (unknown district "${text}")` };
    const within = all.filter(inReachDistrict);
    if (within.length === 1) return { ok: true, value: within[0]! };
    return { ok: false, reason: `辖区名称“${text}”有重名，请填写6位行政区划代码 (district name "${text}" is ambiguous: give its 6-digit code)` };
  }

  function market(text: string, inDistrict: DistrictRef | null): Found<MarketRef> {
    let name = text;
    let all = marketsByName.get(name) ?? [];
    let d = inDistrict;
    const slash = text.indexOf('/');
    if (!all.length && slash > 0) {
      const dd = district(text.slice(0, slash).trim());
      if (!dd.ok) return dd;
      if (d && d.id !== dd.value.id) return { ok: false, reason: `“${text}”与所属辖区“${d.name}”不一致 ("${text}" does not match the district "${d.name}")` };
      d = dd.value;
      name = text.slice(slash + 1).trim();
      all = marketsByName.get(name) ?? [];
    }
    if (!all.length) return { ok: false, reason: `市场“${name}”不存在 (unknown market "${name}")` };
    if (d) {
      const here = all.filter((m) => m.districtId === d!.id);
      if (!here.length) return { ok: false, reason: `辖区“${d.name}”没有名为“${name}”的市场 (no market "${name}" in district "${d.name}")` };
      all = here;
    }
    if (all.length === 1) return { ok: true, value: all[0]! };
    const within = all.filter(inReachMarket);
    if (within.length === 1) return { ok: true, value: within[0]! };
    return { ok: false, reason: `市场名称“${name}”在多个辖区重名，请写成“辖区/市场” (market name "${name}" exists in several districts: write "district/market")` };
  }

  return { district, market, districtName: (id: number) => districtsById.get(id)?.name ?? String(id), inReachMarket };
}

const outsideMarket = (name: string) => `市场“${name}”不在您的辖区内 (market "${name}" is outside your jurisdiction)`;
const outsideDistrict = (name: string) => `辖区“${name}”不在您的辖区范围内 (district "${name}" is outside your jurisdiction)`;

export interface Checked<T> {
  row: number;
  /** Null when the row has problems. */
  record: T | null;
  problems: Problem[];
}

/** Joins a draft's own problems with those of its lookups; a row with any problem yields no record. */
function finish<T>(row: number, own: Problem[], more: Problem[], record: T): Checked<T> {
  const problems = own.length ? (more.length ? [...own, ...more] : own) : more;
  return { row, record: problems.length ? null : record, problems };
}

export function checkMarkets(ctx: RowContext, drafted: readonly Drafted<MarketDraft>[], l: Lookups, who: Who): Checked<BulkMarket>[] {
  const p = places(l, who);
  const registered = new Set(l.markets.map((m) => `${m.districtId}\u0000${m.name}`));
  const firstRow = new Map<string, number>();
  return drafted.map(({ draft: d, problems: own }) => {
    const more: Problem[] = [];
    const problem = (key: string, value: string, reason: string) => more.push({ row: d.row, column: ctx.headerText(key), value, reason });
    let districtId = 0;
    if (d.district) {
      const found = p.district(d.district);
      if (!found.ok) problem('district', d.district, found.reason);
      else if (!isWithinReach(who.reach, { districtId: found.value.id, marketId: null })) problem('district', d.district, outsideDistrict(d.district));
      else districtId = found.value.id;
    }
    if (districtId && d.name) {
      const key = `${districtId}\u0000${d.name}`;
      const first = firstRow.get(key);
      if (first !== undefined) problem('name', d.name, `与第${first}行重复：同一辖区的同名市场 (same market as row ${first}: same name in the same district)`);
      else {
        firstRow.set(key, d.row);
        if (registered.has(key)) problem('name', d.name, `该辖区已有市场“${d.name}” (a market of that name is already registered in the district)`);
      }
    }
    return finish(d.row, own, more, { districtId, name: d.name, address: d.address, managingOrg: d.managingOrg, contactName: d.contactName, contactPhone: d.contactPhone });
  });
}

const stallTrade = (categories: readonly string[]) =>
  categories.map((c) => (BUSINESS_CATEGORIES as Record<string, { zh: string }>)[c]?.zh ?? c).join('、');

export function checkMerchants(ctx: RowContext, drafted: readonly Drafted<MerchantDraft>[], l: Lookups, who: Who): Checked<BulkMerchant>[] {
  const p = places(l, who);
  const byUscc = new Map(l.merchantsByUscc.map((m) => [m.uscc!, m]));
  const stalls = new Map(l.stalls.map((s) => [`${s.marketId}\u0000${s.number}`, s.id]));
  const placeKey = (marketId: number | null, districtId: number) => (marketId ? `m${marketId}` : `d${districtId}`);
  const withoutUscc = new Set(l.merchantsByName.filter((m) => m.uscc === null).map((m) => `${m.name}\u0000${m.legalRep}\u0000${placeKey(m.marketId, m.districtId)}`));
  const firstUscc = new Map<string, number>();
  const firstNoUscc = new Map<string, number>();

  return drafted.map(({ draft: d, problems: own }) => {
    const more: Problem[] = [];
    const problem = (key: string, value: string, reason: string) => more.push({ row: d.row, column: ctx.headerText(key), value, reason });

    let district: DistrictRef | null = null;
    if (d.district) {
      const found = p.district(d.district);
      if (found.ok) district = found.value;
      else problem('district', d.district, found.reason);
    }
    let place: { districtId: number; marketId: number | null } | null = null;
    if (d.market) {
      const found = p.market(d.market, district);
      if (!found.ok) problem('market', d.market, found.reason);
      else if (!p.inReachMarket(found.value)) problem('market', d.market, outsideMarket(d.market));
      else place = { districtId: found.value.districtId, marketId: found.value.id };
    } else if (district) {
      if (!isWithinReach(who.reach, { districtId: district.id, marketId: null })) problem('district', d.district, outsideDistrict(d.district));
      else place = { districtId: district.id, marketId: null };
    } else if (!d.district) {
      problem('market', '', '须填写所属市场；不在市场内的商户须填写所属辖区 (give the market, or the district for a merchant outside any market)');
    }

    let stall: StallSpec = null;
    if (d.stall) {
      if (!d.market) problem('stall', d.stall, '摊位号须与所属市场一起填写 (a stall number needs the market)');
      else if (place?.marketId) {
        const id = stalls.get(`${place.marketId}\u0000${d.stall}`);
        stall = id ? { id } : { number: d.stall, trade: stallTrade(d.categories) };
      }
    }

    if (d.usccOk && d.uscc) {
      const first = firstUscc.get(d.uscc);
      if (first !== undefined) problem('uscc', d.uscc, `与第${first}行的统一社会信用代码重复 (same USCC as row ${first})`);
      else {
        firstUscc.set(d.uscc, d.row);
        const other = byUscc.get(d.uscc);
        if (other) {
          const named = isWithinReach(who.reach, { districtId: other.districtId, marketId: other.marketId }) ? `，登记为“${other.name}”` : '';
          problem('uscc', d.uscc, `统一社会信用代码已登记${named} (USCC already registered${named ? ` to "${other.name}"` : ''})`);
        }
      }
    }
    if (!d.hasUscc && place && d.name) {
      const key = `${d.name}\u0000${d.legalRep}\u0000${placeKey(place.marketId, place.districtId)}`;
      const first = firstNoUscc.get(key);
      if (first !== undefined) problem('name', d.name, `与第${first}行重复：同名同经营者的个体工商户 (same individual business as row ${first}: same name and operator)`);
      else {
        firstNoUscc.set(key, d.row);
        if (withoutUscc.has(key)) problem('name', d.name, '已登记同名同经营者的个体工商户 (an individual business with this name and operator is already registered here)');
      }
    }

    return finish(d.row, own, more, {
      uscc: d.hasUscc ? d.uscc : null,
      hasUscc: d.hasUscc,
      name: d.name,
      legalRep: d.legalRep,
      entityType: d.entityType,
      address: d.address,
      categories: d.categories,
      licenceNumbers: d.licenceNumbers,
      districtId: place?.districtId ?? 0,
      marketId: place?.marketId ?? null,
      stall,
      status: d.status,
    });
  });
}

export function checkScales(ctx: RowContext, drafted: readonly Drafted<ScaleDraft>[], l: Lookups, who: Who): Checked<BulkScale>[] {
  const p = places(l, who);
  const byUscc = new Map(l.merchantsByUscc.map((m) => [m.uscc!, m]));
  const byNameInMarket = groupBy(
    l.merchantsByName.filter((m) => m.marketId !== null),
    (m) => `${m.marketId}\u0000${m.name}`,
  );
  const stalls = new Map(l.stalls.map((s) => [`${s.marketId}\u0000${s.number}`, s.id]));
  const registered = new Set(l.registeredSerials);
  const firstSerial = new Map<string, number>();

  return drafted.map(({ draft: d, problems: own }) => {
    const more: Problem[] = [];
    const problem = (key: string, value: string, reason: string) => more.push({ row: d.row, column: ctx.headerText(key), value, reason });

    if (d.serialOk) {
      const first = firstSerial.get(d.serialNo);
      if (first !== undefined) problem('serialNo', d.serialNo, `与第${first}行的出厂编号重复 (same serial number as row ${first})`);
      else {
        firstSerial.set(d.serialNo, d.row);
        if (registered.has(d.serialNo)) problem('serialNo', d.serialNo, '出厂编号已登记 (serial number already registered)');
      }
    }

    let district: DistrictRef | null = null;
    if (d.district) {
      const found = p.district(d.district);
      if (found.ok) district = found.value;
      else problem('district', d.district, found.reason);
    }
    let market: MarketRef | null = null;
    let marketFailed = false;
    if (d.market) {
      const found = p.market(d.market, district);
      if (found.ok) market = found.value;
      else {
        marketFailed = true;
        problem('market', d.market, found.reason);
      }
    }

    // The merchant: by USCC, else by exact name within the market.
    let merchant: MerchantRef | null = null;
    let merchantGiven = false;
    if (d.merchantUscc) {
      merchantGiven = true;
      const check = checkUscc(d.merchantUscc);
      if (!check.ok) problem('merchantUscc', d.merchantUscc, check.reason);
      else {
        const m = byUscc.get(check.uscc);
        if (!m) problem('merchantUscc', d.merchantUscc, '未找到使用该统一社会信用代码的商户，请先导入商户 (no merchant has this USCC: import the merchant first)');
        else if (!isWithinReach(who.reach, { districtId: m.districtId, marketId: m.marketId })) problem('merchantUscc', d.merchantUscc, '该商户不在您的辖区内 (the merchant is outside your jurisdiction)');
        else {
          merchant = m;
          if (d.merchantName && d.merchantName !== m.name) problem('merchantName', d.merchantName, `与该信用代码登记的商户名称“${m.name}”不一致 (does not match "${m.name}", registered under the USCC)`);
        }
      }
    } else if (d.merchantName) {
      merchantGiven = true;
      if (!d.market) problem('merchantName', d.merchantName, '按名称指定商户时须填写所属市场，或改填统一社会信用代码 (give the market when naming the merchant, or give its USCC)');
      else if (market) {
        const found = byNameInMarket.get(`${market.id}\u0000${d.merchantName}`) ?? [];
        if (!found.length) problem('merchantName', d.merchantName, `市场“${market.name}”内没有名为“${d.merchantName}”的商户 (no merchant of that name in the market)`);
        else if (found.length > 1) problem('merchantName', d.merchantName, '市场内有多个同名商户，请填写统一社会信用代码 (several merchants of that name in the market: give the USCC)');
        else if (!isWithinReach(who.reach, { districtId: found[0]!.districtId, marketId: found[0]!.marketId })) problem('market', d.market, outsideMarket(d.market));
        else merchant = found[0]!;
      }
    }

    let place: { districtId: number; marketId: number | null; merchantId: number | null; stall: StallSpec } | null = null;
    if (merchant) {
      if (market && market.id !== merchant.marketId) problem('market', d.market, merchant.marketId ? '商户不在该市场 (the merchant is not in that market)' : '该商户不在任何市场内，所属市场应留空 (the merchant is in no market: leave the market empty)');
      if (district && district.id !== merchant.districtId) problem('district', d.district, `商户所在辖区为“${p.districtName(merchant.districtId)}” (the merchant is in district "${p.districtName(merchant.districtId)}")`);
      let stall: StallSpec = merchant.stallId ? { id: merchant.stallId } : null;
      if (d.stall) {
        if (!merchant.marketId) problem('stall', d.stall, '该商户不在市场内，不能指定摊位 (the merchant is in no market, so the scale has no stall)');
        else {
          const id = stalls.get(`${merchant.marketId}\u0000${d.stall}`);
          stall = id ? { id } : { number: d.stall, trade: '' };
        }
      }
      place = { districtId: merchant.districtId, marketId: merchant.marketId, merchantId: merchant.id, stall };
    } else if (!merchantGiven) {
      if (d.market || marketFailed) problem('market', d.market, '未分配商户的秤不能填写所属市场，请填写使用商户 (a scale without a merchant has no market: give the merchant)');
      if (d.stall) problem('stall', d.stall, '未分配商户的秤不能填写摊位号，请填写使用商户 (a scale without a merchant has no stall: give the merchant)');
      if (who.isMarketManager) problem('merchantUscc', '', '市场管理方登记的秤须分配给本市场商户 (a market manager registers scales to merchants of its markets)');
      else if (!d.district) problem('district', '', '未分配商户的秤须填写所属辖区 (a scale without a merchant needs a district)');
      else if (district) {
        if (!isWithinReach(who.reach, { districtId: district.id, marketId: null })) problem('district', d.district, outsideDistrict(d.district));
        else place = { districtId: district.id, marketId: null, merchantId: null, stall: null };
      }
    }

    if (d.verification && !who.canRecordVerification) {
      problem('certificateNo', d.verification.certificateNo, '您的角色无权录入检定记录：请清空检定各列，或由检定机构录入 (your role may not record verifications: empty the verification columns, or have the verification institution record them)');
    }

    const v = d.verification;
    return finish(d.row, own, more, {
      serialNo: d.serialNo,
      manufacturer: d.manufacturer,
      model: d.model,
      maxCapacityG: d.maxCapacityG,
      divisionG: d.divisionG,
      accuracyClass: d.accuracyClass,
      typeApprovalNo: d.typeApprovalNo,
      isIot: d.isIot,
      districtId: place?.districtId ?? 0,
      marketId: place?.marketId ?? null,
      merchantId: place?.merchantId ?? null,
      stall: place?.stall ?? null,
      verification: v ? { certificateNo: v.certificateNo, institution: v.institution, verifiedOn: v.verifiedOn, result: v.result as 'pass' | 'fail', validUntil: v.result === 'pass' ? v.validUntil : null } : null,
    });
  });
}
