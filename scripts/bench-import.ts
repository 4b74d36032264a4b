/**
 * Import benchmark: generates a 50,000-row merchants .xlsx and a 50,000-row scales .csv (every
 * scale assigned by USCC, with a verification record), runs a dry run and a commit of each through
 * the import service, and prints one line of JSON with the timings and rows per second.
 *
 *   npx tsx scripts/bench-import.ts                   # PGlite in memory
 *   DATABASE_URL=postgres://… npx tsx scripts/bench-import.ts   # a scratch database on that server, dropped after
 *   ROWS=10000 npx tsx scripts/bench-import.ts
 */
import { PassThrough, Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { migrate } from '../src/db/migrate.js';
import type { Actor } from '../src/modules/auth/index.js';
import { COLUMNS, createImportService, type ImportFile } from '../src/modules/imports/index.js';
import { calendarDate, usccCheckCharacter } from '../src/modules/registry/index.js';
import { openBenchDb } from './bench-support.js';

const ROWS = Number(process.env.ROWS ?? 50_000);
const MARKETS = 20;

const openDb = () => openBenchDb(process.env.DATABASE_URL, 5);

const uscc = (i: number) => {
  const body = `92460202MA${String(i).padStart(7, '0')}`;
  return body + usccCheckCharacter(body);
};

async function merchantsXlsx(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new PassThrough();
  out.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: true, useStyles: true });
  const ws = wb.addWorksheet('商户');
  ws.addRow(COLUMNS.merchants.map((c) => c.header)).commit();
  for (let i = 0; i < ROWS; i++) {
    const inMarket = i % 5 !== 0;
    ws.addRow([
      uscc(i),
      `测试海鲜店${i}`,
      `经营者${i % 997}`,
      i % 10 === 0 ? '有限责任公司' : '个体工商户',
      `测试路${i}号`,
      i % 2 ? '海鲜、海鲜加工' : '水果',
      `JY${String(i).padStart(12, '0')}`,
      inMarket ? `测试市场${i % MARKETS}` : '',
      inMarket ? `S-${i}` : '',
      '经营中',
      '甲区',
    ]).commit();
  }
  ws.commit();
  await wb.commit();
  return Buffer.concat(chunks);
}

function scalesCsv(): Buffer {
  const lines = [COLUMNS.scales.map((c) => c.header).join(',')];
  for (let i = 0; i < ROWS; i++) {
    lines.push([`BENCH-${i}`, '上海大华', 'TM-30', '30', '10', 'III', '2020F123', i % 2 ? '是' : '否', uscc(i), '', '', '', '', `JD-${i}`, '测试市计量检定所', '2026/5/1', '2027-04-30', '合格'].join(','));
  }
  return Buffer.from('\ufeff' + lines.join('\r\n') + '\r\n');
}

async function main() {
  const { handle, kind, drop } = await openDb();
  try {
    await migrate(handle);
    const db = handle.db;
    const city = await db.insertInto('city').values({ code: '460200', name: '测试市' }).returning('id').executeTakeFirstOrThrow();
    const district = await db.insertInto('district').values({ city_id: city.id, code: '460202', name: '甲区' }).returning('id').executeTakeFirstOrThrow();
    await db
      .insertInto('market')
      .values(Array.from({ length: MARKETS }, (_, i) => ({ district_id: district.id, name: `测试市场${i}` })))
      .execute();
    const staff = await db.insertInto('staff').values({ username: 'bench', display_name: 'bench', password_hash: 'x', role: 'admin' }).returning('id').executeTakeFirstOrThrow();
    const actor: Actor = { staffId: staff.id, username: 'bench', displayName: 'bench', role: 'admin', cityId: null, officeId: null, merchantId: null, reach: { kind: 'all' }, isDemo: false };
    const service = createImportService({
      db,
      registry: { today: () => calendarDate(new Date(), 'Asia/Shanghai') },
      maxFileBytes: 100 * 1024 * 1024,
      maxRows: 1_000_000,
      log: { error: (o, m) => console.error(m, o) },
    });

    const t = Date.now();
    const merchants = await merchantsXlsx();
    const scales = scalesCsv();
    const generateMs = Date.now() - t;

    const run = async (file: Omit<ImportFile, 'skipInvalid'>) => {
      const started = Date.now();
      const job = await service.start({ actor, requestId: `bench-${file.kind}-${file.mode}` }, { ...file, skipInvalid: false });
      // Poll as the web app would, noting the phases and row counts it would have shown.
      const seen = new Set<string>();
      let polls = 0;
      for (;;) {
        const j = await service.get(actor, job.id);
        polls++;
        seen.add(j.phase);
        if (j.status !== 'running') {
          const ms = Date.now() - started;
          if (j.status !== 'done' || j.problemCount) throw new Error(`${file.kind} ${file.mode}: ${JSON.stringify({ ...j, problems: j.problems.slice(0, 5) })}`);
          return { ms, rowsPerS: Math.round((j.rowsRead / ms) * 1000), outcome: j.outcome, importedRows: j.importedRows, polls, phases: [...seen] };
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    const exportOf = async (kind: 'merchants' | 'scales') => {
      const started = Date.now();
      let bytes = 0;
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          done();
        },
      });
      await service.exportTo(actor, kind, sink);
      const ms = Date.now() - started;
      return { ms, rowsPerS: Math.round((ROWS / ms) * 1000), bytes };
    };

    const result = {
      db: kind,
      rows: ROWS,
      node: process.version,
      generateMs,
      merchantsXlsxBytes: merchants.length,
      scalesCsvBytes: scales.length,
      merchantsDryRun: await run({ kind: 'merchants', mode: 'dry_run', fileName: 'merchants.xlsx', data: merchants }),
      merchantsCommit: await run({ kind: 'merchants', mode: 'commit', fileName: 'merchants.xlsx', data: merchants }),
      scalesDryRun: await run({ kind: 'scales', mode: 'dry_run', fileName: 'scales.csv', data: scales }),
      scalesCommit: await run({ kind: 'scales', mode: 'commit', fileName: 'scales.csv', data: scales }),
      auditEntries: Number((await db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow()).seq),
      merchantsExport: await exportOf('merchants'),
      scalesExport: await exportOf('scales'),
    };
    // What was written hangs together: every scale on its merchant's stall, one open assignment and one verification each.
    const written = await sql<{ merchants: number; stalls: number; scales: number; on_stall: number; assignments: number; verifications: number }>`select
      (select count(*)::int from merchant) as merchants, (select count(*)::int from stall) as stalls, (select count(*)::int from scale) as scales,
      (select count(*)::int from scale s join merchant m on m.id = s.merchant_id where s.stall_id is not distinct from m.stall_id and s.market_id is not distinct from m.market_id) as on_stall,
      (select count(*)::int from scale_assignment where to_at is null) as assignments, (select count(*)::int from verification_record) as verifications`.execute(db);
    console.log(JSON.stringify({ ...result, written: written.rows[0] }));
  } finally {
    await handle.close();
    await drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
