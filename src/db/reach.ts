import { sql, type RawBuilder } from 'kysely';
import type { Reach } from '../modules/auth/auth.rules.js';

/**
 * A reach predicate over a table's district and market columns: everything, a set of districts,
 * or (market managers) a set of markets. One indexed predicate, so lists filter in SQL.
 */
export function reachFilter(reach: Reach, districtCol: string, marketCol: string): RawBuilder<boolean> {
  if (reach.kind === 'all') return sql<boolean>`true`;
  const [col, ids] = reach.kind === 'districts' ? [districtCol, reach.districtIds] : [marketCol, reach.marketIds];
  return ids.length ? sql<boolean>`${sql.ref(col)} in (${sql.join(ids)})` : sql<boolean>`false`;
}
