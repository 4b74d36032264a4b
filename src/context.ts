import type { Logger } from 'pino';
import type { Config, Secrets } from './config/config.js';
import { openPGlite, openPostgres, type DbHandle } from './db/connect.js';
import { migrate } from './db/migrate.js';
import { createAuthService, type AuthService } from './modules/auth/index.js';
import { createRegistryService, type RegistryService } from './modules/registry/index.js';
import { createPricingService, type PricingService } from './modules/pricing/index.js';
import { createAlertsService, type AlertsService } from './modules/alerts/index.js';
import { createCodesService, type CodesService } from './modules/codes/index.js';
import { createComplaintService, createComplaintSweeper, createFeedbackService, type ComplaintService, type ComplaintSweeper, type FeedbackService } from './modules/feedback/index.js';
import { createCreditService, type CreditService } from './modules/credit/index.js';
import { createPenaltyService, type PenaltyService } from './modules/enforcement/index.js';
import { createDeviceService, createIngestService, createIngestSweeper, ensureSalePartitions, type DeviceService, type IngestService } from './modules/ingest/index.js';

/** Every long-lived dependency, built once in one place and handed to what needs it. */
export interface AppContext {
  config: Config;
  logger: Logger;
  dbHandle: DbHandle;
  auth: AuthService;
  registry: RegistryService;
  /** Controlled prices; its judge() answers from memory, reloaded on writes and every 30 s. */
  pricing: PricingService;
  /** Alerts: raise(findings) from ingest, the staff lifecycle, the live push (SSE). */
  alerts: AlertsService;
  /** Scale device credentials and the cached device contexts the transports authenticate against. */
  devices: DeviceService;
  /** Takes scale messages from every transport; stores, judges, raises, acknowledges. */
  ingest: IngestService;
  /** Sequence gaps and offline scales found over time; sale partitions kept ahead of the clock. */
  sweeper: ReturnType<typeof createIngestSweeper>;
  /** Signed QR codes: keys, issue and reissue, what a scanned code is. */
  codes: CodesService;
  /** Consumers' ratings of scales and the lights (红灯秤) they give. */
  feedback: FeedbackService;
  /** Credit: rulebooks, events with due process, scores, stars, risk classes, the pledge. */
  credit: CreditService;
  /** Consumer complaints: filing, the statutory clocks, mediation, outcomes (upheld: a credit deduction). */
  complaints: ComplaintService;
  /** Complaints whose step due now is past its deadline raise an alert, once per step. */
  complaintSweeper: ComplaintSweeper;
  /** Administrative penalty decisions, each a credit deduction and public for its disclosure period. */
  penalties: PenaltyService;
  /** Flipped at shutdown so /readyz turns away new traffic while work drains. */
  state: { ready: boolean };
}

export async function openDatabase(config: Config, secrets: Secrets): Promise<DbHandle> {
  return config.database.kind === 'postgres' ? openPostgres(secrets.databaseUrl!, config.database.poolSize) : openPGlite(config.database.dataDir);
}

export async function createContext(config: Config, secrets: Secrets, logger: Logger, dbHandle?: DbHandle): Promise<AppContext> {
  const handle = dbHandle ?? (await openDatabase(config, secrets));
  const applied = await migrate(handle);
  if (applied.length) logger.info({ applied }, 'database migrated');
  const ctx = buildServices(config, logger, handle, { alertsNotifyUrl: secrets.databaseUrl, deviceKey: secrets.deviceKey });
  // Sales must not be judged against an empty price snapshot, nor land in the default partition.
  await ctx.pricing.ready();
  await ensureSalePartitions(handle.db, new Date(), config.ingest.backfillDays + 1, 3);
  return ctx;
}

/** `alertsNotifyUrl`: the PostgreSQL URL, so alerts raised on one instance reach the live streams of all (LISTEN/NOTIFY); absent on PGlite. */
export function buildServices(config: Config, logger: Logger, dbHandle: DbHandle, extra: { alertsNotifyUrl?: string; deviceKey?: Buffer } = {}): AppContext {
  const { db } = dbHandle;
  const registry = createRegistryService(db, { timezone: config.timezone });
  const pricing = createPricingService(db, { timezone: config.timezone, logger });
  const alerts = createAlertsService(db, { logger, ...(extra.alertsNotifyUrl ? { notify: { url: extra.alertsNotifyUrl } } : {}) });
  const ingestSettings = { ...config.ingest, timezone: config.timezone };
  const credit = createCreditService(db, registry, { timezone: config.timezone, parallel: config.database.kind === 'postgres' ? 2 : 1, alerts });
  const complaints = createComplaintService(db, { credit, alerts, timezone: config.timezone });
  return {
    config,
    logger,
    dbHandle,
    auth: createAuthService(db, { demo: config.demo, session: config.session, login: config.login }),
    registry,
    pricing,
    alerts,
    devices: createDeviceService(db, registry, { offlineAfterS: config.ingest.offlineAfterS, ...(extra.deviceKey ? { deviceKey: extra.deviceKey } : {}) }),
    ingest: createIngestService({ db, pricing, alerts, settings: ingestSettings, logger: logger.child({ component: 'ingest' }) }),
    sweeper: createIngestSweeper({ db, alerts, logger, settings: ingestSettings }),
    feedback: createFeedbackService(db, { alerts }),
    credit,
    complaints,
    complaintSweeper: createComplaintSweeper({ complaints, logger }),
    penalties: createPenaltyService(db, { registry, credit, timezone: config.timezone }),
    codes: createCodesService(db, registry, { baseUrl: config.http.publicUrl, timezone: config.timezone, logger, ...(extra.deviceKey ? { sealKey: extra.deviceKey } : {}) }),
    state: { ready: true },
  };
}
