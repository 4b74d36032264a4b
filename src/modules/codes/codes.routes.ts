import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Db } from '../../db/connect.js';
import { byOf } from '../../http/auth.plugin.js';
import { IdParams, staffErrors } from '../../http/schemas.js';
import type { RegistryService } from '../registry/index.js';
import { renderLabelSheet, type Label } from './codes.labels.js';
import { renderQrPng, renderQrSvg } from './codes.qr.js';
import type { CodeKind } from './codes.rules.js';
import type { CodesService, IssuedCode } from './codes.service.js';

const Code = Type.Object({
  kind: Type.String(),
  subjectId: Type.Integer(),
  serial: Type.Integer(),
  kid: Type.String(),
  token: Type.String(),
  url: Type.String(),
  checkCode: Type.String(),
  issuedOn: Type.String(),
  issuedAt: Type.String(),
});
const SvgFile = { description: 'The QR code as SVG', content: { 'image/svg+xml': { schema: { type: 'string' } } } };
const PngFile = { description: 'The QR code as PNG', content: { 'image/png': { schema: { type: 'string', format: 'binary' } } } };
const PdfFile = { description: 'A4 label sheets (PDF)', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } };
const LabelQuery = Type.Object({
  of: Type.Optional(Type.Union([Type.Literal('merchants'), Type.Literal('scales'), Type.Literal('market')], { default: 'merchants', description: 'merchants: one label per merchant; scales: one per scale; market: the entrance code' })),
  sizeMm: Type.Optional(Type.Integer({ minimum: 30, maximum: 162, default: 45, description: 'label width in mm (30–162; 45 mm gives 12 labels a page)' })),
  perPage: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});

/** Routes per subject: /api/merchants/:id/code…, /api/scales/:id/code…, /api/markets/:id/code…. */
const SUBJECTS: { kind: Exclude<CodeKind, 'prices'>; path: string; zh: string }[] = [
  { kind: 'merchant', path: 'merchants', zh: '商户' },
  { kind: 'scale', path: 'scales', zh: '电子秤' },
  { kind: 'market', path: 'markets', zh: '市场' },
];

const codeJson = (c: IssuedCode) => c;

/** Staff side of codes: the current code of a subject, as JSON, SVG or PNG; reissue; label sheets; key rotation. */
export function registerCodeRoutes(app: FastifyInstance, deps: { db: Db; codes: CodesService; registry: RegistryService }) {
  const { db, codes, registry } = deps;

  for (const s of SUBJECTS) {
    const id = (req: { params: unknown }) => (req.params as { id: number }).id;
    app.get(
      `/api/${s.path}/:id/code`,
      { config: { access: 'code.print' }, schema: { tags: ['codes'], summary: `The ${s.kind}'s current QR code (issued on first request)`, params: IdParams, response: { 200: Code, ...staffErrors } } },
      async (req) => codeJson(await codes.codeFor(byOf(req), s.kind, id(req))),
    );
    app.get(
      `/api/${s.path}/:id/code.svg`,
      { config: { access: 'code.print' }, schema: { tags: ['codes'], summary: `The ${s.kind}'s current QR code as SVG`, params: IdParams, response: { 200: SvgFile, ...staffErrors } } },
      async (req, reply) => {
        const c = await codes.codeFor(byOf(req), s.kind, id(req));
        return reply.type('image/svg+xml').header('cache-control', 'private, no-cache').send(await renderQrSvg(c.url));
      },
    );
    app.get(
      `/api/${s.path}/:id/code.png`,
      { config: { access: 'code.print' }, schema: { tags: ['codes'], summary: `The ${s.kind}'s current QR code as PNG`, params: IdParams, response: { 200: PngFile, ...staffErrors } } },
      async (req, reply) => {
        const c = await codes.codeFor(byOf(req), s.kind, id(req));
        return reply.type('image/png').header('cache-control', 'private, no-cache').send(await renderQrPng(c.url));
      },
    );
    app.post(
      `/api/${s.path}/:id/code/reissue`,
      {
        config: { access: 'code.reissue' },
        schema: { tags: ['codes'], summary: `Reissue the ${s.kind}'s code: the old one is revoked at once and its scan shows 此码已作废`, params: IdParams, response: { 201: Code, ...staffErrors } },
      },
      async (req, reply) => reply.status(201).send(codeJson(await codes.reissue(byOf(req), s.kind, id(req)))),
    );
  }

  app.get(
    '/api/markets/:id/labels.pdf',
    {
      config: { access: 'code.print' },
      schema: {
        tags: ['codes'],
        summary: 'Printable A4 label sheets: every merchant, or every scale, of a market (or its entrance code)',
        params: IdParams,
        querystring: LabelQuery,
        response: { 200: PdfFile, ...staffErrors },
      },
    },
    async (req, reply) => {
      const by = byOf(req);
      const marketId = (req.params as { id: number }).id;
      const q = req.query as { of?: 'merchants' | 'scales' | 'market'; sizeMm?: number; perPage?: number };
      const market = await registry.getMarket(by.actor, marketId);
      const of = q.of ?? 'merchants';
      const labels: Label[] = [];
      if (of === 'market') {
        const c = await codes.codeFor(by, 'market', marketId);
        labels.push({ kind: 'market', url: c.url, checkCode: c.checkCode, title: market.name, lines: [market.address].filter(Boolean) });
      } else if (of === 'merchants') {
        const rows = await db
          .selectFrom('merchant as m')
          .leftJoin('stall as st', 'st.id', 'm.stall_id')
          .select(['m.id', 'm.name', 'st.number as stall'])
          .where('m.market_id', '=', marketId)
          .where('m.status', '<>', 'closed')
          .orderBy('st.number')
          .orderBy('m.id')
          .execute();
        const issued = await codes.codesOf('merchant', rows.map((r) => r.id), by.actor.staffId);
        for (const r of rows) {
          const c = issued.get(r.id)!;
          labels.push({ kind: 'merchant', url: c.url, checkCode: c.checkCode, title: r.name, lines: r.stall ? [`摊位 ${r.stall} · Stall ${r.stall}`] : [] });
        }
      } else {
        const rows = await db
          .selectFrom('scale as s')
          .leftJoin('merchant as m', 'm.id', 's.merchant_id')
          .leftJoin('stall as st', 'st.id', 's.stall_id')
          .select(['s.id', 's.serial_no', 's.model', 's.manufacturer', 'm.name as merchant', 'st.number as stall'])
          .where('s.market_id', '=', marketId)
          .orderBy('st.number')
          .orderBy('s.id')
          .execute();
        const issued = await codes.codesOf('scale', rows.map((r) => r.id), by.actor.staffId);
        for (const r of rows) {
          const c = issued.get(r.id)!;
          labels.push({
            kind: 'scale',
            url: c.url,
            checkCode: c.checkCode,
            title: r.merchant ?? '电子秤',
            titleEn: r.merchant ? undefined : 'Scale',
            lines: [`出厂编号 ${r.serial_no} · S/N`, `${r.manufacturer} ${r.model}`, ...(r.stall ? [`摊位 ${r.stall} · Stall ${r.stall}`] : [])],
          });
        }
      }
      if (!labels.length) return notFoundPdf(reply, of);
      const pdf = await renderLabelSheet(labels, { labelSizeMm: q.sizeMm ?? 45, ...(q.perPage ? { perPage: q.perPage } : {}), heading: market.name });
      const ascii = `market-${marketId}-${of}-labels`;
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="${ascii}.pdf"; filename*=UTF-8''${encodeURIComponent(`${market.name}-${of === 'scales' ? '电子秤码' : of === 'market' ? '市场码' : '商户码'}`)}.pdf`)
        .header('cache-control', 'no-store')
        .send(pdf);
    },
  );

  app.get(
    '/api/cities/:id/prices-code',
    { config: { access: 'code.print' }, schema: { tags: ['codes'], summary: "The city's controlled-price-list QR code, for price tags", params: IdParams, response: { 200: Code, ...staffErrors } } },
    async (req) => codeJson(await codes.codeFor(byOf(req), 'prices', (req.params as { id: number }).id)),
  );

  for (const [ext, file, render, mime] of [
    ['svg', SvgFile, (url: string) => renderQrSvg(url), 'image/svg+xml'],
    ['png', PngFile, (url: string) => renderQrPng(url), 'image/png'],
  ] as const) {
    app.get(
      `/api/cities/:id/prices-code.${ext}`,
      { config: { access: 'code.print' }, schema: { tags: ['codes'], summary: `The city's controlled-price-list QR code as ${ext.toUpperCase()}, for price tags`, params: IdParams, response: { 200: file, ...staffErrors } } },
      async (req, reply) => {
        const c = await codes.codeFor(byOf(req), 'prices', (req.params as { id: number }).id);
        return reply.type(mime).header('cache-control', 'private, no-cache').send(await render(c.url));
      },
    );
  }

  app.post(
    '/api/code-keys/rotate',
    {
      config: { access: 'code.key' },
      schema: {
        tags: ['codes'],
        summary: 'Rotate the code signing key: new codes are signed with a new key; codes already printed stay valid',
        response: { 201: Type.Object({ kid: Type.String(), retired: Type.Array(Type.String()) }), ...staffErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await codes.rotateKey(byOf(req))),
  );
}

function notFoundPdf(reply: FastifyReply, of: string) {
  return reply.status(404).send({ error: { code: 'not_found', message: of === 'scales' ? '该市场没有登记电子秤 (the market has no scales)' : '该市场没有商户 (the market has no merchants)' } });
}
