/** What the benchmarks share: a scratch database on the DATABASE_URL server, or PGlite. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openPGlite, openPostgres, type DbHandle } from '../src/db/connect.js';
import { createScratchDatabase as createScratch } from '../src/test-support/db.js';

/** A new database `mashang_bench_<random>` on the server `url` names; `drop` removes it (once). */
export const createScratchDatabase = (url: string) => createScratch(url, 'mashang_bench');

/**
 * PostgreSQL (a scratch database) when `url` is given, else PGlite: in memory, or with `pgliteOnDisk`
 * in a scratch folder as `npm start` keeps it (so the process's memory is the platform's, not the data's).
 */
export async function openBenchDb(url: string | undefined, poolSize: number, opts: { pgliteOnDisk?: boolean } = {}): Promise<{ handle: DbHandle; kind: 'pglite' | 'postgres'; url?: string; drop: () => Promise<void> }> {
  if (!url) {
    if (!opts.pgliteOnDisk) return { handle: await openPGlite(), kind: 'pglite', drop: async () => {} };
    const dir = await mkdtemp(path.join(tmpdir(), 'mashang-bench-pglite-'));
    return { handle: await openPGlite(dir), kind: 'pglite', drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const scratch = await createScratchDatabase(url);
  return { handle: openPostgres(scratch.url, poolSize), kind: 'postgres', url: scratch.url, drop: scratch.drop };
}

/**
 * CPU seconds used so far by every process whose command name is one of `names` (Linux /proc;
 * elsewhere 0), summed per name: where the machine's cores went during a benchmark step.
 */
export async function processCpuSeconds(names: readonly string[]): Promise<Record<string, number>> {
  const { readdir, readFile } = await import('node:fs/promises');
  const out: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  await Promise.all(
    pids.map(async (pid) => {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
      if (!stat) return;
      // comm is in parentheses and may hold spaces; the fields after it are space-separated.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      if (!(comm in out)) return;
      const f = stat.slice(close + 2).split(' ');
      out[comm]! += (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks (USER_HZ 100)
    }),
  );
  return out;
}
