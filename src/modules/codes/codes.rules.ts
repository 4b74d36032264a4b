/**
 * Pure rules of the signed QR codes (一户一码 / 一秤一码): the token format, Ed25519 signing and
 * offline verification against a keyring, the check code printed under each QR, the code URL.
 * No I/O. The format is described byte by byte in docs/codes.md; a change to it is a new format
 * version, never an edit of version 1.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { invalid } from '../../shared/errors.js';

// ---------------------------------------------------------------- what a code is about

/** What a code stands for. `tag` is the byte written in the token: frozen, never renumbered. */
export const CODE_KINDS = {
  merchant: { tag: 1, zh: '商户码', en: 'Merchant code' },
  scale: { tag: 2, zh: '计价秤码', en: 'Scale code' },
  market: { tag: 3, zh: '市场码', en: 'Market code' },
  /** The subject is a city: its controlled price list (调控价格). */
  prices: { tag: 4, zh: '调控价格码', en: 'Controlled price list code' },
} as const;
export type CodeKind = keyof typeof CODE_KINDS;
export const CODE_KIND_KEYS = Object.keys(CODE_KINDS) as CodeKind[];
const KIND_BY_TAG = new Map<number, CodeKind>(CODE_KIND_KEYS.map((k) => [CODE_KINDS[k].tag, k]));

/** What a code says, all of it covered by the signature. */
export interface CodeClaims {
  kind: CodeKind;
  /** Id of the merchant, scale, market, or (kind `prices`) city. */
  subjectId: number;
  /** The subject's code serial when issued; reissuing bumps it, which revokes older codes. */
  serial: number;
  /** Civil date of issue, `YYYY-MM-DD` (the city's calendar, chosen by the caller). */
  issuedOn: string;
}

// ---------------------------------------------------------------- format constants

export const TOKEN_FORMAT_VERSION = 1;
/** Prefixed to the signed bytes so a Mashang code signature can never be mistaken for another use of the key. */
export const SIGNING_DOMAIN = 'mashang-code-v1';
export const KID_BYTES = 4;
export const SIGNATURE_BYTES = 64;

/** Ids stay below 2^53 (see src/db/connect.ts); a serial fits a PostgreSQL integer. */
export const MAX_SUBJECT_ID = Number.MAX_SAFE_INTEGER;
export const MAX_SERIAL = 2 ** 31 - 1;
const MS_PER_DAY = 86_400_000;
/** 9999-12-31 as days since 1970-01-01. */
const MAX_DAY = Date.UTC(9999, 11, 31) / MS_PER_DAY;

const varintBytes = (max: number) => Math.max(1, Math.ceil(Math.log2(max + 1) / 7));
const HEADER_BYTES = 1 + KID_BYTES + 1;
export const MIN_TOKEN_BYTES = HEADER_BYTES + 3 + SIGNATURE_BYTES;
export const MAX_TOKEN_BYTES =
  HEADER_BYTES + varintBytes(MAX_SUBJECT_ID) + varintBytes(MAX_SERIAL) + varintBytes(MAX_DAY) + SIGNATURE_BYTES;
/** Base32 characters of the longest possible token: what a sticker must have room for. */
export const MAX_TOKEN_CHARS = Math.ceil((MAX_TOKEN_BYTES * 8) / 5);
const DOMAIN_BYTES = Buffer.from(SIGNING_DOMAIN, 'ascii');

// ---------------------------------------------------------------- keys

/** Key id: the first 4 bytes of SHA-256 over the raw 32-byte public key, as 8 lower-case hex digits. */
export type Kid = string;

export interface CodeKeyPair {
  kid: Kid;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** The key new codes are signed with. */
export interface SigningKey {
  kid: Kid;
  privateKey: KeyObject;
}

/** One public key a verifier trusts. A retired key no longer signs, but its codes stay valid. */
export interface KeyringEntry {
  kid: Kid;
  publicKey: KeyObject;
  retiredAt?: string | null;
}

/** A keyring entry as published (JSON): the public key as base64url of its raw 32 bytes. */
export interface PublishedKey {
  kid: Kid;
  publicKey: string;
  retiredAt?: string | null;
}

/** DER of an Ed25519 SubjectPublicKeyInfo up to the raw key (RFC 8410): the key is the last 32 bytes. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const RAW_KEY_BYTES = 32;

export function generateCodeKeyPair(): CodeKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { kid: kidOf(publicKey), publicKey, privateKey };
}

function rawPublicKey(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== 'ed25519') throw invalid(`不是 Ed25519 密钥 (not an Ed25519 key: ${pub.asymmetricKeyType ?? pub.type})`);
  const der = pub.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - RAW_KEY_BYTES);
}

/** The public key (or the public half of a private key) as base64url of its raw 32 bytes. */
export const exportPublicKey = (key: KeyObject): string => rawPublicKey(key).toString('base64url');

/** Throws AppError `invalid_input` unless `text` is base64url of exactly 32 bytes forming an Ed25519 key. */
export function importPublicKey(text: string): KeyObject {
  const t = text.trim();
  const raw = /^[A-Za-z0-9_-]{43}$/.test(t) ? Buffer.from(t, 'base64url') : null;
  if (!raw || raw.length !== RAW_KEY_BYTES || raw.toString('base64url') !== t)
    throw invalid('公钥格式错误 (a public key is base64url of 32 raw bytes, 43 characters)');
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    throw invalid('公钥无效 (not a valid Ed25519 public key)');
  }
}

/** The private key as base64url of its PKCS #8 DER: one line, fit for an environment variable. */
export function exportPrivateKey(key: KeyObject): string {
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') throw invalid('不是 Ed25519 私钥 (not an Ed25519 private key)');
  return key.export({ format: 'der', type: 'pkcs8' }).toString('base64url');
}

/** Reads a PKCS #8 Ed25519 private key, as base64url DER or PEM. Throws AppError `invalid_input`. */
export function importPrivateKey(text: string): KeyObject {
  const t = text.trim();
  let key: KeyObject;
  try {
    key = t.startsWith('-----BEGIN')
      ? createPrivateKey({ key: t, format: 'pem' })
      : createPrivateKey({ key: Buffer.from(t, 'base64url'), format: 'der', type: 'pkcs8' });
  } catch {
    throw invalid('私钥无效 (not a PKCS #8 private key in base64url DER or PEM)');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw invalid(`不是 Ed25519 私钥 (not an Ed25519 private key: ${key.asymmetricKeyType})`);
  return key;
}

const kidOfRaw = (raw: Uint8Array): Kid => createHash('sha256').update(raw).digest().subarray(0, KID_BYTES).toString('hex');

/** The key id of a public key (or of a private key's public half), as KeyObject or exported text. */
export const kidOf = (key: KeyObject | string): Kid => kidOfRaw(rawPublicKey(typeof key === 'string' ? importPublicKey(key) : key));

export function signingKeyOf(privateKey: KeyObject): SigningKey {
  if (privateKey.type !== 'private') throw invalid('签发需要私钥 (signing needs a private key)');
  return { kid: kidOf(privateKey), privateKey };
}

export function keyringEntryOf(publicKey: KeyObject | string, retiredAt: string | null = null): KeyringEntry {
  const key = typeof publicKey === 'string' ? importPublicKey(publicKey) : publicKey;
  return { kid: kidOf(key), publicKey: key, retiredAt };
}

export const publishKeyring = (keyring: readonly KeyringEntry[]): PublishedKey[] =>
  keyring.map((e) => ({ kid: e.kid, publicKey: exportPublicKey(e.publicKey), retiredAt: e.retiredAt ?? null }));

/** Reads a published keyring; throws AppError `invalid_input` on a bad key or a kid that is not the key's. */
export function importKeyring(published: readonly PublishedKey[]): KeyringEntry[] {
  return published.map((p) => {
    const entry = keyringEntryOf(p.publicKey, p.retiredAt ?? null);
    if (entry.kid !== p.kid) throw invalid(`密钥编号不符 (kid ${p.kid} does not match its public key, whose kid is ${entry.kid})`);
    return entry;
  });
}

// ---------------------------------------------------------------- varints (unsigned LEB128)

function writeVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

type Read = { ok: true; value: number; next: number } | { ok: false; reason: string };

/** Reads one canonical varint of at most `max`: the shortest encoding only, so each value has one token. */
function readVarint(bytes: Uint8Array, at: number, end: number, max: number, field: string): Read {
  let value = 0;
  let scale = 1;
  const last = Math.min(end, at + varintBytes(max));
  for (let i = at; i < last; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * scale;
    if (value > max) return { ok: false, reason: `${field} is larger than ${max}` };
    if (b & 0x80) {
      scale *= 0x80;
      continue;
    }
    if (b === 0 && i > at) return { ok: false, reason: `${field} is not a canonical varint (it has a redundant zero byte)` };
    return { ok: true, value, next: i + 1 };
  }
  return { ok: false, reason: last < end ? `${field} is longer than ${varintBytes(max)} bytes` : `the token ends inside the ${field}` };
}

// ---------------------------------------------------------------- base32 (RFC 4648, upper case, no padding)

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B32_VALUE = new Map([...B32].map((c, i) => [c, i]));

export function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += B32[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

type Decoded = { ok: true; bytes: Uint8Array } | { ok: false; reason: string };

/** Decodes upper-case base32; refuses padding, a length no byte string has, and non-zero unused bits. */
function decodeBase32(text: string): Decoded {
  const rest = (text.length * 5) % 8;
  if (rest >= 5) return { ok: false, reason: `${text.length} base32 characters is not a whole number of bytes` };
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const v = B32_VALUE.get(text[i]!);
    if (v === undefined) return { ok: false, reason: `character "${text[i]}" at position ${i + 1} is not base32 (A-Z, 2-7)` };
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) return { ok: false, reason: 'the last base32 character has non-zero unused bits' };
  return { ok: true, bytes: out };
}

// ---------------------------------------------------------------- dates

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayOf(isoDate: string): number | null {
  const m = DATE_RE.exec(isoDate);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const day = ms / MS_PER_DAY;
  return Number.isInteger(day) && day >= 0 && day <= MAX_DAY && dateOfDay(day) === isoDate ? day : null;
}

const dateOfDay = (day: number) => new Date(day * MS_PER_DAY).toISOString().slice(0, 10);

// ---------------------------------------------------------------- issuing

/** The problem with claims, or null when a token can carry them. */
export function claimsProblem(c: CodeClaims): string | null {
  if (!Object.hasOwn(CODE_KINDS, c.kind)) return `unknown code kind "${String(c.kind)}"`;
  if (!Number.isSafeInteger(c.subjectId) || c.subjectId < 1) return `subject id must be an integer from 1 to ${MAX_SUBJECT_ID}`;
  if (!Number.isSafeInteger(c.serial) || c.serial < 0 || c.serial > MAX_SERIAL) return `serial must be an integer from 0 to ${MAX_SERIAL}`;
  if (dayOf(c.issuedOn) === null) return `issue date "${c.issuedOn}" is not a YYYY-MM-DD date from 1970-01-01 to 9999-12-31`;
  return null;
}

function payloadOf(c: CodeClaims, kid: Kid): Buffer {
  const out: number[] = [TOKEN_FORMAT_VERSION, ...Buffer.from(kid, 'hex'), CODE_KINDS[c.kind].tag];
  writeVarint(out, c.subjectId);
  writeVarint(out, c.serial);
  writeVarint(out, dayOf(c.issuedOn)!);
  return Buffer.from(out);
}

const signedMessage = (payload: Uint8Array) => Buffer.concat([DOMAIN_BYTES, payload]);

/**
 * Signs claims into a token (upper-case base32). `subjectId` may be a bigint below 2^53.
 * Throws AppError `invalid_input` when the claims cannot be carried.
 */
export function issueToken(claims: Omit<CodeClaims, 'subjectId'> & { subjectId: number | bigint }, key: SigningKey): string {
  const c: CodeClaims = { ...claims, subjectId: typeof claims.subjectId === 'bigint' ? toSafeNumber(claims.subjectId) : claims.subjectId };
  const problem = claimsProblem(c);
  if (problem) throw invalid(`无法签发二维码 (cannot issue the code: ${problem})`);
  if (!/^[0-9a-f]{8}$/.test(key.kid)) throw invalid(`密钥编号无效 (kid "${key.kid}" is not 8 hex digits)`);
  const payload = payloadOf(c, key.kid);
  const signature = sign(null, signedMessage(payload), key.privateKey);
  return encodeBase32(Buffer.concat([payload, signature]));
}

const toSafeNumber = (v: bigint) => (v >= 1n && v <= BigInt(MAX_SUBJECT_ID) ? Number(v) : NaN);

// ---------------------------------------------------------------- reading and verifying

export interface ParsedToken extends CodeClaims {
  formatVersion: number;
  kid: Kid;
  /** The token in canonical form (upper case, no URL around it). */
  token: string;
  payload: Uint8Array;
  signature: Uint8Array;
}

export type ParseResult = ({ status: 'parsed' } & ParsedToken) | { status: 'malformed'; reason: string };

export type VerifyResult =
  | ({
      status: 'valid';
      checkCode: string;
      /** The key that signed it no longer signs new codes; the code is still genuine. */
      keyRetired: boolean;
    } & CodeClaims & { kid: Kid; token: string })
  | { status: 'malformed' | 'unknown_key' | 'forged'; reason: string };

/** Longer input is refused unread: a code URL is a few hundred characters at most. */
const MAX_INPUT_CHARS = 2048;

/**
 * The token in a scanned or typed text: a bare token, or a URL whose path ends `/C/<token>`
 * (any case, query and fragment ignored). Upper-cased; null when the text is neither.
 */
export function extractToken(input: string): string | null {
  const t = input.trim();
  if (!t || t.length > MAX_INPUT_CHARS) return null;
  if (!t.includes('/')) return /^[^\s?#]+$/.test(t) ? t.toUpperCase() : null;
  const m = /\/c\/([^/?#\s]+)\/?(?:[?#].*)?$/i.exec(t);
  return m ? m[1]!.toUpperCase() : null;
}

/** Reads a token's fields without checking its signature. Never throws. */
export function parseToken(input: string): ParseResult {
  const bad = (reason: string) => ({ status: 'malformed', reason }) as const;
  if (typeof input !== 'string') return bad('the input is not text');
  const token = extractToken(input);
  if (token === null) return bad(input.trim() ? 'not a code token, nor a URL ending in /C/<token>' : 'the input is empty');
  const decoded = decodeBase32(token);
  if (!decoded.ok) return bad(decoded.reason);
  const bytes = decoded.bytes;
  if (bytes.length < MIN_TOKEN_BYTES || bytes.length > MAX_TOKEN_BYTES)
    return bad(`the token is ${bytes.length} bytes; a code token has ${MIN_TOKEN_BYTES} to ${MAX_TOKEN_BYTES}`);
  const formatVersion = bytes[0]!;
  if (formatVersion !== TOKEN_FORMAT_VERSION) return bad(`format version ${formatVersion} is not supported (this verifier reads version ${TOKEN_FORMAT_VERSION})`);
  const kid = Buffer.from(bytes.subarray(1, 1 + KID_BYTES)).toString('hex');
  const tag = bytes[1 + KID_BYTES]!;
  const kind = KIND_BY_TAG.get(tag);
  if (!kind) return bad(`kind ${tag} is not a known code kind`);
  const end = bytes.length - SIGNATURE_BYTES;
  const id = readVarint(bytes, HEADER_BYTES, end, MAX_SUBJECT_ID, 'subject id');
  if (!id.ok) return bad(id.reason);
  if (id.value < 1) return bad('subject id 0 is never issued');
  const serial = readVarint(bytes, id.next, end, MAX_SERIAL, 'serial');
  if (!serial.ok) return bad(serial.reason);
  const day = readVarint(bytes, serial.next, end, MAX_DAY, 'issue date');
  if (!day.ok) return bad(day.reason);
  if (day.next !== end) return bad(`${end - day.next} unexpected byte(s) after the issue date`);
  return {
    status: 'parsed',
    formatVersion,
    kid,
    kind,
    subjectId: id.value,
    serial: serial.value,
    issuedOn: dateOfDay(day.value),
    token,
    payload: bytes.subarray(0, end),
    signature: bytes.subarray(end),
  };
}

/**
 * Verifies a scanned URL or a token offline against a keyring of public keys. Never throws:
 * `malformed` when it is not a well-formed version-1 token, `unknown_key` when no key in the
 * keyring has its kid, `forged` when the signature does not verify with that key.
 * Whether the code was since replaced is the server's question (see judgeSerial).
 */
export function verifyToken(input: string, keyring: readonly KeyringEntry[]): VerifyResult {
  const p = parseToken(input);
  if (p.status === 'malformed') return p;
  const candidates = keyring.filter((e) => e.kid === p.kid);
  if (!candidates.length) return { status: 'unknown_key', reason: `no trusted key has kid ${p.kid}` };
  const message = signedMessage(p.payload);
  const signer = candidates.find((e) => {
    try {
      return verify(null, message, e.publicKey, p.signature);
    } catch {
      return false;
    }
  });
  if (!signer) return { status: 'forged', reason: `the signature does not verify with key ${p.kid}` };
  return {
    status: 'valid',
    kid: p.kid,
    kind: p.kind,
    subjectId: p.subjectId,
    serial: p.serial,
    issuedOn: p.issuedOn,
    token: p.token,
    checkCode: checkCodeOfSignature(p.signature),
    keyRetired: signer.retiredAt != null,
  };
}

/** A scanned code's standing against the subject's current serial (null when it never had one). */
export function judgeSerial(tokenSerial: number, currentSerial: number | null): 'current' | 'replaced' | 'never_issued' {
  if (currentSerial === null || tokenSerial > currentSerial) return 'never_issued';
  return tokenSerial === currentSerial ? 'current' : 'replaced';
}

// ---------------------------------------------------------------- check code

/** Digits and letters a person cannot misread: no 0/O, no 1/I. 32 symbols, 5 bits each. */
export const CHECK_CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const CHECK_CODE_LENGTH = 6;

function checkCodeOfSignature(signature: Uint8Array): string {
  const h = createHash('sha256').update('mashang-check-v1').update(signature).digest();
  let out = '';
  // 6 symbols take the top 30 bits of the first 4 hash bytes.
  const n = h.readUInt32BE(0);
  for (let i = 0; i < CHECK_CODE_LENGTH; i++) out += CHECK_CODE_ALPHABET[(n >>> (27 - 5 * i)) & 31];
  return out;
}

/**
 * The check code printed under a code's QR and shown on its page, derived from the signature.
 * Does not verify the token; throws AppError `invalid_input` when it is malformed.
 */
export function checkCodeOf(token: string): string {
  const p = parseToken(token);
  if (p.status === 'malformed') throw invalid(`二维码内容无效 (not a code token: ${p.reason})`);
  return checkCodeOfSignature(p.signature);
}

// ---------------------------------------------------------------- URL

export interface CodeUrlOptions {
  /**
   * Write scheme and host in upper case (they are case-insensitive) so the whole URL fits QR
   * alphanumeric mode, one or two versions smaller. Default true.
   */
  upperCaseOrigin?: boolean;
}

/**
 * `BASE/C/<TOKEN>`. The base is an http(s) origin with an optional path and no query; its path
 * is kept as given. Throws AppError `invalid_input` for any other base.
 */
export function buildCodeUrl(baseUrl: string, token: string, options: CodeUrlOptions = {}): string {
  return `${codeUrlPrefix(baseUrl, options)}${token}`;
}

/** What every code URL of this base starts with, `/C/` included. Throws like buildCodeUrl. */
export function codeUrlPrefix(baseUrl: string, { upperCaseOrigin = true }: CodeUrlOptions = {}): string {
  let u: URL;
  try {
    u = new URL(baseUrl.trim());
  } catch {
    throw invalid(`基础地址无效 (base URL "${baseUrl}" is not a URL)`);
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password || u.search || u.hash || /[?#]/.test(baseUrl))
    throw invalid(`基础地址无效 (base URL "${baseUrl}" must be http(s)://host[:port][/path] without user, query or fragment)`);
  const origin = `${u.protocol}//${u.host}`;
  const path = u.pathname.replace(/\/+$/, '');
  return `${upperCaseOrigin ? origin.toUpperCase() : origin}${path}/C/`;
}
