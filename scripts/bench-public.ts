/**
 * Public page benchmark: 10,000 merchants (each with one to three scales and their verification
 * records, in 40 markets and on the street) loaded through the registry's bulk path, the platform
 * in a child process, autocannon in this one (64 connections, `accept-encoding: gzip`, spread over
 * every merchant's page). Then the same requests against the page's identical gzip bytes served as
 * a static file by nginx, or by a bare Node HTTP server where nginx is absent. On two or more cores
 * the server is pinned to cpu 0 and the load generator to cpu 1 (taskset). Prints one line of JSON:
 *
 *   page_rps, page_p99_ms   /p/merchants/:id with every page in the cache (2xx only; page_non2xx must be 0)
 *   static_rps              the same requests answered with the page's bytes by `static_server`
 *   ratio_vs_static         page_rps / static_rps (page and static runs alternate ROUNDS times, best of each)
 *   page_bytes_gzip         the gzip body served statically (the sample's median); page_bytes_gzip_max the largest
 *   update_visible_ms       worst of UPDATES name changes through the registry service, from just
 *                           before the call to the first GET that shows the new name (the page hot)
 *   *_cpu_us_per_req        server CPU per answered request: steadier than req/s on a shared machine
 *   other_cpu_pct           CPU the rest of the machine used meanwhile; figures compare only when it is near 0
 *   cold_rps, code_rps      the first pass over every page (rendered from the database); /C/<token> pages
 *   rss_mb                  the server process's peak resident memory
 *
 *   npm run bench:public
 *   DATABASE_URL=postgres://… npm run bench:public    # a scratch database on that server, dropped after
 *   MERCHANTS=10000 DURATION_S=10 ROUNDS=3 UPDATES=20 npm run bench:public
 *   STATIC=node (skip nginx)  NGINX_BIN=/path/to/nginx  PIN=0 (no taskset)  PROFILE=1 (server .cpuprofile per phase)
 *   PROFILE=alloc (server .heapprofile per phase: sampled allocations)  SERVER_NODE_FLAGS='--trace-gc' (extra node flags for the server)
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import inspector from 'node:inspector/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import pino from 'pino';
import { loadConfig } from '../src/config/config.js';
import { buildServices, type AppContext } from '../src/context.js';
import { openPGlite, openPostgres, type DbHandle } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { buildApp } from '../src/http/app.js';
import { actorOf, type By } from '../src/modules/auth/index.js';
import { ensureSalePartitions } from '../src/modules/ingest/index.js';
import { bulkCreateMarkets, bulkCreateMerchants, bulkCreateScales, calendarDate, usccCheckCharacter, type BulkMerchant, type BulkScale, type BusinessCategory } from '../src/modules/registry/index.js';
import { createScratchDatabase } from './bench-support.js';

const MERCHANTS = Number(process.env.MERCHANTS ?? 10_000);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 64);
const DURATION_S = Number(process.env.DURATION_S ?? 10);
const WARMUP_S = Number(process.env.WARMUP_S ?? 3);
const HOT_S = Number(process.env.HOT_S ?? 5);
const UPDATES = Number(process.env.UPDATES ?? 20);
const SAMPLE = Number(process.env.SAMPLE ?? 200);
// Page and static runs alternate ROUNDS times and the best of each counts: the machine may be shared.
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const MARKETS = 40;
const DISTRICTS = ['琼山区', '龙华区', '美兰区', '秀英区'] as const;
/** The nginx binary: NGINX_BIN=/path/to/nginx, else `nginx` on the PATH (nginx itself reads NGINX). */
const NGINX = process.env.NGINX_BIN ?? 'nginx';
/**
 * The server runs with the V8 settings `npm start` gives it (package.json): a 4 MB young generation
 * half, whose allocation area stays in the CPU caches; the default (up to 16 MB) cost this machine a
 * quarter of the hit path's throughput and widened the tail (docs/ARCHITECTURE.md, "How a scan flows").
 */
const SERVER_V8_FLAGS = ['--max-semi-space-size=4'];
const PIN = process.env.PIN !== '0' && os.cpus().length >= 2 && hasCommand('taskset');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
/** Wall-clock milliseconds with sub-millisecond precision, comparable across this machine's processes. */
const nowMs = () => performance.timeOrigin + performance.now();
const pct = (xs: readonly number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const log = (line: string) => console.error(`bench: ${line}`);

function hasCommand(name: string) {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Moves every thread of `pid` onto one cpu. */
function pin(pid: number, cpu: number) {
  if (!PIN) return;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
  } catch (e) {
    log(`could not pin process ${pid} to cpu ${cpu}: ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------- autocannon (no bundled types)

interface Histogram {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  total: number;
}
interface AcResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  latency: Histogram;
  requests: Histogram;
  throughput: Histogram;
}
interface AcClient {
  setRequests(requests: { path: string }[]): void;
}
interface AcOptions {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  /** Requests per second across all connections (a cap, not a target). */
  overallRate?: number;
  /** Seconds before a request counts as timed out (default 10). */
  timeout?: number;
  headers?: Record<string, string>;
  setupClient?: (client: AcClient) => void;
}
type AcRun = Promise<AcResult> & { stop(): void };
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: AcOptions) => AcRun;

// ---------------------------------------------------------------- messages between the processes

type ServerCommand =
  | { cmd: 'update'; merchantId: number; name: string }
  | { cmd: 'stats' }
  | { cmd: 'codes'; merchantIds: number[] }
  | { cmd: 'profile'; file: string | null }
  | { cmd: 'stop' };
type ToServer = { id: number } & ServerCommand;
type FromServer =
  | { ev: 'ready'; port: number; kind: 'pglite' | 'postgres'; merchantIds: number[]; scales: number; loadS: number }
  | { ev: 'reply'; id: number; result: unknown }
  | { ev: 'error'; id?: number; message: string };
interface ServerStats {
  cpuMs: number;
  rssMb: number;
  rssPeakMb: number;
}

// ---------------------------------------------------------------- the platform (child process)

const uscc = (prefix: '91' | '92', i: number) => {
  const body = `${prefix}460100MA${String(i).padStart(7, '0')}`;
  return body + usccCheckCharacter(body);
};
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (day: string, n: number) => isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000));

const TRADES: readonly { key: BusinessCategory; word: string }[] = [
  { key: 'seafood', word: '海鲜' },
  { key: 'vegetables', word: '蔬菜' },
  { key: 'fruit', word: '水果' },
  { key: 'meat', word: '猪肉' },
  { key: 'poultry', word: '禽蛋' },
  { key: 'dry_goods', word: '干货' },
  { key: 'grain_oil', word: '粮油' },
  { key: 'seafood_processing', word: '海鲜加工' },
];
const SURNAMES = '陈林黄王李张吴刘蔡郑许何周杨谢符邢冯云韩';
const GIVEN = ['记', '氏', '家', '阿强', '阿妹', '小丽', '海生', '文昌', '德胜', '福来'];
const MAKERS = [
  { manufacturer: '上海大华', model: 'TM-30A', maxG: 30_000, divG: 10 },
  { manufacturer: '梅特勒-托利多', model: 'bPlus-U', maxG: 15_000, divG: 5 },
  { manufacturer: '凯丰', model: 'ACS-30', maxG: 30_000, divG: 10 },
  { manufacturer: '英衡', model: 'YH-T7', maxG: 15_000, divG: 5 },
];

/** City, districts, markets, merchants with stalls, their scales and verification records. */
async function loadCity(ctx: AppContext, today: string) {
  const db = ctx.dbHandle.db;
  const city = await db.insertInto('city').values({ code: '460100', name: '海口市', name_en: 'Haikou' }).returning('id').executeTakeFirstOrThrow();
  const districtIds: number[] = [];
  for (const [i, name] of DISTRICTS.entries()) {
    districtIds.push((await db.insertInto('district').values({ city_id: city.id, code: `46010${i + 5}`, name }).returning('id').executeTakeFirstOrThrow()).id);
  }
  const staff = await db.insertInto('staff').values({ username: 'bench', display_name: '基准测试', password_hash: 'x', role: 'admin' }).returning('id').executeTakeFirstOrThrow();
  const staffRow = await db.selectFrom('staff').selectAll().where('id', '=', staff.id).executeTakeFirstOrThrow();
  const by: By = { actor: await actorOf(db, staffRow), requestId: 'bench-public' };

  const markets = Array.from({ length: MARKETS }, (_, i) => ({
    districtId: districtIds[i % districtIds.length]!,
    name: `${['东门', '南门', '西门', '北门', '新华', '和平', '解放', '海甸', '白沙', '秀英'][i % 10]}农贸市场${i >= 10 ? ` ${Math.floor(i / 10) + 1}区` : ''}`,
    address: `${DISTRICTS[i % DISTRICTS.length]}市场路${i + 1}号`,
    managingOrg: '海口市场管理有限公司',
    contactName: '李经理',
    contactPhone: `0898-6${String(1_000_000 + i).slice(1)}`,
  }));
  const marketIds = await bulkCreateMarkets(db, by, markets);

  // Nine in ten merchants keep a stall in a market; the rest are shops on the street.
  const merchants: BulkMerchant[] = [];
  for (let i = 0; i < MERCHANTS; i++) {
    const trade = TRADES[i % TRADES.length]!;
    const inMarket = i % 10 !== 0;
    const m = i % MARKETS;
    const company = i % 15 === 0;
    merchants.push({
      uscc: uscc(company ? '91' : '92', i),
      hasUscc: true,
      name: `${SURNAMES[i % SURNAMES.length]}${GIVEN[Math.floor(i / SURNAMES.length) % GIVEN.length]}${trade.word}${company ? '有限公司' : inMarket ? '档' : '店'}`,
      legalRep: `${SURNAMES[(i * 7) % SURNAMES.length]}${['建国', '秀英', '海燕', '志强', '美玲', '国华'][i % 6]}`,
      entityType: company ? '有限责任公司' : '个体工商户',
      address: inMarket ? markets[m]!.address : `${DISTRICTS[i % DISTRICTS.length]}街道${(i % 300) + 1}号`,
      categories: i % 3 === 0 ? [trade.key, 'other'] : [trade.key],
      licenceNumbers: [`JY24601${String(i).padStart(8, '0')}`],
      districtId: markets[m]!.districtId,
      marketId: inMarket ? marketIds[m]! : null,
      stall: inMarket ? { number: `${String.fromCharCode(65 + (i % 6))}-${String(Math.floor(i / MARKETS)).padStart(3, '0')}`, trade: trade.word } : null,
      status: i % 50 === 0 ? 'suspended' : 'operating',
    });
  }
  const merchantIds = await bulkCreateMerchants(db, by, merchants);

  // One to three scales each (two on average); most verified within the year, a few expired or failed.
  const scales: BulkScale[] = [];
  merchants.forEach((m, i) => {
    const n = [1, 2, 2, 3][i % 4]!;
    for (let k = 0; k < n; k++) {
      const s = scales.length;
      const maker = MAKERS[s % MAKERS.length]!;
      const verifiedOn = addDays(today, -((s * 37) % (s % 20 === 0 ? 700 : 330)) - 1);
      const failed = s % 97 === 0;
      scales.push({
        serialNo: `HK${String(s).padStart(8, '0')}`,
        manufacturer: maker.manufacturer,
        model: maker.model,
        maxCapacityG: maker.maxG,
        divisionG: maker.divG,
        accuracyClass: 'III',
        typeApprovalNo: `2021F${String(100 + (s % 400)).padStart(3, '0')}-46`,
        isIot: s % 3 === 0,
        districtId: m.districtId,
        marketId: m.marketId,
        merchantId: merchantIds[i]!,
        stall: m.stall,
        verification: {
          certificateNo: `JD2026-${String(s).padStart(6, '0')}`,
          institution: '海口市计量检定测试所',
          verifiedOn,
          result: failed ? 'fail' : 'pass',
          validUntil: failed ? null : addDays(verifiedOn, 364),
        },
      });
    }
  });
  await bulkCreateScales(db, by, scales);
  return { by, merchantIds, scales: scales.length };
}

async function server() {
  const send = (m: FromServer) => process.send!(m);
  // An orphan is no use to anyone: go when the bench does.
  process.on('disconnect', () => process.exit(0));
  const dbUrl = process.env.BENCH_DB_URL;
  const handle: DbHandle = dbUrl ? openPostgres(dbUrl, 10) : await openPGlite();
  await migrate(handle);
  const { config } = loadConfig({ MASHANG_DEMO: 'false', LOG_LEVEL: 'silent' });
  const ctx = buildServices(config, pino({ level: 'silent' }), handle, dbUrl ? { alertsNotifyUrl: dbUrl } : {});
  await ctx.pricing.ready();
  await ensureSalePartitions(handle.db, new Date(), config.ingest.backfillDays + 1, 3);
  const t0 = performance.now();
  const { by, merchantIds, scales } = await loadCity(ctx, calendarDate(new Date(), config.timezone));
  const loadS = (performance.now() - t0) / 1000;
  const app = await buildApp(ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });

  let profiler: inspector.Session | undefined;
  let rssPeak = process.memoryUsage().rss;
  const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 250);
  process.on('message', (m: ToServer) => {
    void (async () => {
      switch (m.cmd) {
        case 'update': {
          const t = nowMs();
          await ctx.registry.updateMerchant(by, m.merchantId, { name: m.name });
          return { t0: t, t1: nowMs() };
        }
        case 'stats': {
          const cpu = process.cpuUsage();
          rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
          return { cpuMs: (cpu.user + cpu.system) / 1000, rssMb: Math.round(process.memoryUsage().rss / 1048576), rssPeakMb: Math.round(rssPeak / 1048576) } satisfies ServerStats;
        }
        case 'codes': {
          const codes = await ctx.codes.codesOf('merchant', m.merchantIds, by.actor.staffId);
          return m.merchantIds.map((id) => `/C/${codes.get(id)!.token}`);
        }
        case 'profile': {
          // A file ends the running profile and writes it there; null starts one. PROFILE=alloc samples allocations instead.
          const alloc = process.env.PROFILE === 'alloc';
          if (m.file === null) {
            profiler ??= new inspector.Session();
            profiler.connect();
            if (alloc) {
              await profiler.post('HeapProfiler.enable');
              await profiler.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
              return null;
            }
            await profiler.post('Profiler.enable');
            await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
            await profiler.post('Profiler.start');
            return null;
          }
          const { profile } = alloc ? await profiler!.post('HeapProfiler.stopSampling') : await profiler!.post('Profiler.stop');
          const file = alloc ? m.file.replace(/\.cpuprofile$/, '.heapprofile') : m.file;
          fs.writeFileSync(file, JSON.stringify(profile));
          profiler!.disconnect();
          return file;
        }
        case 'stop':
          clearInterval(rssTimer);
          await app.close();
          await handle.close();
          return null;
      }
    })().then(
      (result) => send({ ev: 'reply', id: m.id, result }),
      (e: unknown) => send({ ev: 'error', id: m.id, message: (e as Error).stack ?? String(e) }),
    );
  });
  send({ ev: 'ready', port: (app.server.address() as AddressInfo).port, kind: handle.kind, merchantIds, scales, loadS });
}

class ServerProcess {
  private next = 1;
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly ready: Promise<Extract<FromServer, { ev: 'ready' }>>;
  constructor(readonly child: ChildProcess) {
    this.ready = new Promise((resolve, reject) => {
      child.on('message', (m: FromServer) => {
        if (m.ev === 'ready') return resolve(m);
        const w = m.id !== undefined ? this.waiting.get(m.id) : undefined;
        if (m.ev === 'error') {
          const e = new Error(`server: ${m.message}`);
          return w ? (this.waiting.delete(m.id!), w.reject(e)) : reject(e);
        }
        this.waiting.delete(m.id);
        w?.resolve(m.result);
      });
      child.on('exit', (code) => {
        const e = new Error(`server process exited (${code})`);
        reject(e);
        for (const w of this.waiting.values()) w.reject(e);
      });
    });
  }
  ask<T>(m: ServerCommand): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      if (!this.child.connected) return reject(new Error('server process has gone'));
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      // With a callback a closed channel is an error here, not an 'error' event that ends this process.
      this.child.send({ ...m, id }, (e) => {
        if (e) this.waiting.delete(id), reject(e);
      });
    });
  }
  stats() {
    return this.ask<ServerStats>({ cmd: 'stats' });
  }
}

// ---------------------------------------------------------------- the static baseline

/** A bare Node HTTP server answering every GET with one page's gzip bytes and the platform's headers. */
async function staticServer() {
  process.on('disconnect', () => process.exit(0));
  const body = fs.readFileSync(process.env.BENCH_STATIC_FILE!);
  const headers = JSON.parse(process.env.BENCH_STATIC_HEADERS!) as Record<string, string>;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { ...headers, 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  process.send!({ ev: 'ready', port: (server.address() as AddressInfo).port });
}

/** nginx serving the file from a scratch prefix (one worker, like the one-core Node server), with the same headers. */
async function startNginx(file: string, headers: Record<string, string>, dir: string): Promise<{ port: number; pids: () => number[]; stop: () => void }> {
  const port = await freePort();
  const extra = Object.entries(headers)
    .filter(([k]) => !['content-type', 'content-length'].includes(k))
    .map(([k, v]) => `      add_header ${k} "${v.replace(/"/g, '\\"')}";`)
    .join('\n');
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  keepalive_requests 1000000;
  sendfile on;
  etag off;
  server {
    listen 127.0.0.1:${port};
    location / {
      root ${path.dirname(file)};
      default_type "${headers['content-type']}";
      try_files /${path.basename(file)} =404;
${extra}
    }
  }
}
`,
  );
  const proc = spawn(NGINX, ['-e', path.join(dir, 'error.log'), '-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; !fs.existsSync(path.join(dir, 'nginx.pid')); i++) {
    if (i > 100 || proc.exitCode !== null) throw new Error(`nginx did not start (see ${dir}/error.log)`);
    await sleep(50);
  }
  // The master and its worker.
  const pids = () => [proc.pid!, ...execFileSync('ps', ['-o', 'pid=', '--ppid', String(proc.pid)], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean).map(Number)];
  return { port, pids, stop: () => void proc.kill('SIGQUIT') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = http.createServer();
    s.on('error', reject);
    s.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- the bench (this process)

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function openScratchDb(): Promise<{ url?: string; drop: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  return url ? createScratchDatabase(url) : { drop: async () => {} };
}

interface LoadFigures {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  server_cpu_pct: number;
  loadgen_cpu_pct: number;
  /** Server CPU time per answered request: steadier than req/s when the machine is shared. */
  server_cpu_us_per_req: number;
  /** CPU used meanwhile by everything else on the machine (other processes, PostgreSQL), in % of one core. */
  other_cpu_pct: number;
}

async function main() {
  const started = performance.now();
  const self = fileURLToPath(import.meta.url);
  const children = new Set<ChildProcess>();
  const stops: (() => void)[] = [];
  const scratch = await openScratchDb();
  // One clean-up however many ways it is asked for (a signal, then the failure the signal causes).
  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const c of children) c.kill();
      for (const s of stops) s();
      await scratch.drop().catch((e: unknown) => log(`could not drop the scratch database: ${String(e)}`));
    })());
  process.on('exit', () => {
    for (const c of children) c.kill();
    for (const s of stops) s();
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => {
      log(`${sig}: stopping the servers${scratch.url ? ' and dropping the scratch database' : ''}`);
      void cleanup().finally(() => process.exit(130));
    });

  try {
    pin(process.pid, 1);
    const profileDir = process.env.PROFILE === '1' || process.env.PROFILE === 'alloc' ? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-public-prof-')) : null;
    const serverChild = fork(self, ['--server'], {
      execArgv: ['--import', 'tsx', ...SERVER_V8_FLAGS, ...(process.env.SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean)],
      env: { ...process.env, ...(scratch.url ? { BENCH_DB_URL: scratch.url } : {}) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(serverChild);
    pin(serverChild.pid!, 0);
    const srv = new ServerProcess(serverChild);
    log(`loading ${MERCHANTS} merchants into ${scratch.url ? 'PostgreSQL (scratch database)' : 'PGlite in memory'} …`);
    const ready = await srv.ready;
    // The load may have started threads after the first pinning.
    pin(serverChild.pid!, 0);
    const base = `http://127.0.0.1:${ready.port}`;
    const ids = ready.merchantIds;
    log(`loaded ${ids.length} merchants and ${ready.scales} scales in ${round(ready.loadS)} s; server on ${base}`);

    /** Spreads the connections over `paths`: connection k walks paths k, k + C, k + 2C, …, so together they take every path once a lap. */
    const spread = (paths: readonly string[]): Partial<AcOptions> => {
      let k = 0;
      return {
        setupClient: (client) => {
          const mine = paths.filter((_, j) => j % CONNECTIONS === k % CONNECTIONS);
          k++;
          client.setRequests((mine.length ? mine : [paths[k % paths.length]!]).map((p) => ({ path: p })));
        },
      };
    };
    const merchantPaths = ids.map((id) => `/p/merchants/${id}`);
    const load = async (url: string, opts: Partial<AcOptions>, server: () => Promise<number>): Promise<LoadFigures> => {
      const cpu0 = process.cpuUsage();
      const s0 = await server();
      const m0 = machineBusyMs();
      const t0 = performance.now();
      const r = await autocannon({ url, connections: CONNECTIONS, headers: { 'accept-encoding': 'gzip' }, ...opts });
      const m1 = machineBusyMs();
      const s1 = await server();
      const cpu1 = process.cpuUsage(cpu0);
      const wall = performance.now() - t0;
      const loadgenMs = (cpu1.user + cpu1.system) / 1000;
      return {
        rps: Math.round(r['2xx'] / (r.duration || wall / 1000)),
        p50_ms: r.latency.p50,
        p99_ms: r.latency.p99,
        max_ms: r.latency.max,
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        server_cpu_pct: Math.round(((s1 - s0) / wall) * 100),
        server_cpu_us_per_req: Math.round(((s1 - s0) * 1000) / Math.max(1, r['2xx'])),
        loadgen_cpu_pct: Math.round((loadgenMs / wall) * 100),
        other_cpu_pct: Math.max(0, Math.round(((m1 - m0 - (s1 - s0) - loadgenMs) / wall) * 100)),
      };
    };
    const platformCpu = async () => (await srv.stats()).cpuMs;
    const say = (what: string, f: LoadFigures) =>
      log(
        `${what}: ${f.rps} req/s, p50 ${f.p50_ms} ms, p99 ${f.p99_ms} ms, max ${f.max_ms} ms, non-2xx ${f.non2xx}, errors ${f.errors} (timeouts ${f.timeouts}); ` +
          `cpu: server ${f.server_cpu_pct}% (${f.server_cpu_us_per_req} µs/request), load generator ${f.loadgen_cpu_pct}%, rest of the machine ${f.other_cpu_pct}%`,
      );

    /** Runs `phase` under the server's CPU profiler when PROFILE=1 (a .cpuprofile per phase, for Chrome DevTools or speedscope). */
    const profiled = async <T>(name: string, phase: () => Promise<T>): Promise<T> => {
      if (!profileDir) return phase();
      await srv.ask({ cmd: 'profile', file: null });
      const out = await phase();
      log(`server profile: ${await srv.ask<string>({ cmd: 'profile', file: path.join(profileDir, `${name}.cpuprofile`) })}`);
      return out;
    };
    // 1. Cold: every page once, each rendered from the database and put in the cache.
    const cold = await profiled('cold', () => load(base, { amount: ids.length, timeout: 60, ...spread(merchantPaths) }, platformCpu));
    say(`cold pass over ${ids.length} pages`, cold);

    // 2. Sizes, on a sample; the median page is the one served statically.
    const sample = Array.from({ length: Math.min(SAMPLE, ids.length) }, (_, i) => ids[Math.floor((i * ids.length) / Math.min(SAMPLE, ids.length))]!);
    const pages: { id: number; gzip: Buffer; htmlBytes: number; headers: http.IncomingHttpHeaders }[] = [];
    for (const id of sample) {
      const r = await get(`${base}/p/merchants/${id}`, { 'accept-encoding': 'gzip' });
      if (r.status !== 200 || r.headers['content-encoding'] !== 'gzip') throw new Error(`/p/merchants/${id}: HTTP ${r.status}, content-encoding ${r.headers['content-encoding']}`);
      pages.push({ id, gzip: r.body, htmlBytes: gunzipSync(r.body).length, headers: r.headers });
    }
    pages.sort((a, b) => a.gzip.length - b.gzip.length);
    const median = pages[Math.floor(pages.length / 2)]!;
    const largest = pages[pages.length - 1]!;
    log(`page sizes (gzip) over ${pages.length} merchants: min ${pages[0]!.gzip.length} B, median ${median.gzip.length} B (merchant ${median.id}, ${median.htmlBytes} B of HTML), max ${largest.gzip.length} B (merchant ${largest.id})`);

    // 3. The same bytes as a static file, with the page's headers.
    const keep = ['content-type', 'content-encoding', 'etag', 'cache-control', 'vary', 'x-content-type-options', 'content-security-policy'];
    const staticHeaders = Object.fromEntries(keep.flatMap((k) => (typeof median.headers[k] === 'string' ? [[k, median.headers[k] as string]] : [])));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-public-'));
    stops.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'merchant.html.gz');
    fs.writeFileSync(file, median.gzip);
    // nginx's workers may run as another user (when started as root).
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(file, 0o644);
    const staticKind: 'nginx' | 'node-http' = process.env.STATIC !== 'node' && hasCommand(NGINX) ? 'nginx' : 'node-http';
    let staticBase: string;
    let staticCpu: () => Promise<number>;
    let stopStatic: () => void;
    if (staticKind === 'nginx') {
      const n = await startNginx(file, staticHeaders, dir);
      stops.push(n.stop);
      stopStatic = n.stop;
      staticBase = `http://127.0.0.1:${n.port}`;
      const pids = n.pids();
      for (const p of pids) pin(p, 0);
      staticCpu = async () => pids.reduce((sum, p) => sum + procCpuMs(p), 0);
    } else {
      const child = fork(self, ['--static'], { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_STATIC_FILE: file, BENCH_STATIC_HEADERS: JSON.stringify(staticHeaders) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.add(child);
      pin(child.pid!, 0);
      const port = await new Promise<number>((resolve, reject) => {
        child.once('message', (m: { port: number }) => resolve(m.port));
        child.once('exit', (code) => reject(new Error(`static server exited (${code})`)));
      });
      stopStatic = () => child.kill();
      staticBase = `http://127.0.0.1:${port}`;
      staticCpu = async () => procCpuMs(child.pid!);
    }
    const check = await get(`${staticBase}/p/merchants/${median.id}`, { 'accept-encoding': 'gzip' });
    if (check.status !== 200 || !check.body.equals(median.gzip)) throw new Error(`static server (${staticKind}) does not answer the page's bytes`);

    // 4. Hot: every page in the cache, the whole rotation; then the static file with the same requests. Alternated, best of each.
    await load(base, { duration: WARMUP_S, ...spread(merchantPaths) }, platformCpu);
    await load(staticBase, { duration: WARMUP_S, ...spread(merchantPaths) }, staticCpu);
    const rounds: { page: LoadFigures; stat: LoadFigures }[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      const pageRun = await profiled(`hot-${r}`, () => load(base, { duration: DURATION_S, ...spread(merchantPaths) }, platformCpu));
      say(`round ${r}: merchant pages, ${ids.length} in rotation`, pageRun);
      const statRun = await load(staticBase, { duration: DURATION_S, ...spread(merchantPaths) }, staticCpu);
      say(`round ${r}: static file (${staticKind})`, statRun);
      rounds.push({ page: pageRun, stat: statRun });
    }
    stopStatic();
    const best = (xs: LoadFigures[]) => xs.reduce((a, b) => (b.rps > a.rps ? b : a));
    const page = best(rounds.map((r) => r.page));
    const stat = best(rounds.map((r) => r.stat));
    // Closed-loop latency at 64 connections is at least 64 / throughput; at half the rate it is mostly service time.
    const half = await load(base, { duration: DURATION_S, overallRate: Math.round(page.rps / 2), ...spread(merchantPaths) }, platformCpu);
    say('merchant pages at half that rate', half);
    const hot = await load(`${base}/p/merchants/${median.id}`, { duration: HOT_S }, platformCpu);
    say('one hot merchant page', hot);
    const rss = await srv.stats();

    // 5. A name change, from just before the service call to the first GET showing it; the page hot first.
    const visible = async (n: number, tag: string, offset: number) => {
      const out: { visibleMs: number; commitMs: number }[] = [];
      for (let k = offset; k < offset + n; k++) {
        const id = ids[(k * 7919 + 13) % ids.length]!;
        const url = `${base}/p/merchants/${id}`;
        await get(url);
        await get(url);
        const name = `改名测试${tag}${k}号${randomBytes(3).toString('hex')}`;
        const done = srv.ask<{ t0: number; t1: number }>({ cmd: 'update', merchantId: id, name });
        let seenAt = 0;
        for (let polls = 0; !seenAt; polls++) {
          const r = await get(url);
          if (r.body.includes(name)) seenAt = nowMs();
          else if (polls > 5000) throw new Error(`merchant ${id}: new name not shown after ${polls} polls`);
          else await sleep(2);
        }
        const { t0, t1 } = await done;
        out.push({ visibleMs: seenAt - t0, commitMs: t1 - t0 });
        await sleep(50);
      }
      return out;
    };
    const idle = await visible(UPDATES, 'A', 0);
    const idleMs = idle.map((x) => x.visibleMs);
    log(`update visible (idle server): p50 ${round(pct(idleMs, 50))} ms, max ${round(Math.max(...idleMs))} ms; service call p50 ${round(pct(idle.map((x) => x.commitMs), 50))} ms`);
    // The same under the page load (the poller shares this process with the load generator).
    const running = autocannon({ url: base, connections: CONNECTIONS, duration: 600, headers: { 'accept-encoding': 'gzip' }, ...spread(merchantPaths) });
    await sleep(1000);
    const busy = await visible(UPDATES, 'B', UPDATES);
    running.stop();
    const busyRun = await running;
    const busyMs = busy.map((x) => x.visibleMs);
    log(`update visible (under load, ${Math.round(busyRun['2xx'] / busyRun.duration)} req/s, non-2xx ${busyRun.non2xx}): p50 ${round(pct(busyMs, 50))} ms, max ${round(Math.max(...busyMs))} ms`);

    // 6. A scanned code: /C/<token> renders the same page (cached per token).
    const codePaths = await srv.ask<string[]>({ cmd: 'codes', merchantIds: ids.slice(0, Math.min(1000, ids.length)) });
    const codeCold = await profiled('code-cold', () => load(base, { amount: codePaths.length, timeout: 60, ...spread(codePaths) }, platformCpu));
    say(`code pages (/C/…), cold pass over ${codePaths.length}`, codeCold);
    const code = await load(base, { duration: HOT_S, ...spread(codePaths) }, platformCpu);
    say(`code pages (/C/…), ${codePaths.length} in rotation`, code);

    const final = await srv.stats();
    await srv.ask({ cmd: 'stop' });
    await cleanup();

    const result = {
      db: ready.kind,
      merchants: ids.length,
      scales: ready.scales,
      connections: CONNECTIONS,
      duration_s: DURATION_S,
      cores: PIN ? { server: 'cpu 0', load_generator: 'cpu 1', pinned: 'taskset' } : { server: 'any', load_generator: 'any', pinned: 'no' },
      server_v8_flags: [...SERVER_V8_FLAGS, ...(process.env.SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean)].join(' '),
      processes: { server: 'child process', load_generator: 'autocannon in the bench process', static: staticKind === 'nginx' ? 'nginx, 1 worker' : 'child process' },
      page_rps: page.rps,
      page_p99_ms: page.p99_ms,
      page_p50_ms: page.p50_ms,
      // Every page request of every round, non-2xx answers and failed requests alike: must be 0.
      page_non2xx: rounds.reduce((n, r) => n + r.page.non2xx + r.page.errors, 0),
      static_server: staticKind,
      static_rps: stat.rps,
      static_p99_ms: stat.p99_ms,
      ratio_vs_static: round(page.rps / stat.rps, 3),
      page_bytes_gzip: median.gzip.length,
      page_bytes_gzip_max: largest.gzip.length,
      page_bytes_html: median.htmlBytes,
      update_visible_ms: round(Math.max(...idleMs)),
      update_visible_p50_ms: round(pct(idleMs, 50)),
      update_visible_under_load_ms: round(Math.max(...busyMs)),
      update_visible_under_load_p50_ms: round(pct(busyMs, 50)),
      half_rate_rps: half.rps,
      half_rate_p99_ms: half.p99_ms,
      hot_page_rps: hot.rps,
      hot_page_p99_ms: hot.p99_ms,
      cold_rps: cold.rps,
      cold_p99_ms: cold.p99_ms,
      code_rps: code.rps,
      code_p99_ms: code.p99_ms,
      server_cpu_pct: page.server_cpu_pct,
      loadgen_cpu_pct: page.loadgen_cpu_pct,
      other_cpu_pct: page.other_cpu_pct,
      page_cpu_us_per_req: page.server_cpu_us_per_req,
      // What ratio_vs_static would be with both servers CPU-bound (a one-core load generator caps static_rps).
      cpu_ratio_vs_static: round(stat.server_cpu_us_per_req / page.server_cpu_us_per_req, 3),
      static_cpu_us_per_req: stat.server_cpu_us_per_req,
      static_server_cpu_pct: stat.server_cpu_pct,
      static_loadgen_cpu_pct: stat.loadgen_cpu_pct,
      static_other_cpu_pct: stat.other_cpu_pct,
      loadavg_1m: round(os.loadavg()[0]!, 2),
      rounds: rounds.map((r) => ({ page_rps: r.page.rps, page_p99_ms: r.page.p99_ms, static_rps: r.stat.rps, static_p99_ms: r.stat.p99_ms, other_cpu_pct: Math.max(r.page.other_cpu_pct, r.stat.other_cpu_pct) })),
      rss_mb: Math.max(rss.rssPeakMb, final.rssPeakMb),
      load_s: round(ready.loadS),
      bench_s: Math.round((performance.now() - started) / 1000),
      ...(profileDir ? { cpu_profile_dir: profileDir } : {}),
    };
    console.log(JSON.stringify(result));
    process.exit(0);
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** CPU time spent by the whole machine (all cores, every process), from /proc/stat, in milliseconds (NaN off Linux). */
function machineBusyMs(): number {
  if (!fs.existsSync('/proc/stat')) return NaN;
  const [, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const n = ticks.slice(0, 8).map(Number);
  return ((n.reduce((a, b) => a + b, 0) - n[3]! - n[4]!) / 100) * 1000;
}

/** User + system CPU of a process, from /proc, in milliseconds (NaN off Linux). */
function procCpuMs(pid: number): number {
  if (!fs.existsSync(`/proc/${pid}/stat`)) return NaN;
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks / 100) * 1000;
}

if (process.argv[2] === '--server') await server();
else if (process.argv[2] === '--static') await staticServer();
else
  await main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
