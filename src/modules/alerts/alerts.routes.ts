import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { actorOf, byOf, SESSION_COOKIE } from '../../http/auth.plugin.js';
import { IdParams, Paged, page, staffErrors } from '../../http/schemas.js';
import type { AuthService, Reach } from '../auth/index.js';
import { ACTION_LABELS, ALERT_ACTIONS, type AlertAction } from './alerts.rules.js';
import type { AlertListFilter, AlertsService, AlertSummary } from './alerts.service.js';
import * as S from './alerts.schemas.js';

export interface AlertRoutesOptions {
  alerts: AlertsService;
  /** Re-checks a streaming viewer's session, so signing out or a changed posting ends their stream. */
  auth: Pick<AuthService, 'authenticate'>;
  heartbeatMs?: number;
  recheckMs?: number;
  /** A viewer this far behind (unsent bytes) is cut off; its browser reconnects and reloads. */
  maxBufferedBytes?: number;
}

type Id = { id: number };

// Every stream is handed the same event object: serialise it once.
const frames = new WeakMap<AlertSummary, string>();
const frameOf = (a: AlertSummary) => {
  let f = frames.get(a);
  if (!f) frames.set(a, (f = `id: ${a.id}.${a.version}\nevent: alert\ndata: ${JSON.stringify(a)}\n\n`));
  return f;
};
const sameReach = (a: Reach, b: Reach) => JSON.stringify(a) === JSON.stringify(b);

/** Alert routes: list, detail, lifecycle actions, counts, and the live stream (Server-Sent Events). */
export function registerAlertRoutes(app: FastifyInstance, opts: AlertRoutesOptions) {
  const { alerts } = opts;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const recheckMs = opts.recheckMs ?? 60_000;
  const maxBuffered = opts.maxBufferedBytes ?? 1024 * 1024;
  const ok = (schema: unknown) => ({ 200: schema, ...staffErrors });

  // Streams never end by themselves: end them before the server waits for its connections to close.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
  // Then stop the live push: its LISTEN connection and coalescing timer.
  app.addHook('onClose', async () => alerts.close());

  app.get(
    '/api/alerts/stream',
    {
      config: { access: 'alert.read' },
      schema: {
        tags: ['alerts'],
        summary: 'Live alerts within your jurisdiction (Server-Sent Events)',
        description:
          'text/event-stream. `event: ready` once the stream is live (load or reload the list then); `event: alert` with an Alert plus `change` ' +
          '(created | evidence | status) for each new or changed alert within your reach, newest version last (keep the highest `version`); ' +
          '`event: resync` when some may have been missed (reload the list). A comment line every 15 s keeps proxies from closing it.',
        response: { 200: { description: 'an event stream', content: { 'text/event-stream': { schema: Type.String() } } }, ...staffErrors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const token = req.cookies?.[SESSION_COOKIE];
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': String(req.id),
      });
      if (req.method === 'HEAD') return void res.end();
      let closed = false;
      const send = (chunk: string) => {
        if (closed) return;
        if (res.writableLength > maxBuffered) return end();
        res.write(chunk);
      };
      const unsubscribe = alerts.subscribe(actor.reach, (a) => send(frameOf(a)), { onResync: () => send('event: resync\ndata: {}\n\n') });
      let sinceCheck = 0;
      const beat = setInterval(() => {
        send(': keep-alive\n\n');
        sinceCheck += heartbeatMs;
        if (sinceCheck < recheckMs || !token) return;
        sinceCheck = 0;
        opts.auth.authenticate(token).then(
          (found) => {
            if (!found || !sameReach(found.actor.reach, actor.reach)) end();
          },
          () => {},
        );
      }, heartbeatMs);
      beat.unref();
      function end() {
        if (closed) return;
        closed = true;
        clearInterval(beat);
        unsubscribe();
        open.delete(end);
        res.end();
      }
      open.add(end);
      res.on('close', end);
      await alerts.whenListening();
      send(`retry: 3000\nevent: ready\ndata: ${JSON.stringify({ at: new Date().toISOString() })}\n\n`);
    },
  );

  app.get(
    '/api/alerts',
    { config: { access: 'alert.read' }, schema: { tags: ['alerts'], summary: 'Alerts within your jurisdiction, most recently active first', querystring: S.AlertQuery, response: ok(Paged(S.Alert)) } },
    async (req) => alerts.list(actorOf(req), { ...(req.query as Omit<AlertListFilter, 'page' | 'pageSize'>), ...page(req.query as never) }),
  );

  app.get(
    '/api/alerts/summary',
    { config: { access: 'alert.read' }, schema: { tags: ['alerts'], summary: 'Open and acknowledged alerts within your jurisdiction, by type and severity', response: ok(S.AlertSummaryCounts) } },
    async (req) => alerts.summary(actorOf(req)),
  );

  app.get(
    '/api/alerts/:id',
    { config: { access: 'alert.read' }, schema: { tags: ['alerts'], summary: 'An alert with a page of its evidence (newest first) and its action history', params: IdParams, querystring: S.DetailQuery, response: ok(S.AlertDetail) } },
    async (req) => {
      const q = req.query as { evidencePage?: number; evidencePageSize?: number };
      return alerts.get(actorOf(req), (req.params as Id).id, { page: q.evidencePage ?? 1, pageSize: q.evidencePageSize ?? 50 });
    },
  );

  for (const action of ALERT_ACTIONS) {
    const noteRequired = action === 'resolve' || action === 'dismiss';
    app.post(
      `/api/alerts/:id/${action}`,
      {
        config: { access: 'alert.act' },
        schema: {
          tags: ['alerts'],
          summary: `${ACTION_LABELS[action].en} an alert (${ACTION_LABELS[action].zh})${noteRequired ? ': a note is required' : ''}`,
          params: IdParams,
          body: noteRequired ? S.RequiredNote : S.OptionalNote,
          response: ok(S.Alert),
        },
      },
      async (req) => alerts.act(byOf(req), (req.params as Id).id, action as AlertAction, (req.body as { note?: string } | undefined)?.note),
    );
  }
}
