/** The columns of each importable list: headers accepted, templates, exports. Pure data and matching. */

export const IMPORT_KINDS = ['markets', 'merchants', 'scales'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const KIND_LABELS: Record<ImportKind, { zh: string; en: string }> = {
  markets: { zh: '市场', en: 'markets' },
  merchants: { zh: '商户', en: 'merchants' },
  scales: { zh: '电子秤', en: 'scales' },
};

export type Unit = 'g' | 'kg';

export interface ColumnDef {
  key: string;
  /** The header templates and exports write. */
  header: string;
  /** Other headers accepted, Chinese variants and English; matched after normaliseHeader. */
  aliases: readonly string[];
  /** The column must be in the file (a value may still be optional row by row). */
  required: boolean;
  /** Whether a value is needed in every row, for the instructions sheet. */
  mandatory: string;
  maxLength?: number;
  /** The unit a number is in when neither header nor cell names one. */
  unit?: Unit;
  zh: string;
  en: string;
  example: string;
  /** Excel column width in characters. */
  width: number;
  /** Offered as a drop-down in the template. */
  choices?: readonly string[];
}

const col = (c: Omit<ColumnDef, 'mandatory' | 'width'> & { mandatory?: string; width?: number }): ColumnDef => ({
  mandatory: c.required ? '是 (yes)' : '否 (no)',
  width: Math.max(12, c.header.length * 2 + 4),
  ...c,
});

const districtCol = (mandatory: string, zh: string, en: string) =>
  col({ key: 'district', header: '所属辖区', aliases: ['辖区', '所属区县', '区县', '行政区', 'district', 'districtname', 'districtcode', 'jurisdiction'], required: false, mandatory, zh, en, example: '吉阳区 或 460204' });

export const COLUMNS: Record<ImportKind, readonly ColumnDef[]> = {
  markets: [
    col({ key: 'name', header: '市场名称', aliases: ['市场', '名称', 'name', 'marketname', 'market'], required: true, maxLength: 100, zh: '市场的名称，同一辖区内不能重名', en: 'Market name, unique within its district', example: '第一农贸市场', width: 24 }),
    { ...districtCol('是 (yes)', '辖区名称或6位行政区划代码', 'District name or its 6-digit division code'), required: true },
    col({ key: 'address', header: '地址', aliases: ['市场地址', '详细地址', 'address'], required: false, maxLength: 200, zh: '市场地址', en: 'Address', example: '解放路100号', width: 30 }),
    col({ key: 'managingOrg', header: '开办单位/管理方', aliases: ['开办单位', '管理方', '开办方', '管理单位', 'managingorg', 'managingorganisation', 'managingorganization', 'operator'], required: false, maxLength: 200, zh: '市场开办单位或管理方', en: 'Managing organisation', example: '某某市场管理有限公司', width: 26 }),
    col({ key: 'contactName', header: '联系人', aliases: ['负责人', 'contact', 'contactname'], required: false, maxLength: 50, zh: '联系人姓名', en: 'Contact person', example: '王五' }),
    col({ key: 'contactPhone', header: '联系电话', aliases: ['电话', '手机', '联系方式', 'phone', 'contactphone', 'telephone'], required: false, maxLength: 40, zh: '联系电话', en: 'Contact phone', example: '0898-88888888', width: 16 }),
  ],
  merchants: [
    col({ key: 'uscc', header: '统一社会信用代码', aliases: ['信用代码', '社会信用代码', 'uscc', 'unifiedsocialcreditcode', 'creditcode'], required: true, mandatory: '个体工商户可空 (may be empty for an individual business)', zh: '18位统一社会信用代码；没有代码的个体工商户留空', en: '18-character unified social credit code; leave empty for an individual business that has none', example: '92460200MA5T00001X', width: 22 }),
    col({ key: 'name', header: '主体名称', aliases: ['商户名称', '名称', '经营主体名称', '字号名称', 'name', 'merchantname'], required: true, maxLength: 200, zh: '营业执照上的名称', en: 'Name as on the business licence', example: '三亚某某海鲜店', width: 24 }),
    col({ key: 'legalRep', header: '法定代表人/经营者', aliases: ['法定代表人', '经营者', '负责人', '法人', 'legalrep', 'legalrepresentative', 'operator'], required: true, maxLength: 50, zh: '法定代表人或经营者姓名', en: 'Legal representative or operator', example: '张三', width: 18 }),
    col({ key: 'entityType', header: '主体类型', aliases: ['类型', '企业类型', '市场主体类型', 'entitytype', 'type'], required: true, zh: '个体工商户、有限责任公司、股份有限公司、个人独资企业、合伙企业、农民专业合作社、分公司、其他', en: 'Individual business, limited liability company, company limited by shares, sole proprietorship, partnership, farmers\' cooperative, branch, other', example: '个体工商户', width: 16 }),
    col({ key: 'address', header: '地址', aliases: ['经营地址', '住所', '经营场所', 'address'], required: false, maxLength: 200, zh: '经营地址', en: 'Business address', example: '解放路100号', width: 30 }),
    col({ key: 'categories', header: '经营类别', aliases: ['经营范围类别', '类别', 'categories', 'category', 'businesscategories'], required: false, zh: '可填多个，用顿号或逗号分隔：海鲜、水果、肉类、禽蛋、蔬菜、海鲜加工、餐饮、干货、粮油、其他', en: 'One or more, separated by 、 or commas: seafood, fruit, meat, poultry, vegetables, seafood_processing, catering, dry_goods, grain_oil, other', example: '海鲜、海鲜加工', width: 18 }),
    col({ key: 'licenceNumbers', header: '许可证号', aliases: ['许可证', '许可证编号', '食品经营许可证号', 'licencenumbers', 'licensenumbers', 'licences', 'licenses'], required: false, zh: '可填多个，用顿号或逗号分隔', en: 'One or more licence numbers, separated by 、 or commas', example: 'JY14602000000001', width: 20 }),
    col({ key: 'market', header: '所属市场', aliases: ['市场', '市场名称', 'market', 'marketname'], required: false, mandatory: '市场内商户必填 (yes, for a merchant in a market)', zh: '市场名称；不同辖区有同名市场时写成“辖区/市场”；不在市场内的商户留空并填写所属辖区', en: 'Market name; write "district/market" when names repeat across districts; leave empty for a merchant outside any market and give the district', example: '第一农贸市场', width: 22 }),
    col({ key: 'stall', header: '摊位号', aliases: ['摊位', '摊位编号', 'stall', 'stallno', 'stallnumber'], required: false, maxLength: 20, zh: '市场内的摊位号，不存在时自动创建', en: 'Stall number in the market; created when the market has no such stall', example: 'A-01' }),
    col({ key: 'status', header: '状态', aliases: ['经营状态', 'status'], required: false, zh: '经营中、停业或注销，留空为经营中', en: 'Operating, suspended or closed; empty means operating', example: '经营中', choices: ['经营中', '停业', '注销'] }),
    districtCol('不在市场内的商户必填 (yes, for a merchant outside any market)', '不在市场内的商户所属辖区（名称或6位代码）；市场内商户可空，填写时须与市场一致', 'District of a merchant outside any market (name or 6-digit code); for a merchant in a market it may be empty and must match the market'),
  ],
  scales: [
    col({ key: 'serialNo', header: '出厂编号', aliases: ['编号', '秤编号', '序列号', '出厂序号', 'serialno', 'serial', 'serialnumber'], required: true, maxLength: 64, zh: '出厂编号，全市唯一；字母、数字或 _-/.', en: 'Serial number, unique; letters, digits or _-/.', example: 'DH2026000001', width: 18 }),
    col({ key: 'manufacturer', header: '生产厂家', aliases: ['厂家', '制造商', '生产单位', '制造单位', 'manufacturer', 'maker'], required: true, maxLength: 100, zh: '生产厂家', en: 'Manufacturer', example: '上海大华', width: 18 }),
    col({ key: 'model', header: '型号规格', aliases: ['型号', '规格型号', '规格', 'model'], required: true, maxLength: 100, zh: '型号规格', en: 'Model', example: 'TM-30A', width: 14 }),
    col({ key: 'maxCapacity', header: '最大称量(kg)', aliases: ['最大称量', '最大秤量', 'max', 'maxcapacity', 'maxcapacityg', 'maxcapacitykg', 'capacity'], required: true, unit: 'kg', zh: '最大称量，单位千克，可带小数；表头写“最大称量(g)”时按克填写', en: 'Maximum capacity in kilograms, decimals allowed; in grams when the header says "(g)"', example: '30', width: 16 }),
    col({ key: 'division', header: '分度值(g)', aliases: ['分度值', '检定分度值', 'division', 'divisiong', 'e'], required: true, unit: 'g', zh: '检定分度值，单位克', en: 'Verification division e, in grams', example: '10', width: 12 }),
    col({ key: 'accuracyClass', header: '准确度等级', aliases: ['准确度', '等级', 'accuracyclass', 'accuracy', 'class'], required: true, zh: 'I、II、III 或 IIII（也可写 Ⅲ）', en: 'I, II, III or IIII', example: 'III', width: 14, choices: ['I', 'II', 'III', 'IIII'] }),
    col({ key: 'typeApprovalNo', header: '型式批准证书编号', aliases: ['型式批准编号', '型式批准证书号', '型式批准号', 'typeapprovalno', 'typeapproval', 'typeapprovalnumber'], required: false, maxLength: 60, zh: '型式批准证书编号', en: 'Type approval certificate number', example: '2020F123-31', width: 22 }),
    col({ key: 'isIot', header: '物联网秤', aliases: ['是否物联网秤', '物联网', 'iot', 'isiot'], required: false, zh: '是或否，留空为否', en: 'Yes (是) or no (否); empty means no', example: '是', choices: ['是', '否'] }),
    col({ key: 'merchantUscc', header: '使用商户统一社会信用代码', aliases: ['商户统一社会信用代码', '使用商户信用代码', '统一社会信用代码', 'merchantuscc', 'uscc'], required: false, zh: '使用该秤的商户的统一社会信用代码；未分配的秤留空', en: 'USCC of the merchant using the scale; empty for an unassigned scale', example: '92460200MA5T00001X', width: 26 }),
    col({ key: 'merchantName', header: '使用商户', aliases: ['商户', '商户名称', '使用单位', 'merchant', 'merchantname'], required: false, maxLength: 200, zh: '商户名称，须与所属市场内登记的名称完全一致；已填信用代码时用于核对', en: 'Merchant name, exactly as registered in the market; checked against the USCC when both are given', example: '三亚某某海鲜店', width: 22 }),
    col({ key: 'market', header: '所属市场', aliases: ['市场', '市场名称', 'market', 'marketname'], required: false, zh: '商户所在市场（可空，填写时须一致）；按名称指定商户时必填', en: 'The merchant\'s market (may be empty; must match when given); needed when the merchant is given by name', example: '第一农贸市场', width: 22 }),
    col({ key: 'stall', header: '摊位号', aliases: ['摊位', '摊位编号', 'stall', 'stallno', 'stallnumber'], required: false, maxLength: 20, zh: '商户所在市场的摊位号，留空为商户的摊位', en: 'Stall in the merchant\'s market; empty means the merchant\'s stall', example: 'A-01' }),
    districtCol('未分配的秤必填 (yes, for an unassigned scale)', '未分配商户的秤所在辖区（名称或6位代码）', 'District of a scale not assigned to a merchant (name or 6-digit code)'),
    col({ key: 'certificateNo', header: '检定证书编号', aliases: ['检定证书号', '证书编号', 'certificateno', 'certificate', 'verificationcertificate'], required: false, maxLength: 60, mandatory: '填写检定信息时必填 (yes, with a verification)', zh: '最近一次强制检定的证书编号；不填检定信息时五列都留空', en: 'Certificate of the latest mandatory verification; leave all five verification columns empty when there is none', example: 'JD2026-0001', width: 18 }),
    col({ key: 'institution', header: '检定机构', aliases: ['检定单位', 'institution', 'verificationinstitution'], required: false, maxLength: 100, mandatory: '填写检定信息时必填 (yes, with a verification)', zh: '检定机构名称', en: 'Verification institution', example: '三亚市计量测试所', width: 20 }),
    col({ key: 'verifiedOn', header: '检定日期', aliases: ['检定时间', 'verifiedon', 'verificationdate'], required: false, mandatory: '填写检定信息时必填 (yes, with a verification)', zh: '检定日期，如 2026-05-01 或 2026/5/1', en: 'Verification date, e.g. 2026-05-01', example: '2026-05-01', width: 14 }),
    col({ key: 'validUntil', header: '有效期至', aliases: ['有效期', '检定有效期至', '有效期限', 'validuntil'], required: false, mandatory: '检定合格时必填 (yes, for a pass)', zh: '检定有效期的最后一天', en: 'Last valid day of the verification', example: '2027-04-30', width: 14 }),
    col({ key: 'result', header: '检定结论', aliases: ['检定结果', '结论', 'result', 'verificationresult'], required: false, mandatory: '填写检定信息时必填 (yes, with a verification)', zh: '合格或不合格', en: 'Pass (合格) or fail (不合格)', example: '合格', choices: ['合格', '不合格'] }),
  ],
};

/** The columns that make up a verification: any of them filled means the row carries one. */
export const VERIFICATION_KEYS = ['certificateNo', 'institution', 'verifiedOn', 'validUntil', 'result'] as const;

/**
 * Header text reduced for matching: no spaces (of any width), no required-markers, full-width
 * brackets and letters made ASCII, lower case.
 */
export function normaliseHeader(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\s\u00a0\u3000*＊:：]/g, '')
    .replace(/[【\[]/g, '(')
    .replace(/[】\]]/g, ')')
    .replace(/[_\-]/g, '')
    .toLowerCase();
}

const UNIT_WORDS: Record<string, Unit> = { kg: 'kg', 千克: 'kg', 公斤: 'kg', g: 'g', 克: 'g' };
// English headers that carry their unit in the name, as the API's field names do.
const NAME_UNITS: Record<string, Unit> = { maxcapacityg: 'g', maxcapacitykg: 'kg', divisiong: 'g' };

export interface HeaderMatch {
  key: string;
  /** A unit named in the header, e.g. "最大称量(g)". */
  unit?: Unit;
}

const matchers = new Map<ImportKind, Map<string, string>>();
function matcherOf(kind: ImportKind): Map<string, string> {
  let m = matchers.get(kind);
  if (!m) {
    m = new Map();
    for (const c of COLUMNS[kind]) {
      for (const name of [c.header, ...c.aliases]) {
        const n = normaliseHeader(name);
        // The first column to claim a name keeps it: the order in COLUMNS settles clashes.
        if (!m.has(n)) m.set(n, c.key);
        const bare = n.replace(/\([^)]*\)$/, '');
        if (!m.has(bare)) m.set(bare, c.key);
      }
    }
    matchers.set(kind, m);
  }
  return m;
}

/** The column a header names, with the unit it gives, or null when the header is not one of ours. */
export function matchHeader(kind: ImportKind, text: string): HeaderMatch | null {
  const n = normaliseHeader(text);
  if (!n) return null;
  const m = matcherOf(kind);
  const direct = m.get(n);
  const unitMatch = /\(([^)]*)\)$/.exec(n);
  const unit = unitMatch ? UNIT_WORDS[unitMatch[1]!] : undefined;
  if (direct) {
    const u = unit ?? NAME_UNITS[n];
    return u ? { key: direct, unit: u } : { key: direct };
  }
  if (unitMatch) {
    const bare = m.get(n.slice(0, unitMatch.index));
    if (bare) return unit ? { key: bare, unit } : { key: bare };
  }
  return null;
}

export const columnOf = (kind: ImportKind, key: string): ColumnDef => COLUMNS[kind].find((c) => c.key === key)!;
