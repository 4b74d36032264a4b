import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../../test-support/app.js';
import { TEST_DB_KINDS } from '../../test-support/db.js';
import { validUscc } from '../../test-support/fixtures.js';
import { verifyAuditChain } from '../audit/index.js';
import { COLUMNS, createImportService, type ImportJob, type ImportKind } from './index.js';
import { readZipDirectory } from './imports.sniff.js';

// ---------------------------------------------------------------- helpers

/** A multipart/form-data body built by hand; `fileFirst` puts the file before the fields. */
function form(fields: Record<string, string>, file?: { name: string; data: Buffer }, fileFirst = false) {
  const boundary = `----mashang${randomBytes(8).toString('hex')}`;
  const fieldParts = Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  const fileParts = file
    ? [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`), file.data, Buffer.from('\r\n')]
    : [];
  const parts = fileFirst ? [...fileParts, ...fieldParts] : [...fieldParts, ...fileParts];
  return { body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function xlsx(rows: unknown[][], sheetName = '导入'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function readXlsx(data: Buffer): Promise<{ sheets: string[]; rows: string[][] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(data as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const rows: string[][] = [];
  ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v == null ? '' : String(v)))));
  return { sheets: wb.worksheets.map((w) => w.name), rows };
}

const csv = (rows: string[][]) => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n') + '\r\n';

/** GBK bytes for a string, by inverting Node's GBK decoder (Node has no GBK encoder). */
let gbkTable: Map<string, Buffer> | null = null;
function gbk(text: string): Buffer {
  if (!gbkTable) {
    gbkTable = new Map();
    const d = new TextDecoder('gbk');
    for (let a = 0x81; a <= 0xfe; a++)
      for (let b = 0x40; b <= 0xfe; b++) {
        const ch = d.decode(Buffer.from([a, b]));
        if (ch.length === 1 && ch !== '\ufffd' && !gbkTable.has(ch)) gbkTable.set(ch, Buffer.from([a, b]));
      }
  }
  return Buffer.concat([...text].map((ch) => (ch.charCodeAt(0) < 0x80 ? Buffer.from(ch) : gbkTable!.get(ch)!)));
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

let uscc = 0;
/** A fresh valid USCC in district A's code. */
const newUscc = () => validUscc(`92460202MA5TB${String(++uscc).padStart(4, '0')}`);

// ---------------------------------------------------------------- tests

describe.each(TEST_DB_KINDS)('spreadsheet import and export on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  let bureau: Client;
  let inspA: Client;

  beforeAll(async () => {
    t = await createTestApp(kind);
    [admin, bureau, inspA] = await Promise.all([t.as('admin'), t.as('bureau'), t.as('insp_a')]);
  });
  afterAll(async () => t?.close());

  const upload = (c: Client, k: ImportKind, mode: 'dry_run' | 'commit', file: { name: string; data: Buffer }, skipInvalid = false, fileFirst = false) => {
    const f = form({ kind: k, mode, skipInvalid: String(skipInvalid) }, file, fileFirst);
    return c.request('POST', '/api/imports', f.body, f.headers);
  };
  async function finished(c: Client, id: string): Promise<ImportJob> {
    for (let i = 0; i < 3000; i++) {
      const res = await c.get(`/api/imports/${id}`);
      expect(res.statusCode).toBe(200);
      const job = res.json() as ImportJob;
      if (job.status !== 'running') return job;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`import ${id} did not finish`);
  }
  async function runImport(c: Client, k: ImportKind, mode: 'dry_run' | 'commit', file: { name: string; data: Buffer }, skipInvalid = false) {
    const res = await upload(c, k, mode, file, skipInvalid);
    expect(res.statusCode, res.body).toBe(202);
    const started = res.json() as ImportJob;
    expect(started).toMatchObject({ kind: k, mode, skipInvalid, status: 'running', fileName: file.name });
    return { job: await finished(c, started.id), requestId: String(res.headers['x-request-id']) };
  }
  const auditSeq = async () => (await t.ctx.dbHandle.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow()).seq;
  const count = async (table: 'market' | 'merchant' | 'scale' | 'stall') => Number((await t.ctx.dbHandle.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const merchantHeader = ['统一社会信用代码', '主体名称', '法定代表人/经营者', '主体类型', '地址', '经营类别', '许可证号', '所属市场', '摊位号', '状态', '所属辖区'];

  it('serves an empty template per kind with the Chinese headers and an instructions sheet', async () => {
    for (const k of ['markets', 'merchants', 'scales'] as const) {
      const res = await inspA.get(`/api/imports/templates/${k}.xlsx`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('spreadsheetml');
      const book = await readXlsx(res.rawPayload);
      expect(book.rows).toEqual([COLUMNS[k].map((c) => c.header)]);
      expect(book.sheets).toHaveLength(2);
    }
  });

  it('imports markets from an xlsx with Chinese headers, and they are listed', async () => {
    const data = await xlsx([
      ['市场名称', '所属辖区', '地址', '开办单位/管理方', '联系人', '联系电话'],
      ['新风农贸市场', '甲区', '新风路8号', '新风市场管理公司', '王五', 13800138000],
      ['海鲜码头市场', '460203', '码头路1号', '', '', ''],
    ]);
    const { job } = await runImport(bureau, 'markets', 'commit', { name: '市场名录.xlsx', data });
    expect(job).toMatchObject({ status: 'done', phase: 'done', outcome: 'imported', rowsRead: 2, rowsTotal: 2, validRows: 2, invalidRows: 0, importedRows: 2, problemCount: 0, error: null });
    const list = (await bureau.get('/api/markets?pageSize=100')).json().items as { name: string; districtId: number; contactPhone: string }[];
    expect(list.find((m) => m.name === '新风农贸市场')).toMatchObject({ districtId: t.fx.districts.A, contactPhone: '13800138000' });
    expect(list.find((m) => m.name === '海鲜码头市场')).toMatchObject({ districtId: t.fx.districts.B });
  });

  it('imports merchants from an xlsx, creating stalls, with one audit entry per record attributed to the importer and request', async () => {
    const [u1, u2] = [newUscc(), newUscc()];
    const data = await xlsx([
      ['2026年 甲市场 商户名录'],
      merchantHeader,
      [u1, '甲市场鲜鱼档', '李四', '个体工商户', '甲路1号', '海鲜、海鲜加工', 'JY001，JY002', '甲市场', 'A-77', '经营中', ''],
      [u2, '甲市场果业有限公司', '王芳', '有限责任公司', '', 'fruit', '', '甲区/甲市场', 'A-01', '停业', '甲区'],
      ['', '路边早餐店', '赵六', '个体工商户', '甲路9号', '餐饮', '', '', '', '', '甲区'],
    ]);
    const before = await count('stall');
    const { job, requestId } = await runImport(inspA, 'merchants', 'commit', { name: 'merchants.xlsx', data });
    expect(job.problems).toEqual([]);
    expect(job).toMatchObject({ outcome: 'imported', rowsRead: 3, importedRows: 3 });

    const items = (await inspA.get('/api/merchants?pageSize=500')).json().items as Record<string, unknown>[];
    expect(items.find((m) => m.uscc === u1)).toMatchObject({ name: '甲市场鲜鱼档', marketId: t.fx.markets.A, stallNumber: 'A-77', categories: ['seafood', 'seafood_processing'], licenceNumbers: ['JY001', 'JY002'], status: 'operating' });
    expect(items.find((m) => m.uscc === u2)).toMatchObject({ entityType: '有限责任公司', stallId: t.fx.stalls.A, status: 'suspended', categories: ['fruit'] });
    expect(items.find((m) => m.name === '路边早餐店')).toMatchObject({ uscc: null, hasUscc: false, marketId: null, districtId: t.fx.districts.A });
    expect(await count('stall')).toBe(before + 1);

    // Another instance answers from import_job what this one kept in memory.
    const actor = (await t.ctx.auth.authenticate(inspA.cookie))!.actor;
    const elsewhere = createImportService({ db: t.ctx.dbHandle.db, registry: t.ctx.registry, maxFileBytes: 1, maxRows: 1 });
    expect(await elsewhere.get(actor, job.id)).toEqual(job);

    const audit = (await admin.get('/api/audit?pageSize=500')).json().items as { action: string; staffId: number; requestId: string; entityId: string }[];
    const mine = audit.filter((e) => e.requestId === requestId);
    expect(mine.filter((e) => e.action === 'merchant.create')).toHaveLength(3);
    expect(mine.filter((e) => e.action === 'stall.create')).toHaveLength(1);
    expect(mine.every((e) => e.staffId === t.fx.users.inspA)).toBe(true);
    expect((await admin.get('/api/audit/verify')).json()).toMatchObject({ ok: true });
  });

  it('imports scales: assigned by USCC or by name, unassigned by district, with a verification record', async () => {
    const merchantA = validUscc('92460202MA5T00001');
    const data = await xlsx([
      ['出厂编号', '生产厂家', '型号规格', '最大称量(kg)', '分度值(g)', '准确度等级', '型式批准证书编号', '物联网秤', '使用商户统一社会信用代码', '使用商户', '所属市场', '摊位号', '所属辖区', '检定证书编号', '检定机构', '检定日期', '有效期至', '检定结论'],
      ['IMP-S-1', '上海大华', 'TM-30', 30, 10, 'Ⅲ', '2020F1', '是', merchantA, '甲海鲜', '甲市场', '', '甲区', 'JD-1', '测试市计量检定所', new Date(Date.UTC(2026, 0, 5)), '2027/1/4', '合格'],
      ['IMP-S-2', '凯丰', 'ACS-15', '15.5', '5', 'III', '', '否', '', '甲海鲜', '甲市场', 'A-88', '', '', '', '', '', ''],
      ['IMP-S-3', '凯丰', 'ACS-6', 6, 2, 'III', '', '', '', '', '', '', '甲区', 'JD-3', '测试市计量检定所', '2026年1月6日', '', '不合格'],
    ]);
    const { job, requestId } = await runImport(admin, 'scales', 'commit', { name: 'scales.xlsx', data });
    expect(job.problems).toEqual([]);
    expect(job).toMatchObject({ outcome: 'imported', importedRows: 3 });
    const items = (await admin.get('/api/scales?q=IMP-S&pageSize=500')).json().items as Record<string, any>[];
    const s1 = items.find((s) => s.serialNo === 'IMP-S-1')!;
    expect(s1).toMatchObject({ merchantId: t.fx.merchants.A, marketId: t.fx.markets.A, stallId: t.fx.stalls.A, districtId: t.fx.districts.A, maxCapacityG: 30000, isIot: true, accuracyClass: 'III' });
    expect(s1.verification).toMatchObject({ certificateNo: 'JD-1', validUntil: '2027-01-04' });
    expect(items.find((s) => s.serialNo === 'IMP-S-2')).toMatchObject({ merchantId: t.fx.merchants.A, stallNumber: 'A-88', maxCapacityG: 15500, divisionG: 5 });
    const s3 = items.find((s) => s.serialNo === 'IMP-S-3')!;
    expect(s3).toMatchObject({ merchantId: null, marketId: null, districtId: t.fx.districts.A });
    expect(s3.verification.status).toBe('failed');
    const assignments = (await admin.get(`/api/scales/${s1.id}/assignments`)).json();
    expect(assignments).toHaveLength(1);
    expect(assignments[0]).toMatchObject({ merchantId: t.fx.merchants.A, toAt: null });
    const audit = (await admin.get('/api/audit?pageSize=500')).json().items as { action: string; requestId: string }[];
    const actions = audit.filter((e) => e.requestId === requestId).map((e) => e.action);
    expect(actions.filter((a) => a === 'scale.create')).toHaveLength(3);
    expect(actions.filter((a) => a === 'verification.create')).toHaveLength(2);
    expect(actions.filter((a) => a === 'stall.create')).toHaveLength(1);
  });

  it('reads CSV with Chinese headers in UTF-8 with a BOM and in GBK, fields in any order', async () => {
    const [u1, u2] = [newUscc(), newUscc()];
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv([merchantHeader, [u1, '逗号,海鲜行', '钱七', '个体工商户', '', '海鲜', '', '甲市场', 'A-01', '', '']]))]);
    const a = await upload(inspA, 'merchants', 'commit', { name: 'utf8.csv', data: utf8 }, false, true);
    expect(a.statusCode, a.body).toBe(202);
    expect(await finished(inspA, a.json().id)).toMatchObject({ outcome: 'imported', importedRows: 1, problems: [] });

    const gbkFile = gbk(csv([merchantHeader, [u2, '国标编码水产店', '孙八', '个体工商户', '甲路2号', '海鲜、禽蛋', '', '甲市场', '', '经营中', '']]));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(gbkFile)).toThrow();
    const { job } = await runImport(inspA, 'merchants', 'commit', { name: 'gbk.csv', data: gbkFile });
    expect(job).toMatchObject({ outcome: 'imported', importedRows: 1, problems: [] });
    const items = (await inspA.get('/api/merchants?pageSize=500')).json().items as { uscc: string; name: string; categories: string[]; stallId: number }[];
    expect(items.find((m) => m.uscc === u1)).toMatchObject({ name: '逗号,海鲜行', stallId: t.fx.stalls.A });
    expect(items.find((m) => m.uscc === u2)).toMatchObject({ name: '国标编码水产店', categories: ['seafood', 'poultry'] });
  });

  it('accepts English headers and a grams header', async () => {
    const data = Buffer.from(csv([['serialNo', 'Manufacturer', 'Model', 'Max capacity (g)', 'divisionG', 'Accuracy class', 'District'], ['IMP-EN-1', 'Mettler', 'M-3', '3000', '1', 'III', '460202']]));
    const { job } = await runImport(bureau, 'scales', 'commit', { name: 'english.csv', data });
    expect(job).toMatchObject({ outcome: 'imported', problems: [] });
    expect((await bureau.get('/api/scales?q=IMP-EN-1')).json().items[0]).toMatchObject({ maxCapacityG: 3000, divisionG: 1, districtId: t.fx.districts.A });
  });

  it('dry run reports every problem by row, column and reason, and writes nothing', async () => {
    const good = newUscc();
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const data = await xlsx([
      merchantHeader,
      [bad, '校验码错误的店', '周一', '个体工商户', '', '海鲜', '', '甲市场', '', '', ''],
      [newUscc(), '找不到市场的店', '吴二', '个体工商户', '', '海鲜', '', '不存在市场', '', '', ''],
      [newUscc(), '', '', '个体工商户', '', '火箭', '', '甲市场', '', '营业中', ''],
      [good, '重复一', '郑三', '个体工商户', '', '', '', '甲市场', '', '', ''],
      [good, '重复二', '郑三', '个体工商户', '', '', '', '甲市场', '', '', ''],
      [validUscc('92460202MA5T00001'), '已登记的店', '张三', '个体工商户', '', '', '', '甲市场', '', '', ''],
    ]);
    const [seq, merchants] = [await auditSeq(), await count('merchant')];
    const { job } = await runImport(inspA, 'merchants', 'dry_run', { name: 'problems.xlsx', data });
    expect(job).toMatchObject({ status: 'done', outcome: 'dry_run', rowsRead: 6, validRows: 1, invalidRows: 5, importedRows: 0 });
    const at = (row: number, column: string) => job.problems.filter((p) => p.row === row && p.column === column);
    expect(at(2, '统一社会信用代码')[0]).toMatchObject({ value: bad, reason: expect.stringContaining('check character') });
    expect(at(3, '所属市场')[0]).toMatchObject({ value: '不存在市场', reason: expect.stringContaining('unknown market') });
    expect(at(4, '主体名称')[0]!.reason).toContain('required');
    expect(at(4, '法定代表人/经营者')[0]!.reason).toContain('required');
    expect(at(4, '经营类别')[0]!.reason).toContain('火箭');
    expect(at(4, '状态')).toHaveLength(1);
    expect(at(6, '统一社会信用代码')[0]!.reason).toContain('row 5');
    expect(at(7, '统一社会信用代码')[0]!.reason).toContain('already registered');
    expect(job.problems.some((p) => p.row === 5)).toBe(false);
    expect(job.problemCount).toBe(job.problems.length);
    expect([await auditSeq(), await count('merchant')]).toEqual([seq, merchants]);
  });

  it('reports duplicate serial numbers within the file and against the database', async () => {
    const rows = [
      ['出厂编号', '生产厂家', '型号规格', '最大称量(kg)', '分度值(g)', '准确度等级', '所属辖区'],
      ['IMP-DUP-1', '凯丰', 'A', 30, 10, 'III', '甲区'],
      ['IMP-DUP-1', '凯丰', 'A', 30, 10, 'III', '甲区'],
      ['SN-A-1', '凯丰', 'A', 30, 10, 'III', '甲区'],
      ['IMP-DUP-2', '', 'A', 30, 10, 'V', '甲区'],
    ];
    const { job } = await runImport(bureau, 'scales', 'dry_run', { name: 'dups.xlsx', data: await xlsx(rows) });
    expect(job.problems).toEqual([
      { row: 3, column: '出厂编号', value: 'IMP-DUP-1', reason: expect.stringContaining('same serial number as row 2') },
      { row: 4, column: '出厂编号', value: 'SN-A-1', reason: expect.stringContaining('already registered') },
      { row: 5, column: '生产厂家', value: '', reason: expect.stringContaining('required') },
      { row: 5, column: '准确度等级', value: 'V', reason: expect.stringContaining('accuracy class') },
    ]);
  });

  it('commits nothing when a row is invalid, unless told to skip invalid rows', async () => {
    const [u1, u2] = [newUscc(), newUscc()];
    const data = await xlsx([merchantHeader, [u1, '好商户一', '陈一', '个体工商户', '', '', '', '甲市场', '', '', ''], [u2, '', '陈二', '个体工商户', '', '', '', '甲市场', '', '', '']]);
    const [seq, merchants] = [await auditSeq(), await count('merchant')];
    const rejected = (await runImport(inspA, 'merchants', 'commit', { name: 'm.xlsx', data })).job;
    expect(rejected).toMatchObject({ status: 'done', outcome: 'rejected', validRows: 1, invalidRows: 1, importedRows: 0 });
    expect([await auditSeq(), await count('merchant')]).toEqual([seq, merchants]);

    const skipped = (await runImport(inspA, 'merchants', 'commit', { name: 'm.xlsx', data }, true)).job;
    expect(skipped).toMatchObject({ outcome: 'imported', skipInvalid: true, validRows: 1, invalidRows: 1, importedRows: 1 });
    expect(await count('merchant')).toBe(merchants + 1);
    expect((await inspA.get(`/api/merchants?q=${u1}`)).json().total).toBe(1);
  });

  it('refuses rows outside the importer\'s jurisdiction', async () => {
    const [uA, uB] = [newUscc(), newUscc()];
    const data = await xlsx([merchantHeader, [uA, '甲区的店', '冯一', '个体工商户', '', '', '', '甲市场', '', '', ''], [uB, '乙区的店', '冯二', '个体工商户', '', '', '', '乙市场', '', '', '']]);
    const { job } = await runImport(inspA, 'merchants', 'commit', { name: 'reach.xlsx', data }, true);
    expect(job.problems).toEqual([{ row: 3, column: '所属市场', value: '乙市场', reason: expect.stringContaining('outside your jurisdiction') }]);
    expect(job.importedRows).toBe(1);
    expect((await admin.get(`/api/merchants?q=${uB}`)).json().total).toBe(0);
    expect((await admin.get(`/api/merchants?q=${uA}`)).json().total).toBe(1);

    const manager = await t.as('manager_a');
    const res = await upload(manager, 'markets', 'dry_run', { name: 'markets.csv', data: Buffer.from('市场名称,所属辖区\n新市场,甲区\n') });
    expect(res.statusCode).toBe(403);
  });

  it('refuses a file that is not a spreadsheet, and an empty one, whatever its name', async () => {
    for (const data of [PNG, randomBytes(4096), Buffer.alloc(0)]) {
      const res = await upload(bureau, 'markets', 'dry_run', { name: 'list.xlsx', data });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('not_a_spreadsheet');
      expect(res.json().error.message).toMatch(/[\u4e00-\u9fff].*\(.+\)/);
    }
  });

  it('fails a damaged xlsx with a clear message and keeps answering', async () => {
    const good = await xlsx([['市场名称', '所属辖区'], ['损坏测试市场', '甲区']]);
    const truncated = await upload(bureau, 'markets', 'dry_run', { name: 'cut.xlsx', data: good.subarray(0, Math.floor(good.length * 0.6)) });
    expect(truncated.statusCode).toBe(400);
    expect(truncated.json().error).toMatchObject({ code: 'not_a_spreadsheet', message: expect.stringContaining('damaged') });

    const garbled = Buffer.from(good);
    const dir = readZipDirectory(garbled);
    if (!dir.ok) throw new Error(dir.reason);
    const sheet = dir.entries.find((e) => e.name === 'xl/worksheets/sheet1.xml')!;
    garbled.fill(0xff, sheet.dataOffset, sheet.dataOffset + sheet.compressedSize);
    const { job } = await runImport(bureau, 'markets', 'dry_run', { name: 'garbled.xlsx', data: garbled });
    expect(job).toMatchObject({ status: 'failed', outcome: null, error: { code: 'corrupt_spreadsheet' } });
    expect((await bureau.get('/api/auth/me')).statusCode).toBe(200);

    const empty = await runImport(bureau, 'markets', 'dry_run', { name: 'empty.xlsx', data: await xlsx([]) });
    expect(empty.job).toMatchObject({ status: 'failed', error: { code: 'empty_sheet' } });
    const noHeader = await runImport(bureau, 'markets', 'dry_run', { name: 'nohead.csv', data: Buffer.from('你好,世界\n1,2\n') });
    expect(noHeader.job).toMatchObject({ status: 'failed', error: { code: 'no_header' } });
    const wrongKind = await runImport(bureau, 'merchants', 'dry_run', { name: 'scales.csv', data: Buffer.from('出厂编号,所属市场,摊位号\nX,甲市场,A-01\n') });
    expect(wrongKind.job).toMatchObject({ status: 'failed', error: { code: 'missing_columns', message: expect.stringContaining('主体名称') } });
  });

  it('refuses a workbook that unpacks past its budget (a zip bomb) without reading it', async () => {
    const actor = (await t.ctx.auth.authenticate(bureau.cookie))!.actor;
    const service = createImportService({ db: t.ctx.dbHandle.db, registry: t.ctx.registry, maxFileBytes: 10 * 1024 * 1024, maxRows: 1000, maxUnzippedBytes: 1024 * 1024 });
    const bomb = await xlsx([['市场名称', '所属辖区'], ['炸'.repeat(3 * 1024 * 1024), '甲区']]);
    expect(bomb.length).toBeLessThan(200 * 1024);
    const started = await service.start({ actor, requestId: 'bomb' }, { kind: 'markets', mode: 'dry_run', skipInvalid: false, fileName: 'bomb.xlsx', data: bomb });
    await service.settled(started.id);
    expect(await service.get(actor, started.id)).toMatchObject({ status: 'failed', error: { code: 'unzipped_too_large' } });
  });

  it('answers a job only to the staff member who started it (and the administrator)', async () => {
    const res = await upload(inspA, 'markets', 'dry_run', { name: 'm.csv', data: Buffer.from('市场名称,所属辖区\n看一看市场,甲区\n') });
    const id = res.json().id as string;
    await finished(inspA, id);
    expect((await bureau.get(`/api/imports/${id}`)).statusCode).toBe(404);
    expect((await admin.get(`/api/imports/${id}`)).statusCode).toBe(200);
    expect((await inspA.get('/api/imports/00000000-0000-0000-0000-000000000000')).statusCode).toBe(404);
  });

  it('checks the form: kind, mode and a file are required', async () => {
    const f = form({ kind: 'cats', mode: 'dry_run' });
    const res = await bureau.request('POST', '/api/imports', f.body, f.headers);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.map((d: { field: string }) => d.field).sort()).toEqual(['file', 'kind']);
    const json = await bureau.post('/api/imports', { kind: 'markets' });
    expect(json.statusCode).toBe(415);
  });

  it('exports merchants within the caller\'s reach, and the export re-imports with only duplicate problems', async () => {
    const res = await inspA.get('/api/exports/merchants.xlsx');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain('attachment');
    const book = await readXlsx(res.rawPayload);
    expect(book.rows[0]).toEqual(COLUMNS.merchants.map((c) => c.header));
    const names = book.rows.slice(1).map((r) => r[1]);
    expect(names).toContain('甲海鲜');
    expect(names).not.toContain('乙水果');
    expect(book.rows.slice(1).every((r) => r[10] === '甲区')).toBe(true);

    const { job } = await runImport(inspA, 'merchants', 'dry_run', { name: 'export.xlsx', data: res.rawPayload });
    expect(job.rowsRead).toBe(book.rows.length - 1);
    expect(job.invalidRows).toBe(job.rowsRead);
    expect(job.problems.length).toBe(job.rowsRead);
    for (const p of job.problems) expect(p.reason).toMatch(/already registered/);
  });

  it('exports markets and scales that re-import with only duplicate problems', async () => {
    for (const k of ['markets', 'scales'] as const) {
      const res = await admin.get(`/api/exports/${k}.xlsx`);
      expect(res.statusCode).toBe(200);
      const book = await readXlsx(res.rawPayload);
      expect(book.rows[0]).toEqual(COLUMNS[k].map((c) => c.header));
      const { job } = await runImport(admin, k, 'dry_run', { name: `${k}.xlsx`, data: res.rawPayload });
      expect(job.rowsRead, k).toBe(book.rows.length - 1);
      expect(job.problems.length, k).toBe(job.rowsRead);
      for (const p of job.problems) expect(p.reason, `${k} ${JSON.stringify(p)}`).toMatch(/already registered/);
    }
    const scales = await readXlsx((await admin.get('/api/exports/scales.xlsx')).rawPayload);
    expect(scales.rows.find((r) => r[0] === 'IMP-S-1')).toEqual(expect.arrayContaining(['30', '甲海鲜', 'JD-1', '2026-01-05', '2027-01-04', '合格']));
  });

  it('keeps the audit chain intact', async () => {
    expect(await verifyAuditChain(t.ctx.dbHandle.db)).toMatchObject({ ok: true });
  });
});

describe.each(TEST_DB_KINDS)('import limits on %s', (kind) => {
  let t: TestApp;
  let bureau: Client;
  beforeAll(async () => {
    t = await createTestApp(kind, { IMPORT_MAX_FILE_MB: '1', IMPORT_MAX_ROWS: '5' });
    bureau = await t.as('bureau');
  });
  afterAll(async () => t?.close());

  it('answers 413 for a file over the size limit, and keeps answering', async () => {
    const big = Buffer.from('市场名称,所属辖区\n' + 'x'.repeat(1.5 * 1024 * 1024));
    const f = form({ kind: 'markets', mode: 'dry_run' }, { name: 'big.csv', data: big });
    const res = await bureau.request('POST', '/api/imports', f.body, f.headers);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
    expect((await bureau.get('/api/auth/me')).statusCode).toBe(200);
  });

  it('fails a file with more rows than allowed, with a clear error', async () => {
    const rows = Array.from({ length: 6 }, (_, i) => `限行市场${i},甲区`).join('\n');
    const f = form({ kind: 'markets', mode: 'dry_run' }, { name: 'rows.csv', data: Buffer.from(`市场名称,所属辖区\n${rows}\n`) });
    const res = await bureau.request('POST', '/api/imports', f.body, f.headers);
    expect(res.statusCode).toBe(202);
    let job: ImportJob = res.json();
    for (let i = 0; i < 1000 && job.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 10));
      job = (await bureau.get(`/api/imports/${job.id}`)).json();
    }
    expect(job).toMatchObject({ status: 'failed', error: { code: 'too_many_rows', message: expect.stringContaining('more than 5 rows') } });
  });
});
