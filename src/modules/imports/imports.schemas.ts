import { Type } from 'typebox';
import { ErrorBody, Nullable } from '../../http/schemas.js';
import { IMPORT_KINDS } from './imports.columns.js';
import { XLSX_MIME } from './imports.workbook.js';

const lit = <T extends readonly string[]>(xs: T) => Type.Union(xs.map((x) => Type.Literal(x)));

export const Problem = Type.Object({
  row: Type.Integer({ description: 'row number as the spreadsheet shows it; the header is row 1' }),
  column: Type.String({ description: 'header text as in the file' }),
  value: Type.String(),
  reason: Type.String({ description: 'Chinese, then English in parentheses' }),
});

export const ImportJob = Type.Object({
  id: Type.String(),
  kind: lit(IMPORT_KINDS),
  mode: lit(['dry_run', 'commit'] as const),
  skipInvalid: Type.Boolean(),
  fileName: Type.String(),
  status: lit(['running', 'done', 'failed'] as const),
  phase: lit(['reading', 'validating', 'writing', 'done'] as const),
  rowsRead: Type.Integer(),
  rowsTotal: Nullable(Type.Integer()),
  validRows: Type.Integer(),
  invalidRows: Type.Integer(),
  importedRows: Type.Integer(),
  outcome: Nullable(lit(['dry_run', 'imported', 'rejected'] as const)),
  problems: Type.Array(Problem, { description: 'the first 1000 problems' }),
  problemCount: Type.Integer(),
  error: Nullable(Type.Object({ code: Type.String(), message: Type.String() }, { description: 'why the whole file failed' })),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
});

/** For the OpenAPI document only: the multipart body is read part by part in the handler. */
export const ImportBody = Type.Object({
  kind: lit(IMPORT_KINDS),
  mode: lit(['dry_run', 'commit'] as const),
  skipInvalid: Type.Optional(lit(['true', 'false'] as const)),
  file: Type.String({ format: 'binary', description: '.xlsx or .csv (UTF-8, UTF-16 or GBK)' }),
});

export const JobParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const XlsxFile = {
  description: 'An Excel workbook',
  content: { [XLSX_MIME]: { schema: { type: 'string', format: 'binary' } } },
};

export const uploadErrors = { 413: ErrorBody, 415: ErrorBody, 429: ErrorBody };
