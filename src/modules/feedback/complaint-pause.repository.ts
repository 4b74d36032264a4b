/** The stored pauses of complaints' mediation clocks (migration 0103): plain functions of a db or transaction. */
import type { Selectable, Transaction } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/database.js';
import type { PauseKind } from './complaint-pause.rules.js';

type Q = Db | Transaction<Database>;
export type PauseRow = Selectable<Database['complaint_pause']>;

// Well under PostgreSQL's 65,535 bind parameters per statement.
const IDS_PER_QUERY = 10_000;

/** The pauses of each complaint, oldest first; a complaint with none is absent from the map. */
export async function findPausesOf(q: Q, complaintIds: readonly number[]): Promise<Map<number, PauseRow[]>> {
  const byComplaint = new Map<number, PauseRow[]>();
  const ids = [...new Set(complaintIds)];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const rows = await q
      .selectFrom('complaint_pause')
      .selectAll()
      .where('complaint_id', 'in', ids.slice(i, i + IDS_PER_QUERY))
      .orderBy('complaint_id')
      .orderBy('started_on')
      .orderBy('id')
      .execute();
    for (const r of rows) {
      const list = byComplaint.get(r.complaint_id);
      if (list) list.push(r);
      else byComplaint.set(r.complaint_id, [r]);
    }
  }
  return byComplaint;
}

/** One complaint's pauses with the display names of who started and ended each, oldest first. */
export function findPausesWithStaff(q: Q, complaintId: number) {
  return q
    .selectFrom('complaint_pause as p')
    .leftJoin('staff as s1', 's1.id', 'p.started_by')
    .leftJoin('staff as s2', 's2.id', 'p.ended_by')
    .selectAll('p')
    .select(['s1.display_name as started_by_name', 's2.display_name as ended_by_name'])
    .where('p.complaint_id', '=', complaintId)
    .orderBy('p.started_on')
    .orderBy('p.id')
    .execute();
}

export function insertPause(q: Q, p: { complaintId: number; kind: PauseKind; reason: string; startedOn: string; startedBy: number; at: Date }) {
  return q
    .insertInto('complaint_pause')
    .values({ complaint_id: p.complaintId, kind: p.kind, reason: p.reason, started_on: p.startedOn, started_by: p.startedBy, started_at: p.at })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Ends the complaint's pause under way, if there is one; returns it as ended, or undefined. */
export function endOpenPause(q: Q, complaintId: number, e: { endedOn: string; endedBy: number; at: Date }) {
  return q
    .updateTable('complaint_pause')
    .set({ ended_on: e.endedOn, ended_by: e.endedBy, ended_at: e.at })
    .where('complaint_id', '=', complaintId)
    .where('ended_on', 'is', null)
    .returningAll()
    .executeTakeFirst();
}
