import { createHash } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  seq: number;
  at: string; // ISO time, millisecond precision
  staffId: number | null;
  action: string;
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
  requestId: string;
}

/** hash = sha256(prevHash || canonical JSON of the entry), hex. */
export function chainHash(prevHash: string, entry: AuditEntry): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(entry)).digest('hex');
}

export interface StoredAuditEntry extends AuditEntry {
  prevHash: string;
  hash: string;
}

export type ChainBreak =
  | { kind: 'missing'; seq: number; message: string }
  | { kind: 'altered'; seq: number; message: string }
  | { kind: 'relinked'; seq: number; message: string }
  | { kind: 'truncated'; seq: number; message: string };

/**
 * Walks a run of stored entries that should follow `prev` (seq and hash of the entry before the
 * run). Returns the first break, or the new tail when the run is intact. Never throws.
 */
export function verifyRun(
  prev: { seq: number; hash: string },
  run: readonly StoredAuditEntry[],
): { ok: true; tail: { seq: number; hash: string } } | { ok: false; break: ChainBreak } {
  let tail = prev;
  for (const e of run) {
    if (e.seq !== tail.seq + 1) {
      return { ok: false, break: { kind: 'missing', seq: tail.seq + 1, message: `entry ${tail.seq + 1} is missing (next present is ${e.seq})` } };
    }
    if (e.prevHash !== tail.hash) {
      return { ok: false, break: { kind: 'relinked', seq: e.seq, message: `entry ${e.seq} does not link to entry ${tail.seq}` } };
    }
    const { prevHash: _p, hash, ...entry } = e;
    if (chainHash(tail.hash, entry) !== hash) {
      return { ok: false, break: { kind: 'altered', seq: e.seq, message: `entry ${e.seq} was altered after it was written` } };
    }
    tail = { seq: e.seq, hash };
  }
  return { ok: true, tail };
}
