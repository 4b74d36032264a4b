import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { DbHandle } from './connect.js';
import { migrations } from './migrations/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled code runs from dist/, the SQL stays in src/ (copied by the build).
const migrationsDir = path.join(here, 'migrations');

/** Applies pending migrations in order, once each, under a lock so parallel instances do not race. */
export async function migrate(handle: DbHandle): Promise<string[]> {
  const { db } = handle;
  await handle.exec(`create table if not exists schema_migration (name text primary key, applied_at timestamptz not null default now())`);
  const applied: string[] = [];
  await db.transaction().execute(async (trx) => {
    if (handle.kind === 'postgres') await sql`select pg_advisory_xact_lock(7311001)`.execute(trx);
    const done = new Set((await sql<{ name: string }>`select name from schema_migration`.execute(trx)).rows.map((r) => r.name));
    for (const name of migrations) {
      if (done.has(name)) continue;
      const text = fs.readFileSync(path.join(migrationsDir, name), 'utf8');
      await sql.raw(text).execute(trx);
      await sql`insert into schema_migration (name) values (${name})`.execute(trx);
      applied.push(name);
    }
  });
  return applied;
}
