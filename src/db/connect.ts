import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Logger } from 'pino';
import { copyOf } from './copy.js';
import type { Database } from './database.js';
import { PgListener } from './listener.js';
import { PGliteDialect } from './pglite-dialect.js';

export type Db = Kysely<Database>;

export interface DbHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Raw SQL script execution (migrations): several statements in one call. */
  exec(sqlText: string): Promise<void>;
  /**
   * Hears NOTIFY on a channel (PGlite: in process; PostgreSQL: one dedicated connection that
   * reconnects, calling `onReconnect` because notifications may have been missed). Returns stop.
   */
  listen(channel: string, onPayload: (payload: string) => void, onReconnect: () => void, logger?: Logger): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

// The same JS types on both drivers: bigint as number (ids, counters stay below 2^53),
// date as 'YYYY-MM-DD' text (a calendar date has no time zone), numeric as text.
const INT8 = 20;
const DATE = 1082;
const NUMERIC = 1700;

export async function openPGlite(dataDir?: string): Promise<DbHandle> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    parsers: { [INT8]: (v: string) => Number(v), [DATE]: (v: string) => v, [NUMERIC]: (v: string) => v },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    exec: async (sqlText) => {
      await pglite.exec(sqlText);
    },
    listen: async (channel, onPayload) => {
      const unsubscribe = await pglite.listen(channel, (payload) => onPayload(payload));
      return async () => {
        await unsubscribe().catch(() => {});
      };
    },
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}

/**
 * A statement whose text starts with this comment is prepared once per connection and reused
 * (PostgreSQL: a named statement, so after a few runs the server keeps its generic plan instead
 * of parsing and planning it again). For the hot, fixed-text statements of the ingest writer and
 * the alert raiser, where planning cost more than executing. The text must not vary with the
 * data (arrays, not lists of parameters), or each variant would hold a statement of its own.
 */
export const PREPARED = '/* prepared */ ';

const statementNames = new Map<string, string>();
function statementName(text: string) {
  let name = statementNames.get(text);
  if (name === undefined) statementNames.set(text, (name = `mashang_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`));
  return name;
}

/** pg's client, naming the statements marked PREPARED and running those marked COPY_FROM_STDIN (Kysely passes text and values). */
class PreparingClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // The pool listens for errors only while a client is idle. One checked out (a transaction
    // between its statements) that loses its server emits 'error' with nobody listening, which
    // would crash the process. The client is then no longer queryable: its next statement fails,
    // and the pool discards it on release.
    this.on('error', () => {});
  }
  override query(...args: unknown[]): never {
    const [config, values, callback] = args;
    const copy = typeof config === 'string' && callback === undefined ? copyOf(config, values as unknown[] | undefined) : null;
    if (copy) {
      const stream = super.query(copyFrom(copy.statement));
      return new Promise((resolve, reject) => {
        stream.on('error', reject);
        // pg-copy-streams finishes once the server has confirmed the COPY.
        stream.on('finish', () => resolve({ command: 'COPY', rowCount: stream.rowCount, rows: [] }));
        stream.end(copy.rows);
      }) as never;
    }
    if (typeof config === 'string' && config.startsWith(PREPARED)) {
      return (super.query as (...a: unknown[]) => never)({ name: statementName(config), text: config, values }, ...(callback === undefined ? [] : [callback]));
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

export function openPostgres(url: string, poolSize = 10): DbHandle {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') => {
      if (oid === INT8) return (v: string) => Number(v);
      if (oid === DATE || oid === NUMERIC) return (v: string) => v;
      return pg.types.getTypeParser(oid, format as 'text');
    },
  };
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: types as never, Client: PreparingClient as never });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    exec: async (sqlText) => {
      await pool.query(sqlText);
    },
    listen: async (channel, onPayload, onReconnect, logger) => {
      const listener = new PgListener(url, channel, (p) => onPayload(p ?? ''), onReconnect, logger);
      await listener.start();
      return () => listener.stop();
    },
    close: async () => {
      await db.destroy();
    },
  };
}
