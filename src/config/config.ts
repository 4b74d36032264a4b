import path from 'node:path';

/** Values that must never be logged; kept apart from the rest of the config. */
export interface Secrets {
  databaseUrl: string | undefined;
  mqttUrl: string | undefined;
  /** 32 bytes that encrypt scale device secrets at rest; when unset one is generated and kept (see ingest). */
  deviceKey: Buffer | undefined;
}

export interface Config {
  http: { host: string; port: number; publicUrl: string; trustProxy: boolean; openDataPerMinute: number };
  database: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; poolSize: number };
  mqtt: { kind: 'embedded'; port: number } | { kind: 'external' };
  dataDir: string;
  demo: boolean;
  /** In demo mode, a few dozen demo IoT scales sell over MQTT so the platform is alive. */
  simulate: boolean;
  logLevel: string;
  timezone: string;
  session: { idleMinutes: number; absoluteHours: number; cookieSecure: boolean };
  login: { maxFailures: number; lockoutMinutes: number; perIpPerMinute: number };
  imports: { maxFileMb: number; maxRows: number };
  ingest: {
    backfillDays: number;
    roundingToleranceFen: number;
    gapGraceMinutes: number;
    clockDriftS: number;
    offlineAfterS: number;
    httpPerScalePerS: number;
    flushMs: number;
    maxBatch: number;
    writers: number;
    /** MQTT 5 Receive Maximum the platform asks an external broker for (payloads in flight to it). */
    mqttWindow: number;
  };
  /** Redacted view, safe to print. */
  describe(): Record<string, unknown>;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the environment; collects every problem before failing so all are fixed at once. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): { config: Config; secrets: Secrets } {
  const problems: string[] = [];

  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`);
      return def;
    }
    return n;
  };
  const bool = (name: string, def: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    problems.push(`${name}=${JSON.stringify(raw)}: expected true or false`);
    return def;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) {
        problems.push(`${name}: protocol ${u.protocol} not supported (use ${protocols.join(' or ')})`);
        return undefined;
      }
      return raw;
    } catch {
      problems.push(`${name}: not a valid URL`);
      return undefined;
    }
  };

  const port = int('PORT', 8750, 1, 65535);
  const host = env.HOST || '127.0.0.1';
  const dataDir = path.resolve(cwd, env.MASHANG_DATA_DIR || 'data');
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const mqttUrl = url('MQTT_URL', ['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:']);
  const mqttPort = int('MQTT_PORT', 18830, 1, 65535);
  const publicUrlRaw = url('PUBLIC_URL', ['http:', 'https:']);
  let deviceKey: Buffer | undefined;
  if (env.MASHANG_DEVICE_KEY) {
    deviceKey = Buffer.from(env.MASHANG_DEVICE_KEY, 'base64');
    if (deviceKey.length !== 32) problems.push('MASHANG_DEVICE_KEY: expected 32 bytes in base64 (e.g. from `openssl rand -base64 32`)');
  }
  const publicUrl = (publicUrlRaw ?? `http://localhost:${port}`).replace(/\/$/, '');
  const logLevel = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)}: expected fatal, error, warn, info, debug, trace or silent`);
  }
  const timezone = env.MASHANG_TIMEZONE || 'Asia/Shanghai';
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    problems.push(`MASHANG_TIMEZONE=${JSON.stringify(timezone)}: not an IANA time zone`);
  }
  // Demo data and demo sign-ins come with the embedded defaults; a real server starts clean.
  const demo = bool('MASHANG_DEMO', env.DATABASE_URL ? false : true);

  const config: Config = {
    http: { host, port, publicUrl, trustProxy: bool('TRUST_PROXY', false), openDataPerMinute: int('OPEN_DATA_PER_MINUTE', 600, 1, 1_000_000) },
    database: databaseUrl
      ? { kind: 'postgres', poolSize: int('DATABASE_POOL_SIZE', 10, 1, 200) }
      : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') },
    mqtt: mqttUrl ? { kind: 'external' } : { kind: 'embedded', port: mqttPort },
    dataDir,
    demo,
    simulate: bool('MASHANG_SIMULATE', true),
    logLevel,
    timezone,
    session: {
      idleMinutes: int('SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
      absoluteHours: int('SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 30),
      cookieSecure: bool('COOKIE_SECURE', publicUrl.startsWith('https:')),
    },
    login: {
      maxFailures: int('LOGIN_MAX_FAILURES', 5, 1, 100),
      lockoutMinutes: int('LOGIN_LOCKOUT_MINUTES', 15, 1, 24 * 60),
      perIpPerMinute: int('LOGIN_PER_IP_PER_MINUTE', 20, 1, 10_000),
    },
    imports: { maxFileMb: int('IMPORT_MAX_FILE_MB', 25, 1, 500), maxRows: int('IMPORT_MAX_ROWS', 200_000, 1, 5_000_000) },
    ingest: {
      backfillDays: int('INGEST_BACKFILL_DAYS', 7, 1, 90),
      roundingToleranceFen: int('INGEST_ROUNDING_TOLERANCE_FEN', 10, 0, 1000),
      gapGraceMinutes: int('INGEST_GAP_GRACE_MINUTES', 10, 1, 24 * 60),
      clockDriftS: int('INGEST_CLOCK_DRIFT_S', 120, 1, 86_400),
      offlineAfterS: int('INGEST_OFFLINE_AFTER_S', 180, 10, 86_400),
      httpPerScalePerS: int('INGEST_HTTP_PER_SCALE_PER_S', 10, 1, 10_000),
      flushMs: int('INGEST_FLUSH_MS', 15, 1, 1000),
      maxBatch: int('INGEST_MAX_BATCH', 4000, 1, 50_000),
      // One writer on the embedded database (a single connection); a few on a server.
      writers: int('INGEST_WRITERS', databaseUrl ? 2 : 1, 1, 32),
      mqttWindow: int('INGEST_MQTT_WINDOW', 4000, 20, 65_535),
    },
    describe() {
      return {
        http: this.http,
        database: databaseUrl ? { kind: 'postgres', url: redactUrl(databaseUrl) } : this.database,
        mqtt: mqttUrl ? { kind: 'external', url: redactUrl(mqttUrl) } : this.mqtt,
        demo: this.demo,
        timezone: this.timezone,
      };
    },
  };
  if (problems.length) throw new ConfigError(problems);
  return { config, secrets: { databaseUrl, mqttUrl, deviceKey } };
}

export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '***';
  }
}
