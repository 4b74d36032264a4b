import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPGlite, openPostgres, type DbHandle } from '../db/connect.js';
import { migrate } from '../db/migrate.js';

export type TestDbKind = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too when DATABASE_URL names a server (as in CI). */
export const TEST_DB_KINDS: TestDbKind[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDb extends DbHandle {
  cleanup(): Promise<void>;
}

/** A fresh, migrated database of its own: an in-memory PGlite, or a new database on the server, dropped at cleanup. */
export async function openTestDb(kind: TestDbKind): Promise<TestDb> {
  if (kind === 'pglite') {
    const h = await openPGlite();
    await migrate(h);
    return { ...h, cleanup: () => h.close() };
  }
  const scratch = await createScratchDatabase(process.env.DATABASE_URL!);
  const h = openPostgres(scratch.url, 5);
  await migrate(h);
  return {
    ...h,
    cleanup: async () => {
      await h.close();
      await scratch.drop();
    },
  };
}

/** A new, empty database `<prefix>_<random>` on the server `url` names; `drop` removes it (once, forcing out whoever is connected). */
export async function createScratchDatabase(url: string, prefix = 'mashang_test'): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
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
