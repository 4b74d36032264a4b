/**
 * Open data: a public JSON API of merchants, scales, markets, controlled prices and the code
 * signing keys, public fields only. Unlike some ratings APIs it needs no special header and lists
 * without a filter (paginated); every answer carries an ETag, Cache-Control and CORS, and a
 * client is rate limited by address with a 429 that says when to come back.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { sql } from 'kysely';
import { Type, type TSchema } from 'typebox';
import type { Db } from '../db/connect.js';
import { ErrorBody, Nullable } from '../http/schemas.js';
import { tooMany } from '../shared/errors.js';
import type { CodesService } from '../modules/codes/index.js';
import type { PricingService } from '../modules/pricing/index.js';
import { calendarDate, verificationState } from '../modules/registry/index.js';
import { marketHref, merchantHref, scaleHref } from './public.repository.js';

const Paged = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer(), next: Nullable(Type.String({ description: 'the next page, or null on the last' })) });
const PageParams = {
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
};
const Ref = Type.Object({ id: Type.Integer(), name: Type.String() });
const OpenMerchant = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  uscc: Nullable(Type.String({ description: 'unified social credit code; null for an individual business without one' })),
  entityType: Type.String(),
  legalRep: Type.String({ description: 'legal representative or operator, as published on the merchant page' }),
  address: Type.String(),
  status: Type.String(),
  categories: Type.Array(Type.String()),
  city: Ref,
  district: Ref,
  market: Nullable(Ref),
  stallNumber: Nullable(Type.String()),
  pageUrl: Type.String(),
});
const OpenScale = Type.Object({
  id: Type.Integer(),
  serialNo: Type.String(),
  manufacturer: Type.String(),
  model: Type.String(),
  accuracyClass: Type.String(),
  maxCapacityG: Type.Integer(),
  isIot: Type.Boolean(),
  city: Ref,
  district: Ref,
  market: Nullable(Ref),
  merchant: Nullable(Ref),
  verification: Type.Object({ status: Type.String(), validUntil: Nullable(Type.String()) }),
  light: Type.String({ description: 'none, green, yellow or red (红灯秤), from consumer ratings' }),
  pageUrl: Type.String(),
});
const OpenMarket = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  address: Type.String(),
  managingOrg: Type.String(),
  city: Ref,
  district: Ref,
  merchants: Type.Integer(),
  scales: Type.Integer(),
  pageUrl: Type.String(),
});
const OpenPrices = Type.Object({
  city: Type.Object({ code: Type.String(), name: Type.String(), nameEn: Type.String() }),
  list: Nullable(
    Type.Object({
      version: Type.Integer(),
      title: Type.String(),
      issuer: Type.String(),
      effectiveFrom: Type.String(),
      effectiveTo: Nullable(Type.String()),
      publishedAt: Type.String(),
      items: Type.Array(Type.Object({ name: Type.String(), nameEn: Type.String(), spec: Type.String(), category: Type.String(), capFenPerKg: Type.Integer(), capFenPerJin: Type.Integer() })),
    }),
  ),
  pageUrl: Type.String(),
});
const CodeKey = Type.Object({ kid: Type.String(), publicKey: Type.String({ description: 'Ed25519 public key, base64url of the raw 32 bytes' }), retiredAt: Type.Optional(Nullable(Type.String())) });
const CodeCheck = Type.Object({
  status: Type.String({ description: 'valid, revoked, not_issued, forged, unknown_key or malformed' }),
  reason: Type.Optional(Type.String()),
  kind: Type.Optional(Type.String()),
  subjectId: Type.Optional(Type.Integer()),
  serial: Type.Optional(Type.Integer()),
  kid: Type.Optional(Type.String()),
  checkCode: Type.Optional(Type.String()),
  issuedOn: Type.Optional(Type.String()),
  pageUrl: Type.Optional(Nullable(Type.String())),
});
const openErrors = { 400: ErrorBody, 404: ErrorBody, 429: ErrorBody };

export interface OpenDataDeps {
  db: Db;
  codes: CodesService;
  pricing: PricingService;
  timezone: string;
  /** Requests per address per minute. */
  perMinute: number;
}

/** A JSON answer with a strong ETag; a matching If-None-Match gets 304 with no body. */
function sendJson(req: FastifyRequest, reply: FastifyReply, body: unknown, maxAgeS = 60) {
  const text = JSON.stringify(body);
  const etag = `"${createHash('sha1').update(text).digest('base64url')}"`;
  reply.header('etag', etag).header('cache-control', `public, max-age=${maxAgeS}`).type('application/json; charset=utf-8');
  if (req.headers['if-none-match'] === etag) return reply.status(304).send();
  return reply.send(text);
}

export async function registerOpenData(app: FastifyInstance, deps: OpenDataDeps) {
  const { db, codes, pricing, timezone } = deps;
  await app.register(async (open) => {
    await open.register(rateLimit, {
      max: deps.perMinute,
      timeWindow: 60_000,
      errorResponseBuilder: (_req, ctx) =>
        tooMany(`请求过于频繁，请 ${Math.ceil(ctx.ttl / 1000)} 秒后再试 (rate limit of ${ctx.max} requests a minute reached; retry after ${Math.ceil(ctx.ttl / 1000)} s)`, Math.ceil(ctx.ttl / 1000)),
    });
    open.addHook('onSend', async (_req, reply) => {
      reply.header('access-control-allow-origin', '*').header('access-control-expose-headers', 'etag, retry-after, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset');
    });
    open.options('/api/open/v1/*', { config: { access: 'public' }, schema: { hide: true } }, async (_req, reply) =>
      reply.status(204).header('access-control-allow-methods', 'GET, OPTIONS').header('access-control-allow-headers', 'if-none-match').header('access-control-max-age', '86400').send(),
    );

    const pageOf = (q: { page?: number; pageSize?: number }) => ({ page: q.page ?? 1, pageSize: q.pageSize ?? 50 });
    const nextOf = (req: FastifyRequest, page: number, pageSize: number, total: number) => {
      if (page * pageSize >= total) return null;
      const u = new URL(req.url, 'http://x');
      u.searchParams.set('page', String(page + 1));
      return `${u.pathname}${u.search}`;
    };
    const today = () => calendarDate(new Date(), timezone);

    // ---------------- merchants
    const merchantQuery = (f: { city?: string; district?: string; market?: number; q?: string; entityType?: string; id?: number }) => {
      let q = db
        .selectFrom('merchant as m')
        .innerJoin('district as d', 'd.id', 'm.district_id')
        .innerJoin('city as c', 'c.id', 'd.city_id')
        .leftJoin('market as mk', 'mk.id', 'm.market_id')
        .leftJoin('stall as st', 'st.id', 'm.stall_id');
      if (f.id !== undefined) q = q.where('m.id', '=', f.id);
      if (f.city) q = q.where('c.code', '=', f.city);
      if (f.district) q = q.where('d.code', '=', f.district);
      if (f.market !== undefined) q = q.where('m.market_id', '=', f.market);
      if (f.entityType) q = q.where('m.entity_type', '=', f.entityType);
      if (f.q) q = q.where((eb) => eb.or([eb('m.name', 'ilike', `%${f.q}%`), eb('m.uscc', '=', f.q!.toUpperCase()), eb('st.number', '=', f.q!)]));
      return q;
    };
    const merchantOut = (r: Record<string, unknown>) => ({
      id: r.id as number,
      name: r.name as string,
      uscc: r.uscc as string | null,
      entityType: r.entity_type as string,
      legalRep: r.legal_rep as string,
      address: r.address as string,
      status: r.status as string,
      categories: r.categories as string[],
      city: { id: r.city_id as number, name: r.city_name as string },
      district: { id: r.district_id as number, name: r.district_name as string },
      market: r.market_id ? { id: r.market_id as number, name: r.market_name as string } : null,
      stallNumber: r.stall_number as string | null,
      pageUrl: merchantHref(r.id as number),
    });
    const merchantCols = ['m.id', 'm.name', 'm.uscc', 'm.entity_type', 'm.legal_rep', 'm.address', 'm.status', 'm.categories', 'c.id as city_id', 'c.name as city_name', 'd.id as district_id', 'd.name as district_name', 'm.market_id', 'mk.name as market_name', 'st.number as stall_number'] as const;
    const MerchantFilter = Type.Object({
      city: Type.Optional(Type.String({ maxLength: 12, description: 'city division code, e.g. 460200' })),
      district: Type.Optional(Type.String({ maxLength: 12, description: 'district division code' })),
      market: Type.Optional(Type.Integer({ minimum: 1 })),
      entityType: Type.Optional(Type.String({ maxLength: 40 })),
      q: Type.Optional(Type.String({ maxLength: 50, description: 'name contains, or exact USCC or stall number' })),
      ...PageParams,
    });

    open.get('/api/open/v1/merchants', { config: { access: 'public' }, schema: { tags: ['open data'], summary: 'Merchants, public fields, filtered and paginated', security: [], querystring: MerchantFilter, response: { 200: Paged(OpenMerchant), ...openErrors } } }, async (req, reply) => {
      const f = req.query as { city?: string; district?: string; market?: number; q?: string; entityType?: string; page?: number; pageSize?: number };
      const { page, pageSize } = pageOf(f);
      const [rows, count] = await Promise.all([
        merchantQuery(f).select([...merchantCols]).orderBy('m.id').limit(pageSize).offset((page - 1) * pageSize).execute(),
        merchantQuery(f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      const total = Number(count.n);
      return sendJson(req, reply, { items: rows.map(merchantOut), total, page, pageSize, next: nextOf(req, page, pageSize, total) });
    });
    open.get('/api/open/v1/merchants/:id', { config: { access: 'public' }, schema: { tags: ['open data'], summary: 'One merchant, public fields', security: [], params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), response: { 200: OpenMerchant, ...openErrors } } }, async (req, reply) => {
      const r = await merchantQuery({ id: (req.params as { id: number }).id }).select([...merchantCols]).executeTakeFirst();
      if (!r) return reply.status(404).send({ error: { code: 'not_found', message: `merchant ${(req.params as { id: number }).id} not found` } });
      return sendJson(req, reply, merchantOut(r));
    });

    // ---------------- scales
    const ScaleFilter = Type.Object({
      city: Type.Optional(Type.String({ maxLength: 12 })),
      district: Type.Optional(Type.String({ maxLength: 12 })),
      market: Type.Optional(Type.Integer({ minimum: 1 })),
      merchant: Type.Optional(Type.Integer({ minimum: 1 })),
      light: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('green'), Type.Literal('yellow'), Type.Literal('red')])),
      ...PageParams,
    });
    const scaleSql = (f: { city?: string; district?: string; market?: number; merchant?: number; light?: string; id?: number }) => sql`
      from scale s join district d on d.id = s.district_id join city c on c.id = d.city_id
      left join market mk on mk.id = s.market_id left join merchant m on m.id = s.merchant_id
      left join scale_light l on l.scale_id = s.id
      where true
      ${f.id !== undefined ? sql`and s.id = ${f.id}` : sql``}
      ${f.city ? sql`and c.code = ${f.city}` : sql``}
      ${f.district ? sql`and d.code = ${f.district}` : sql``}
      ${f.market !== undefined ? sql`and s.market_id = ${f.market}` : sql``}
      ${f.merchant !== undefined ? sql`and s.merchant_id = ${f.merchant}` : sql``}
      ${f.light ? (f.light === 'none' ? sql`and coalesce(l.light, 'none') = 'none'` : sql`and l.light = ${f.light}`) : sql``}`;
    type ScaleRowOut = { id: number; serial_no: string; manufacturer: string; model: string; accuracy_class: string; max_capacity_g: number; is_iot: boolean; city_id: number; city_name: string; district_id: number; district_name: string; market_id: number | null; market_name: string | null; merchant_id: number | null; merchant_name: string | null; light: string | null; v_on: string | null; v_result: 'pass' | 'fail' | null; v_until: string | null };
    const scaleSelect = sql`select s.id, s.serial_no, s.manufacturer, s.model, s.accuracy_class, s.max_capacity_g, s.is_iot, c.id as city_id, c.name as city_name, d.id as district_id, d.name as district_name,
        s.market_id, mk.name as market_name, s.merchant_id, m.name as merchant_name, l.light,
        (select v.verified_on::text from verification_record v where v.scale_id = s.id order by v.verified_on desc, v.id desc limit 1) as v_on,
        (select v.result from verification_record v where v.scale_id = s.id order by v.verified_on desc, v.id desc limit 1) as v_result,
        (select v.valid_until::text from verification_record v where v.scale_id = s.id order by v.verified_on desc, v.id desc limit 1) as v_until`;
    const scaleOut = (r: ScaleRowOut, day: string) => {
      const v = verificationState(r.v_on ? [{ verifiedOn: r.v_on, result: r.v_result!, validUntil: r.v_until }] : [], day);
      return {
        id: r.id,
        serialNo: r.serial_no,
        manufacturer: r.manufacturer,
        model: r.model,
        accuracyClass: r.accuracy_class,
        maxCapacityG: r.max_capacity_g,
        isIot: r.is_iot,
        city: { id: r.city_id, name: r.city_name },
        district: { id: r.district_id, name: r.district_name },
        market: r.market_id ? { id: r.market_id, name: r.market_name! } : null,
        merchant: r.merchant_id ? { id: r.merchant_id, name: r.merchant_name! } : null,
        verification: { status: v.status, validUntil: v.validUntil },
        light: r.light ?? 'none',
        pageUrl: scaleHref(r.id),
      };
    };
    open.get('/api/open/v1/scales', { config: { access: 'public' }, schema: { tags: ['open data'], summary: 'Scales with their verification status and light, filtered and paginated', security: [], querystring: ScaleFilter, response: { 200: Paged(OpenScale), ...openErrors } } }, async (req, reply) => {
      const f = req.query as { city?: string; district?: string; market?: number; merchant?: number; light?: string; page?: number; pageSize?: number };
      const { page, pageSize } = pageOf(f);
      const [rows, count] = await Promise.all([
        sql<ScaleRowOut>`${scaleSelect} ${scaleSql(f)} order by s.id limit ${pageSize} offset ${(page - 1) * pageSize}`.execute(db),
        sql<{ n: number }>`select count(*)::int as n ${scaleSql(f)}`.execute(db),
      ]);
      const total = count.rows[0]!.n;
      const day = today();
      return sendJson(req, reply, { items: rows.rows.map((r) => scaleOut(r, day)), total, page, pageSize, next: nextOf(req, page, pageSize, total) });
    });
    open.get('/api/open/v1/scales/:id', { config: { access: 'public' }, schema: { tags: ['open data'], summary: 'One scale', security: [], params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), response: { 200: OpenScale, ...openErrors } } }, async (req, reply) => {
      const id = (req.params as { id: number }).id;
      const r = (await sql<ScaleRowOut>`${scaleSelect} ${scaleSql({ id })}`.execute(db)).rows[0];
      if (!r) return reply.status(404).send({ error: { code: 'not_found', message: `scale ${id} not found` } });
      return sendJson(req, reply, scaleOut(r, today()));
    });

    // ---------------- markets
    const MarketFilter = Type.Object({ city: Type.Optional(Type.String({ maxLength: 12 })), district: Type.Optional(Type.String({ maxLength: 12 })), q: Type.Optional(Type.String({ maxLength: 50 })), ...PageParams });
    const marketSql = (f: { city?: string; district?: string; q?: string; id?: number }) => sql`
      from market mk join district d on d.id = mk.district_id join city c on c.id = d.city_id where true
      ${f.id !== undefined ? sql`and mk.id = ${f.id}` : sql``}
      ${f.city ? sql`and c.code = ${f.city}` : sql``}
      ${f.district ? sql`and d.code = ${f.district}` : sql``}
      ${f.q ? sql`and mk.name ilike ${`%${f.q}%`}` : sql``}`;
    type MarketRowOut = { id: number; name: string; address: string; managing_org: string; city_id: number; city_name: string; district_id: number; district_name: string; merchants: number; scales: number };
    const marketSelect = sql`select mk.id, mk.name, mk.address, mk.managing_org, c.id as city_id, c.name as city_name, d.id as district_id, d.name as district_name,
        (select count(*)::int from merchant m where m.market_id = mk.id and m.status <> 'closed') as merchants, (select count(*)::int from scale s where s.market_id = mk.id) as scales`;
    const marketOut = (r: MarketRowOut) => ({ id: r.id, name: r.name, address: r.address, managingOrg: r.managing_org, city: { id: r.city_id, name: r.city_name }, district: { id: r.district_id, name: r.district_name }, merchants: r.merchants, scales: r.scales, pageUrl: marketHref(r.id) });
    open.get('/api/open/v1/markets', { config: { access: 'public' }, schema: { tags: ['open data'], summary: 'Markets, filtered and paginated', security: [], querystring: MarketFilter, response: { 200: Paged(OpenMarket), ...openErrors } } }, async (req, reply) => {
      const f = req.query as { city?: string; district?: string; q?: string; page?: number; pageSize?: number };
      const { page, pageSize } = pageOf(f);
      const [rows, count] = await Promise.all([
        sql<MarketRowOut>`${marketSelect} ${marketSql(f)} order by mk.id limit ${pageSize} offset ${(page - 1) * pageSize}`.execute(db),
        sql<{ n: number }>`select count(*)::int as n ${marketSql(f)}`.execute(db),
      ]);
      const total = count.rows[0]!.n;
      return sendJson(req, reply, { items: rows.rows.map(marketOut), total, page, pageSize, next: nextOf(req, page, pageSize, total) });
    });
    open.get('/api/open/v1/markets/:id', { config: { access: 'public' }, schema: { tags: ['open data'], summary: 'One market', security: [], params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), response: { 200: OpenMarket, ...openErrors } } }, async (req, reply) => {
      const id = (req.params as { id: number }).id;
      const r = (await sql<MarketRowOut>`${marketSelect} ${marketSql({ id })}`.execute(db)).rows[0];
      if (!r) return reply.status(404).send({ error: { code: 'not_found', message: `market ${id} not found` } });
      return sendJson(req, reply, marketOut(r));
    });

    // ---------------- prices, keys, code checks
    open.get('/api/open/v1/prices/:cityCode', { config: { access: 'public' }, schema: { tags: ['open data'], summary: "The city's controlled prices (调控价格) in force now", security: [], params: Type.Object({ cityCode: Type.String({ maxLength: 12 }) }), response: { 200: OpenPrices, ...openErrors } } }, async (req, reply) => {
      const code = (req.params as { cityCode: string }).cityCode;
      const found = pricing.publicPrices(code, new Date());
      if (!found) return reply.status(404).send({ error: { code: 'not_found', message: `city ${code} not found` } });
      const l = found.list;
      return sendJson(req, reply, {
        city: { code: found.city.code, name: found.city.name, nameEn: found.city.nameEn },
        list: l
          ? {
              version: l.version,
              title: l.title,
              issuer: l.issuer,
              effectiveFrom: l.effectiveFrom.toISOString(),
              effectiveTo: l.effectiveTo ? l.effectiveTo.toISOString() : null,
              publishedAt: l.publishedAt.toISOString(),
              items: l.items.map((i) => ({ name: i.name, nameEn: i.nameEn, spec: i.spec, category: i.category, capFenPerKg: i.capFenPerKg, capFenPerJin: Math.round(i.capFenPerKg / 2) })),
            }
          : null,
        pageUrl: `/p/prices/${encodeURIComponent(found.city.code)}`,
      });
    });
    open.get('/api/open/v1/code-keys', { config: { access: 'public' }, schema: { tags: ['open data'], summary: 'The public keys codes are signed with: verify any code offline (docs/codes.md)', security: [], response: { 200: Type.Object({ keys: Type.Array(CodeKey) }), ...openErrors } } }, async (req, reply) =>
      sendJson(req, reply, { keys: await codes.publishedKeys() }, 300),
    );
    open.get('/api/open/v1/codes/check', { config: { access: 'public' }, schema: { tags: ['open data'], summary: 'Check a scanned code: valid, revoked (此码已作废), or not genuine', security: [], querystring: Type.Object({ code: Type.String({ minLength: 1, maxLength: 2048 }) }), response: { 200: CodeCheck, ...openErrors } } }, async (req, reply) => {
      const r = await codes.resolve((req.query as { code: string }).code);
      const pageOf = (kind: string, id: number) => (kind === 'merchant' ? merchantHref(id) : kind === 'scale' ? scaleHref(id) : kind === 'market' ? marketHref(id) : null);
      const body =
        r.status === 'valid' || r.status === 'revoked'
          ? { status: r.status, kind: r.code.kind, subjectId: r.code.subjectId, serial: r.code.serial, kid: r.code.kid, checkCode: r.code.checkCode, issuedOn: r.code.issuedOn, pageUrl: pageOf(r.code.kind, r.code.subjectId) }
          : r.status === 'not_issued'
            ? { status: r.status, reason: r.reason, kind: r.kind, subjectId: r.subjectId, serial: r.serial, kid: r.kid }
            : { status: r.status, reason: r.reason };
      return sendJson(req, reply, body, 0);
    });
  });
}
