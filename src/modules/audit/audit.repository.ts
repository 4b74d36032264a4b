import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { AuditLogRow, Database } from '../../db/database.js';
import { chainHash, type AuditEntry, type StoredAuditEntry } from './audit.rules.js';

export interface AuditWrite {
  staffId: number | null;
  action: string;
  entity: string;
  entityId: string | number;
  before?: unknown;
  after?: unknown;
  requestId: string;
}

// JSON round trip first, so what is hashed is exactly what jsonb gives back (Dates become text).
const plain = (v: unknown) => (v === undefined ? null : JSON.parse(JSON.stringify(v)));

/** Appends entries to the chain inside the caller's transaction; the head row lock orders writers. */
export async function appendAuditEntries(trx: Transaction<Database>, writes: readonly AuditWrite[]): Promise<void> {
  if (!writes.length) return;
  const head = await trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).forUpdate().executeTakeFirstOrThrow();
  let { seq, hash } = head;
  const at = new Date().toISOString();
  const rows = writes.map((w) => {
    const entry: AuditEntry = {
      seq: seq + 1,
      at,
      staffId: w.staffId,
      action: w.action,
      entity: w.entity,
      entityId: String(w.entityId),
      before: plain(w.before),
      after: plain(w.after),
      requestId: w.requestId,
    };
    const next = chainHash(hash, entry);
    const row = {
      seq: entry.seq,
      at: entry.at,
      staff_id: entry.staffId,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId,
      before: entry.before === null ? null : JSON.stringify(entry.before),
      after: entry.after === null ? null : JSON.stringify(entry.after),
      request_id: entry.requestId,
      prev_hash: hash,
      hash: next,
    };
    seq = entry.seq;
    hash = next;
    return row;
  });
  // Column arrays through unnest: one statement of a few parameters per chunk, however many rows.
  for (let i = 0; i < rows.length; i += 5000) {
    const chunk = rows.slice(i, i + 5000);
    const col = <K extends keyof (typeof chunk)[number]>(k: K) => chunk.map((r) => r[k]);
    await sql`insert into audit_log (seq, at, staff_id, action, entity, entity_id, before, after, request_id, prev_hash, hash)
      select * from unnest(${col('seq')}::bigint[], ${col('at')}::timestamptz[], ${col('staff_id')}::bigint[], ${col('action')}::text[],
        ${col('entity')}::text[], ${col('entity_id')}::text[], ${col('before')}::jsonb[], ${col('after')}::jsonb[],
        ${col('request_id')}::text[], ${col('prev_hash')}::text[], ${col('hash')}::text[])`.execute(trx);
  }
  await trx.updateTable('audit_head').set({ seq, hash }).where('id', '=', 1).execute();
}

export async function getAuditHead(db: Db) {
  return db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
}

/** Entries with seq > after, oldest first. */
export async function listAuditEntriesAfter(db: Db, after: number, limit: number): Promise<StoredAuditEntry[]> {
  const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>', after).orderBy('seq').limit(limit).execute();
  return rows.map(toStored);
}

export interface AuditQuery {
  entity?: string;
  entityId?: string;
  staffId?: number;
  limit: number;
  offset: number;
}

export async function searchAuditEntries(db: Db, q: AuditQuery) {
  let qb = db.selectFrom('audit_log');
  if (q.entity) qb = qb.where('entity', '=', q.entity);
  if (q.entityId) qb = qb.where('entity_id', '=', q.entityId);
  if (q.staffId !== undefined) qb = qb.where('staff_id', '=', q.staffId);
  const [rows, count] = await Promise.all([
    qb.selectAll().orderBy('seq', 'desc').limit(q.limit).offset(q.offset).execute(),
    qb.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toStored), total: count.n };
}

function toStored(r: AuditLogRow): StoredAuditEntry {
  return {
    seq: Number(r.seq),
    at: new Date(r.at).toISOString(),
    staffId: r.staff_id === null ? null : Number(r.staff_id),
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    before: r.before ?? null,
    after: r.after ?? null,
    requestId: r.request_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
