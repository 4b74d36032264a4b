import { createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new device secret: 32 random bytes, shown once as base64url without padding. */
export const newDeviceSecret = (): Buffer => randomBytes(32);

/** AES-256-GCM: iv.tag.ciphertext, each base64url. */
export function sealSecret(key: Buffer, secret: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(secret), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

/** Null when the sealed text is malformed or was sealed under another key. Never throws. */
export function openSecret(key: Buffer, sealed: string): Buffer | null {
  try {
    const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
    const decipher = createDecipheriv('aes-256-gcm', key, iv!);
    decipher.setAuthTag(tag!);
    return Buffer.concat([decipher.update(body!), decipher.final()]);
  } catch {
    return null;
  }
}

/** Constant-time comparison of a presented secret (base64url text) with the stored one. */
export function secretMatches(stored: Buffer, presented: string): boolean {
  if (!/^[A-Za-z0-9_-]{43}$/.test(presented)) return false;
  const given = Buffer.from(presented, 'base64url');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
