/**
 * HMAC-SHA256 (RFC 2104) of a UTF-8 string, computed as two one-shot SHA-256 hashes over the key's
 * pads: the same bytes as `createHmac('sha256', key)`, at about a third of its cost for messages of
 * a few hundred bytes. Scales sign, and the platform checks, one mac per message at tens of
 * thousands a second; `createHmac` builds a stream object and a native context for each.
 */
import crypto, { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const BLOCK = 64;
const DIGEST = 32;
// A message longer than this (in UTF-16 units, at most 3 bytes each) takes createHmac's path.
const MAX_FAST_CHARS = 2730;

type OneShot = (algorithm: string, data: string | Buffer, outputEncoding: 'latin1' | 'base64url') => string;
// Node >= 20.12 (package.json asks for 20.19). Its 'buffer' output costs as much as createHmac; a latin1 string is one byte per char.
const oneShot = (crypto as unknown as { hash: OneShot }).hash;

/** SHA-256 of data (UTF-8 bytes when text) in one call, with no Hash object. */
export const sha256 = (data: string | Buffer, encoding: 'base64url' | 'latin1'): string => oneShot('sha256', data, encoding);

interface Pads {
  ipad: Buffer;
  opad: Buffer;
}
// One pair per key (a Buffer the caller keeps, such as a device's secret).
const padsOf = new WeakMap<Buffer, Pads>();
// ipad || message, then opad || inner digest: reused by every call (one event loop, no awaits).
const inner = Buffer.allocUnsafe(BLOCK + MAX_FAST_CHARS * 3);
const outer = Buffer.allocUnsafe(BLOCK + DIGEST);
const expected = Buffer.allocUnsafe(DIGEST);

function pads(key: Buffer): Pads {
  let p = padsOf.get(key);
  if (!p) {
    const k = Buffer.alloc(BLOCK);
    (key.length > BLOCK ? createHash('sha256').update(key).digest() : key).copy(k);
    const ipad = Buffer.allocUnsafe(BLOCK);
    const opad = Buffer.allocUnsafe(BLOCK);
    for (let i = 0; i < BLOCK; i++) {
      ipad[i] = k[i]! ^ 0x36;
      opad[i] = k[i]! ^ 0x5c;
    }
    padsOf.set(key, (p = { ipad, opad }));
  }
  return p;
}

/** HMAC-SHA256(key, message: its UTF-8 bytes when text), as base64url without padding or as a latin1 string of its 32 bytes. */
export function hmacSha256(key: Buffer, message: string | Buffer, encoding: 'base64url' | 'latin1'): string {
  const fits = typeof message === 'string' ? message.length <= MAX_FAST_CHARS : message.length <= inner.length - BLOCK;
  if (!fits) return createHmac('sha256', key).update(message).digest(encoding === 'latin1' ? 'binary' : encoding);
  const p = pads(key);
  p.ipad.copy(inner, 0);
  const n = typeof message === 'string' ? inner.write(message, BLOCK, 'utf8') : message.copy(inner, BLOCK);
  p.opad.copy(outer, 0);
  outer.write(sha256(inner.subarray(0, BLOCK + n), 'latin1'), BLOCK, 'latin1');
  return sha256(outer, encoding);
}

/** Whether `macBase64url` is the HMAC-SHA256 of message under key, compared in constant time. */
export function hmacMatches(key: Buffer, message: string | Buffer, macBase64url: string): boolean {
  const given = Buffer.from(macBase64url, 'base64url');
  if (given.length !== DIGEST) return false;
  expected.write(hmacSha256(key, message, 'latin1'), 0, 'latin1');
  return timingSafeEqual(given, expected);
}
