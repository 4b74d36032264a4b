/**
 * Scale protocol version 1 (shared/spec/scale-protocol.md): message shape, the mac, the clock
 * window. Pure: no I/O. Every rule here is observable by a scale maker and must not drift.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical-json.js';

export const EVENT_TYPES = ['power_on', 'power_off', 'heartbeat', 'calibration', 'config_change', 'unit_change_attempt', 'tamper', 'clock_set'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const SCALE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_BATCH = 500;
const MAX_SEQ = Number.MAX_SAFE_INTEGER; // 2^53 - 1
const DETAIL_MAX_BYTES = 2048;
// RFC 3339 date-time with a mandatory offset (Z or ±hh:mm), optional fraction.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

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
  | { ok: true; message: ScaleMessage; canonical: string }
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
const isStr = (x: unknown, min: number, max: number): x is string => typeof x === 'string' && [...x].length >= min && [...x].length <= max;

/** base64url(HMAC-SHA256(secret, JCS(message without mac))), no padding. */
export function macOf(secret: Buffer, messageWithoutMac: Record<string, unknown>): string {
  return createHmac('sha256', secret).update(Buffer.from(canonicalJson(messageWithoutMac), 'utf8')).digest('base64url');
}

/** Parses an RFC 3339 time with offset; null when malformed or impossible (Feb 30, 25:00). */
export function parseRfc3339(ts: string): Date | null {
  const m = RFC3339.exec(ts);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  if (+mo! < 1 || +mo! > 12 || +d! < 1 || +h! > 23 || +mi! > 59 || +s! > 60) return null;
  const daysInMonth = new Date(Date.UTC(+y!, +mo!, 0)).getUTCDate();
  if (+d! > daysInMonth) return null;
  const at = new Date(ts.replace(/^(.{19})(\.\d{3})\d*/, '$1$2'));
  return Number.isNaN(at.getTime()) ? null : at;
}

/**
 * Checks one message object against protocol v1 and verifies its mac. The error names the
 * first broken rule in words a firmware engineer can act on. Never throws.
 */
export function parseScaleMessage(raw: unknown, ctx: ParseContext): Parsed {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, seq: null, error: 'message must be a JSON object' };
  const m = raw as Record<string, unknown>;
  const seq = isInt(m.seq) && m.seq >= 1 && m.seq <= MAX_SEQ ? m.seq : null;
  const fail = (error: string): Parsed => ({ ok: false, seq, error });

  if (m.v !== 1) return fail('v must be 1');
  if (seq === null) return fail('seq must be an integer from 1 to 2^53-1');
  if (typeof m.ts !== 'string') return fail('ts must be an RFC 3339 time with offset');
  const at = parseRfc3339(m.ts);
  if (!at) return fail(`ts ${JSON.stringify(m.ts).slice(0, 40)} is not an RFC 3339 time with offset`);
  if (typeof m.mac !== 'string') return fail('mac is missing');

  const isTx = m.type === undefined || m.type === 'tx';
  if (!isTx && !(EVENT_TYPES as readonly string[]).includes(m.type as string)) return fail(`type ${JSON.stringify(m.type).slice(0, 40)} is not tx or a known event type`);
  if (ctx.channel === 'tx' && !isTx) return fail(`event ${m.type} sent on the tx topic; events go to the event topic`);
  if (ctx.channel === 'event' && isTx) return fail('a transaction sent on the event topic; transactions go to the tx topic');

  const allowed = isTx ? TX_FIELDS : EVENT_FIELDS;
  const unknown = Object.keys(m).filter((k) => !allowed.has(k));
  if (unknown.length) return fail(`unknown member${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 5).join(', ')} (not allowed in version 1)`);

  let message: ScaleMessage;
  if (isTx) {
    if (!isStr(m.plu, 1, 32)) return fail('plu must be 1 to 32 characters');
    if (!isStr(m.name, 1, 64)) return fail('name must be 1 to 64 characters');
    if (!isInt(m.weight_g) || m.weight_g <= 0) return fail('weight_g must be an integer > 0');
    if (m.weight_g > ctx.maxCapacityG) return fail(`weight_g ${m.weight_g} exceeds the scale's maximum capacity ${ctx.maxCapacityG} g`);
    if (!isInt(m.tare_g) || m.tare_g < 0) return fail('tare_g must be an integer >= 0');
    if (!isInt(m.unit_price_fen_per_kg) || m.unit_price_fen_per_kg <= 0) return fail('unit_price_fen_per_kg must be an integer > 0');
    if (!isInt(m.total_fen) || m.total_fen < 0) return fail('total_fen must be an integer >= 0');
    if (m.receipt_no !== undefined && !isStr(m.receipt_no, 1, 32)) return fail('receipt_no must be 1 to 32 characters');
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
    if (m.actor !== undefined && !isStr(m.actor, 1, 64)) return fail('actor must be 1 to 64 characters');
    if (m.detail !== undefined) {
      if (m.detail === null || typeof m.detail !== 'object' || Array.isArray(m.detail)) return fail('detail must be an object');
      if (Buffer.byteLength(JSON.stringify(m.detail), 'utf8') > DETAIL_MAX_BYTES) return fail('detail is larger than 2 KiB');
    }
    message = { kind: 'event', v: 1, seq, ts: m.ts, at, type: m.type as EventType, actor: (m.actor as string | undefined) ?? null, detail: (m.detail as Record<string, unknown> | undefined) ?? null };
  }

  const { mac, ...unsigned } = m;
  let canonical: string;
  try {
    canonical = canonicalJson(unsigned);
  } catch {
    return fail('message has a value with no JSON form');
  }
  const expected = createHmac('sha256', ctx.secret).update(Buffer.from(canonical, 'utf8')).digest();
  const given = Buffer.from(mac as string, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail('mac does not verify');

  const ahead = at.getTime() - ctx.now.getTime();
  if (ahead > 5 * 60_000) return fail(`ts is ${Math.round(ahead / 1000)} s ahead of the platform clock (at most 300 s allowed)`);
  if (ctx.now.getTime() - at.getTime() > ctx.backfillDays * 86_400_000) return fail(`ts is older than the back-fill window of ${ctx.backfillDays} days`);
  return { ok: true, message, canonical };
}

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
