import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Logger } from 'pino';
import type { AppContext } from '../context.js';
import { registerAlertRoutes } from '../modules/alerts/index.js';
import { registerAuditRoutes } from '../modules/audit/index.js';
import { registerAuthRoutes } from '../modules/auth/index.js';
import { registerCodeRoutes } from '../modules/codes/index.js';
import { registerComplaintRoutes, registerFeedbackRoutes } from '../modules/feedback/index.js';
import { registerCreditRoutes } from '../modules/credit/index.js';
import { registerPenaltyRoutes } from '../modules/enforcement/index.js';
import { registerImportRoutes } from '../modules/imports/index.js';
import { registerDeviceHttp, registerIngestRoutes } from '../modules/ingest/index.js';
import { registerRegistryRoutes } from '../modules/registry/index.js';
import { registerPricingPage, registerPricingRoutes } from '../modules/pricing/index.js';
import { registerPublicPages } from '../public/public.routes.js';
import { registerOpenData } from '../public/open-data.routes.js';
import { authPlugin } from './auth.plugin.js';
import { installErrorHandler } from './error-handler.js';
import { installMetrics } from './metrics.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIST = path.resolve(here, '../../web/dist');

export interface BuildOptions {
  /** Where request logs go (none in tests). */
  logger?: Logger;
}

/** The HTTP edge: plugins for third-party set-up, then the app's own plugins, then routes. */
export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  // Cached scan pages are answered on the Node server before Fastify sees the request (public.routes.ts).
  const early: { serveHit: ((req: http.IncomingMessage, res: http.ServerResponse) => boolean) | null } = { serveHit: null };
  const app = Fastify({
    serverFactory: (handler) =>
      http.createServer((req, res) => {
        if (early.serveHit?.(req, res)) return;
        handler(req, res);
      }),
    ...(opts.logger ? { loggerInstance: opts.logger as FastifyBaseLogger } : { logger: false }),
    genReqId: (req) => (typeof req.headers['x-request-id'] === 'string' && /^[\w-]{1,64}$/.test(req.headers['x-request-id']) ? req.headers['x-request-id'] : randomUUID()),
    trustProxy: ctx.config.http.trustProxy,
    bodyLimit: 1024 * 1024,
    // A code URL's token is about 130 characters (docs/codes.md).
    routerOptions: { maxParamLength: 300 },
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false, useDefaults: true } },
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  installErrorHandler(app);
  // Plain HTML forms of the public pages (rating a scale, checking a code) post url-encoded fields.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Mashang (码上) API',
        version: '1',
        description:
          'Smart market supervision: registry of markets, merchants, scales and cameras; staff access by jurisdiction. ' +
          'Staff calls use the session cookie from POST /api/auth/login and send the returned CSRF token in the x-csrf-token header on every write.',
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'mashang_session' } } },
      security: [{ session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  const metrics = installMetrics(app, () => ctx.ingest.stats());
  await app.register(authPlugin, { auth: ctx.auth });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true, response: { 200: Type.Object({ status: Type.String() }), 503: Type.Object({ status: Type.String(), reason: Type.String() }) } } }, async (_req, reply) => {
    if (!ctx.state.ready) return reply.status(503).send({ status: 'unavailable', reason: 'shutting down' });
    try {
      await sql`select 1`.execute(ctx.dbHandle.db);
      return { status: 'ready' };
    } catch {
      return reply.status(503).send({ status: 'unavailable', reason: 'database unreachable' });
    }
  });
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  registerAuthRoutes(app, { auth: ctx.auth, cookieSecure: ctx.config.session.cookieSecure, absoluteHours: ctx.config.session.absoluteHours });
  registerRegistryRoutes(app, ctx.registry);
  registerPricingRoutes(app, ctx.pricing);
  registerPricingPage(app, ctx.pricing);
  // The app's close ends the pricing snapshot's refresh timer (main's shutdown and every test close the app).
  app.addHook('onClose', async () => ctx.pricing.close());
  registerAlertRoutes(app, { alerts: ctx.alerts, auth: ctx.auth });
  registerAuditRoutes(app, ctx.dbHandle.db);
  registerIngestRoutes(app, { db: ctx.dbHandle.db, devices: ctx.devices, registry: ctx.registry, offlineAfterS: ctx.config.ingest.offlineAfterS });
  registerDeviceHttp(app, { devices: ctx.devices, ingest: ctx.ingest, perScalePerS: ctx.config.ingest.httpPerScalePerS });
  // In-flight scale messages are stored (and acknowledged) before the app finishes closing.
  app.addHook('onClose', async () => ctx.ingest.close());
  registerFeedbackRoutes(app, ctx.feedback);
  registerCreditRoutes(app, ctx.credit);
  registerComplaintRoutes(app, ctx.complaints);
  registerPenaltyRoutes(app, ctx.penalties);
  await registerOpenData(app, { db: ctx.dbHandle.db, codes: ctx.codes, pricing: ctx.pricing, timezone: ctx.config.timezone, perMinute: ctx.config.http.openDataPerMinute });
  early.serveHit = (await registerPublicPages(app, { dbHandle: ctx.dbHandle, codes: ctx.codes, feedback: ctx.feedback, credit: ctx.credit, complaints: ctx.complaints, pricing: ctx.pricing, timezone: ctx.config.timezone, logger: ctx.logger, metrics })).serveHit;
  registerCodeRoutes(app, { db: ctx.dbHandle.db, codes: ctx.codes, registry: ctx.registry });
  await registerImportRoutes(app, { db: ctx.dbHandle.db, registry: ctx.registry, maxFileMb: ctx.config.imports.maxFileMb, maxRows: ctx.config.imports.maxRows });

  await registerWebApp(app);
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/admin/'));
  return app;
}

/** The staff web app, built by Vite into web/dist and served at /admin with client-side routes falling back to index.html. */
async function registerWebApp(app: FastifyInstance) {
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) {
    app.get('/admin/*', { schema: { hide: true } }, async (_req, reply) =>
      reply.status(503).type('text/plain; charset=utf-8').send('The staff web app is not built: run `npm run build:web` (npm start does it for you).'),
    );
    return;
  }
  await app.register(fastifyStatic, { root: WEB_DIST, prefix: '/admin/', decorateReply: false, wildcard: false, index: ['index.html'] });
  const indexHtml = fs.readFileSync(path.join(WEB_DIST, 'index.html'));
  app.get('/admin/*', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(indexHtml));
}
