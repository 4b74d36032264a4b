import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { usccCheckCharacter } from '../registry/index.js';
import { COLUMNS, IMPORT_KINDS, matchHeader, normaliseHeader } from './imports.columns.js';
import {
  cellText,
  checkHeader,
  checkMerchants,
  checkScales,
  draftMerchant,
  draftScale,
  isHeaderRow,
  readHeaderRow,
  rowContext,
  splitList,
  toAccuracyClass,
  toBool,
  toCell,
  toDateText,
  toGrams,
  type Lookups,
  type Who,
} from './imports.rules.js';
import { readZipDirectory, reorderZip, sniffFile, textEncoding } from './imports.sniff.js';
import { csvDelimiter, openXlsx } from './imports.reader.js';

const uscc = (body17: string) => body17 + usccCheckCharacter(body17);

/**
 * A stored (uncompressed) zip built by hand. `alias` adds a central entry pointing at the same
 * local entry as the first (a zip bomb trick).
 */
function storedZip(files: Record<string, string>, alias?: string): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let at = 0;
  const central = (name: string, size: number, offset: number) => {
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt32LE(size, 20);
    c.writeUInt32LE(size, 24);
    c.writeUInt16LE(Buffer.byteLength(name), 28);
    c.writeUInt32LE(offset, 42);
    return Buffer.concat([c, Buffer.from(name)]);
  };
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(Buffer.byteLength(name), 26);
    locals.push(local, Buffer.from(name), data);
    centrals.push(central(name, data.length, at));
    if (alias && centrals.length === 1) centrals.push(central(alias, data.length, at));
    at += 30 + Buffer.byteLength(name) + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length, 8);
  end.writeUInt16LE(centrals.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(at, 16);
  return Buffer.concat([...locals, dir, end]);
}

describe('cells', () => {
  it('reads dates from date cells, Excel serials and the usual ways of writing them', () => {
    expect(toDateText(new Date(Date.UTC(2026, 4, 1)))).toBe('2026-05-01');
    expect(toDateText(46143)).toBe('2026-05-01');
    for (const t of ['2026-05-01', '2026/5/1', '2026.5.1', '2026年5月1日', '20260501', '2026-05-01 00:00:00', '２０２６／５／１']) expect(toDateText(t), t).toBe('2026-05-01');
    expect(toDateText('五月一日')).toBe('五月一日');
    expect(toDateText(null)).toBe('');
  });

  it('reads weights in the unit of the header or the cell, keeping fractions of a gram for the rules', () => {
    expect(toGrams(30, 'kg')).toBe(30000);
    expect(toGrams('15.5', 'kg')).toBe(15500);
    expect(toGrams(0.1, 'kg')).toBe(100);
    expect(toGrams('3,000', 'g')).toBe(3000);
    expect(toGrams('30kg', 'g')).toBe(30000);
    expect(toGrams('１５ 千克', 'g')).toBe(15000);
    expect(toGrams('10', 'g')).toBe(10);
    expect(toGrams('0.0005', 'kg')).toBe(0.5);
    expect(toGrams('三十', 'kg')).toBeNaN();
    expect(toGrams(null, 'kg')).toBeNaN();
  });

  it('reads yes and no, lists, accuracy classes and exceljs values', () => {
    expect([toBool('是'), toBool('否'), toBool(''), toBool(true), toBool('Y'), toBool('maybe')]).toEqual([true, false, false, true, true, null]);
    expect(splitList('海鲜、水果, 肉类，海鲜;;')).toEqual(['海鲜', '水果', '肉类']);
    expect(['Ⅲ', 'iii', '3', '中准确度级', 'Ⅳ', 'II'].map((c) => toAccuracyClass(c))).toEqual(['III', 'III', 'III', 'III', 'IIII', 'II']);
    expect(toCell({ richText: [{ text: '甲' }, { text: '市场' }] })).toBe('甲市场');
    expect(toCell({ formula: 'A1*2', result: 4 })).toBe(4);
    expect(toCell({ text: '链接', hyperlink: 'http://x' })).toBe('链接');
    expect(toCell({ error: '#N/A' })).toBe('#N/A');
    expect(cellText(' \u200b甲\u0007市场\u3000')).toBe('甲 市场');
  });
});

describe('headers', () => {
  it('matches Chinese and English headers ignoring spaces, full-width brackets, markers and case', () => {
    expect(normaliseHeader(' 最大称量（kg）* ')).toBe('最大称量(kg)');
    expect(matchHeader('scales', '最大称量（千克）')).toEqual({ key: 'maxCapacity', unit: 'kg' });
    expect(matchHeader('scales', '最大称量(g)')).toEqual({ key: 'maxCapacity', unit: 'g' });
    expect(matchHeader('scales', 'maxCapacityG')).toEqual({ key: 'maxCapacity', unit: 'g' });
    expect(matchHeader('merchants', 'Legal Rep')).toEqual({ key: 'legalRep' });
    expect(matchHeader('merchants', '法定代表人')).toEqual({ key: 'legalRep' });
    expect(matchHeader('markets', '开办单位')).toEqual({ key: 'managingOrg' });
    expect(matchHeader('markets', '备注')).toBeNull();
  });

  it('gives every column its own headers: none is claimed by another column of the same kind', () => {
    for (const kind of IMPORT_KINDS) {
      for (const c of COLUMNS[kind]) for (const h of [c.header, ...c.aliases]) expect(matchHeader(kind, h)?.key, `${kind} ${h}`).toBe(c.key);
    }
  });

  it('finds the header below a title row, and names what is missing or doubled', () => {
    const title = readHeaderRow('markets', 1, ['2026年市场名录']);
    expect(isHeaderRow(title, true)).toBe(false);
    const h = readHeaderRow('markets', 2, ['市场名称', null, '所属辖区', '备注']);
    expect(isHeaderRow(h, false)).toBe(true);
    expect(checkHeader('markets', h)).toEqual({ ok: true, notes: [{ row: 2, column: '备注', value: '备注', reason: expect.stringContaining('ignored') }] });
    expect(checkHeader('markets', readHeaderRow('markets', 1, ['市场名称', '地址']))).toMatchObject({ ok: false, code: 'missing_columns', message: expect.stringContaining('所属辖区') });
    expect(checkHeader('merchants', readHeaderRow('merchants', 1, ['主体名称', '法定代表人', '经营者']))).toMatchObject({ ok: false, code: 'duplicate_column' });
  });
});

describe('files', () => {
  it('tells spreadsheets from other files by their bytes', () => {
    expect(sniffFile(Buffer.alloc(0))).toMatchObject({ format: 'refused', message: expect.stringContaining('empty') });
    expect(sniffFile(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))).toMatchObject({ format: 'refused' });
    expect(sniffFile(Buffer.from('d0cf11e0a1b11ae1000000000000', 'hex'))).toMatchObject({ format: 'refused', message: expect.stringContaining('.xls') });
    expect(sniffFile(Buffer.from('PK\u0003\u0004garbage'))).toMatchObject({ format: 'refused', message: expect.stringContaining('damaged') });
    expect(sniffFile(Buffer.from('市场名称,所属辖区\n甲,乙\n'))).toEqual({ format: 'csv', encoding: 'utf-8' });
    expect(textEncoding(Buffer.from([0xc9, 0xcc, 0xbb, 0xa7, 0x2c, 0x41]))).toBe('gb18030'); // 商户,A in GBK
    expect(textEncoding(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('市场\t地址', 'utf16le')]))).toBe('utf-16le');
    expect(readZipDirectory(Buffer.from('PK\u0005\u0006' + '\u0000'.repeat(18)))).toMatchObject({ ok: true, entries: [] });
  });

  it('moves the entries a streaming reader needs first, copying data, and the workbook still reads', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('甲').addRow(['市场名称', '所属辖区']);
    const original = Buffer.from(await wb.xlsx.writeBuffer());
    const dir = readZipDirectory(original);
    if (!dir.ok) throw new Error(dir.reason);
    const moved = reorderZip(original, dir, ['xl/sharedStrings.xml', 'xl/workbook.xml']);
    const after = readZipDirectory(moved);
    if (!after.ok) throw new Error(after.reason);
    expect(after.entries.slice(0, 2).map((e) => e.name)).toEqual(['xl/sharedStrings.xml', 'xl/workbook.xml']);
    expect(after.entries.map((e) => e.name).sort()).toEqual(dir.entries.map((e) => e.name).sort());
    const back = new ExcelJS.Workbook();
    await back.xlsx.load(moved as unknown as ArrayBuffer);
    expect(back.worksheets[0]!.getRow(1).values).toEqual([undefined, '市场名称', '所属辖区']);
  });

  it('refuses entries that overlap (a zip bomb trick)', () => {
    expect(readZipDirectory(storedZip({ 'a.xml': '<x/>' }, 'b.xml'))).toMatchObject({ ok: false, reason: 'overlapping entries' });
  });

  it('refuses a worksheet cut short inside an intact archive, before any row is read', async () => {
    const workbook = (sheet: string) => {
      const data = storedZip({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<workbook/>', 'xl/worksheets/sheet1.xml': sheet });
      const sniffed = sniffFile(data);
      if (sniffed.format !== 'xlsx') throw new Error('not read as xlsx');
      return (budget: number) => openXlsx(data, sniffed.zip, budget);
    };
    const cut = '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>市场名称</t></is></c></row><row r="2">';
    await expect(workbook(cut)(1e6)).rejects.toMatchObject({ code: 'corrupt_spreadsheet' });
    const whole = workbook(`${cut}</row></sheetData></worksheet>`);
    await expect(whole(1e6)).resolves.toMatchObject({ lastRow: 2 });
    await expect(whole(100)).rejects.toMatchObject({ code: 'unzipped_too_large' });
  });

  it('guesses the CSV delimiter from the header line', () => {
    expect(csvDelimiter('a,b,c\n1,2,3')).toBe(',');
    expect(csvDelimiter('a\tb\tc\n')).toBe('\t');
    expect(csvDelimiter('a;b;c')).toBe(';');
  });
});

describe('checks against what is registered', () => {
  const districts = [
    { id: 1, cityId: 1, code: '460202', name: '甲区' },
    { id: 2, cityId: 1, code: '460203', name: '乙区' },
  ];
  const markets = [
    { id: 10, districtId: 1, name: '中心市场' },
    { id: 20, districtId: 2, name: '中心市场' },
    { id: 30, districtId: 2, name: '乙市场' },
  ];
  const registeredMerchant = { id: 100, uscc: uscc('92460203MA5T00002'), name: '乙水果', legalRep: '李', districtId: 2, marketId: 30, stallId: 300 };
  const lookups: Lookups = { districts, markets, stalls: [{ id: 300, marketId: 30, number: 'B-01' }], merchantsByUscc: [registeredMerchant], merchantsByName: [registeredMerchant], registeredSerials: ['OLD-1'] };
  const everyone: Who = { reach: { kind: 'all' }, isMarketManager: false, canRecordVerification: true };
  const districtA: Who = { reach: { kind: 'districts', districtIds: [1] }, isMarketManager: false, canRecordVerification: false };

  const merchants = (rows: unknown[][], who: Who) => {
    const header = readHeaderRow('merchants', 1, ['统一社会信用代码', '主体名称', '法定代表人', '主体类型', '所属市场', '摊位号', '所属辖区']);
    const ctx = rowContext('merchants', header);
    return checkMerchants(ctx, rows.map((cells, i) => draftMerchant(ctx, { row: i + 2, cells: cells as never })), lookups, who);
  };

  it('settles a market name used in two districts by reach, by the district column or by "district/market"', () => {
    const [ambiguous, byDistrict, bySlash, byReach] = [
      merchants([[uscc('92460202MA5TD0001'), '店一', '张', '个体工商户', '中心市场', '', '']], everyone)[0]!,
      merchants([[uscc('92460202MA5TD0002'), '店二', '张', '个体工商户', '中心市场', '', '乙区']], everyone)[0]!,
      merchants([[uscc('92460202MA5TD0003'), '店三', '张', '个体工商户', '460203/中心市场', '', '']], everyone)[0]!,
      merchants([[uscc('92460202MA5TD0004'), '店四', '张', '个体工商户', '中心市场', 'N-1', '']], districtA)[0]!,
    ];
    expect(ambiguous.problems[0]!.reason).toContain('district/market');
    expect(byDistrict.record).toMatchObject({ marketId: 20, districtId: 2 });
    expect(bySlash.record).toMatchObject({ marketId: 20 });
    expect(byReach.record).toMatchObject({ marketId: 10, stall: { number: 'N-1' } });
  });

  it('uses an existing stall, and refuses a stall without a market', () => {
    const [existing, orphan] = merchants(
      [
        [uscc('92460202MA5TD0005'), '店五', '张', '个体工商户', '乙市场', 'B-01', ''],
        [uscc('92460202MA5TD0006'), '店六', '张', '个体工商户', '', 'X-1', '甲区'],
      ],
      everyone,
    );
    expect(existing!.record?.stall).toEqual({ id: 300 });
    expect(orphan!.problems.map((p) => p.column)).toEqual(['摊位号']);
  });

  const scales = (rows: unknown[][], who: Who) => {
    const header = readHeaderRow('scales', 1, ['出厂编号', '生产厂家', '型号规格', '最大称量(kg)', '分度值(g)', '准确度等级', '使用商户统一社会信用代码', '使用商户', '所属市场', '摊位号', '所属辖区', '检定证书编号', '检定机构', '检定日期', '有效期至', '检定结论']);
    const ctx = rowContext('scales', header);
    return checkScales(ctx, rows.map((cells, i) => draftScale(ctx, { row: i + 2, cells: cells as never }, '2026-11-23')), lookups, who);
  };
  const scale = (serial: string, rest: unknown[]) => [serial, '厂', '型', 30, 10, 'III', ...rest];

  it('places a scale with its merchant, and checks the market, stall and district given against it', () => {
    const [ok, wrongMarket, byName, unassigned, stallOnly] = scales(
      [
        scale('S-1', [registeredMerchant.uscc, '乙水果', '', '', '乙区']),
        scale('S-2', [registeredMerchant.uscc, '', '中心市场', '', '']),
        scale('S-3', ['', '乙水果', '乙市场', 'B-02', '']),
        scale('S-4', ['', '', '', '', '甲区']),
        scale('S-5', ['', '', '', 'B-01', '甲区']),
      ],
      everyone,
    );
    expect(ok!.record).toMatchObject({ merchantId: 100, marketId: 30, districtId: 2, stall: { id: 300 } });
    expect(wrongMarket!.problems[0]!.reason).toMatch(/ambiguous|several districts|not in that market/);
    expect(byName!.record).toMatchObject({ merchantId: 100, stall: { number: 'B-02' } });
    expect(unassigned!.record).toMatchObject({ merchantId: null, marketId: null, districtId: 1, stall: null });
    expect(stallOnly!.problems.map((p) => p.column)).toEqual(['摊位号']);
  });

  it('refuses a merchant outside reach, a verification the role may not record, and a bad one', () => {
    const [outside, verified] = scales(
      [scale('S-6', [registeredMerchant.uscc, '', '', '', '']), scale('S-7', ['', '', '', '', '甲区', 'JD-1', '所', '2026-13-01', '', '合格'])],
      districtA,
    );
    expect(outside!.problems[0]).toMatchObject({ column: '使用商户统一社会信用代码', reason: expect.stringContaining('outside your jurisdiction') });
    expect(verified!.problems.map((p) => p.column).sort()).toEqual(['有效期至', '检定日期', '检定证书编号'].sort());
  });

  it('counts a duplicate serial once per later row and against the register', () => {
    const r = scales([scale('OLD-1', ['', '', '', '', '甲区']), scale('NEW-1', ['', '', '', '', '甲区']), scale('NEW-1', ['', '', '', '', '甲区'])], everyone);
    expect(r.map((c) => c.problems.map((p) => p.reason))).toEqual([[expect.stringContaining('already registered')], [], [expect.stringContaining('row 3')]]);
  });
});
