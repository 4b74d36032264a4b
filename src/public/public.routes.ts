/**
 * The pages a scan opens, rendered on the server: a code URL (/C/<token>) shows its subject's page
 * at once with the check code, or a warning for a revoked or forged code; /p/… are the same pages
 * by id, linked from one another. Pages are cached whole (HTML + gzip + ETag) and dropped the
 * moment a record they show changes (NOTIFY 'mashang_public' from the tables' triggers).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { Type } from 'typebox';
import type { DbHandle } from '../db/connect.js';
import type { CodesService } from '../modules/codes/index.js';
import type { CreditService } from '../modules/credit/index.js';
import { RATING_REASONS, type ComplaintService, type FeedbackService } from '../modules/feedback/index.js';
import { calendarDate } from '../modules/registry/index.js';
import { renderPricePage, type PricingService } from '../modules/pricing/index.js';
import { merchantComplaintHref, registerComplaintPages, scaleComplaintHref } from './complaint.routes.js';
import { renderMarketPage } from './market.page.js';
import { renderMerchantPage } from './merchant.page.js';
import { renderNoticePage } from './notice.page.js';
import { PageCache, preparePage, type CachedPage } from './page-cache.js';
import { loadMarketView, loadMerchantCredit, loadMerchantView, loadScaleView, marketHref, merchantHref, scaleHref, subjectName } from './public.repository.js';
import { renderScalePage } from './scale.page.js';
import { renderVerifyPage } from './verify.page.js';
import type { CodeKind, Lang, PageContext, RatingNotice, VerifyResultView } from './views.js';

export interface PublicDeps {
  dbHandle: DbHandle;
  codes: CodesService;
  feedback: FeedbackService;
  credit: CreditService;
  complaints: ComplaintService;
  pricing: PricingService;
  timezone: string;
  logger?: Logger;
  /** Where the count of scan pages answered before Fastify goes (they are not in the request metrics). */
  metrics?: Registry;
}

const DEVICE_COOKIE = 'mashang_dev';
const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 8 })), rated: Type.Optional(Type.String({ maxLength: 16 })), why: Type.Optional(Type.String({ maxLength: 32 })), q: Type.Optional(Type.String({ maxLength: 50 })) });
const langOf = (q: { lang?: string }): Lang => (q.lang === 'en' ? 'en' : 'zh');
const hrefOf = (kind: CodeKind, id: number) => (kind === 'merchant' ? merchantHref(id) : kind === 'scale' ? scaleHref(id) : kind === 'market' ? marketHref(id) : null);

type Rendered = { page: CachedPage; deps: string[] } | null;

/**
 * What the early answer needs from a request's headers, read from `rawHeaders` (name, value, …)
 * so Node does not build `req.headers` for it: the If-None-Match value (the last one sent)
 * and whether any Accept-Encoding names gzip.
 */
export function conditionsOf(raw: readonly string[]): { ifNoneMatch: string | undefined; gzip: boolean } {
  let ifNoneMatch: string | undefined;
  let gzip = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 15 && name.toLowerCase() === 'accept-encoding') gzip ||= raw[i + 1]!.includes('gzip');
    else if (name.length === 13 && name.toLowerCase() === 'if-none-match') ifNoneMatch = raw[i + 1];
  }
  return { ifNoneMatch, gzip };
}

export async function registerPublicPages(app: FastifyInstance, deps: PublicDeps) {
  const { dbHandle, codes, feedback, credit, pricing, timezone } = deps;
  const db = dbHandle.db;
  const cache = new PageCache();
  const publicHits = new Counter({ name: 'mashang_public_page_cache_hits_total', help: 'Scan pages answered from the page cache before routing', registers: deps.metrics ? [deps.metrics] : [] });
  // '*': many records changed at once (a re-score under a new rulebook): every page goes.
  const stopListening = await dbHandle.listen('mashang_public', (key) => (key === '*' ? cache.clear() : cache.invalidate(key)), () => cache.clear(), deps.logger);
  app.addHook('onClose', async () => stopListening());

  const ctxOf = (lang: Lang, path: string, extra: Partial<PageContext> = {}): PageContext => ({ lang, path, now: new Date(), timeZone: timezone, ...extra });
  // The city's calendar day, part of every cache key (verification states and credit move with it);
  // worked out at most once a second rather than per request.
  let day = calendarDate(new Date(), timezone);
  let dayCheckedAt = Date.now();
  const today = () => {
    const now = Date.now();
    if (now - dayCheckedAt > 1000) {
      day = calendarDate(new Date(now), timezone);
      dayCheckedAt = now;
    }
    return day;
  };

  const BASE_HEADERS = {
    'content-type': 'text/html; charset=utf-8',
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  };
  const wantsGzip = (req: FastifyRequest) => String(req.headers['accept-encoding'] ?? '').includes('gzip');

  function send(req: FastifyRequest, reply: FastifyReply, page: CachedPage, cacheable = true) {
    reply
      .status(page.status)
      .headers(BASE_HEADERS)
      .header('cache-control', cacheable ? 'public, max-age=0, must-revalidate' : 'no-store')
      .header('etag', page.etag);
    if (cacheable && req.headers['if-none-match'] === page.etag) return reply.status(304).send();
    if (wantsGzip(req)) return reply.header('content-encoding', 'gzip').send(page.gzip);
    return reply.send(page.html);
  }

  /** One render per key at a time: a page just dropped is rendered once however many ask for it. */
  const rendering = new Map<string, Promise<CachedPage | null>>();
  /** Renders through the cache: `key` names the variant, the render says which records it shows. */
  async function cached(key: string, render: () => Promise<Rendered>): Promise<CachedPage | null> {
    const hit = cache.get(key);
    if (hit) return hit;
    let p = rendering.get(key);
    if (!p) {
      const since = cache.mark();
      p = render()
        .then((r) => {
          if (!r) return null;
          cache.set(key, r.deps, r.page, since);
          return r.page;
        })
        .finally(() => rendering.delete(key));
      rendering.set(key, p);
    }
    return p;
  }

  // A scan of a cached page is answered before routing, auth and validation: the page is already
  // rendered, compressed and tagged. Anything else (a query beyond ?lang=en, a miss) goes on as usual.
  const HIT = /^\/(?:p\/(merchants|scales|markets)\/(\d{1,15})|[Cc]\/([A-Za-z2-7]{1,200}))(?:\?lang=(en|zh))?$/;
  const hitOf = (method: string | undefined, url: string | undefined): CachedPage | undefined => {
    if (method !== 'GET' || !url) return undefined;
    const m = HIT.exec(url);
    if (!m) return undefined;
    const lang = m[4] === 'en' ? 'en' : 'zh';
    return cache.get(m[3] ? `code:${m[3].toUpperCase()}:${lang}:${today()}` : `${m[1] === 'merchants' ? 'merchant' : m[1] === 'scales' ? 'scale' : 'market'}:${m[2]}:${lang}:${today()}`);
  };
  app.addHook('onRequest', async (req, reply) => {
    const page = hitOf(req.method, req.url);
    if (page) return send(req, reply, page);
  });

  /**
   * The same, one step earlier: on the Node server itself, before Fastify (see buildApp's
   * serverFactory). A phone scanning a hot page costs about what a static file does: the response
   * headers of each cached page are built once (flat arrays, as writeHead takes them), and the
   * request's headers are read from rawHeaders without building req.headers; under load the
   * per-hit garbage, not the work, set the tail (src/public/README.md).
   */
  const CACHEABLE = 'public, max-age=0, must-revalidate';
  const wireOf = new WeakMap<CachedPage, { gzip: string[]; identity: string[]; notModified: string[] }>();
  const wire = (page: CachedPage) => {
    let w = wireOf.get(page);
    if (!w) {
      const common = [...Object.entries(BASE_HEADERS).flat(), 'cache-control', CACHEABLE, 'etag', page.etag];
      w = {
        gzip: [...common, 'content-encoding', 'gzip', 'content-length', String(page.gzip.length)],
        identity: [...common, 'content-length', String(page.html.length)],
        notModified: ['etag', page.etag, 'vary', 'accept-encoding', 'cache-control', CACHEABLE],
      };
      wireOf.set(page, w);
    }
    return w;
  };
  function serveHit(req: IncomingMessage, res: ServerResponse): boolean {
    const page = hitOf(req.method, req.url);
    if (!page) return false;
    publicHits.inc();
    const w = wire(page);
    const { ifNoneMatch, gzip } = conditionsOf(req.rawHeaders);
    if (ifNoneMatch === page.etag) res.writeHead(304, w.notModified).end();
    else if (gzip) res.writeHead(page.status, w.gzip).end(page.gzip);
    else res.writeHead(page.status, w.identity).end(page.html);
    return true;
  }

  const notice = (lang: Lang, path: string, kind: Parameters<typeof renderNoticePage>[0]['kind'], status: number, extra: Omit<Parameters<typeof renderNoticePage>[0], 'kind'> = {}, checkCode?: string) =>
    preparePage(renderNoticePage({ kind, ...extra }, ctxOf(lang, path, checkCode ? { checkCode } : {})), status);

  // ---------------- the subject pages, by id

  async function merchantPage(id: number, lang: Lang, path: string, checkCode?: string): Promise<Rendered> {
    const view = await loadMerchantView(db, id, today());
    if (!view) return null;
    Object.assign(view, await loadMerchantCredit(db, credit, id, new Date(), timezone), { complainHref: merchantComplaintHref(id) });
    return { page: preparePage(renderMerchantPage(view, ctxOf(lang, path, checkCode ? { checkCode } : {}))), deps: view.deps };
  }
  async function scalePage(id: number, lang: Lang, path: string, opts: { checkCode?: string; rated?: RatingNotice; why?: string } = {}): Promise<Rendered> {
    const view = await loadScaleView(db, id, today());
    if (!view) return null;
    const back = path;
    const noticeText = whyText(lang, opts.why);
    const rating = { action: `/p/scales/${id}/ratings?back=${encodeURIComponent(back)}`, ...(opts.rated ? { notice: opts.rated } : {}), ...(noticeText ? { noticeText } : {}) };
    const complainHref = view.merchant ? scaleComplaintHref(id) : null;
    return { page: preparePage(renderScalePage({ ...view, rating, complainHref }, ctxOf(lang, path, opts.checkCode ? { checkCode: opts.checkCode } : {}))), deps: view.deps };
  }
  async function marketPage(id: number, lang: Lang, path: string, q: string, checkCode?: string): Promise<Rendered> {
    const view = await loadMarketView(db, id, q, today());
    if (!view) return null;
    return { page: preparePage(renderMarketPage(view, ctxOf(lang, path, { ...(q ? { query: { q } } : {}), ...(checkCode ? { checkCode } : {}) }))), deps: view.deps };
  }

  const RATED: readonly RatingNotice[] = ['thanks', 'limited', 'invalid', 'screened'];
  const ratedOf = (q: { rated?: string }) => (RATED as readonly string[]).includes(q.rated ?? '') ? (q.rated as RatingNotice) : undefined;
  /** Why a rating was not taken, from the redirect's `why` (a reason code, never free text). */
  const whyText = (lang: Lang, why: string | undefined): string | undefined => {
    const m = why ? RATING_REASONS[why] : undefined;
    return m ? m[lang] : undefined;
  };

  app.get('/p/merchants/:id', { config: { access: 'public' }, schema: { hide: true, params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), querystring: LangQuery } }, async (req, reply) => {
    const id = (req.params as { id: number }).id;
    const lang = langOf(req.query as { lang?: string });
    const path = merchantHref(id);
    const page = await cached(`merchant:${id}:${lang}:${today()}`, () => merchantPage(id, lang, path));
    return send(req, reply, page ?? notice(lang, path, 'not_found', 404));
  });

  app.get('/p/scales/:id', { config: { access: 'public' }, schema: { hide: true, params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), querystring: LangQuery } }, async (req, reply) => {
    const id = (req.params as { id: number }).id;
    const q = req.query as { lang?: string; rated?: string; why?: string };
    const lang = langOf(q);
    const path = scaleHref(id);
    const rated = ratedOf(q);
    // The page after a rating (with its notice) is the consumer's own: rendered, not cached.
    const page = rated ? (await scalePage(id, lang, path, { rated, ...(q.why ? { why: q.why } : {}) }))?.page ?? null : await cached(`scale:${id}:${lang}:${today()}`, () => scalePage(id, lang, path));
    return send(req, reply, page ?? notice(lang, path, 'not_found', 404), !rated);
  });

  app.get('/p/markets/:id', { config: { access: 'public' }, schema: { hide: true, params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), querystring: LangQuery } }, async (req, reply) => {
    const id = (req.params as { id: number }).id;
    const query = req.query as { lang?: string; q?: string };
    const lang = langOf(query);
    const q = (query.q ?? '').trim();
    const path = marketHref(id);
    const page = q ? (await marketPage(id, lang, path, q))?.page ?? null : await cached(`market:${id}:${lang}:${today()}`, () => marketPage(id, lang, path, ''));
    return send(req, reply, page ?? notice(lang, path, 'not_found', 404), !q);
  });

  // ---------------- a scanned code

  async function codePage(req: FastifyRequest, reply: FastifyReply) {
    const raw = (req.params as { token: string }).token;
    const token = raw.toUpperCase();
    const query = req.query as { lang?: string; rated?: string; q?: string; why?: string };
    const lang = langOf(query);
    const path = `/C/${token}`;
    const rated = ratedOf(query);
    const key = `code:${token}:${lang}:${today()}`;
    const hit = !rated && cache.get(key);
    if (hit) return send(req, reply, hit);
    const since = cache.mark();
    const r = await codes.resolve(token);
    let out: Rendered = null;
    if (r.status === 'valid') {
      const { kind, subjectId, checkCode } = r.code;
      if (kind === 'merchant') out = await merchantPage(subjectId, lang, path, checkCode);
      else if (kind === 'scale') out = await scalePage(subjectId, lang, path, { checkCode, ...(rated ? { rated } : {}), ...(query.why ? { why: query.why } : {}) });
      else if (kind === 'market') out = await marketPage(subjectId, lang, path, '', checkCode);
      else {
        const city = await db.selectFrom('city').select('code').where('id', '=', subjectId).executeTakeFirst();
        const found = city ? pricing.publicPrices(city.code, new Date()) : null;
        if (found) out = { page: preparePage(renderPricePage({ city: found.city, list: found.list, lang, now: new Date(), timeZone: pricing.timezone, path })), deps: [`prices:${subjectId}`] };
      }
      if (!out) out = { page: notice(lang, path, 'not_found', 404), deps: [`${kind}:${subjectId}`] };
      // A code page also depends on the code itself (reissue revokes it): the qr_code trigger touches the subject.
      else out.deps.push(`${kind}:${subjectId}`);
    } else if (r.status === 'revoked') {
      const { kind, subjectId } = r.code;
      const name = await subjectName(db, kind, subjectId);
      // The void sticker's own check code, so the person holding it can see the warning is about that sticker.
      out = { page: notice(lang, path, 'revoked', 410, { subject: { kind, name: name ?? '', href: hrefOf(kind, subjectId) } }, r.code.checkCode), deps: [`${kind}:${subjectId}`] };
    } else if (r.status === 'not_issued') {
      out = { page: notice(lang, path, 'never_issued', 404), deps: [`${r.kind}:${r.subjectId}`] };
    } else {
      // Forged, altered or unreadable: never cached (there is no record to tie it to).
      return send(req, reply, notice(lang, path, 'forged', 400), false);
    }
    if (!rated) cache.set(key, out.deps, out.page, since);
    return send(req, reply, out.page, !rated);
  }
  for (const prefix of ['/C/', '/c/'])
    app.get(`${prefix}:token`, { config: { access: 'public' }, schema: { hide: true, params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 300 }) }), querystring: LangQuery } }, codePage);

  // ---------------- rating a scale (a plain form post; no sign-in, no JavaScript)

  app.post(
    '/p/scales/:id/ratings',
    {
      config: { access: 'public' },
      schema: {
        hide: true,
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        querystring: Type.Object({ back: Type.Optional(Type.String({ maxLength: 300 })), lang: Type.Optional(Type.String({ maxLength: 8 })) }),
        body: Type.Record(Type.String(), Type.String({ maxLength: 2000 })),
      },
    },
    async (req, reply) => {
      const id = (req.params as { id: number }).id;
      const query = req.query as { back?: string; lang?: string };
      const body = req.body as Record<string, string>;
      const lang: Lang = query.lang === 'en' || body.lang === 'en' ? 'en' : 'zh';
      // Back to the page the form was on: only this scale's own page or a code page.
      const back = query.back && (/^\/[Cc]\/[A-Za-z0-9]{1,200}$/.test(query.back) || query.back === scaleHref(id)) ? query.back : scaleHref(id);
      let deviceId = req.cookies[DEVICE_COOKIE];
      if (!deviceId || !/^[A-Za-z0-9_-]{22}$/.test(deviceId)) {
        deviceId = randomBytes(16).toString('base64url');
        reply.setCookie(DEVICE_COOKIE, deviceId, { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 365 * 86_400, secure: req.protocol === 'https' });
      }
      const grams = (v: string | undefined) => (v && v.trim() ? Number(v.trim()) : null);
      const accurate = body.accurate === 'yes' ? true : body.accurate === 'no' ? false : null;
      let notice: RatingNotice;
      let why: string | null = null;
      if (accurate === null) notice = 'invalid';
      else {
        const outcome = await feedback.rate({
          scaleId: id,
          accurate,
          stars: Number(body.stars),
          comment: body.comment ?? null,
          fairWeightG: grams(body.fairWeightG),
          receiptWeightG: grams(body.receiptWeightG),
          deviceId,
          ip: req.ip,
        });
        notice = outcome.status;
        if (outcome.status !== 'thanks') why = outcome.reason;
      }
      const sep = back.includes('?') ? '&' : '?';
      return reply.redirect(`${back}${sep}rated=${notice}${why ? `&why=${why}` : ''}${lang === 'en' ? '&lang=en' : ''}`, 303);
    },
  );

  // ---------------- checking a code (inspectors, anyone)

  async function verifyPage(req: FastifyRequest, reply: FastifyReply) {
    const input = String((req.method === 'POST' ? (req.body as { code?: string } | undefined)?.code : (req.query as { code?: string }).code) ?? '').slice(0, 2048);
    const lang = langOf({ ...(req.query as object), ...((req.body as object | undefined) ?? {}) } as { lang?: string });
    let result: VerifyResultView | null = null;
    if (input.trim()) {
      const r = await codes.resolve(input);
      if (r.status === 'valid' || r.status === 'revoked') {
        const c = r.code;
        result = {
          status: r.status,
          kid: c.kid,
          keyRetired: r.status === 'valid' ? r.keyRetired : false,
          subject: { kind: c.kind, id: c.subjectId, name: await subjectName(db, c.kind, c.subjectId), href: hrefOf(c.kind, c.subjectId) },
          serial: c.serial,
          currentSerial: r.status === 'revoked' ? (r.current?.serial ?? null) : c.serial,
          checkCode: c.checkCode,
          issuedOn: c.issuedOn,
        };
      } else if (r.status === 'not_issued') {
        result = { status: 'never_issued', reason: r.reason, kid: r.kid, subject: { kind: r.kind, id: r.subjectId, name: null, href: null }, serial: r.serial, checkCode: null, issuedOn: null };
      } else result = { status: r.status, reason: r.reason, kid: null, subject: null, serial: null, checkCode: null, issuedOn: null };
    }
    const html = renderVerifyPage({ action: '/verify', method: 'post', input, result }, ctxOf(lang, '/verify'));
    return send(req, reply, preparePage(html), false);
  }
  const VerifyQuery = Type.Object({ code: Type.Optional(Type.String({ maxLength: 2048 })), lang: Type.Optional(Type.String({ maxLength: 8 })) });
  app.get('/verify', { config: { access: 'public' }, schema: { hide: true, querystring: VerifyQuery } }, verifyPage);
  app.post('/verify', { config: { access: 'public' }, schema: { hide: true, querystring: VerifyQuery, body: Type.Record(Type.String(), Type.String({ maxLength: 2048 })) } }, verifyPage);

  // ---------------- complaints (消费投诉): the form from a merchant or scale page, and its follow page

  registerComplaintPages(app, { complaints: deps.complaints, timezone, send: (req, reply, page) => send(req, reply, page, false) });

  return { cache, serveHit };
}
