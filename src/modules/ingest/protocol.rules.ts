/**
 * Scale protocol version 1 (shared/spec/scale-protocol.md): message shape, the mac, the clock
 * window. Pure: no I/O. Every rule here is observable by a scale maker and must not drift.
 */
import { ByteWriter } from '../../shared/byte-writer.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { hmacMatches, hmacSha256, sha256 } from '../../shared/hmac.js';

export const EVENT_TYPES = ['power_on', 'power_off', 'heartbeat', 'calibration', 'config_change', 'unit_change_attempt', 'tamper', 'clock_set'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const SCALE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_BATCH = 500;
const MAX_SEQ = Number.MAX_SAFE_INTEGER; // 2^53 - 1
const DETAIL_MAX_BYTES = 2048;

export interface SaleMessage {
  kind: 'tx';
  v: 1;
  seq: number;
  ts: string;
  at: Date;
  plu: string;
  name: string;
  weightG: number;
  tareG: number;
  unitPriceFenPerKg: number;
  totalFen: number;
  receiptNo: string | null;
}

export interface EventMessage {
  kind: 'event';
  v: 1;
  seq: number;
  ts: string;
  at: Date;
  type: EventType;
  actor: string | null;
  detail: Record<string, unknown> | null;
}

export type ScaleMessage = SaleMessage | EventMessage;

export type Parsed =
  | { ok: true; message: ScaleMessage; contentHash: string }
  | { ok: false; seq: number | null; error: string };

export interface ParseContext {
  /** The topic (or endpoint) it came on: MQTT separates tx and event; HTTP takes both. */
  channel: 'tx' | 'event' | 'any';
  maxCapacityG: number;
  secret: Buffer;
  now: Date;
  backfillDays: number;
}

const TX_FIELDS = new Set(['v', 'seq', 'ts', 'plu', 'name', 'weight_g', 'tare_g', 'unit_price_fen_per_kg', 'total_fen', 'receipt_no', 'mac', 'type']);
const EVENT_FIELDS = new Set(['v', 'seq', 'ts', 'type', 'actor', 'detail', 'mac']);

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);
/** 1 to max characters, counted as code points (a surrogate pair is one), without building an array. */
const isStr = (x: unknown, min: number, max: number): x is string => {
  if (typeof x !== 'string' || x.length < min) return false;
  // At least ceil(length / 2) and at most length code points.
  if (x.length <= max && x.length >= min * 2 - 1) return true;
  let n = 0;
  for (let i = 0; i < x.length; i++, n++) {
    const c = x.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && (x.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
  }
  return n >= min && n <= max;
};

/** base64url(HMAC-SHA256(secret, JCS(message without mac))), no padding. */
export function macOf(secret: Buffer, messageWithoutMac: Record<string, unknown>): string {
  return hmacSha256(secret, canonicalJson(messageWithoutMac), 'base64url');
}

/** Parses an RFC 3339 time with offset; null when malformed or impossible (Feb 30, 25:00, a leap second). */
export function parseRfc3339(ts: string): Date | null {
  const ms = rfc3339Ms(ts);
  return ms === null ? null : new Date(ms);
}

const digits = (s: string, from: number, n: number): number => {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
};
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Milliseconds since the epoch of an RFC 3339 date-time with a mandatory offset (Z or ±hh:mm), optional fraction with offset (fraction cut to the millisecond); null when not one. */
function rfc3339Ms(ts: string): number | null {
  if (ts.length < 20 || ts.length > 35) return null;
  // yyyy-mm-ddThh:mm:ss
  if (ts.charCodeAt(4) !== 45 || ts.charCodeAt(7) !== 45 || (ts.charCodeAt(10) !== 84 && ts.charCodeAt(10) !== 116) || ts.charCodeAt(13) !== 58 || ts.charCodeAt(16) !== 58) return null;
  const y = digits(ts, 0, 4), mo = digits(ts, 5, 2), d = digits(ts, 8, 2), h = digits(ts, 11, 2), mi = digits(ts, 14, 2), s = digits(ts, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return null;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!)) return null;
  let i = 19;
  let frac = 0;
  if (ts.charCodeAt(i) === 46) {
    const start = ++i;
    while (i < ts.length && ts.charCodeAt(i) >= 48 && ts.charCodeAt(i) <= 57) i++;
    const n = i - start;
    if (n < 1 || n > 9) return null;
    // Milliseconds: the first three digits, the rest cut off.
    frac = digits(ts, start, Math.min(3, n)) * (n === 1 ? 100 : n === 2 ? 10 : 1);
  }
  let offsetMin = 0;
  if (i === ts.length - 1 && (ts.charCodeAt(i) === 90 || ts.charCodeAt(i) === 122)) offsetMin = 0;
  else if (i === ts.length - 6 && (ts.charCodeAt(i) === 43 || ts.charCodeAt(i) === 45) && ts.charCodeAt(i + 3) === 58) {
    const oh = digits(ts, i + 1, 2), om = digits(ts, i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return null;
    offsetMin = (ts.charCodeAt(i) === 45 ? -1 : 1) * (oh * 60 + om);
  } else return null;
  // Days from the civil date (proleptic Gregorian), as Date.UTC would give for any year 0000-9999.
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return days * 86_400_000 + ((h * 60 + mi - offsetMin) * 60 + s) * 1000 + frac;
}

// Module level, not a closure per message: a message is parsed tens of thousands of times a second.
const failed = (seq: number | null, error: string): Parsed => ({ ok: false, seq, error });

/**
 * Checks one message object against protocol v1 and verifies its mac. The error names the
 * first broken rule in words a firmware engineer can act on. Never throws.
 */
export function parseScaleMessage(raw: unknown, ctx: ParseContext): Parsed {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, seq: null, error: 'message must be a JSON object' };
  const m = raw as Record<string, unknown>;
  const seq = isInt(m.seq) && m.seq >= 1 && m.seq <= MAX_SEQ ? m.seq : null;

  if (m.v !== 1) return failed(seq, 'v must be 1');
  if (seq === null) return failed(seq, 'seq must be an integer from 1 to 2^53-1');
  if (typeof m.ts !== 'string') return failed(seq, 'ts must be an RFC 3339 time with offset');
  const at = parseRfc3339(m.ts);
  if (!at) return failed(seq, `ts ${JSON.stringify(m.ts).slice(0, 40)} is not an RFC 3339 time with offset`);
  if (typeof m.mac !== 'string') return failed(seq, 'mac is missing');

  const isTx = m.type === undefined || m.type === 'tx';
  if (!isTx && !(EVENT_TYPES as readonly string[]).includes(m.type as string)) return failed(seq, `type ${JSON.stringify(m.type).slice(0, 40)} is not tx or a known event type`);
  if (ctx.channel === 'tx' && !isTx) return failed(seq, `event ${m.type} sent on the tx topic; events go to the event topic`);
  if (ctx.channel === 'event' && isTx) return failed(seq, 'a transaction sent on the event topic; transactions go to the tx topic');

  const allowed = isTx ? TX_FIELDS : EVENT_FIELDS;
  let unknown: string[] | null = null;
  for (const k in m) if (!allowed.has(k)) (unknown ??= []).push(k);
  if (unknown) return failed(seq, `unknown member${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 5).join(', ')} (not allowed in version 1)`);

  let message: ScaleMessage;
  if (isTx) {
    if (!isStr(m.plu, 1, 32)) return failed(seq, 'plu must be 1 to 32 characters');
    if (!isStr(m.name, 1, 64)) return failed(seq, 'name must be 1 to 64 characters');
    if (!isInt(m.weight_g) || m.weight_g <= 0) return failed(seq, 'weight_g must be an integer > 0');
    if (m.weight_g > ctx.maxCapacityG) return failed(seq, `weight_g ${m.weight_g} exceeds the scale's maximum capacity ${ctx.maxCapacityG} g`);
    if (!isInt(m.tare_g) || m.tare_g < 0) return failed(seq, 'tare_g must be an integer >= 0');
    if (!isInt(m.unit_price_fen_per_kg) || m.unit_price_fen_per_kg <= 0) return failed(seq, 'unit_price_fen_per_kg must be an integer > 0');
    if (!isInt(m.total_fen) || m.total_fen < 0) return failed(seq, 'total_fen must be an integer >= 0');
    if (m.receipt_no !== undefined && !isStr(m.receipt_no, 1, 32)) return failed(seq, 'receipt_no must be 1 to 32 characters');
    message = {
      kind: 'tx',
      v: 1,
      seq,
      ts: m.ts,
      at,
      plu: m.plu,
      name: m.name,
      weightG: m.weight_g,
      tareG: m.tare_g,
      unitPriceFenPerKg: m.unit_price_fen_per_kg,
      totalFen: m.total_fen,
      receiptNo: (m.receipt_no as string | undefined) ?? null,
    };
  } else {
    if (m.actor !== undefined && !isStr(m.actor, 1, 64)) return failed(seq, 'actor must be 1 to 64 characters');
    if (m.detail !== undefined) {
      if (m.detail === null || typeof m.detail !== 'object' || Array.isArray(m.detail)) return failed(seq, 'detail must be an object');
      if (Buffer.byteLength(JSON.stringify(m.detail), 'utf8') > DETAIL_MAX_BYTES) return failed(seq, 'detail is larger than 2 KiB');
    }
    message = { kind: 'event', v: 1, seq, ts: m.ts, at, type: m.type as EventType, actor: (m.actor as string | undefined) ?? null, detail: (m.detail as Record<string, unknown> | undefined) ?? null };
  }

  // What the mac signs, and what a resent copy must equal byte for byte (its hash is stored).
  let canonical: string | Buffer;
  if (isTx) canonical = canonicalTxBytes(m);
  else {
    const { mac: _mac, ...unsigned } = m;
    try {
      canonical = canonicalJson(unsigned);
    } catch {
      return failed(seq, 'message has a value with no JSON form');
    }
  }
  if (!hmacMatches(ctx.secret, canonical, m.mac)) return failed(seq, 'mac does not verify');
  // base64url(SHA-256(canonical form)), as stored.
  const contentHash = sha256(canonical, 'base64url');

  const ahead = at.getTime() - ctx.now.getTime();
  if (ahead > 5 * 60_000) return failed(seq, `ts is ${Math.round(ahead / 1000)} s ahead of the platform clock (at most 300 s allowed)`);
  if (ctx.now.getTime() - at.getTime() > ctx.backfillDays * 86_400_000) return failed(seq, `ts is older than the back-fill window of ${ctx.backfillDays} days`);
  return { ok: true, message, contentHash };
}

// One event loop, no awaits between writing and hashing: one writer serves every message.
const txWriter = new ByteWriter(1024);

/**
 * JCS of a transaction already checked above (every member a safe integer or a string, no others),
 * written as UTF-8 bytes: the members in their sorted order, without the generic sort or a string
 * built on the way. A view on a shared buffer, valid until the next call. Equal to canonicalJson (tested).
 */
function canonicalTxBytes(m: Record<string, unknown>): Buffer {
  const w = txWriter.reset();
  w.utf8('{"name":').jsonString(m.name as string).utf8(',"plu":').jsonString(m.plu as string);
  if (m.receipt_no !== undefined) w.utf8(',"receipt_no":').jsonString(m.receipt_no as string);
  w.utf8(',"seq":').int(m.seq as number).utf8(',"tare_g":').int(m.tare_g as number).utf8(',"total_fen":').int(m.total_fen as number);
  w.utf8(',"ts":').jsonString(m.ts as string);
  if (m.type !== undefined) w.utf8(',"type":"tx"');
  return w.utf8(',"unit_price_fen_per_kg":').int(m.unit_price_fen_per_kg as number).utf8(',"v":1,"weight_g":').int(m.weight_g as number).byte(125).bytes();
}

/** The canonical form of a checked transaction, as text (tests, tools). */
export const canonicalTx = (m: Record<string, unknown>): string => canonicalTxBytes(m).toString('utf8');

/** Splits a payload (one object or an array of up to 500) into message objects. */
export function splitPayload(payload: unknown): { ok: true; items: unknown[] } | { ok: false; error: string } {
  if (Array.isArray(payload)) {
    if (payload.length === 0) return { ok: false, error: 'empty batch' };
    if (payload.length > MAX_BATCH) return { ok: false, error: `a batch holds at most ${MAX_BATCH} messages, this has ${payload.length}` };
    return { ok: true, items: payload };
  }
  if (payload !== null && typeof payload === 'object') return { ok: true, items: [payload] };
  return { ok: false, error: 'payload must be a message object or an array of them' };
}
