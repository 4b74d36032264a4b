import type { Db } from '../../db/connect.js';
import { getAuditHead, listAuditEntriesAfter } from './audit.repository.js';
import { GENESIS_HASH, verifyRun, type ChainBreak } from './audit.rules.js';

export type AuditVerification =
  | { ok: true; entries: number; headHash: string }
  | { ok: false; entries: number; break: ChainBreak };

/** Re-computes the whole chain and compares it with the head; reports the first break. Never throws on a broken chain. */
export async function verifyAuditChain(db: Db, pageSize = 5000): Promise<AuditVerification> {
  const head = await getAuditHead(db);
  let tail = { seq: 0, hash: GENESIS_HASH };
  for (;;) {
    const run = await listAuditEntriesAfter(db, tail.seq, pageSize);
    if (!run.length) break;
    const result = verifyRun(tail, run);
    if (!result.ok) return { ok: false, entries: tail.seq, break: result.break };
    tail = result.tail;
  }
  if (tail.seq !== head.seq || tail.hash !== head.hash) {
    return {
      ok: false,
      entries: tail.seq,
      break: {
        kind: 'truncated',
        seq: tail.seq + 1,
        message: `the chain ends at entry ${tail.seq} but the head records ${head.seq} entries: entries after ${tail.seq} were removed`,
      },
    };
  }
  return { ok: true, entries: tail.seq, headHash: tail.hash };
}
