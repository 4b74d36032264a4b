import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import type { Db } from '../../db/connect.js';
import { AppError, forbidden, notFound, payloadTooLarge, tooMany } from '../../shared/errors.js';
import { isPermitted, type Actor, type By, type Permission } from '../auth/index.js';
import {
  bulkCreateMarkets,
  bulkCreateMerchants,
  bulkCreateScales,
  findMarketsByName,
  findMerchantsByName,
  findMerchantsByUscc,
  findRegisteredSerials,
  findStallsOfMarkets,
  listDistrictRefs,
  type BulkMarket,
  type BulkMerchant,
  type BulkScale,
  type RegistryService,
} from '../registry/index.js';
import { KIND_LABELS, type ImportKind } from './imports.columns.js';
import { openCsv, openXlsx, type OpenedSpreadsheet } from './imports.reader.js';
import { findJob, insertJob, saveJob, type ImportMode, type JobState } from './imports.repository.js';
import {
  checkHeader,
  checkMarkets,
  checkMerchants,
  checkScales,
  draftMarket,
  draftMerchant,
  draftScale,
  isBlankRow,
  isHeaderRow,
  lookupKeys,
  readHeaderRow,
  rowContext,
  type Checked,
  type Drafted,
  type Header,
  type Lookups,
  type MarketDraft,
  type MerchantDraft,
  type Problem,
  type ScaleDraft,
  type Who,
} from './imports.rules.js';
import { sniffFile } from './imports.sniff.js';
import { buildTemplate, writeExport } from './imports.workbook.js';

/** Problems kept on a job; the rest are only counted. */
export const MAX_PROBLEMS = 1000;
/** Imports one instance runs at once; more are turned away for a moment. */
const MAX_RUNNING = 4;
/** Rows searched for the header before a sheet is passed over. */
const HEADER_SEARCH_ROWS = 10;
/** A running job not heard of for this long died with its instance. */
const STALE_MS = 2 * 60_000;
const PROGRESS_MS = 500;

/** Who may import each kind: the permission to create it one by one. */
const CREATE_PERMISSION: Record<ImportKind, Permission> = { markets: 'market.create', merchants: 'merchant.write', scales: 'scale.write' };

export interface ImportFile {
  kind: ImportKind;
  mode: ImportMode;
  skipInvalid: boolean;
  fileName: string;
  data: Buffer;
}

export interface ImportServiceOptions {
  db: Db;
  registry: Pick<RegistryService, 'today'>;
  maxFileBytes: number;
  maxRows: number;
  /** What one workbook may unpack to; by default 40 times the file limit, at least 256 MB. */
  maxUnzippedBytes?: number;
  /** Where failures of background jobs are told. */
  log?: { error(obj: object, msg: string): void };
}

/** The API's view of a job. */
export const presentJob = (j: JobState) => ({
  id: j.id,
  kind: j.kind,
  mode: j.mode,
  skipInvalid: j.skipInvalid,
  fileName: j.fileName,
  status: j.status,
  phase: j.phase,
  rowsRead: j.rowsRead,
  rowsTotal: j.rowsTotal,
  validRows: j.validRows,
  invalidRows: j.invalidRows,
  importedRows: j.importedRows,
  outcome: j.outcome,
  problems: j.problems,
  problemCount: j.problemCount,
  error: j.error,
  startedAt: j.startedAt.toISOString(),
  finishedAt: j.finishedAt ? j.finishedAt.toISOString() : null,
});
export type ImportJob = ReturnType<typeof presentJob>;

interface LiveJob {
  state: JobState;
  done: Promise<void>;
}

/**
 * Spreadsheet import and export. An import is a job: the file is checked to be a spreadsheet at
 * once, then read, validated and (for a commit) written in the background while its progress is
 * kept in memory and in import_job, so any instance can answer how far it got.
 */
export function createImportService(opts: ImportServiceOptions) {
  const { db, maxRows } = opts;
  const live = new Map<string, LiveJob>();
  const templates = new Map<ImportKind, Promise<Buffer>>();
  // Workbooks unpack to many times their size; this bounds what one import may inflate.
  const maxUnzippedBytes = opts.maxUnzippedBytes ?? Math.max(256 * 1024 * 1024, opts.maxFileBytes * 40);

  async function run(j: JobState, by: By, file: ImportFile, open: () => Promise<OpenedSpreadsheet>) {
    const progress = progressWriter(j);
    try {
      await readValidateWrite(j, by, file, open, progress);
    } catch (e) {
      j.status = 'failed';
      j.outcome = null;
      // The transaction rolled back whatever the progress counted.
      j.importedRows = 0;
      j.error = failureOf(e);
      if (!(e instanceof AppError)) opts.log?.error({ err: e, importJobId: j.id }, 'import failed');
    }
    if (j.status === 'running') j.status = 'done';
    j.phase = j.status === 'done' ? 'done' : j.phase;
    j.finishedAt = new Date();
    await progress.final();
  }

  function failureOf(e: unknown): { code: string; message: string } {
    if (e instanceof AppError) return { code: e.code, message: e.message };
    const pgCode = (e as { code?: string })?.code;
    if (pgCode === '23505') {
      return { code: 'conflict', message: '导入期间有人登记了相同的记录，未写入任何数据，请重新导入 (someone registered the same records during the import; nothing was written: run it again)' };
    }
    return { code: 'import_failed', message: '导入失败，未写入任何数据，请稍后重试 (the import failed and nothing was written: try again later)' };
  }

  /** Persists progress at most every PROGRESS_MS, one write at a time, and the final state last. */
  function progressWriter(j: JobState) {
    let last = 0;
    let inFlight: Promise<void> | null = null;
    const write = () => {
      inFlight = saveJob(db, j)
        .catch((err) => opts.log?.error({ err, importJobId: j.id }, 'import progress not saved'))
        .finally(() => {
          inFlight = null;
        });
      return inFlight;
    };
    const heartbeat = setInterval(() => tick(), 1000);
    heartbeat.unref();
    function tick() {
      const now = Date.now();
      if (inFlight || now - last < PROGRESS_MS) return;
      last = now;
      void write();
    }
    return {
      tick,
      async final() {
        clearInterval(heartbeat);
        if (inFlight) await inFlight;
        await write();
      },
    };
  }

  async function readValidateWrite(j: JobState, by: By, file: ImportFile, open: () => Promise<OpenedSpreadsheet>, progress: { tick(): void }) {
    const kind = file.kind;
    const today = opts.registry.today();
    const spreadsheet = await open();
    // Rows below the header, as the file claims: a guess for progress until reading is done.
    const rowsBelow = (headerRow: number) => (spreadsheet.lastRow !== null && spreadsheet.lastRow - headerRow <= maxRows ? Math.max(0, spreadsheet.lastRow - headerRow) : null);
    j.rowsTotal = rowsBelow(1);
    progress.tick();

    // ---- reading: find the header, then draft each row as it arrives
    let header: Header | null = null;
    let sawRows = false;
    const notes: Problem[] = [];
    const drafted: Drafted<MarketDraft | MerchantDraft | ScaleDraft>[] = [];
    for await (const sheet of spreadsheet.sheets()) {
      if (header) {
        // Read past the remaining sheets so the reader cleans up after itself.
        for await (const _ of sheet.rows);
        continue;
      }
      let searched = 0;
      let ctx: ReturnType<typeof rowContext> | null = null;
      for await (const r of sheet.rows) {
        if (isBlankRow(r.cells)) continue;
        sawRows = true;
        if (!ctx) {
          if (searched >= HEADER_SEARCH_ROWS) continue;
          const h = readHeaderRow(kind, r.row, r.cells);
          if (!isHeaderRow(h, searched === 0)) {
            searched++;
            continue;
          }
          const check = checkHeader(kind, h);
          if (!check.ok) throw new AppError(check.code, check.message, 400);
          header = h;
          notes.push(...check.notes);
          ctx = rowContext(kind, h);
          j.rowsTotal = rowsBelow(h.row);
          continue;
        }
        if (j.rowsRead >= maxRows) {
          throw new AppError('too_many_rows', `文件超过每次最多导入 ${maxRows} 行的限制，请分成几个文件导入 (the file has more than ${maxRows} rows, the most one import takes: split it)`, 400);
        }
        drafted.push(kind === 'markets' ? draftMarket(ctx, r) : kind === 'merchants' ? draftMerchant(ctx, r) : draftScale(ctx, r, today));
        j.rowsRead++;
        if (j.rowsTotal !== null && j.rowsRead > j.rowsTotal) j.rowsTotal = j.rowsRead;
        if ((j.rowsRead & 1023) === 0) {
          progress.tick();
          // Let polls and other requests in: PGlite and the CSV parser would otherwise keep the loop busy.
          await yieldToLoop();
        }
      }
    }
    if (!header) {
      if (!sawRows) throw new AppError('empty_sheet', '表格中没有任何内容 (the spreadsheet is empty)', 400);
      throw new AppError(
        'no_header',
        `未找到可识别的表头：第一行应为列名，例如“${KIND_LABELS[kind].zh}”模板中的列名；请下载导入模板对照 (no recognisable header row: row 1 should hold the column names of the ${KIND_LABELS[kind].en} template)`,
        400,
      );
    }
    j.rowsTotal = j.rowsRead;

    // ---- validating: fetch what the rows refer to, then check every row against it
    j.phase = 'validating';
    progress.tick();
    await yieldToLoop();
    const keys = lookupKeys(drafted.map((d) => d.draft));
    const districts = await listDistrictRefs(db);
    const markets = await findMarketsByName(db, keys.marketNames);
    const lookups: Lookups = {
      districts,
      markets,
      stalls: kind === 'markets' ? [] : await findStallsOfMarkets(db, markets.map((m) => m.id)),
      merchantsByUscc: kind === 'markets' ? [] : await findMerchantsByUscc(db, keys.usccs),
      merchantsByName: kind === 'markets' ? [] : await findMerchantsByName(db, keys.names),
      registeredSerials: kind === 'scales' ? await findRegisteredSerials(db, keys.serials) : [],
    };
    const who: Who = { reach: by.actor.reach, isMarketManager: by.actor.reach.kind === 'markets', canRecordVerification: isPermitted(by.actor.role, 'verification.write') };
    const ctx = rowContext(kind, header);
    const checked: Checked<BulkMarket | BulkMerchant | BulkScale>[] =
      kind === 'markets'
        ? checkMarkets(ctx, drafted as Drafted<MarketDraft>[], lookups, who)
        : kind === 'merchants'
          ? checkMerchants(ctx, drafted as Drafted<MerchantDraft>[], lookups, who)
          : checkScales(ctx, drafted as Drafted<ScaleDraft>[], lookups, who);
    drafted.length = 0;

    const problems: Problem[] = notes.slice(0, MAX_PROBLEMS);
    let problemCount = notes.length;
    const valid: (BulkMarket | BulkMerchant | BulkScale)[] = [];
    for (const c of checked) {
      if (c.record) valid.push(c.record);
      problemCount += c.problems.length;
      for (const p of c.problems) if (problems.length < MAX_PROBLEMS) problems.push(p);
    }
    j.validRows = valid.length;
    j.invalidRows = checked.length - valid.length;
    j.problems = problems;
    j.problemCount = problemCount;

    // ---- writing: all valid rows in one transaction, or nothing
    if (file.mode === 'dry_run') {
      j.outcome = 'dry_run';
      return;
    }
    if (j.invalidRows > 0 && !file.skipInvalid) {
      j.outcome = 'rejected';
      return;
    }
    j.phase = 'writing';
    progress.tick();
    const bulk = {
      onProgress: (n: number) => {
        j.importedRows = n;
        progress.tick();
      },
    };
    if (valid.length) {
      if (kind === 'markets') await bulkCreateMarkets(db, by, valid as BulkMarket[], bulk);
      else if (kind === 'merchants') await bulkCreateMerchants(db, by, valid as BulkMerchant[], bulk);
      else await bulkCreateScales(db, by, valid as BulkScale[], bulk);
    }
    j.importedRows = valid.length;
    j.outcome = 'imported';
  }

  return {
    /**
     * Checks the caller may import this kind and that the file is a spreadsheet (throws 400
     * not_a_spreadsheet, 413, 429 otherwise), records the job and starts it. Answers at once.
     */
    async start(by: By, file: ImportFile): Promise<ImportJob> {
      if (!isPermitted(by.actor.role, CREATE_PERMISSION[file.kind])) {
        throw forbidden(`您的角色无权导入${KIND_LABELS[file.kind].zh} (your role may not import ${KIND_LABELS[file.kind].en})`);
      }
      if (file.data.length > opts.maxFileBytes) throw fileTooLarge(opts.maxFileBytes);
      const sniffed = sniffFile(file.data);
      if (sniffed.format === 'refused') throw new AppError('not_a_spreadsheet', sniffed.message, 400);
      if ([...live.values()].filter((l) => l.state.status === 'running').length >= MAX_RUNNING) {
        throw tooMany('正在进行的导入较多，请稍后再试 (several imports are running: try again shortly)', 5);
      }
      const now = new Date();
      const j: JobState = {
        id: randomUUID(),
        staffId: by.actor.staffId,
        requestId: by.requestId,
        kind: file.kind,
        mode: file.mode,
        skipInvalid: file.skipInvalid,
        fileName: file.fileName,
        status: 'running',
        phase: 'reading',
        rowsRead: 0,
        rowsTotal: null,
        validRows: 0,
        invalidRows: 0,
        importedRows: 0,
        outcome: null,
        problems: [],
        problemCount: 0,
        error: null,
        startedAt: now,
        finishedAt: null,
        updatedAt: now,
      };
      await insertJob(db, j);
      const open = async () => (sniffed.format === 'xlsx' ? openXlsx(file.data, sniffed.zip, maxUnzippedBytes) : openCsv(file.data, sniffed.encoding));
      const done = run(j, by, file, open)
        .catch((err) => opts.log?.error({ err, importJobId: j.id }, 'import job crashed'))
        .finally(() => setTimeout(() => live.delete(j.id), 60_000).unref());
      live.set(j.id, { state: j, done });
      return presentJob(j);
    },

    /** A job of the caller's own (any job, for an administrator); others answer 404. */
    async get(actor: Actor, id: string): Promise<ImportJob> {
      const here = live.get(id)?.state;
      const j = here ?? (await findJob(db, id));
      if (!j || (j.staffId !== actor.staffId && actor.role !== 'admin')) throw notFound('import', id);
      if (!here && j.status === 'running' && Date.now() - j.updatedAt.getTime() > STALE_MS) {
        return presentJob({
          ...j,
          status: 'failed',
          error: { code: 'import_interrupted', message: '导入因服务重启而中断，未写入任何数据，请重新导入 (the import was interrupted by a restart; nothing was written: run it again)' },
        });
      }
      return presentJob(j);
    },

    /** Resolves once a job running on this instance has finished (at once for any other): for tests, benchmarks and shutdown. */
    async settled(id: string): Promise<void> {
      await live.get(id)?.done;
    },

    /** Waits for every job running here, for a graceful shutdown. */
    async drain(): Promise<void> {
      await Promise.all([...live.values()].map((l) => l.done));
    },

    /** The empty template of a kind, built once. */
    template(kind: ImportKind): Promise<Buffer> {
      let t = templates.get(kind);
      if (!t) {
        t = buildTemplate(kind, maxRows);
        t.catch(() => templates.delete(kind));
        templates.set(kind, t);
      }
      return t;
    },

    /** Streams every record of a kind within the caller's reach into `out` as .xlsx; ends `out`. */
    exportTo(actor: Actor, kind: ImportKind, out: Writable): Promise<void> {
      return writeExport(db, actor.reach, kind, out, maxRows);
    },
  };
}

export const fileTooLarge = (maxBytes: number) => {
  const mb = Math.round(maxBytes / 1024 / 1024);
  return payloadTooLarge(`文件超过 ${mb} MB 的上限，请拆分后再导入 (the file is larger than the ${mb} MB limit: split it)`);
};

export type ImportService = ReturnType<typeof createImportService>;
