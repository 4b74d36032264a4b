/**
 * The consumer's complaint pages: plain forms, no sign-in, no JavaScript. A complaint is filed from
 * a merchant or scale page; its follow page opens only with the reference and the last four digits
 * of the phone, so references cannot be walked through. Filings and failed look-ups are limited per
 * network address, in memory (per instance: enough to make a script slow, not a wall).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ComplaintService } from '../modules/feedback/index.js';
import { renderComplaintFollow, renderComplaintForm, renderComplaintLookup, type ComplaintFollowView, type ComplaintFormField } from './complaint.page.js';
import { renderNoticePage } from './notice.page.js';
import { preparePage, type CachedPage } from './page-cache.js';
import type { Lang, PageContext } from './views.js';

export const merchantComplaintHref = (id: number) => `/p/merchants/${id}/complaint`;
export const scaleComplaintHref = (id: number) => `/p/scales/${id}/complaint`;
const followHref = (reference: string, last4: string) => `/p/complaints/${reference}?phone=${last4}`;

/** Hits per key within a sliding window. Bounded: the least recently hit keys are forgotten first. */
export class WindowCounter {
  private readonly hits = new Map<string, number[]>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly maxKeys = 50_000,
  ) {}

  isOver(key: string, at = Date.now()): boolean {
    return this.recent(key, at).length >= this.max;
  }

  add(key: string, at = Date.now()): void {
    const r = this.recent(key, at);
    r.push(at);
    this.hits.delete(key);
    this.hits.set(key, r);
    if (this.hits.size > this.maxKeys) this.hits.delete(this.hits.keys().next().value!);
  }

  private recent(key: string, at: number): number[] {
    const r = (this.hits.get(key) ?? []).filter((t) => t > at - this.windowMs);
    if (!r.length) this.hits.delete(key);
    return r;
  }
}

export interface ComplaintPageLimits {
  /** Complaints filed per address per hour. */
  filingsPerHour: number;
  /** Look-ups with a wrong reference or digits per address per hour. */
  failedLookupsPerHour: number;
  /** Consumer messages per address per hour. */
  messagesPerHour: number;
}
export const DEFAULT_COMPLAINT_LIMITS: ComplaintPageLimits = { filingsPerHour: 5, failedLookupsPerHour: 20, messagesPerHour: 30 };

export interface ComplaintPageDeps {
  complaints: ComplaintService;
  timezone: string;
  /** Sends a rendered page with the scan pages' headers; complaint pages are never cached. */
  send: (req: FastifyRequest, reply: FastifyReply, page: CachedPage) => FastifyReply;
  limits?: ComplaintPageLimits;
}

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 8 })) });
const FormBody = Type.Record(Type.String(), Type.String({ maxLength: 8000 }));
const FIELDS: ComplaintFormField[] = ['consumerName', 'consumerPhone', 'content', 'receipt', 'scaleId'];
const HOUR = 3_600_000;

export function registerComplaintPages(app: FastifyInstance, deps: ComplaintPageDeps) {
  const { complaints, timezone } = deps;
  const limits = deps.limits ?? DEFAULT_COMPLAINT_LIMITS;
  const filings = new WindowCounter(limits.filingsPerHour, HOUR);
  const failures = new WindowCounter(limits.failedLookupsPerHour, HOUR);
  const messages = new WindowCounter(limits.messagesPerHour, HOUR);

  const langOf = (...sources: unknown[]): Lang => (sources.some((s) => (s as { lang?: string } | undefined)?.lang === 'en') ? 'en' : 'zh');
  const ctxOf = (lang: Lang, path: string, query?: Record<string, string>): PageContext => ({ lang, path, now: new Date(), timeZone: timezone, ...(query ? { query } : {}) });
  const sendPage = (req: FastifyRequest, reply: FastifyReply, html: string, status = 200) => {
    // The follow page's address carries the phone's last digits: never hand it to another site.
    reply.header('referrer-policy', 'no-referrer');
    return deps.send(req, reply, preparePage(html, status));
  };
  const notFoundPage = (req: FastifyRequest, reply: FastifyReply, lang: Lang, path: string) => sendPage(req, reply, renderNoticePage({ kind: 'not_found' }, ctxOf(lang, path)), 404);
  const withLang = (lang: Lang, href: string) => (lang === 'en' ? `${href}${href.includes('?') ? '&' : '?'}lang=en` : href);

  // ---------------- the form, from a merchant page or a scale page

  async function form(req: FastifyRequest, reply: FastifyReply, target: { merchantId: number } | { scaleId: number }) {
    const isPost = req.method === 'POST';
    const body = (isPost ? req.body : {}) as Record<string, string>;
    const lang = langOf(req.query, body);
    const path = 'merchantId' in target ? merchantComplaintHref(target.merchantId) : scaleComplaintHref(target.scaleId);
    const back = 'merchantId' in target ? `/p/merchants/${target.merchantId}` : `/p/scales/${target.scaleId}`;
    const subject = await complaints.formSubject(target);
    if (!subject) return notFoundPage(req, reply, lang, path);
    const limited = filings.isOver(req.ip);
    const values: Partial<Record<ComplaintFormField, string>> = {};
    const problems: Partial<Record<ComplaintFormField, string>> = {};
    if (isPost && !limited) {
      for (const f of FIELDS) if (typeof body[f] === 'string') values[f] = body[f];
      const chosen = /^\d{1,12}$/.test(body.scaleId ?? '') ? Number(body.scaleId) : null;
      const outcome = await complaints.file({
        ...('merchantId' in target ? { merchantId: target.merchantId, scaleId: chosen } : { scaleId: target.scaleId }),
        receipt: body.receipt ?? null,
        consumerName: body.consumerName ?? '',
        consumerPhone: body.consumerPhone ?? '',
        content: body.content ?? '',
      });
      if (outcome.status === 'filed') {
        filings.add(req.ip);
        return reply.redirect(withLang(lang, `${followHref(outcome.reference, outcome.phoneLast4)}&filed=1`), 303);
      }
      for (const p of outcome.problems) problems[p.field] ??= p.message[lang];
    }
    const place = [subject.marketName, subject.stallNumber ? (lang === 'en' ? `stall ${subject.stallNumber}` : `${subject.stallNumber} 号摊位`) : null].filter(Boolean).join(' · ') || null;
    const html = renderComplaintForm(
      { action: path, backHref: back, merchantName: subject.merchantName, place, scaleSerialNo: subject.scaleSerialNo, scales: subject.scales, values, problems, limited },
      ctxOf(lang, path),
    );
    return sendPage(req, reply, html, limited ? 429 : Object.keys(problems).length ? 400 : 200);
  }

  const route = { config: { access: 'public' as const } };
  app.get('/p/merchants/:id/complaint', { ...route, schema: { hide: true, params: IdParams, querystring: LangQuery } }, (req, reply) => form(req, reply, { merchantId: (req.params as { id: number }).id }));
  app.post('/p/merchants/:id/complaint', { ...route, schema: { hide: true, params: IdParams, querystring: LangQuery, body: FormBody } }, (req, reply) => form(req, reply, { merchantId: (req.params as { id: number }).id }));
  app.get('/p/scales/:id/complaint', { ...route, schema: { hide: true, params: IdParams, querystring: LangQuery } }, (req, reply) => form(req, reply, { scaleId: (req.params as { id: number }).id }));
  app.post('/p/scales/:id/complaint', { ...route, schema: { hide: true, params: IdParams, querystring: LangQuery, body: FormBody } }, (req, reply) => form(req, reply, { scaleId: (req.params as { id: number }).id }));

  // ---------------- following a complaint

  const lookup = (req: FastifyRequest, reply: FastifyReply, lang: Lang, reference: string, state: { failed?: boolean; limited?: boolean } = {}) =>
    sendPage(req, reply, renderComplaintLookup({ action: '/p/complaints', reference, ...state }, ctxOf(lang, '/p/complaints')), state.limited ? 429 : state.failed ? 404 : 200);

  async function followPage(req: FastifyRequest, reply: FastifyReply, reference: string, last4: string, lang: Lang, extra: Pick<ComplaintFollowView, 'filed' | 'notice' | 'draft'> = {}, status = 200) {
    if (failures.isOver(req.ip)) return lookup(req, reply, lang, reference, { limited: true });
    const c = await complaints.follow(reference, last4);
    if (!c) {
      failures.add(req.ip);
      return lookup(req, reply, lang, reference, { failed: true });
    }
    const view: ComplaintFollowView = {
      reference: c.reference,
      merchantName: c.merchantName,
      scaleSerialNo: c.scaleSerialNo,
      consumerPhone: c.consumerPhone,
      content: c.content,
      saleAttached: c.saleAttached,
      receivedOn: c.receivedOn,
      status: c.status,
      refusalReason: c.refusalReason,
      mediationOutcome: c.mediationOutcome,
      outcomeNote: c.outcomeNote,
      upheld: c.upheld,
      steps: c.clock.steps,
      pauses: c.pauses,
      messages: c.messages,
      followHref: followHref(c.reference, last4),
      messageAction: c.canWrite ? `/p/complaints/${c.reference}/messages` : null,
      last4,
      ...extra,
    };
    const path = `/p/complaints/${c.reference}`;
    return sendPage(req, reply, renderComplaintFollow(view, ctxOf(lang, path, { phone: last4 })), status);
  }

  const RefParams = Type.Object({ reference: Type.String({ minLength: 1, maxLength: 40 }) });
  const refOf = (req: FastifyRequest) => (req.params as { reference: string }).reference.trim().toUpperCase();

  app.get(
    '/p/complaints',
    { ...route, schema: { hide: true, querystring: Type.Object({ reference: Type.Optional(Type.String({ maxLength: 40 })), phone: Type.Optional(Type.String({ maxLength: 20 })), lang: Type.Optional(Type.String({ maxLength: 8 })) }) } },
    async (req, reply) => {
      const q = req.query as { reference?: string; phone?: string; lang?: string };
      const lang = langOf(q);
      const reference = (q.reference ?? '').trim().toUpperCase();
      if (/^[A-Z0-9]{1,40}$/.test(reference) && q.phone) return reply.redirect(withLang(lang, followHref(reference, encodeURIComponent(q.phone.trim()))), 303);
      return lookup(req, reply, lang, reference);
    },
  );
  app.get(
    '/p/complaints/:reference',
    { ...route, schema: { hide: true, params: RefParams, querystring: Type.Object({ phone: Type.Optional(Type.String({ maxLength: 20 })), lang: Type.Optional(Type.String({ maxLength: 8 })), filed: Type.Optional(Type.String({ maxLength: 2 })), posted: Type.Optional(Type.String({ maxLength: 2 })) }) } },
    async (req, reply) => {
      const q = req.query as { phone?: string; lang?: string; filed?: string; posted?: string };
      return followPage(req, reply, refOf(req), (q.phone ?? '').trim(), langOf(q), { ...(q.filed === '1' ? { filed: true } : {}), ...(q.posted === '1' ? { notice: { kind: 'posted' as const } } : {}) });
    },
  );
  app.post('/p/complaints/:reference/messages', { ...route, schema: { hide: true, params: RefParams, querystring: LangQuery, body: FormBody } }, async (req, reply) => {
    const body = req.body as Record<string, string>;
    const lang = langOf(req.query, body);
    const reference = refOf(req);
    const last4 = (body.phone ?? '').trim();
    if (failures.isOver(req.ip)) return lookup(req, reply, lang, reference, { limited: true });
    if (messages.isOver(req.ip)) return followPage(req, reply, reference, last4, lang, { notice: { kind: 'invalid', text: lang === 'en' ? 'Too many messages from your network. Please try later.' : '留言过于频繁，请稍后再试。' }, draft: body.body ?? '' }, 429);
    const r = await complaints.postConsumerMessage(reference, last4, body.body ?? '');
    if (!r) {
      failures.add(req.ip);
      return lookup(req, reply, lang, reference, { failed: true });
    }
    if (r.status === 'posted') {
      messages.add(req.ip);
      return reply.redirect(withLang(lang, `${followHref(reference, last4)}&posted=1`), 303);
    }
    return followPage(req, reply, reference, last4, lang, { notice: r.status === 'closed' ? { kind: 'closed' } : { kind: 'invalid', text: r.message[lang] }, draft: body.body ?? '' }, r.status === 'closed' ? 409 : 400);
  });
}
