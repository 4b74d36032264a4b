import pino from 'pino';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../config/config.js';
import { buildServices, type AppContext } from '../context.js';
import { buildApp } from '../http/app.js';
import { openTestDb, type TestDbKind } from './db.js';
import { ensureSalePartitions } from '../modules/ingest/index.js';
import { seedFixtures, type Fixtures } from './fixtures.js';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  fx: Fixtures;
  /** Signs in and returns a client that sends the session cookie and CSRF token. */
  as(username: string, password?: string): Promise<Client>;
  close(): Promise<void>;
}

export interface Client {
  csrf: string;
  cookie: string;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  put(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  request(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

export const FIXTURE_PASSWORD = 'correct-horse-42';

export async function createTestApp(kind: TestDbKind, env: Record<string, string> = {}): Promise<TestApp> {
  const { config } = loadConfig({ MASHANG_DEMO: 'false', LOGIN_PER_IP_PER_MINUTE: '10000', ...env });
  const handle = await openTestDb(kind);
  const ctx = buildServices(config, pino({ level: 'silent' }), handle);
  await ensureSalePartitions(handle.db, new Date(), config.ingest.backfillDays + 1, 3);
  await ctx.pricing.ready();
  const fx = await seedFixtures(ctx);
  const app = await buildApp(ctx);
  await app.ready();

  async function as(username: string, password = FIXTURE_PASSWORD): Promise<Client> {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
    if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
    const cookie = res.cookies.find((c) => c.name === 'mashang_session')!;
    const csrf = res.json().csrfToken as string;
    const request = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
      app.inject({ method: method as 'GET', url, cookies: { mashang_session: cookie.value }, headers: { 'x-csrf-token': csrf, ...headers }, ...(body !== undefined ? { payload: body as object } : {}) });
    return {
      csrf,
      cookie: cookie.value,
      request,
      get: (url) => request('GET', url),
      post: (url, body) => request('POST', url, body ?? {}),
      patch: (url, body) => request('PATCH', url, body ?? {}),
      put: (url, body) => request('PUT', url, body ?? {}),
    };
  }

  return {
    app,
    ctx,
    fx,
    as,
    close: async () => {
      await app.close();
      await handle.cleanup();
    },
  };
}
