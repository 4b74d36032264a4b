import type { Logger } from 'pino';
import { createFleet } from './simulator.fleet.js';
import { administratorBy, provisionInProcess, type ProvisionContext } from './simulator.provision.js';

export interface DemoSimulation {
  /** Stops selling, lets outstanding messages be acknowledged (a few seconds at most), disconnects. */
  stop(): Promise<void>;
}

export interface DemoSimulationOptions {
  /** Where the scales connect: the embedded broker (mqtt://127.0.0.1:<port>) or MQTT_URL. */
  mqttUrl: string;
  /** MASHANG_SIMULATE=false turns it off. Default process.env. */
  env?: Record<string, string | undefined>;
  /** How many of the demo city's IoT scales sell. Default 30. */
  scales?: number;
  /** Mean seconds between two sales of one scale (each 50–150 % of it). Default 20. */
  meanIntervalS?: number;
}

const OFF = /^(0|false|no|off)$/i;

/** Where a local client reaches a broker listening on `host` (a wildcard address means this machine). */
export function localMqttUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `mqtt://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

/**
 * `npm start`'s living demo: some of the demo city's IoT scales sell gently over MQTT (one sale
 * every 10–30 s each, ~3 % over the cap, now and then a wrong total, a gap or a tamper event), so
 * the command centre has something to show. Never throws: a simulation that cannot start is logged
 * and skipped, the platform runs on.
 */
export async function startDemoSimulation(ctx: ProvisionContext & { logger: Logger }, opts: DemoSimulationOptions): Promise<DemoSimulation> {
  const log = ctx.logger.child({ component: 'simulator' });
  const noop: DemoSimulation = { stop: async () => {} };
  const flag = (opts.env ?? process.env).MASHANG_SIMULATE;
  if (flag !== undefined && OFF.test(flag)) {
    log.info('demo scale simulation off (MASHANG_SIMULATE=false)');
    return noop;
  }
  try {
    const by = await administratorBy(ctx.dbHandle.db, { demoOnly: true });
    if (!by) {
      log.info('demo scale simulation skipped: this database was not created as a demo (no demo administrator)');
      return noop;
    }
    // The highest ids: `npm run simulate` takes the lowest first, so both run side by side.
    const specs = await provisionInProcess(ctx, { count: opts.scales ?? 30, by, reuseCredentials: true, last: true });
    if (!specs.length) {
      log.info('demo scale simulation skipped: no IoT scale with a merchant');
      return noop;
    }
    const meanS = opts.meanIntervalS ?? 20;
    const handedOver: string[] = [];
    const fleet = createFleet({
      scales: specs,
      transport: 'mqtt',
      mqttUrl: opts.mqttUrl,
      ratePerS: specs.length / meanS,
      shares: { overCap: 0.03, arithmetic: 0.004, gap: 0.001, tamper: 0.0005, unitChange: 0.0005, calibration: 0.0005, duplicate: 0.002 },
      heartbeatS: 60,
      seed: Date.now() >>> 0,
      recordSeqs: false,
      log,
      onAuthFailure: (deviceId) => {
        // Reissued credentials: another simulator (npm run simulate) or a real scale has taken it over.
        if (handedOver.push(deviceId) === 1) setTimeout(() => log.warn({ deviceIds: handedOver.slice(0, 10) }, `demo scale simulation: ${handedOver.length} scale(s) stopped, their credentials were reissued (something else drives them now)`), 2000).unref();
      },
    });
    await fleet.start({ timeoutMs: 10_000 });
    log.info({ scales: specs.length, mqttUrl: opts.mqttUrl, saleEveryS: `${meanS / 2}-${meanS * 1.5}` }, `demo scale simulation: ${specs.length} IoT scales selling over MQTT (MASHANG_SIMULATE=false turns it off)`);
    return {
      async stop() {
        const s = await fleet.stop({ flushTimeoutMs: 3000 });
        log.info({ sales: s.sales, accepted: s.accepted, unacked: s.unacked }, 'demo scale simulation stopped');
      },
    };
  } catch (err) {
    log.warn({ err }, 'demo scale simulation could not start; the platform runs without it');
    return noop;
  }
}
