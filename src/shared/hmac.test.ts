import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacMatches, hmacSha256 } from './hmac.js';

describe('hmacSha256', () => {
  const messages = ['', 'a', '{"name":"石斑鱼","plu":"1001"}', '🐟 鲈鱼 \u0000 \ud800 lone surrogate', 'x'.repeat(2730), '鱼'.repeat(2730), '鱼'.repeat(2731), 'y'.repeat(10_000)];
  const keys = [Buffer.alloc(0), Buffer.alloc(32, 7), randomBytes(63), randomBytes(64), randomBytes(65), randomBytes(200)];

  it('gives the bytes createHmac gives, for any key length and message', () => {
    for (const key of keys)
      for (const m of messages) {
        expect(hmacSha256(key, m, 'base64url')).toBe(createHmac('sha256', key).update(m).digest('base64url'));
        expect(Buffer.from(hmacSha256(key, m, 'latin1'), 'latin1').equals(createHmac('sha256', key).update(m).digest())).toBe(true);
        const bytes = Buffer.from(m, 'utf8');
        expect(hmacSha256(key, bytes, 'base64url')).toBe(createHmac('sha256', key).update(bytes).digest('base64url'));
      }
  });

  it('keeps keys apart when they alternate', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    for (let i = 0; i < 3; i++) {
      expect(hmacSha256(a, 'm', 'base64url')).toBe(createHmac('sha256', a).update('m').digest('base64url'));
      expect(hmacSha256(b, 'm', 'base64url')).toBe(createHmac('sha256', b).update('m').digest('base64url'));
    }
  });

  it('matches the scale protocol test vector', () => {
    const canonical = '{"name":"石斑鱼","plu":"1001","seq":42,"tare_g":0,"total_fen":20000,"ts":"2026-06-27T10:31:05+08:00","unit_price_fen_per_kg":16000,"v":1,"weight_g":1250}';
    expect(hmacSha256(Buffer.alloc(32, 7), canonical, 'base64url')).toBe('WOjr9ryXHoeARgjiKguMDmb7LqvIEGBEGj8eC5FUN14');
  });
});

describe('hmacMatches', () => {
  const key = Buffer.alloc(32, 7);
  const mac = createHmac('sha256', key).update('msg').digest('base64url');
  it('accepts the right mac only', () => {
    expect(hmacMatches(key, 'msg', mac)).toBe(true);
    expect(hmacMatches(key, 'msg2', mac)).toBe(false);
    expect(hmacMatches(Buffer.alloc(32, 8), 'msg', mac)).toBe(false);
    const flipped = (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1);
    expect(hmacMatches(key, 'msg', flipped)).toBe(false);
  });
  it('refuses a mac of the wrong length or no base64url at all', () => {
    expect(hmacMatches(key, 'msg', mac.slice(0, 20))).toBe(false);
    expect(hmacMatches(key, 'msg', mac + 'AAAA')).toBe(false);
    expect(hmacMatches(key, 'msg', '')).toBe(false);
    expect(hmacMatches(key, 'msg', '!!!!')).toBe(false);
  });
});
