import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../shared/errors.js';
import type { DeviceService } from './device.service.js';
import { secretMatches } from './device.secrets.js';
import { StorageUnavailable, type IngestService } from './ingest.service.js';
import { MAX_BATCH, SCALE_ID_PATTERN } from './protocol.rules.js';

const Ack = Type.Object({ seq: Type.Integer(), status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('rejected')]), error: Type.Optional(Type.String()) });
const ProtocolError = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });

/** Per-scale token bucket: `rate` requests a second, bursts of twice that. */
class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly rate: number) {}
  take(key: string, now = Date.now()): number | null {
    const b = this.buckets.get(key) ?? { tokens: this.rate * 2, at: now };
    b.tokens = Math.min(this.rate * 2, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    this.buckets.set(key, b);
    if (this.buckets.size > 100_000) this.buckets.clear();
    if (b.tokens < 1) return Math.ceil((1 - b.tokens) / this.rate);
    b.tokens -= 1;
    return null;
  }
}

/**
 * Transport B of the scale protocol: POST /api/device/v1/scales/{scaleId}/messages with the
 * device secret as bearer token. Answers only after the accepted messages are stored.
 */
export function registerDeviceHttp(app: FastifyInstance, deps: { devices: DeviceService; ingest: IngestService; perScalePerS: number }) {
  const limiter = new RateLimiter(deps.perScalePerS);
  app.post(
    '/api/device/v1/scales/:scaleId/messages',
    {
      // Scales authenticate with their own secret, not a staff session.
      config: { access: 'public' },
      bodyLimit: 1024 * 1024,
      schema: {
        tags: ['device protocol'],
        summary: 'Scale protocol v1, transport B: a batch of 1 to 500 signed messages; acks after durable storage',
        params: Type.Object({ scaleId: Type.String({ pattern: SCALE_ID_PATTERN.source }) }),
        headers: Type.Object({ authorization: Type.Optional(Type.String()) }),
        body: Type.Object({ messages: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_BATCH }) }),
        response: { 200: Type.Object({ acks: Type.Array(Ack) }), 400: ProtocolError, 401: ProtocolError, 413: ProtocolError, 429: ProtocolError, 503: ProtocolError },
      },
    },
    async (req, reply) => {
      const { scaleId } = req.params as { scaleId: string };
      const auth = req.headers.authorization ?? '';
      const presented = /^Bearer (\S+)$/.exec(auth)?.[1];
      const device = presented ? await deps.devices.lookup(scaleId) : null;
      if (!presented || !device || !secretMatches(device.secret, presented)) {
        reply.header('www-authenticate', 'Bearer realm="mashang-device"');
        throw new AppError('unauthorized_device', 'missing or wrong device secret for this scaleId', 401);
      }
      const wait = limiter.take(scaleId);
      if (wait !== null) throw new AppError('too_many_requests', `scale ${scaleId} is sending too fast; retry after ${wait} s`, 429, { retryAfterS: wait });
      const { messages } = req.body as { messages: unknown[] };
      try {
        return { acks: await deps.ingest.submit(device, 'http', 'any', messages) };
      } catch (e) {
        if (e instanceof StorageUnavailable) {
          reply.header('retry-after', '5');
          return reply.status(503).send({ error: { code: 'storage_unavailable', message: 'messages not stored; send them again (nothing was acknowledged)' } });
        }
        throw e;
      }
    },
  );
}
