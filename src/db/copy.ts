import { sql, type Kysely } from 'kysely';
import { ByteWriter } from '../shared/byte-writer.js';

/**
 * Bulk loading with COPY ... FROM STDIN, inside whatever transaction the caller holds. A statement
 * whose text starts with this comment carries its rows, in COPY's text format, as its one
 * parameter; the drivers (pg's client in connect.ts, the PGlite dialect) run it as a COPY. On
 * PostgreSQL a COPY costs the server a fraction of an INSERT of the same rows.
 */
export const COPY_FROM_STDIN = '/* copy from stdin */ ';

/** The COPY statement and its rows, when a compiled statement is one of ours. */
export function copyOf(text: string, values: readonly unknown[] | undefined): { statement: string; rows: string | Buffer } | null {
  if (!text.startsWith(COPY_FROM_STDIN)) return null;
  const end = text.lastIndexOf('$1');
  const rows = values?.[0];
  if (end < 0 || (typeof rows !== 'string' && !Buffer.isBuffer(rows))) throw new Error('a COPY statement carries its rows as its one text parameter');
  return { statement: text.slice(COPY_FROM_STDIN.length, end).trimEnd(), rows };
}

/** Loads `rows` (COPY text format, UTF-8: one line per row, tab between columns, see CopyRows) into `table`. */
export async function copyRows(q: Kysely<any>, table: string, columns: readonly string[], rows: string | Buffer): Promise<void> {
  if (!rows.length) return;
  await sql`${sql.raw(`${COPY_FROM_STDIN}copy ${table} (${columns.join(', ')}) from stdin`)} ${rows}`.execute(q);
}

const SPECIAL = /[\\\n\r\t]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Rows in COPY's text format, written as UTF-8 bytes as values come. Each row is ended with `end()`. */
export class CopyRows {
  private readonly w = new ByteWriter(64 * 1024);
  private first = true;
  private sep() {
    if (this.first) this.first = false;
    else this.w.byte(9);
  }
  /** A number or boolean, or NULL. */
  plain(v: number | boolean | null): this {
    this.sep();
    if (v === null) this.w.utf8('\\N');
    else if (typeof v === 'boolean') this.w.byte(v ? 116 : 102);
    else this.w.int(v);
    return this;
  }
  /** Text (backslash, newline, carriage return and tab escaped), or NULL. */
  text(v: string | null): this {
    this.sep();
    this.w.utf8(v === null ? '\\N' : SPECIAL.test(v) ? v.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]!) : v);
    return this;
  }
  /** Ends the row. */
  end(): void {
    this.w.byte(10);
    this.first = true;
  }
  /** The rows written so far: a view on the builder's own buffer. */
  toBuffer(): Buffer {
    return this.w.bytes();
  }
  toString(): string {
    return this.w.bytes().toString('utf8');
  }
}
