import { randomBytes, timingSafeEqual } from 'node:crypto';
export { openSecret, sealSecret } from '../../shared/seal.js';

/** A new device secret: 32 random bytes, shown once as base64url without padding. */
export const newDeviceSecret = (): Buffer => randomBytes(32);

/** Constant-time comparison of a presented secret (base64url text) with the stored one. */
export function secretMatches(stored: Buffer, presented: string): boolean {
  if (!/^[A-Za-z0-9_-]{43}$/.test(presented)) return false;
  const given = Buffer.from(presented, 'base64url');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
