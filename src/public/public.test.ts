import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Client, type TestApp } from '../test-support/app.js';
import { TEST_DB_KINDS } from '../test-support/db.js';
import { eventually } from '../test-support/eventually.js';
import { conditionsOf } from './public.routes.js';

/** A GET with exactly these request headers (fetch adds its own Accept-Encoding). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('conditionsOf (the early answer reads raw request headers)', () => {
  it('finds gzip in any Accept-Encoding and the If-None-Match value, whatever the case of the names', () => {
    expect(conditionsOf([])).toEqual({ ifNoneMatch: undefined, gzip: false });
    expect(conditionsOf(['Host', 'x', 'Accept-Encoding', 'gzip, deflate, br', 'If-None-Match', '"abc"'])).toEqual({ ifNoneMatch: '"abc"', gzip: true });
    expect(conditionsOf(['accept-encoding', 'br', 'ACCEPT-ENCODING', 'gzip'])).toEqual({ ifNoneMatch: undefined, gzip: true });
    expect(conditionsOf(['accept-encoding', 'identity', 'x-if-none-match', '"abc"'])).toEqual({ ifNoneMatch: undefined, gzip: false });
  });
});


describe.each(TEST_DB_KINDS)('codes, scan pages and ratings on %s', (kind) => {
  let t: TestApp;
  let managerA: Client;
  let inspA: Client;
  let admin: Client;

  beforeAll(async () => {
    t = await createTestApp(kind);
    managerA = await t.as('manager_a');
    inspA = await t.as('insp_a');
    admin = await t.as('admin');
  });
  afterAll(async () => t?.close());

  const open = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
  const pathOf = (url: string) => new URL(url).pathname;

  it('issues a merchant code once, opens the merchant page from it with its check code', async () => {
    const res = await managerA.get(`/api/merchants/${t.fx.merchants.A}/code`);
    expect(res.statusCode, res.body).toBe(200);
    const code = res.json();
    expect(code.url).toMatch(/^HTTP:\/\/LOCALHOST:\d+\/C\/[A-Z2-7]+$/);
    expect(code.checkCode).toMatch(/^[2-9A-HJ-NP-Z]{6}$/);
    expect((await managerA.get(`/api/merchants/${t.fx.merchants.A}/code`)).json().token).toBe(code.token);

    const page = await open(pathOf(code.url));
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain(code.checkCode);
    expect(page.body).not.toContain('<script');
    // The lower-case path and the English page work too.
    expect((await open(pathOf(code.url).replace('/C/', '/c/').toLowerCase())).statusCode).toBe(200);
    const en = await open(`${pathOf(code.url)}?lang=en`);
    expect(en.body).toContain('lang="en"');
  });

  it('serves gzip with an ETag and answers a matching If-None-Match with 304', async () => {
    const url = `/p/scales/${t.fx.scales.A}`;
    const res = await open(url, { 'accept-encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    const html = gunzipSync(res.rawPayload).toString('utf8');
    expect(html).toContain('SN-A-1');
    expect(res.rawPayload.length).toBeLessThan(14_000);
    const again = await open(url, { 'if-none-match': String(res.headers.etag) });
    expect(again.statusCode).toBe(304);
  });

  it('shows a change in the record on the page within a second', async () => {
    const url = `/p/merchants/${t.fx.merchants.A}`;
    expect((await open(url)).statusCode).toBe(200);
    const renamed = await managerA.patch(`/api/merchants/${t.fx.merchants.A}`, { name: '三亚新名字海鲜店' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    await eventually(async () => expect((await open(url)).body).toContain('三亚新名字海鲜店'));
  });

  it('reissuing revokes the old code: its scan shows 此码已作废, never the record', async () => {
    const old = (await managerA.get(`/api/scales/${t.fx.scales.A}/code`)).json();
    expect((await open(pathOf(old.url))).statusCode).toBe(200);
    const fresh = await managerA.post(`/api/scales/${t.fx.scales.A}/code/reissue`);
    expect(fresh.statusCode, fresh.body).toBe(201);
    expect(fresh.json().serial).toBe(old.serial + 1);
    await eventually(async () => {
      const page = await open(pathOf(old.url));
      expect(page.statusCode).toBe(410);
      expect(page.body).toContain('此码已作废');
      expect(page.body).not.toContain('SN-A-1"');
    });
    expect((await open(pathOf(fresh.json().url))).statusCode).toBe(200);
  });

  it('shows a forged or altered code as such', async () => {
    const code = (await managerA.get(`/api/markets/${t.fx.markets.A}/code`)).json();
    const token: string = code.token;
    const altered = token.slice(0, 20) + (token[20] === 'A' ? 'B' : 'A') + token.slice(21);
    const page = await open(`/C/${altered}`);
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('此码无法验证');
    expect((await open('/C/NOT-A-CODE')).statusCode).toBe(400);
  });

  it('the verification page tells valid, revoked and forged apart, with the key id', async () => {
    const code = (await managerA.get(`/api/merchants/${t.fx.merchants.A}/code`)).json();
    const valid = await open(`/verify?code=${encodeURIComponent(code.url)}`);
    expect(valid.statusCode).toBe(200);
    expect(valid.body).toContain(code.kid);
    const post = await t.app.inject({ method: 'POST', url: '/verify', payload: `code=${encodeURIComponent(code.token.slice(0, -4))}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(post.statusCode).toBe(200);
  });

  it('keeps printed codes valid across a key rotation', async () => {
    const before = (await managerA.get(`/api/markets/${t.fx.markets.A}/code`)).json();
    const rotated = await admin.post('/api/code-keys/rotate');
    expect(rotated.statusCode, rotated.body).toBe(201);
    expect(rotated.json().retired).toContain(before.kid);
    expect((await open(pathOf(before.url))).statusCode).toBe(200);
    const fresh = await managerA.post(`/api/markets/${t.fx.markets.A}/code/reissue`);
    expect(fresh.json().kid).toBe(rotated.json().kid);
  });

  it('refuses codes outside reach and reissue to roles without it', async () => {
    expect((await managerA.get(`/api/merchants/${t.fx.merchants.Y}/code`)).statusCode).toBe(404);
    expect((await (await t.as('verifier')).post(`/api/scales/${t.fx.scales.A}/code/reissue`)).statusCode).toBe(403);
  });

  it('gives label sheets as PDF, SVG and PNG codes', async () => {
    const pdf = await managerA.get(`/api/markets/${t.fx.markets.A}/labels.pdf?of=scales&sizeMm=45`);
    expect(pdf.statusCode, pdf.body.slice(0, 200)).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const svg = await managerA.get(`/api/merchants/${t.fx.merchants.A}/code.svg`);
    expect(svg.body).toContain('<svg');
    const png = await managerA.get(`/api/merchants/${t.fx.merchants.A}/code.png`);
    expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    expect((await managerA.get(`/api/markets/${t.fx.markets.A}/labels.pdf?sizeMm=10`)).statusCode).toBe(400);
  });

  it('takes a rating from a form without sign-in, counts it, and limits the same phone', async () => {
    const form = (fields: Record<string, string>, cookie?: string) =>
      t.app.inject({
        method: 'POST',
        url: `/p/scales/${t.fx.scales.B}/ratings?back=${encodeURIComponent(`/p/scales/${t.fx.scales.B}`)}`,
        payload: new URLSearchParams(fields).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
        remoteAddress: '10.1.2.3',
      });
    const first = await form({ accurate: 'no', stars: '2', comment: '秤不准，老板电话13812345678' });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe(`/p/scales/${t.fx.scales.B}?rated=thanks`);
    const cookie = `mashang_dev=${first.cookies.find((c) => c.name === 'mashang_dev')!.value}`;
    const again = await form({ accurate: 'no', stars: '1' }, cookie);
    expect(again.headers.location).toContain('rated=limited');
    expect((await form({ stars: '1' })).headers.location).toContain('rated=invalid');
    expect((await form({ accurate: 'yes', stars: '5', comment: '傻逼' })).headers.location).toContain('rated=screened');

    const staff = await t.as('insp_bc');
    const ratings = await staff.get(`/api/scales/${t.fx.scales.B}/ratings`);
    expect(ratings.statusCode, ratings.body).toBe(200);
    expect(ratings.json().ratings).toHaveLength(1);
    expect(ratings.json().ratings[0].comment).not.toContain('13812345678');
    expect((await inspA.get(`/api/scales/${t.fx.scales.B}/ratings`)).statusCode).toBe(404);
    await eventually(async () => expect((await open(`/p/scales/${t.fx.scales.B}`)).body).toMatch(/1/));
  });

  it('open data: lists without a filter, filters, paginates, with ETag, Cache-Control and CORS', async () => {
    const all = await open('/api/open/v1/merchants');
    expect(all.statusCode, all.body).toBe(200);
    expect(all.headers['access-control-allow-origin']).toBe('*');
    expect(all.headers['cache-control']).toContain('max-age');
    const body = all.json();
    expect(body.total).toBeGreaterThanOrEqual(3);
    expect(body.items[0]).not.toHaveProperty('created_by');
    const paged = await open('/api/open/v1/merchants?pageSize=1');
    expect(paged.json().items).toHaveLength(1);
    expect(paged.json().next).toContain('page=2');
    const byMarket = await open(`/api/open/v1/merchants?market=${t.fx.markets.A}`);
    expect(byMarket.json().items.every((m: { market: { id: number } }) => m.market.id === t.fx.markets.A)).toBe(true);
    expect((await open('/api/open/v1/merchants', { 'if-none-match': String(all.headers.etag) })).statusCode).toBe(304);
    const scale = await open(`/api/open/v1/scales/${t.fx.scales.A}`);
    expect(scale.json().serialNo).toBe('SN-A-1');
    expect(scale.json().verification.status).toBeTruthy();
    expect((await open('/api/open/v1/scales?light=red')).statusCode).toBe(200);
    expect((await open(`/api/open/v1/markets/${t.fx.markets.A}`)).json().merchants).toBeGreaterThanOrEqual(1);
    expect((await open('/api/open/v1/markets/999999')).statusCode).toBe(404);
    expect((await open('/api/open/v1/merchants?pageSize=1000')).statusCode).toBe(400);
    const keys = (await open('/api/open/v1/code-keys')).json().keys;
    expect(keys.length).toBeGreaterThanOrEqual(1);
    const pre = await t.app.inject({ method: 'OPTIONS', url: '/api/open/v1/merchants', headers: { origin: 'https://example.org', 'access-control-request-method': 'GET' } });
    expect(pre.statusCode).toBe(204);
    const code = (await managerA.get(`/api/merchants/${t.fx.merchants.A}/code`)).json();
    const check = await open(`/api/open/v1/codes/check?code=${encodeURIComponent(code.url)}`);
    expect(check.json()).toMatchObject({ status: 'valid', kind: 'merchant', subjectId: t.fx.merchants.A, checkCode: code.checkCode });
    expect((await open('/api/open/v1/codes/check?code=HELLO')).json().status).toBe('malformed');
    const doc = (await open('/api/openapi.json')).json();
    expect(Object.keys(doc.paths)).toContain('/api/open/v1/merchants');
  });

  it('open data is rate limited per address with a 429 that says when to retry', async () => {
    const limited = await createTestApp(kind, { OPEN_DATA_PER_MINUTE: '3' });
    try {
      const hit = () => limited.app.inject({ method: 'GET', url: '/api/open/v1/markets', remoteAddress: '10.9.9.9' });
      for (let i = 0; i < 3; i++) expect((await hit()).statusCode).toBe(200);
      const refused = await hit();
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBeTruthy();
      expect(refused.json().error.code).toBe('too_many_requests');
      expect((await limited.app.inject({ method: 'GET', url: '/api/open/v1/markets', remoteAddress: '10.9.9.10' })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('over real HTTP, answers a cached page before routing, with the same bytes, ETag and 304, and counts it', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    try {
      const url = `${base}/p/merchants/${t.fx.merchants.B}`;
      const first = await fetch(url);
      expect(first.status).toBe(200);
      const body = await first.text();
      const second = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
      expect(second.status).toBe(200);
      expect(second.headers.get('content-encoding')).toBe('gzip');
      expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
      expect(second.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(await second.text()).toBe(body);
      const notModified = await fetch(url, { headers: { 'if-none-match': first.headers.get('etag')! } });
      expect(notModified.status).toBe(304);
      expect(notModified.headers.get('etag')).toBe(first.headers.get('etag'));
      expect(notModified.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
      // Without gzip: the plain HTML, its own length, and the same headers as the routed answer.
      const plain = await rawGet(url);
      const routed = await t.app.inject({ method: 'GET', url: `/p/merchants/${t.fx.merchants.B}` });
      expect(plain.status).toBe(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.toString('utf8')).toBe(body);
      expect(Number(plain.headers['content-length'])).toBe(plain.body.length);
      for (const h of ['content-type', 'cache-control', 'etag', 'vary', 'x-content-type-options', 'content-security-policy']) expect(plain.headers[h], h).toBe(routed.headers[h]);
      const zipped = await rawGet(url, { 'accept-encoding': 'br, gzip;q=0.8' });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
      expect(gunzipSync(zipped.body).toString('utf8')).toBe(body);
      // The English page is its own cached variant.
      await fetch(`${url}?lang=en`);
      const en = await rawGet(`${url}?lang=en`);
      expect(en.body.toString('utf8')).toContain('lang="en"');
      expect(en.headers.etag).not.toBe(plain.headers.etag);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      const hits = Number(/mashang_public_page_cache_hits_total (\d+)/.exec(metrics)?.[1]);
      // second, the 304, the plain, the zipped and the English second visit at least.
      expect(hits).toBeGreaterThanOrEqual(5);
      // A change still shows at once: the early path reads the same cache.
      await managerA.patch(`/api/merchants/${t.fx.merchants.A}`, { name: '早答测试海鲜店' });
      const pageA = `${base}/p/merchants/${t.fx.merchants.A}`;
      await fetch(pageA);
      await managerA.patch(`/api/merchants/${t.fx.merchants.A}`, { name: '早答测试海鲜店二' });
      await eventually(async () => expect(await (await fetch(pageA)).text()).toContain('早答测试海鲜店二'));
    } finally {
      await t.app.server.close();
    }
  });
});
