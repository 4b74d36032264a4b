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
  const adminUrl = process.env.DATABASE_URL!;
  const name = `mashang_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const h = openPostgres(url.toString(), 5);
  await migrate(h);
  return {
    ...h,
    cleanup: async () => {
      await h.close();
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
