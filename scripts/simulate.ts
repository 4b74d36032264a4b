/**
 * A fleet of IoT price-computing scales against a running platform, over MQTT or HTTP (scale
 * protocol v1). Signs in to the staff API, issues each scale a secret (a reissue cuts off whatever
 * used the old one, the demo simulation of `npm start` included), then sells.
 *
 *   npm run simulate -- --scales 50 --rate 20 --transport mqtt --over-cap 0.05 --duration 60
 *   npm run simulate -- --help
 *
 * A status line goes to stderr every few seconds; the summary, one line of JSON, to stdout.
 */
import { parseArgs } from 'node:util';
import { createFleet, provisionOverApi, ProvisionError, type AnomalyShares, type FleetLog, type FleetStats } from '../src/modules/simulator/index.js';

const USAGE = `Usage: npm run simulate -- [options]

  --scales N          how many IoT scales (the lowest ids first)          default 20
  --offset K          skip the first K IoT scales                         default 0
  --rate R            sales per second over the whole fleet               default 5
  --transport T       mqtt or http                                        default mqtt
  --mqtt-url URL      the broker the scales connect to                    default $MQTT_URL or mqtt://localhost:18830
  --url URL           the platform (staff API and HTTP transport)         default http://localhost:$PORT (8750)
  --user NAME         staff account that may issue device credentials     default demo_admin
  --password PW                                                           default mashang-demo-2026
  --duration S        seconds to run; 0 runs until Ctrl-C                 default 60
  --seed N            same seed, same sales                               default 1
  --heartbeat S       seconds between heartbeats of each scale; 0 none    default 60
  --status-every S    seconds between status lines                        default 5
  Shares of sales with an anomaly, each 0 to 1, drawn independently:
  --over-cap P        unit price 5-40 % above the cap                     default 0
  --arithmetic P      total off by more than the rounding tolerance       default 0
  --gap P             a seq skipped (never sent) before the sale          default 0
  --tamper P          a tamper event before the sale                      default 0
  --duplicate P       the sale sent twice                                 default 0
  --unit-change P     a unit_change_attempt event before the sale         default 0
  --calibration P     an unauthorised calibration event before the sale   default 0`;

class UsageError extends Error {}

function readOptions(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        scales: { type: 'string' },
        offset: { type: 'string' },
        rate: { type: 'string' },
        transport: { type: 'string' },
        'mqtt-url': { type: 'string' },
        url: { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        duration: { type: 'string' },
        seed: { type: 'string' },
        heartbeat: { type: 'string' },
        'status-every': { type: 'string' },
        'over-cap': { type: 'string' },
        arithmetic: { type: 'string' },
        gap: { type: 'string' },
        tamper: { type: 'string' },
        duplicate: { type: 'string' },
        'unit-change': { type: 'string' },
        calibration: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return null;

  const num = (flag: keyof typeof values, def: number, check: (n: number) => boolean, what: string): number => {
    const raw = values[flag];
    if (raw === undefined) return def;
    const n = Number(raw);
    if (String(raw).trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${flag} must be ${what}, got ${JSON.stringify(raw)}`);
    return n;
  };
  const url = (flag: 'mqtt-url' | 'url', def: string, protocols: string[]): string => {
    const raw = (values[flag] as string | undefined) ?? def;
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new UsageError(`--${flag} must be a URL, got ${JSON.stringify(raw)}`);
    }
    if (!protocols.includes(u.protocol)) throw new UsageError(`--${flag} must start with ${protocols.join(' or ')}, got ${JSON.stringify(raw)}`);
    return raw.replace(/\/$/, '');
  };
  const share = (flag: keyof typeof values) => num(flag, 0, (n) => n >= 0 && n <= 1, 'a share from 0 to 1');
  const transport = (values.transport as string | undefined) ?? 'mqtt';
  if (transport !== 'mqtt' && transport !== 'http') throw new UsageError(`--transport must be mqtt or http, got ${JSON.stringify(transport)}`);
  const shares: AnomalyShares = {
    overCap: share('over-cap'),
    arithmetic: share('arithmetic'),
    gap: share('gap'),
    tamper: share('tamper'),
    duplicate: share('duplicate'),
    unitChange: share('unit-change'),
    calibration: share('calibration'),
  };
  return {
    scales: num('scales', 20, (n) => Number.isInteger(n) && n >= 1 && n <= 100_000, 'a whole number from 1 to 100000'),
    offset: num('offset', 0, (n) => Number.isInteger(n) && n >= 0, 'a whole number >= 0'),
    rate: num('rate', 5, (n) => n > 0 && n <= 1_000_000, 'a number of sales per second > 0'),
    transport: transport as 'mqtt' | 'http',
    mqttUrl: url('mqtt-url', process.env.MQTT_URL || 'mqtt://localhost:18830', ['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:']),
    url: url('url', `http://localhost:${process.env.PORT || 8750}`, ['http:', 'https:']),
    user: (values.user as string | undefined) ?? 'demo_admin',
    password: (values.password as string | undefined) ?? 'mashang-demo-2026',
    durationS: num('duration', 60, (n) => n >= 0, 'a number of seconds >= 0'),
    seed: num('seed', 1, (n) => Number.isInteger(n), 'a whole number'),
    heartbeatS: num('heartbeat', 60, (n) => n >= 0, 'a number of seconds >= 0'),
    statusEveryS: num('status-every', 5, (n) => n > 0, 'a number of seconds > 0'),
    shares,
  };
}

/** Warnings to stderr, each kind at most five times (a flood of rejections says no more than the first few). */
function stderrLog(): FleetLog & { suppressed(): number } {
  const seen = new Map<string, number>();
  let suppressed = 0;
  const say = (level: string) => (obj: object, msg: string) => {
    const n = (seen.get(msg) ?? 0) + 1;
    seen.set(msg, n);
    if (n > 5) return void suppressed++;
    console.error(`${level}: ${msg} ${JSON.stringify(obj)}${n === 5 ? ' (further ones of this kind not shown)' : ''}`);
  };
  return { debug() {}, info: say('info'), warn: say('warn'), error: say('error'), suppressed: () => suppressed };
}

const statusLine = (s: FleetStats, sinceSales: number, sinceS: number) =>
  `[${s.elapsedS.toFixed(0).padStart(4)} s] sales ${s.sales} (${(sinceSales / Math.max(sinceS, 0.001)).toFixed(1)}/s)  sent ${s.sent}  accepted ${s.accepted}  duplicate ${s.duplicate}  rejected ${s.rejected}  unacked ${s.unacked}  reconnects ${s.reconnects}  ack p50 ${s.ackP50Ms ?? '-'} ms p99 ${s.ackP99Ms ?? '-'} ms` +
  (s.stoppedScales ? `  stopped scales ${s.stoppedScales}` : '');

async function main() {
  let opts;
  try {
    opts = readOptions(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`simulate: ${e.message}\nRun \`npm run simulate -- --help\` for the options.`);
      process.exit(2);
    }
    throw e;
  }
  if (!opts) {
    console.log(USAGE);
    return;
  }
  const log = stderrLog();
  console.error(`simulate: signing in to ${opts.url} as ${opts.user} and issuing credentials to ${opts.scales} IoT scales ...`);
  let specs;
  try {
    specs = await provisionOverApi({ baseUrl: opts.url, username: opts.user, password: opts.password, count: opts.scales, offset: opts.offset });
  } catch (e) {
    if (e instanceof ProvisionError) {
      console.error(`simulate: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
  if (specs.length < opts.scales) console.error(`simulate: only ${specs.length} IoT scales with a merchant are available; running those`);
  const fleet = createFleet({
    scales: specs,
    transport: opts.transport,
    mqttUrl: opts.mqttUrl,
    httpUrl: opts.url,
    ratePerS: opts.rate,
    shares: opts.shares,
    seed: opts.seed,
    heartbeatS: opts.heartbeatS,
    recordSeqs: false,
    log,
  });
  try {
    await fleet.start();
  } catch (e) {
    console.error(`simulate: ${(e as Error).message}`);
    process.exit(1);
  }
  console.error(`simulate: ${specs.length} scales selling ${opts.rate}/s over ${opts.transport === 'mqtt' ? opts.mqttUrl : `${opts.url} (HTTP)`}${opts.durationS ? ` for ${opts.durationS} s` : ' until Ctrl-C'}`);

  let last = { sales: 0, at: performance.now() };
  const status = setInterval(() => {
    const s = fleet.stats();
    const now = performance.now();
    console.error(statusLine(s, s.sales - last.sales, (now - last.at) / 1000));
    last = { sales: s.sales, at: now };
  }, opts.statusEveryS * 1000);

  const stop = async (why: string) => {
    clearInterval(status);
    console.error(`simulate: ${why}; waiting for outstanding acks ...`);
    const s = await fleet.stop({ flushTimeoutMs: 15_000 });
    const summary = {
      transport: opts.transport,
      target: opts.transport === 'mqtt' ? opts.mqttUrl : opts.url,
      ratePerS: opts.rate,
      achievedSalesPerS: Math.round((s.sales / Math.max(s.elapsedS, 0.001)) * 10) / 10,
      seed: opts.seed,
      shares: opts.shares,
      ...s,
      warningsNotShown: log.suppressed(),
    };
    console.log(JSON.stringify(summary));
    process.exit(s.unacked || s.stoppedScales === s.scales ? 1 : 0);
  };
  let stopping = false;
  const once = (why: string) => {
    if (stopping) {
      console.error('simulate: stopping at once; unacknowledged messages are lost');
      process.exit(130);
    }
    stopping = true;
    void stop(why);
  };
  process.on('SIGINT', () => once('interrupted'));
  process.on('SIGTERM', () => once('terminated'));
  if (opts.durationS > 0) setTimeout(() => once(`${opts.durationS} s done`), opts.durationS * 1000);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
