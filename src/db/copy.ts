import { sql, type Kysely } from 'kysely';

/**
 * Bulk loading with COPY ... FROM STDIN, inside whatever transaction the caller holds. A statement
 * whose text starts with this comment carries its rows, in COPY's text format, as its one
 * parameter; the drivers (pg's client in connect.ts, the PGlite dialect) run it as a COPY. On
 * PostgreSQL a COPY costs the server a fraction of an INSERT of the same rows.
 */
export const COPY_FROM_STDIN = '/* copy from stdin */ ';

/** The COPY statement and its rows, when a compiled statement is one of ours. */
export function copyOf(text: string, values: readonly unknown[] | undefined): { statement: string; rows: string } | null {
  if (!text.startsWith(COPY_FROM_STDIN)) return null;
  const end = text.lastIndexOf('$1');
  const rows = values?.[0];
  if (end < 0 || typeof rows !== 'string') throw new Error('a COPY statement carries its rows as its one text parameter');
  return { statement: text.slice(COPY_FROM_STDIN.length, end).trimEnd(), rows };
}

/** Loads `rows` (COPY text format: one line per row, tab between columns, see CopyRows) into `table`. */
export async function copyRows(q: Kysely<any>, table: string, columns: readonly string[], rows: string): Promise<void> {
  if (!rows) return;
  await sql`${sql.raw(`${COPY_FROM_STDIN}copy ${table} (${columns.join(', ')}) from stdin`)} ${rows}`.execute(q);
}

const SPECIAL = /[\\\n\r\t]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Rows in COPY's text format, built as values come. Each row is ended with `end()`. */
export class CopyRows {
  private s = '';
  private first = true;
  /** A number or boolean, or NULL. */
  plain(v: number | boolean | null): this {
    this.s += (this.first ? '' : '\t') + (v === null ? '\\N' : v === true ? 't' : v === false ? 'f' : String(v));
    this.first = false;
    return this;
  }
  /** Text (backslash, newline, carriage return and tab escaped), or NULL. */
  text(v: string | null): this {
    this.s += (this.first ? '' : '\t') + (v === null ? '\\N' : SPECIAL.test(v) ? v.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]!) : v);
    this.first = false;
    return this;
  }
  /** Ends the row. */
  end(): void {
    this.s += '\n';
    this.first = true;
  }
  toString(): string {
    return this.s;
  }
}
