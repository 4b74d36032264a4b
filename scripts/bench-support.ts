/** What the benchmarks share: a scratch database on the DATABASE_URL server, or PGlite in memory. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPGlite, openPostgres, type DbHandle } from '../src/db/connect.js';

/** A new database `mashang_bench_<random>` on the server `url` names; `drop` removes it (once). */
export async function createScratchDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `mashang_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  let dropped = false;
  return {
    url: u.toString(),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** PostgreSQL (a scratch database) when `url` is given, else PGlite in memory. */
export async function openBenchDb(url: string | undefined, poolSize: number): Promise<{ handle: DbHandle; kind: 'pglite' | 'postgres'; url?: string; drop: () => Promise<void> }> {
  if (!url) return { handle: await openPGlite(), kind: 'pglite', drop: async () => {} };
  const scratch = await createScratchDatabase(url);
  return { handle: openPostgres(scratch.url, poolSize), kind: 'postgres', url: scratch.url, drop: scratch.drop };
}
