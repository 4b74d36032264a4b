import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { createTestApp, type TestApp } from '../src/test-support/app.js';

describe('configuration', () => {
  it('names every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', MASHANG_DEMO: 'maybe', MASHANG_TIMEZONE: 'Mars/Base' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const text = (e as ConfigError).message;
      for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'MASHANG_DEMO', 'MASHANG_TIMEZONE']) expect(text).toContain(name);
    }
  });

  it('keeps secrets out of the printable view', () => {
    const { config, secrets } = loadConfig({ DATABASE_URL: 'postgres://u:s3cret@db:5432/m', MQTT_URL: 'mqtt://u:hush@broker:1883' });
    expect(secrets.databaseUrl).toContain('s3cret');
    expect(JSON.stringify(config)).not.toContain('s3cret');
    expect(JSON.stringify(config.describe())).not.toMatch(/s3cret|hush/);
    expect(config.demo).toBe(false);
  });

  it('defaults to embedded services on ports clear of the usual ones, in demo mode', () => {
    const { config } = loadConfig({});
    expect(config.database.kind).toBe('pglite');
    expect(config.mqtt).toEqual({ kind: 'embedded', port: 18830 });
    expect(config.http.port).toBe(8750);
    expect(config.demo).toBe(true);
  });
});

describe('service endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite');
  });
  afterAll(async () => t?.close());

  it('answers health and readiness, and turns readiness off while shutting down', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject('/readyz')).json()).toEqual({ status: 'ready' });
    t.ctx.state.ready = false;
    const res = await t.app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    t.ctx.state.ready = true;
  });

  it('exposes Prometheus metrics with request durations by route', async () => {
    await t.app.inject('/healthz');
    const res = await t.app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('mashang_http_request_duration_seconds_bucket');
    expect(res.body).toContain('route="/healthz"');
    expect(res.body).toContain('mashang_process_cpu_seconds_total');
  });

  it('publishes the OpenAPI document and a browsable reference', async () => {
    const doc = (await t.app.inject('/api/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/api/merchants', '/api/scales/{id}/verifications', '/api/auth/login', '/api/markets/{id}/stalls']) expect(Object.keys(doc.paths)).toContain(p);
    const ui = await t.app.inject('/api/docs/');
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
  });

  it('answers an unknown route and a malformed body with JSON errors', async () => {
    const missing = await t.app.inject('/api/nothing-here');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    const c = await t.as('bureau');
    const broken = await t.app.inject({ method: 'POST', url: '/api/markets', cookies: { mashang_session: c.cookie }, headers: { 'x-csrf-token': c.csrf, 'content-type': 'application/json' }, payload: '{"name": ' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.code).toBe('bad_request');
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const c = await t.as('bureau');
    const res = await c.post('/api/markets', { districtId: 1, name: 'x'.repeat(1_100_000) });
    expect(res.statusCode).toBe(413);
  });

  it('carries a request id on every response', async () => {
    const res = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers['x-request-id']).toBe('trace-123');
  });
});
