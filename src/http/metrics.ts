import type { FastifyInstance } from 'fastify';
import client from 'prom-client';

/** What the ingest writer has answered since this process started, and what waits for it now. */
export interface IngestCounts {
  accepted: number;
  duplicate: number;
  rejected: number;
  batches: number;
  queued: number;
}

/** Prometheus metrics: process defaults, request counts and durations by route, and this process's ingest counts. */
export function installMetrics(app: FastifyInstance, ingestCounts?: () => IngestCounts) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'mashang_' });
  const duration = new client.Histogram({
    name: 'mashang_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3],
    registers: [registry],
  });
  if (ingestCounts) {
    // Read when scraped: the writer keeps its own counts, so nothing is added to the hot path.
    new client.Counter({
      name: 'mashang_ingest_messages_total',
      help: 'Scale messages taken by this process, by outcome (rejected: refused when read, or by the writer; a payload that is not JSON counts once)',
      labelNames: ['status'],
      registers: [registry],
      collect() {
        const c = ingestCounts();
        this.reset();
        for (const status of ['accepted', 'duplicate', 'rejected'] as const) this.inc({ status }, c[status]);
      },
    });
    new client.Counter({
      name: 'mashang_ingest_batches_total',
      help: 'Writer flushes (transactions) by this process',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(ingestCounts().batches);
      },
    });
    new client.Gauge({
      name: 'mashang_ingest_queued',
      help: 'Scale messages waiting for the writer in this process',
      registers: [registry],
      collect() {
        this.set(ingestCounts().queued);
      },
    });
  }
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    duration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return registry;
}
