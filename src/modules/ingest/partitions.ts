import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Daily partitions of `sale` from `back` days ago to `ahead` days on (UTC days), created before
 * any sale can fall in them so the default partition stays empty. Idempotent.
 */
export async function ensureSalePartitions(db: Db, at: Date, back: number, ahead: number): Promise<number> {
  const existing = new Set(
    (await sql<{ name: string }>`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent where p.relname = 'sale'`.execute(db)).rows.map((r) => r.name),
  );
  let created = 0;
  for (let i = -back; i <= ahead; i++) {
    const from = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + i));
    const to = new Date(from.getTime() + 86_400_000);
    const name = `sale_p${day(from).replace(/-/g, '')}`;
    if (existing.has(name)) continue;
    try {
      await sql.raw(`create table if not exists ${name} partition of sale for values from ('${day(from)}') to ('${day(to)}')`).execute(db);
      created++;
    } catch (e) {
      // Another instance made it first; or the default partition already holds rows of that day,
      // which then simply stay there (correct, just not pruned).
      if (!/already exists|would be violated/.test(String((e as Error).message))) throw e;
    }
  }
  return created;
}
