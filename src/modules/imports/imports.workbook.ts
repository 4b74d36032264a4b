/**
 * Workbooks we write: the empty import templates and the exports, which share their columns so an
 * export can be imported again. Exports stream from the database page by page into exceljs's
 * WorkbookWriter, so their size is not bounded by memory.
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Db } from '../../db/connect.js';
import type { Reach } from '../auth/index.js';
import { BUSINESS_CATEGORIES, listMarketsForExport, listMerchantsForExport, listScalesForExport } from '../registry/index.js';
import { COLUMNS, KIND_LABELS, type ColumnDef, type ImportKind } from './imports.columns.js';
import { STATUS_LABELS } from './imports.rules.js';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const EXPORT_PAGE = 5000;
// Columns holding codes are formatted as text, so Excel keeps long digit strings and leading zeros.
const TEXT_COLUMNS = new Set(['uscc', 'merchantUscc', 'contactPhone', 'stall', 'serialNo', 'licenceNumbers', 'typeApprovalNo', 'certificateNo']);
const DATE_COLUMNS = new Set(['verifiedOn', 'validUntil']);

// The streaming writer's sheets need commit(); exceljs's types omit dataValidations.
type Sheet = ExcelJS.Worksheet & { commit?: () => void; dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } };

function addDataSheet(wb: ExcelJS.Workbook, kind: ImportKind): Sheet {
  const cols = COLUMNS[kind];
  const ws = wb.addWorksheet(KIND_LABELS[kind].zh, { views: [{ state: 'frozen', ySplit: 1 }] }) as Sheet;
  ws.columns = cols.map((c) => ({
    key: c.key,
    width: c.width,
    style: TEXT_COLUMNS.has(c.key) ? { numFmt: '@' } : DATE_COLUMNS.has(c.key) ? { numFmt: 'yyyy-mm-dd' } : {},
  }));
  const header = ws.addRow(cols.map((c) => c.header));
  header.eachCell((cell, n) => {
    const c = cols[n - 1]!;
    cell.font = { bold: true, color: { argb: c.required ? 'FFC00000' : 'FF000000' } };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
    cell.numFmt = 'General';
  });
  header.commit();
  return ws;
}

function addInstructionsSheet(wb: ExcelJS.Workbook, kind: ImportKind, maxRows: number) {
  const ws = wb.addWorksheet('填写说明 Instructions') as Sheet;
  ws.columns = [{ width: 24 }, { width: 22 }, { width: 60 }, { width: 60 }, { width: 22 }];
  const bold = (r: ExcelJS.Row) => {
    r.font = { bold: true };
    r.commit();
  };
  bold(ws.addRow([`${KIND_LABELS[kind].zh}导入说明 (how to fill in the ${KIND_LABELS[kind].en} list)`]));
  for (const line of [
    '第一行是表头，请勿修改列名；列的顺序可以调整，不需要的非必填列可以删除。 (Row 1 holds the column names: keep them. Columns may be reordered; optional columns may be removed.)',
    `每次最多导入 ${maxRows} 行；也可导入 UTF-8 或 GBK 编码的 CSV 文件，表头相同。 (At most ${maxRows} rows per import; CSV files in UTF-8 or GBK with the same header work too.)`,
    '导入前请先“试导入”：系统会列出每一行的问题，全部改正后再正式导入。 (Run a dry run first: it lists every problem by row and column; fix them, then import.)',
    '日期可写作 2026-05-01、2026/5/1 或 2026年5月1日。 (Dates may be written 2026-05-01, 2026/5/1 or 2026年5月1日.)',
    '红色列名为必须有的列。 (Column names in red must be present.)',
  ])
    ws.addRow([line]).commit();
  ws.addRow([]).commit();
  bold(ws.addRow(['列名 Column', '必填 Required', '说明', 'Description', '示例 Example']));
  for (const c of COLUMNS[kind]) ws.addRow([c.header, c.mandatory, c.zh, c.en, c.example]).commit();
  ws.commit?.();
}

/** Offers the fixed lists as drop-downs (a warning, not a block: English values are accepted too). */
function addChoices(ws: Sheet, cols: readonly ColumnDef[], lastRow: number) {
  cols.forEach((c, i) => {
    if (!c.choices) return;
    const letter = ws.getColumn(i + 1).letter;
    ws.dataValidations.add(`${letter}2:${letter}${lastRow}`, {
      type: 'list',
      allowBlank: true,
      formulae: [`"${c.choices.join(',')}"`],
      showErrorMessage: true,
      errorStyle: 'warning',
      error: '请从列表中选择 (choose from the list)',
    });
  });
}

/** An empty template: the data sheet with its header, and a sheet explaining every column. */
export async function buildTemplate(kind: ImportKind, maxRows: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Mashang (码上)';
  const ws = addDataSheet(wb, kind);
  addChoices(ws, COLUMNS[kind], Math.min(maxRows, 100_000) + 1);
  addInstructionsSheet(wb, kind, maxRows);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const categoryLabel = (key: string) => (BUSINESS_CATEGORIES as Record<string, { zh: string }>)[key]?.zh ?? key;
const utcDate = (d: string | null) => (d ? new Date(`${d}T00:00:00Z`) : null);

/** Writes every record of a kind within reach to `out` as an .xlsx with the template's columns; ends `out`. */
export async function writeExport(db: Db, reach: Reach, kind: ImportKind, out: Writable, maxRows: number): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Mashang (码上)';
  const ws = addDataSheet(wb as unknown as ExcelJS.Workbook, kind);
  let after = 0;
  for (;;) {
    const rows = await page(db, reach, kind, after);
    if (!rows.length) break;
    for (const r of rows) ws.addRow(r.values).commit();
    after = rows[rows.length - 1]!.id;
  }
  ws.commit?.();
  addInstructionsSheet(wb as unknown as ExcelJS.Workbook, kind, maxRows);
  await wb.commit();
}

async function page(db: Db, reach: Reach, kind: ImportKind, after: number): Promise<{ id: number; values: unknown[] }[]> {
  switch (kind) {
    case 'markets':
      return (await listMarketsForExport(db, reach, after, EXPORT_PAGE)).map((m) => ({
        id: m.id,
        values: [m.name, m.district_name, m.address, m.managing_org, m.contact_name, m.contact_phone],
      }));
    case 'merchants':
      return (await listMerchantsForExport(db, reach, after, EXPORT_PAGE)).map((m) => ({
        id: m.id,
        values: [
          m.uscc ?? '',
          m.name,
          m.legal_rep,
          m.entity_type,
          m.address,
          m.categories.map(categoryLabel).join('、'),
          m.licence_numbers.join('、'),
          m.market_name ?? '',
          m.stall_number ?? '',
          STATUS_LABELS[m.status] ?? m.status,
          m.district_name,
        ],
      }));
    case 'scales':
      return (await listScalesForExport(db, reach, after, EXPORT_PAGE)).map((s) => ({
        id: s.id,
        values: [
          s.serial_no,
          s.manufacturer,
          s.model,
          s.max_capacity_g / 1000,
          s.division_g,
          s.accuracy_class,
          s.type_approval_no,
          s.is_iot ? '是' : '否',
          s.merchant_uscc ?? '',
          s.merchant_name ?? '',
          s.market_name ?? '',
          s.stall_number ?? '',
          s.district_name,
          s.v_certificate_no ?? '',
          s.v_institution ?? '',
          utcDate(s.v_verified_on),
          utcDate(s.v_valid_until),
          s.v_result ? (s.v_result === 'pass' ? '合格' : '不合格') : '',
        ],
      }));
  }
}
