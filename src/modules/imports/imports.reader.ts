/**
 * Reads a spreadsheet as sheets of rows: .xlsx through exceljs's streaming WorkbookReader, after
 * inflating every zip entry once with a size budget (a zip bomb stops there, not in exceljs);
 * CSV through csv-parse. Failures are AppErrors with a stable code and words for people.
 */
import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse';
import { AppError } from '../../shared/errors.js';
import { toCell, type Cell, type RowCells } from './imports.rules.js';
import { decodeText, reorderZip, type Encoding, type ZipDirectory, type ZipEntry } from './imports.sniff.js';

export interface SheetSource {
  name: string;
  rows: AsyncIterable<RowCells>;
}

export interface OpenedSpreadsheet {
  /** The last row number the first worksheet claims, or the CSV's line count: for progress only. */
  lastRow: number | null;
  sheets(): AsyncIterable<SheetSource>;
}

export const fileError = (code: string, message: string) => new AppError(code, message, 400);
const damaged = () => fileError('corrupt_spreadsheet', 'Excel 文件已损坏，无法读取，请用 Excel 重新保存后再试 (the Excel file is damaged and cannot be read: save it again in Excel and retry)');

/** How long reading may go without a row before the file counts as damaged. */
const STALL_MS = 60_000;

// What exceljs must have read before a worksheet to stream it instead of spooling it to disk.
const READ_FIRST = ['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/styles.xml', 'xl/sharedStrings.xml'];

export async function openXlsx(buf: Buffer, zip: Extract<ZipDirectory, { ok: true }>, maxUnzippedBytes: number): Promise<OpenedSpreadsheet> {
  const { lastRow } = await inflateAll(buf, zip.entries, maxUnzippedBytes);
  const ordered = reorderZip(buf, zip, READ_FIRST);
  return {
    lastRow,
    sheets: () => xlsxSheets(ordered),
  };
}

/**
 * Inflates every entry, counting bytes against the budget and checking each against its declared
 * size, so exceljs only ever sees an archive that is whole and of bounded size. Returns the first
 * worksheet's last row, from its <dimension> or else its last <row r="…">, for progress.
 */
async function inflateAll(buf: Buffer, entries: readonly ZipEntry[], budget: number): Promise<{ lastRow: number | null }> {
  let total = 0;
  let lastRow: number | null = null;
  const tooBig = () =>
    fileError('unzipped_too_large', `文件解压后超过 ${Math.round(budget / 1024 / 1024)} MB，可能是压缩炸弹，已拒绝 (the workbook unpacks to more than ${Math.round(budget / 1024 / 1024)} MB and was refused as a possible zip bomb)`);
  for (const e of entries) {
    if (e.name.endsWith('/') && e.compressedSize === 0) continue;
    const data = buf.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
    const isSheet = /^xl\/worksheets\/sheet\d+\.xml$/.test(e.name);
    const isFirstSheet = e.name === 'xl/worksheets/sheet1.xml';
    // A sheet's first chunk and last two: enough to find how many rows it has, and that it ends.
    const kept: { first: Buffer | null; before: Buffer | null; last: Buffer | null } = { first: null, before: null, last: null };
    const keep = (chunk: Buffer) => {
      if (!kept.first) kept.first = chunk;
      else [kept.before, kept.last] = [kept.last, chunk];
    };
    let size = 0;
    if (e.method === 0) {
      size = data.length;
      if (total + size > budget) throw tooBig();
      if (isSheet) keep(data);
    } else if (e.method === 8) {
      size = await new Promise<number>((resolve, reject) => {
        const inflate = createInflateRaw();
        let n = 0;
        let failed = false;
        inflate.on('data', (chunk: Buffer) => {
          if (isSheet) keep(chunk);
          n += chunk.length;
          if (total + n > budget && !failed) {
            failed = true;
            inflate.destroy();
            reject(tooBig());
          }
        });
        inflate.on('error', () => {
          if (!failed) {
            failed = true;
            reject(damaged());
          }
        });
        inflate.on('end', () => resolve(n));
        inflate.end(data);
      });
    } else {
      throw damaged();
    }
    if (size !== e.size) throw damaged();
    total += size;
    if (isSheet) {
      const { first, before, last } = kept;
      const tail = (last ? Buffer.concat(before ? [before, last] : [last]) : (first ?? Buffer.alloc(0))).subarray(-16384).toString('latin1');
      // The XML parser stops quietly at the end of its input: a sheet cut short would lose rows unnoticed.
      if (!/<\/(?:\w+:)?worksheet>\s*$/.test(tail)) throw damaged();
      if (isFirstSheet && first) lastRow = sheetRows(first.subarray(0, 4096).toString('latin1'), tail);
    }
  }
  return { lastRow };
}

function sheetRows(head: string, tail: string): number | null {
  const dim = /<dimension\s+ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"/.exec(head);
  if (dim?.[1]) return Number(dim[1]);
  const rows = [...tail.matchAll(/<row\s[^>]*?\br="(\d+)"/g)];
  return rows.length ? Number(rows[rows.length - 1]![1]) : null;
}

async function* xlsxSheets(buf: Buffer): AsyncGenerator<SheetSource> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([buf]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Styles tell dates from numbers.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  // A workbook without shared strings (inline strings, as exports are) would otherwise send every
  // sheet to a temporary file: with an empty table set up front, the sheets stream. When the file
  // has shared strings, they come first (see READ_FIRST) and replace this table.
  (reader as unknown as { sharedStrings: unknown[] }).sharedStrings = [];
  try {
    for await (const ws of stallGuard(reader as AsyncIterable<ExcelJS.stream.xlsx.WorksheetReader>)) {
      const sheet = ws as unknown as { name?: string; state?: string } & AsyncIterable<ExcelJS.Row>;
      yield { name: sheet.name ?? '', rows: sheet.state === 'hidden' || sheet.state === 'veryHidden' ? hidden(sheet) : xlsxRows(sheet) };
    }
  } catch (e) {
    throw e instanceof AppError ? e : damaged();
  }
}

/** A hidden sheet is read (exceljs must get past it) but yields nothing. */
async function* hidden(rows: AsyncIterable<unknown>): AsyncGenerator<RowCells> {
  for await (const _ of rows) {
    // drained
  }
}

async function* xlsxRows(rows: AsyncIterable<ExcelJS.Row>): AsyncGenerator<RowCells> {
  let last = 0;
  try {
    for await (const row of stallGuard(rows)) {
      const values = row.values as unknown[];
      const cells: Cell[] = [];
      for (let i = 1; i < values.length; i++) cells.push(toCell(values[i]));
      last = Number.isFinite(row.number) && row.number > last ? row.number : last + 1;
      yield { row: last, cells };
    }
  } catch (e) {
    throw e instanceof AppError ? e : damaged();
  }
}

/**
 * Re-yields an async iterable, failing as damaged when it gives nothing for STALL_MS (time spent
 * by the consumer does not count). One interval timer per iterable, not one per item.
 */
async function* stallGuard<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let waitingSince = Date.now();
  let stall!: (e: AppError) => void;
  const stalled = new Promise<never>((_, reject) => (stall = reject));
  stalled.catch(() => {});
  const timer = setInterval(() => {
    if (Date.now() - waitingSince > STALL_MS) stall(damaged());
  }, 1000);
  timer.unref();
  try {
    for (;;) {
      waitingSince = Date.now();
      const next = await Promise.race([it.next(), stalled]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    clearInterval(timer);
    void Promise.resolve(it.return?.()).catch(() => {});
  }
}

export function openCsv(buf: Buffer, encoding: Encoding): OpenedSpreadsheet {
  const text = decodeText(buf, encoding);
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  if (text.length && !text.endsWith('\n')) lines++;
  return {
    lastRow: lines,
    sheets: async function* () {
      yield { name: 'csv', rows: csvRows(text) };
    },
  };
}

/** The delimiter the header line uses most: comma, tab or semicolon. */
export function csvDelimiter(text: string): string {
  const first = text.slice(0, Math.max(0, text.indexOf('\n')) || text.length);
  let best = ',';
  let bestCount = 0;
  for (const d of [',', '\t', ';']) {
    const n = first.split(d).length - 1;
    if (n > bestCount) [best, bestCount] = [d, n];
  }
  return best;
}

async function* csvRows(text: string): AsyncGenerator<RowCells> {
  const parser = parse({ delimiter: csvDelimiter(text), bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false, skip_records_with_error: false });
  const chunks = (function* () {
    for (let i = 0; i < text.length; i += 1 << 16) yield text.slice(i, i + (1 << 16));
  })();
  const source = Readable.from(chunks);
  source.on('error', (e) => parser.destroy(e));
  source.pipe(parser);
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row++;
      yield { row, cells: record };
    }
  } catch (e) {
    const err = e as { code?: string; lines?: number; message?: string };
    throw fileError('bad_csv', `CSV 文件第${err.lines ?? row + 1}行格式错误 (CSV syntax error at line ${err.lines ?? row + 1}: ${err.message ?? 'unreadable'})`);
  } finally {
    source.destroy();
    parser.destroy();
  }
}
