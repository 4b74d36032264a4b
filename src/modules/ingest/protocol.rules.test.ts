import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../shared/canonical-json.js';
import { createHash } from 'node:crypto';
import { canonicalTx, macOf, parseRfc3339, parseScaleMessage, splitPayload, type ParseContext } from './protocol.rules.js';

const secret = Buffer.from('BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc', 'base64url');
const vector = { v: 1, seq: 42, ts: '2026-06-27T10:31:05+08:00', plu: '1001', name: '石斑鱼', weight_g: 1250, tare_g: 0, unit_price_fen_per_kg: 16000, total_fen: 20000 };
const ctx: ParseContext = { channel: 'tx', maxCapacityG: 30000, secret, now: new Date('2026-06-27T02:32:00Z'), backfillDays: 7 };
const signed = (m: Record<string, unknown>) => ({ ...m, mac: macOf(secret, m) });
const hashOf = (canonical: string) => createHash('sha256').update(canonical).digest('base64url');

describe('scale protocol v1', () => {
  it('reproduces the specification test vector', () => {
    expect(secret).toEqual(Buffer.alloc(32, 7));
    expect(macOf(secret, vector)).toBe('WOjr9ryXHoeARgjiKguMDmb7LqvIEGBEGj8eC5FUN14');
    const r = parseScaleMessage({ ...vector, mac: 'WOjr9ryXHoeARgjiKguMDmb7LqvIEGBEGj8eC5FUN14' }, ctx);
    expect(r.ok).toBe(true);
    const canonical = '{"name":"石斑鱼","plu":"1001","seq":42,"tare_g":0,"total_fen":20000,"ts":"2026-06-27T10:31:05+08:00","unit_price_fen_per_kg":16000,"v":1,"weight_g":1250}';
    expect(canonicalTx(vector)).toBe(canonical);
    expect(r.ok && r.contentHash).toBe(hashOf(canonical));
    expect(r.ok && r.message).toMatchObject({ kind: 'tx', seq: 42, weightG: 1250, unitPriceFenPerKg: 16000, at: new Date('2026-06-27T02:31:05Z') });
  });

  it('rejects any change after signing', () => {
    const m = signed(vector);
    expect(parseScaleMessage({ ...m, total_fen: 19000 }, ctx)).toEqual({ ok: false, seq: 42, error: 'mac does not verify' });
    expect(parseScaleMessage({ ...m, mac: 'x' }, ctx)).toMatchObject({ ok: false, error: 'mac does not verify' });
  });

  it.each([
    [{ v: 2 }, 'v must be 1'],
    [{ seq: 0 }, 'seq must be'],
    [{ seq: 2 ** 53 }, 'seq must be'],
    [{ seq: 1.5 }, 'seq must be'],
    [{ ts: '2026-06-27 10:31:05' }, 'RFC 3339'],
    [{ ts: '2026-06-27T10:31:05' }, 'RFC 3339'],
    [{ ts: '2026-02-30T10:31:05+08:00' }, 'RFC 3339'],
    [{ plu: '' }, 'plu'],
    [{ plu: 'x'.repeat(33) }, 'plu'],
    [{ name: '鱼'.repeat(65) }, 'name'],
    [{ weight_g: 0 }, 'weight_g must be'],
    [{ weight_g: 30001 }, 'maximum capacity'],
    [{ tare_g: -1 }, 'tare_g'],
    [{ unit_price_fen_per_kg: 0 }, 'unit_price_fen_per_kg'],
    [{ total_fen: '200' }, 'total_fen'],
    [{ receipt_no: '' }, 'receipt_no'],
    [{ unit: 'jin' }, 'unknown member unit'],
    [{ type: 'heartbeat' }, 'event heartbeat sent on the tx topic'],
    [{ type: 'refund' }, 'not tx or a known event type'],
  ])('rejects %o', (change, words) => {
    const r = parseScaleMessage(signed({ ...vector, ...change }), ctx);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain(words);
  });

  it('takes a name of 64 characters counted as characters, not bytes', () => {
    expect(parseScaleMessage(signed({ ...vector, name: '鱼'.repeat(64) }), ctx).ok).toBe(true);
  });

  it('keeps tx and events on their own topics, and takes both over HTTP', () => {
    const ev = signed({ v: 1, seq: 43, ts: vector.ts, type: 'tamper', detail: { door: 'open' } });
    expect(parseScaleMessage(ev, { ...ctx, channel: 'event' })).toMatchObject({ ok: true, message: { kind: 'event', type: 'tamper' } });
    expect(parseScaleMessage(ev, { ...ctx, channel: 'any' }).ok).toBe(true);
    expect(parseScaleMessage(signed(vector), { ...ctx, channel: 'event' })).toMatchObject({ ok: false, error: expect.stringContaining('event topic') });
    expect(parseScaleMessage(signed({ ...vector, type: 'tx' }), ctx).ok).toBe(true);
  });

  it('bounds an event detail to 2 KiB and refuses transaction members on events', () => {
    expect(parseScaleMessage(signed({ v: 1, seq: 1, ts: vector.ts, type: 'calibration', detail: { x: 'a'.repeat(2100) } }), { ...ctx, channel: 'event' })).toMatchObject({ ok: false, error: 'detail is larger than 2 KiB' });
    expect(parseScaleMessage(signed({ v: 1, seq: 1, ts: vector.ts, type: 'heartbeat', plu: '1' }), { ...ctx, channel: 'event' })).toMatchObject({ ok: false, error: expect.stringContaining('unknown member plu') });
  });

  it('refuses a clock more than 5 minutes ahead or older than the back-fill window', () => {
    const ahead = parseScaleMessage(signed({ ...vector, ts: '2026-06-27T10:38:00+08:00' }), ctx);
    expect(ahead).toMatchObject({ ok: false, error: expect.stringContaining('ahead of the platform clock') });
    expect(parseScaleMessage(signed({ ...vector, ts: '2026-06-27T10:36:59+08:00' }), ctx).ok).toBe(true);
    expect(parseScaleMessage(signed({ ...vector, ts: '2026-06-20T10:31:05+08:00' }), ctx)).toMatchObject({ ok: false, error: expect.stringContaining('back-fill window of 7 days') });
  });

  it('canonicalises every transaction exactly as JCS does, whatever the member order or characters', () => {
    const names = ['石斑鱼', 'a"b\\c', 'tab\there', '🐟 emoji', 'ünï\u0001', '\ud800lone'];
    for (const [i, name] of names.entries()) {
      for (const extra of [{}, { receipt_no: `R-${i}"x` }, { type: 'tx' }, { receipt_no: '收据', type: 'tx' }]) {
        const m: Record<string, unknown> = { ...extra, total_fen: 20000 + i, weight_g: 1250, name, tare_g: i, v: 1, unit_price_fen_per_kg: 16000, plu: `p${i}`, seq: 42 + i, ts: vector.ts };
        const r = parseScaleMessage(signed(m), ctx);
        expect(r.ok, JSON.stringify(r)).toBe(true);
        expect(canonicalTx(m)).toBe(canonicalJson(m));
        expect(r.ok && r.contentHash).toBe(hashOf(canonicalJson(m)));
      }
    }
  });

  it('reads RFC 3339 times as Date would, and refuses impossible ones', () => {
    for (const ts of ['2024-02-29T23:59:59.999999999-12:00', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59+14:00', '2026-06-27t10:31:05z', '2026-06-27T10:31:05.5+05:45'])
      expect(parseRfc3339(ts)?.getTime()).toBe(new Date(ts.replace(/^(.{19})(\.\d{3})\d*/, '$1$2')).getTime());
    for (const ts of ['2026-02-29T10:00:00Z', '2026-06-27T24:00:00Z', '2026-06-27T10:60:00Z', '2026-06-27T10:31:60Z', '2026-06-27T10:31:05+24:00', '2026-06-27T10:31:05+08:60', '2026-06-27T10:31:05.Z', '2026-06-27T10:31:05.1234567890Z', '２026-06-27T10:31:05Z'])
      expect(parseRfc3339(ts), ts).toBeNull();
  });

  it('splits payloads into at most 500 messages', () => {
    expect(splitPayload({ a: 1 })).toEqual({ ok: true, items: [{ a: 1 }] });
    expect(splitPayload(new Array(501).fill({}))).toMatchObject({ ok: false });
    expect(splitPayload([])).toMatchObject({ ok: false });
    expect(splitPayload('x')).toMatchObject({ ok: false });
  });

  it('parses RFC 3339 with fractions and offsets', () => {
    expect(parseRfc3339('2026-06-27T02:31:05.123456Z')).toEqual(new Date('2026-06-27T02:31:05.123Z'));
    expect(parseRfc3339('2026-06-27T10:31:05-03:30')).toEqual(new Date('2026-06-27T14:01:05Z'));
    expect(parseRfc3339('2026-13-01T00:00:00Z')).toBeNull();
  });
});
