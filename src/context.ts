import type { Logger } from 'pino';
import type { Config, Secrets } from './config/config.js';
import { openPGlite, openPostgres, type DbHandle } from './db/connect.js';
import { migrate } from './db/migrate.js';
import { createAuthService, type AuthService } from './modules/auth/index.js';
import { createRegistryService, type RegistryService } from './modules/registry/index.js';

/** Every long-lived dependency, built once in one place and handed to what needs it. */
export interface AppContext {
  config: Config;
  logger: Logger;
  dbHandle: DbHandle;
  auth: AuthService;
  registry: RegistryService;
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
  return buildServices(config, logger, handle);
}

export function buildServices(config: Config, logger: Logger, dbHandle: DbHandle): AppContext {
  const { db } = dbHandle;
  return {
    config,
    logger,
    dbHandle,
    auth: createAuthService(db, { demo: config.demo, session: config.session, login: config.login }),
    registry: createRegistryService(db, { timezone: config.timezone }),
    state: { ready: true },
  };
}
