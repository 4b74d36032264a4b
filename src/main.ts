/**
 * Composition root: environment → validated config → context (database, services) → HTTP.
 * `npm start` runs this on the embedded defaults: PGlite in ./data, demo city loaded on first start.
 */
import { startUpkeep } from './upkeep.js';
import net from 'node:net';
import pino from 'pino';
import { ConfigError, loadConfig } from './config/config.js';
import { createContext } from './context.js';
import { buildApp } from './http/app.js';
import { loadDemo } from './modules/demo/index.js';
import { connectExternalBroker, startEmbeddedBroker, type MqttTransport } from './modules/ingest/index.js';
import { localMqttUrl, startDemoSimulation } from './modules/simulator/index.js';

async function main() {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const { config, secrets } = loaded;
  const logger = pino({ level: config.logLevel });
  const started = Date.now();
  // Before touching the database: a second instance on a taken port must not open the same data folder.
  if (!(await isPortFree(config.http.host, config.http.port))) portTaken(config.http.host, config.http.port, 'PORT');
  if (config.mqtt.kind === 'embedded' && !(await isPortFree(config.http.host, config.mqtt.port))) portTaken(config.http.host, config.mqtt.port, 'MQTT_PORT');
  logger.info({ config: config.describe() }, 'starting Mashang');

  const ctx = await createContext(config, secrets, logger);
  let demo: Awaited<ReturnType<typeof loadDemo>> | undefined;
  if (config.demo) {
    demo = await loadDemo(ctx);
    if (demo.created) logger.info({ counts: demo.counts }, 'demo city loaded');
  }
  const app = await buildApp(ctx, { logger: logger.child({ component: 'http' }) });

  try {
    await app.listen({ host: config.http.host, port: config.http.port });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      await ctx.dbHandle.close();
      portTaken(config.http.host, config.http.port, 'PORT');
    }
    throw e;
  }

  // Scales: the embedded broker by default, or the external one named by MQTT_URL.
  const mqttLogger = logger.child({ component: 'mqtt' });
  let mqtt: MqttTransport;
  if (config.mqtt.kind === 'embedded') {
    try {
      mqtt = await startEmbeddedBroker({ devices: ctx.devices, ingest: ctx.ingest, logger: mqttLogger, host: config.http.host, port: config.mqtt.port });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') portTaken(config.http.host, config.mqtt.port, 'MQTT_PORT');
      throw e;
    }
  } else {
    mqtt = await connectExternalBroker({ devices: ctx.devices, ingest: ctx.ingest, logger: mqttLogger, url: secrets.mqttUrl!, window: config.ingest.mqttWindow });
  }
  ctx.sweeper.start();
  ctx.complaintSweeper.start();
  const upkeep = startUpkeep(ctx);
  // Demo mode: some of the demo city's IoT scales sell over MQTT, so the platform is alive (MASHANG_SIMULATE=false: not).
  const simulation = config.demo && config.simulate ? await startDemoSimulation(ctx, { mqttUrl: config.mqtt.kind === 'embedded' ? localMqttUrl(config.http.host, config.mqtt.port) : secrets.mqttUrl! }) : null;

  const base = config.http.publicUrl;
  const lines = [
    '',
    `码上 Mashang is up in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `  Staff web app (后台):   ${base}/admin/`,
    `  API reference:          ${base}/api/docs`,
    `  Health / metrics:       ${base}/healthz  ${base}/readyz  ${base}/metrics`,
    `  Database:               ${config.database.kind === 'pglite' ? `embedded PGlite in ${config.database.dataDir}` : 'PostgreSQL (DATABASE_URL)'}`,
    `  Scales connect to:      ${mqtt.describe()}; HTTP ${base}/api/device/v1/scales/{scaleId}/messages`,
  ];
  if (demo?.signIns.length) {
    lines.push(`  Demo mode: sign in as (password ${demo.password} for every demo account):`);
    for (const s of demo.signIns) lines.push(`    ${s.username.padEnd(22)} ${s.label}`);
  } else if (demo) {
    lines.push('  Demo mode, but this database was not created as a demo: it holds no demo accounts. Sign in with your own.');
  } else {
    lines.push('  Not in demo mode. Create the first administrator with: npm run admin:create -- --username <name>');
  }
  console.log(lines.join('\n') + '\n');

  // Expired sessions are refused on sight; this only keeps the table small.
  const purge = setInterval(() => void ctx.auth.purgeExpiredSessions().catch((e) => logger.warn({ err: e }, 'session purge failed')), 3_600_000);
  purge.unref();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new work, finishing what is in flight');
    ctx.state.ready = false;
    const timer = setTimeout(() => {
      logger.error('shutdown took longer than 20 s; exiting');
      process.exit(1);
    }, 20_000);
    timer.unref();
    // Stop taking scale messages first; closing the app then stores and acknowledges what is in flight.
    await simulation?.stop();
    await mqtt.close().catch((err) => logger.warn({ err }, 'mqtt close'));
    await app.close();
    await ctx.sweeper.stop();
    await upkeep.stop();
    await ctx.complaintSweeper.stop();
    await ctx.dbHandle.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

function portTaken(host: string, port: number, setting: string): never {
  console.error(`Port ${port} on ${host} is already in use. Set ${setting} to a free port, e.g. ${setting}=${port + 1} npm start`);
  process.exit(1);
}

function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
