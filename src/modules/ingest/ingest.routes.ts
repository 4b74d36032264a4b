import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Db } from '../../db/connect.js';
import { actorOf, byOf } from '../../http/auth.plugin.js';
import { IdParams, Nullable, Paged, staffErrors } from '../../http/schemas.js';
import type { RegistryService } from '../registry/index.js';
import type { DeviceService } from './device.service.js';
import { listCalibrationOrders, listDevices, listRejections, listSales } from './ingest.repository.js';

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

const DeviceStatus = Type.Object({
  scaleId: Type.Integer(),
  deviceId: Type.String(),
  hasCredentials: Type.Boolean(),
  issuedAt: Nullable(Type.String()),
  revokedAt: Nullable(Type.String()),
  lastSeenAt: Nullable(Type.String()),
  lastSeq: Type.Integer(),
  isOnline: Type.Boolean(),
  statusChangedAt: Nullable(Type.String()),
  clockDriftMs: Nullable(Type.Integer()),
  lastTransport: Nullable(Type.String()),
});
const Sale = Type.Object({
  scaleId: Type.Integer(),
  scaleSerialNo: Nullable(Type.String()),
  merchantName: Nullable(Type.String()),
  marketName: Nullable(Type.String()),
  seq: Type.Integer(),
  at: Type.String(),
  receivedAt: Type.String(),
  merchantId: Nullable(Type.Integer()),
  marketId: Nullable(Type.Integer()),
  districtId: Type.Integer(),
  plu: Type.String(),
  name: Type.String(),
  weightG: Type.Integer(),
  tareG: Type.Integer(),
  unitPriceFenPerKg: Type.Integer(),
  totalFen: Type.Integer(),
  receiptNo: Nullable(Type.String()),
  productId: Nullable(Type.Integer()),
  capFenPerKg: Nullable(Type.Integer()),
  isOverCap: Type.Boolean(),
  flags: Type.Array(Type.String()),
});
const CalibrationOrder = Type.Object({
  id: Type.Integer(),
  scaleId: Type.Integer(),
  validFrom: Type.String(),
  validUntil: Type.String(),
  calibrator: Nullable(Type.String()),
  reason: Type.String(),
  issuedBy: Nullable(Type.Integer()),
  issuedAt: Type.String(),
});

/** Staff side of ingest: device credentials and status, sales, calibration orders, rejected messages. */
export function registerIngestRoutes(app: FastifyInstance, deps: { db: Db; devices: DeviceService; registry: RegistryService; offlineAfterS: number }) {
  const { db, devices, registry } = deps;
  const pageOf = (q: { page?: number; pageSize?: number }) => ({ page: q.page ?? 1, pageSize: q.pageSize ?? 50 });

  app.post(
    '/api/scales/:id/device-credentials',
    {
      config: { access: 'device.manage' },
      schema: {
        tags: ['devices'],
        summary: 'Issue (or reissue) the scale\'s device secret. Shown this once; a reissue revokes the old secret at once.',
        description: 'scaleId is the platform\'s id of the scale; deviceId is what the scale protocol calls its scaleId (client id, username, topic segment).',
        params: IdParams,
        response: { 201: Type.Object({ scaleId: Type.Integer(), deviceId: Type.String(), secret: Type.String(), issuedAt: Type.String() }), ...staffErrors },
      },
    },
    async (req, reply) => reply.status(201).send(await devices.issue(byOf(req), (req.params as { id: number }).id)),
  );
  app.delete(
    '/api/scales/:id/device-credentials',
    { config: { access: 'device.manage' }, schema: { tags: ['devices'], summary: 'Revoke the scale\'s device secret', params: IdParams, response: { 204: Type.Null(), ...staffErrors } } },
    async (req, reply) => {
      await devices.revoke(byOf(req), (req.params as { id: number }).id);
      return reply.status(204).send();
    },
  );
  app.get(
    '/api/scales/:id/device',
    { config: { access: 'device.read' }, schema: { tags: ['devices'], summary: 'Connection status: last seen, last seq, online, clock drift', params: IdParams, response: { 200: DeviceStatus, ...staffErrors } } },
    async (req) => devices.status(actorOf(req), (req.params as { id: number }).id),
  );
  app.get(
    '/api/devices',
    {
      config: { access: 'device.read' },
      schema: {
        tags: ['devices'],
        summary: 'IoT scales with credentials, within your jurisdiction',
        querystring: Type.Object({ marketId: Type.Optional(Type.Integer()), online: Type.Optional(Type.Boolean()), page: Type.Optional(Type.Integer({ minimum: 1 })), pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }),
        response: { 200: Paged(Type.Intersect([DeviceStatus, Type.Object({ serialNo: Type.String(), merchantId: Nullable(Type.Integer()), marketId: Nullable(Type.Integer()), districtId: Type.Integer() })])), ...staffErrors },
      },
    },
    async (req) => {
      const q = req.query as { marketId?: number; online?: boolean; page?: number; pageSize?: number };
      const p = pageOf(q);
      const { items, total } = await listDevices(db, actorOf(req).reach, { ...q, onlineSince: new Date(Date.now() - deps.offlineAfterS * 1000), limit: p.pageSize, offset: (p.page - 1) * p.pageSize });
      return {
        items: items.map((d) => ({
          scaleId: d.scale_id,
          deviceId: d.device_id,
          hasCredentials: Boolean(d.secret_enc),
          issuedAt: iso(d.issued_at),
          revokedAt: iso(d.revoked_at),
          lastSeenAt: iso(d.last_seen_at),
          lastSeq: d.last_seq,
          isOnline: devices.isOnline(d),
          statusChangedAt: iso(d.status_changed_at),
          clockDriftMs: d.clock_drift_ms,
          lastTransport: d.last_transport,
          serialNo: d.serial_no,
          merchantId: d.merchant_id,
          marketId: d.market_id,
          districtId: d.district_id,
        })),
        total,
        ...p,
      };
    },
  );

  app.get(
    '/api/sales',
    {
      config: { access: 'sale.read' },
      schema: {
        tags: ['sales'],
        summary: 'Weighed sales within your jurisdiction, newest first',
        querystring: Type.Object({
          scaleId: Type.Optional(Type.Integer()),
          merchantId: Type.Optional(Type.Integer()),
          marketId: Type.Optional(Type.Integer()),
          districtId: Type.Optional(Type.Integer()),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          overCap: Type.Optional(Type.Boolean()),
          flag: Type.Optional(Type.Union(['over_cap', 'arithmetic_mismatch', 'unmapped_product', 'expired_verification'].map((f) => Type.Literal(f)))),
          page: Type.Optional(Type.Integer({ minimum: 1 })),
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
        response: { 200: Paged(Sale), ...staffErrors },
      },
    },
    async (req) => {
      const q = req.query as Record<string, never> & { from?: string; to?: string; page?: number; pageSize?: number };
      const p = pageOf(q);
      const { items, total } = await listSales(db, actorOf(req).reach, {
        ...q,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        limit: p.pageSize,
        offset: (p.page - 1) * p.pageSize,
      });
      return {
        items: items.map((s) => ({
          scaleId: s.scale_id,
          scaleSerialNo: s.scale_serial_no,
          merchantName: s.merchant_name,
          marketName: s.market_name,
          seq: s.seq,
          at: iso(s.at)!,
          receivedAt: iso(s.received_at)!,
          merchantId: s.merchant_id,
          marketId: s.market_id,
          districtId: s.district_id,
          plu: s.plu,
          name: s.name,
          weightG: s.weight_g,
          tareG: s.tare_g,
          unitPriceFenPerKg: s.unit_price_fen_per_kg,
          totalFen: s.total_fen,
          receiptNo: s.receipt_no,
          productId: s.product_id,
          capFenPerKg: s.cap_fen_per_kg,
          isOverCap: s.is_over_cap,
          flags: s.flags,
        })),
        total,
        ...p,
      };
    },
  );

  app.get(
    '/api/scales/:id/rejections',
    {
      config: { access: 'device.read' },
      schema: {
        tags: ['devices'],
        summary: 'Messages from the scale that were rejected, with their raw bytes and the reason',
        params: IdParams,
        response: { 200: Type.Array(Type.Object({ id: Type.Integer(), receivedAt: Type.String(), seq: Nullable(Type.Integer()), transport: Type.String(), channel: Type.String(), reason: Type.String(), raw: Type.String() })), ...staffErrors },
      },
    },
    async (req) => {
      const id = (req.params as { id: number }).id;
      await registry.getScale(actorOf(req), id);
      return (await listRejections(db, id, 200)).map((r) => ({ id: r.id, receivedAt: iso(r.received_at)!, seq: r.seq, transport: r.transport, channel: r.channel, reason: r.reason, raw: Buffer.from(r.raw).toString('utf8') }));
    },
  );

  app.get(
    '/api/scales/:id/calibration-orders',
    { config: { access: 'device.read' }, schema: { tags: ['devices'], params: IdParams, response: { 200: Type.Array(CalibrationOrder), ...staffErrors } } },
    async (req) => {
      const id = (req.params as { id: number }).id;
      await registry.getScale(actorOf(req), id);
      return (await listCalibrationOrders(db, id)).map(toOrder);
    },
  );
  app.post(
    '/api/scales/:id/calibration-orders',
    {
      config: { access: 'calibration.write' },
      schema: {
        tags: ['devices'],
        summary: 'Authorise a calibration or configuration change of the scale within a time window (校准授权)',
        params: IdParams,
        body: Type.Object(
          { validFrom: Type.String({ format: 'date-time' }), validUntil: Type.String({ format: 'date-time' }), calibrator: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), reason: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 201: CalibrationOrder, ...staffErrors },
      },
    },
    async (req, reply) => {
      const b = req.body as { validFrom: string; validUntil: string; calibrator?: string; reason?: string };
      const row = await devices.addCalibrationOrder(byOf(req), (req.params as { id: number }).id, { ...b, validFrom: new Date(b.validFrom), validUntil: new Date(b.validUntil) });
      return reply.status(201).send(toOrder(row));
    },
  );
}

function toOrder(o: { id: number; scale_id: number; valid_from: Date; valid_until: Date; calibrator: string | null; reason: string; issued_by: number | null; issued_at: Date }) {
  return { id: o.id, scaleId: o.scale_id, validFrom: iso(o.valid_from)!, validUntil: iso(o.valid_until)!, calibrator: o.calibrator, reason: o.reason, issuedBy: o.issued_by, issuedAt: iso(o.issued_at)! };
}
