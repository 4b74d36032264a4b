import type { Db } from '../../db/connect.js';
import type { ImportKind } from './imports.columns.js';
import type { Problem } from './imports.rules.js';

export type ImportMode = 'dry_run' | 'commit';
export type JobStatus = 'running' | 'done' | 'failed';
export type JobPhase = 'reading' | 'validating' | 'writing' | 'done';
export type JobOutcome = 'dry_run' | 'imported' | 'rejected';

/** An import job as the service keeps it; the API shape is presented from it. */
export interface JobState {
  id: string;
  staffId: number;
  requestId: string;
  kind: ImportKind;
  mode: ImportMode;
  skipInvalid: boolean;
  fileName: string;
  status: JobStatus;
  phase: JobPhase;
  rowsRead: number;
  rowsTotal: number | null;
  validRows: number;
  invalidRows: number;
  importedRows: number;
  outcome: JobOutcome | null;
  problems: Problem[];
  problemCount: number;
  error: { code: string; message: string } | null;
  startedAt: Date;
  finishedAt: Date | null;
  updatedAt: Date;
}

const json = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);

export async function insertJob(db: Db, j: JobState): Promise<void> {
  await db
    .insertInto('import_job')
    .values({
      id: j.id,
      staff_id: j.staffId,
      request_id: j.requestId,
      kind: j.kind,
      mode: j.mode,
      skip_invalid: j.skipInvalid,
      file_name: j.fileName,
      status: j.status,
      phase: j.phase,
      rows_total: j.rowsTotal,
      started_at: j.startedAt,
      updated_at: j.updatedAt,
    })
    .execute();
}

/** Writes the job's progress; the problems once validation has found them (they do not change after). */
export async function saveJob(db: Db, j: JobState): Promise<void> {
  const validated = j.status !== 'running' || j.phase === 'writing';
  await db
    .updateTable('import_job')
    .set({
      status: j.status,
      phase: j.phase,
      rows_read: j.rowsRead,
      rows_total: j.rowsTotal,
      valid_rows: j.validRows,
      invalid_rows: j.invalidRows,
      imported_rows: j.importedRows,
      outcome: j.outcome,
      problem_count: j.problemCount,
      error: j.error ? JSON.stringify(j.error) : null,
      finished_at: j.finishedAt,
      updated_at: new Date(),
      ...(validated ? { problems: JSON.stringify(j.problems) } : {}),
    })
    .where('id', '=', j.id)
    .execute();
}

export async function findJob(db: Db, id: string): Promise<JobState | undefined> {
  const r = await db.selectFrom('import_job').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return undefined;
  return {
    id: r.id,
    staffId: r.staff_id,
    requestId: r.request_id,
    kind: r.kind as ImportKind,
    mode: r.mode as ImportMode,
    skipInvalid: r.skip_invalid,
    fileName: r.file_name,
    status: r.status as JobStatus,
    phase: r.phase as JobPhase,
    rowsRead: r.rows_read,
    rowsTotal: r.rows_total,
    validRows: r.valid_rows,
    invalidRows: r.invalid_rows,
    importedRows: r.imported_rows,
    outcome: r.outcome as JobOutcome | null,
    problems: (json(r.problems) as Problem[] | null) ?? [],
    problemCount: r.problem_count,
    error: (json(r.error) as JobState['error']) ?? null,
    startedAt: new Date(r.started_at),
    finishedAt: r.finished_at ? new Date(r.finished_at) : null,
    updatedAt: new Date(r.updated_at),
  };
}
