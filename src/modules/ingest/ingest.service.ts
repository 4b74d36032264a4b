import { sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import { PREPARED, type Db } from '../../db/connect.js';
import { copyRows, CopyRows } from '../../db/copy.js';
import type { Database } from '../../db/database.js';
import { calendarDate } from '../registry/index.js';
import type { DeviceContext } from './device.service.js';
import { checkEvent, checkSale, fillGap, newGaps, type Finding, type SaleJudgement } from './ingest.rules.js';
import { parseScaleMessage, splitPayload, type ScaleMessage } from './protocol.rules.js';

export type AckStatus = 'accepted' | 'duplicate' | 'rejected';
export interface Ack {
  seq: number;
  status: AckStatus;
  error?: string;
}

/** What ingest needs from pricing: a synchronous judgement from an in-memory snapshot. */
export interface PricingPort {
  judge(input: { merchantId: number; cityId: number; plu: string; name: string; unitPriceFenPerKg: number; at: Date }): SaleJudgement;
}

/** What ingest needs from alerts: raise inside the writer's transaction, push after commit. */
export interface AlertsPort<R = unknown> {
  raiseIn(trx: Transaction<Database>, findings: Finding[]): Promise<R>;
  publish(raised: R): void;
}

export interface IngestSettings {
  backfillDays: number;
  roundingToleranceFen: number;
  clockDriftS: number;
  flushMs: number;
  maxBatch: number;
  /** Batches stored at once (PostgreSQL: several connections; PGlite: 1). */
  writers: number;
  timezone: string;
}

export type Transport = 'mqtt' | 'http';

/** The acks of one payload: resolved when the last of its messages is settled. */
interface AckGroup {
  acks: Ack[];
  left: number;
  resolve: (acks: Ack[]) => void;
  reject: (err: Error) => void;
}

interface Pending {
  device: DeviceContext;
  message: ScaleMessage;
  contentHash: string;
  receivedAt: Date;
  transport: Transport;
  /** Single message sent alone (live), not part of a batch a scale may have buffered. */
  alone: boolean;
  group: AckGroup;
  /** Where its ack goes in the group. */
  index: number;
}

function settle(p: Pending, ack: Ack) {
  const g = p.group;
  g.acks[p.index] = ack;
  if (--g.left === 0) g.resolve(g.acks);
}

/** The batch could not be stored: nothing is acknowledged, so the scale keeps the messages and sends them again. */
export class StorageUnavailable extends Error {
  constructor() {
    super('storage unavailable; messages not acknowledged');
    this.name = 'StorageUnavailable';
  }
}
interface PendingRejection {
  deviceId: string;
  scaleId: number | null;
  seq: number | null;
  transport: Transport;
  channel: string;
  raw: Buffer;
  reason: string;
}

/**
 * Takes what scales send over any transport, stores each (scale, seq) at most once, judges every
 * sale and event, raises findings, and acknowledges only after the batch is committed.
 */
export function createIngestService(deps: { db: Db; pricing: PricingPort; alerts: AlertsPort; settings: IngestSettings; logger: Logger; now?: () => Date }) {
  const { db, pricing, alerts, settings, logger } = deps;
  const now = deps.now ?? (() => new Date());
  // One queue per writer, by scale: a scale's messages are stored by one writer in the order they
  // came, so concurrent writers never wait on each other's device-row locks, and a later batch of a
  // scale cannot commit before an earlier one (which would turn the earlier seqs into late ones).
  const writers = Math.max(1, settings.writers);
  const queues: Pending[][] = Array.from({ length: writers }, () => []);
  const busy = new Array<boolean>(writers).fill(false);
  let queued = 0;
  let rejections: PendingRejection[] = [];
  let timer: NodeJS.Timeout | null = null;
  const inFlight = new Set<Promise<void>>();
  let closed = false;
  const stats = { accepted: 0, duplicate: 0, rejected: 0, batches: 0 };
  // Transports holding a connection back until the queues are short again (backpressure).
  let waiters: { below: number; resolve: () => void }[] = [];
  function wakeWaiters() {
    if (!waiters.length) return;
    const still: typeof waiters = [];
    for (const w of waiters) (queued <= w.below ? w.resolve() : still.push(w));
    waiters = still;
  }

  function enqueue(p: Pending) {
    queues[p.device.scaleId % writers]!.push(p);
    queued++;
  }

  function schedule() {
    if (queues.some((q, w) => !busy[w] && q.length >= settings.maxBatch)) void kick();
    else if (!timer) timer = setTimeout(() => void kick(), settings.flushMs);
  }

  /** Starts a flush on every idle writer with work; resolves when what was queued at the call is stored. */
  function kick(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    for (let w = 0; w < writers; w++) {
      // Rejections ride with whichever writer starts first.
      if (busy[w] || (!queues[w]!.length && !rejections.length)) continue;
      const batch = queues[w]!.splice(0, settings.maxBatch);
      queued -= batch.length;
      wakeWaiters();
      const rej = rejections;
      rejections = [];
      busy[w] = true;
      const run: Promise<void> = flush(batch, rej)
        .catch((err) => {
          // Not stored, so not acknowledged at all: `rejected` would tell a scale to give the sales up.
          logger.error({ err, size: batch.length }, 'ingest batch failed; not acknowledged');
          for (const p of batch) p.group.reject(new StorageUnavailable());
        })
        .finally(() => {
          busy[w] = false;
          inFlight.delete(run);
          // With a backlog, the next batch starts at once; the flush timer only gathers a trickle.
          if (queued || rejections.length) void kick();
        });
      inFlight.add(run);
    }
    return Promise.all([...inFlight]).then(() => (queued || rejections.length ? kick() : undefined));
  }

  async function flush(batch: Pending[], rej: PendingRejection[]) {
    const receivedAt = now();
    const acks = new Map<Pending, Ack>();
    const conflicts: PendingRejection[] = [];
    const findings: Finding[] = [];

    // 1. Within the batch: the same (scale, seq) twice is a duplicate or a conflict of the first.
    // By scale, then seq: no key string per message.
    const firstOf = new Map<number, Map<number, Pending>>();
    const fresh: Pending[] = [];
    for (const p of batch) {
      let ofScale = firstOf.get(p.device.scaleId);
      if (!ofScale) firstOf.set(p.device.scaleId, (ofScale = new Map()));
      const first = ofScale.get(p.message.seq);
      if (!first) {
        ofScale.set(p.message.seq, p);
        fresh.push(p);
      } else if (first.contentHash === p.contentHash) acks.set(p, { seq: p.message.seq, status: 'duplicate' });
      else conflict(p, first.contentHash);
    }

    function conflict(p: Pending, storedHash: string) {
      acks.set(p, { seq: p.message.seq, status: 'rejected', error: `seq ${p.message.seq} already holds a different message (seq_conflict); the stored one is kept` });
      conflicts.push({ deviceId: p.device.deviceId, scaleId: p.device.scaleId, seq: p.message.seq, transport: p.transport, channel: p.message.kind, raw: Buffer.from(JSON.stringify(p.message)), reason: 'seq_conflict' });
      findings.push({
        type: 'seq_conflict',
        subject: subjectOf(p.device),
        aggregationKey: `seq_conflict:scale:${p.device.scaleId}`,
        title: '同一序号出现不同内容 (one sequence number, two different messages)',
        evidence: { at: p.message.at, summary: `序号 ${p.message.seq} 已存内容与新到内容不同`, data: { seq: p.message.seq, storedHash, newHash: p.contentHash }, source: { scaleId: p.device.scaleId, seq: p.message.seq } },
      });
    }

    await db.transaction().execute(async (trx) => {
      // 2. Lock the scales' device rows (in id order, so concurrent writers cannot deadlock) before
      // looking anything up: a writer holding a scale sees everything committed for it before.
      const touched = [...new Set(batch.map((p) => p.device.scaleId))].sort((a, b) => a - b);
      const lastSeqs = new Map<number, number>();
      if (touched.length) {
        const rows = await sql<{ scale_id: number; last_seq: number }>`${sql.raw(PREPARED)}select scale_id, last_seq from scale_device where scale_id = any(${touched}::bigint[]) order by scale_id for update`.execute(trx);
        for (const r of rows.rows) lastSeqs.set(r.scale_id, r.last_seq);
      }

      // Against the record: every stored (scale, seq) has seq <= its device row's last_seq (this
      // writer raises it in the same transaction as the insert, and nothing else stores), so only
      // a seq at or below it can be held already. One inside an open gap cannot (a gap is opened
      // for seqs never stored, and closed as they arrive): after a broker drop, the resent sales
      // are such, and need no lookup. The rest are looked up, within the back-fill window for sales.
      const candidates: Pending[] = [];
      for (const p of fresh) {
        const last = lastSeqs.get(p.device.scaleId);
        if (last !== undefined && p.message.seq <= last) candidates.push(p);
      }
      const openGaps = candidates.length
        ? await sql<{ id: number; scale_id: number; from_seq: number; to_seq: number; opened_at: Date; reported_at: Date | null }>`${sql.raw(PREPARED)}
            select id, scale_id, from_seq, to_seq, opened_at, reported_at from seq_gap
            where scale_id = any(${[...new Set(candidates.map((p) => p.device.scaleId))]}::bigint[]) and closed_at is null
            order by id for update`.execute(trx).then((r) => r.rows)
        : [];
      const gapsOf = new Map<number, typeof openGaps>();
      for (const g of openGaps) (gapsOf.get(g.scale_id) ?? gapsOf.set(g.scale_id, []).get(g.scale_id)!).push(g);
      const scaleIds: number[] = [];
      const seqs: number[] = [];
      for (const p of candidates) {
        const seq = p.message.seq;
        if (gapsOf.get(p.device.scaleId)?.some((g) => seq >= g.from_seq && seq <= g.to_seq)) continue;
        scaleIds.push(p.device.scaleId);
        seqs.push(seq);
      }
      const stored = new Map<string, string>();
      if (seqs.length) {
        const since = new Date(receivedAt.getTime() - (settings.backfillDays + 1) * 86_400_000);
        const rows = await sql<{ scale_id: number; seq: number; content_hash: string }>`${sql.raw(PREPARED)}
          select s.scale_id, s.seq, s.content_hash from sale s
            join unnest(${scaleIds}::bigint[], ${seqs}::bigint[]) as k(scale_id, seq) on s.scale_id = k.scale_id and s.seq = k.seq
            where s.at >= ${since}
          union all
          select e.scale_id, e.seq, e.content_hash from scale_event e
            join unnest(${scaleIds}::bigint[], ${seqs}::bigint[]) as k(scale_id, seq) on e.scale_id = k.scale_id and e.seq = k.seq`.execute(trx);
        for (const r of rows.rows) stored.set(`${r.scale_id}:${r.seq}`, r.content_hash);
      }
      const toStore: Pending[] = [];
      for (const p of fresh) {
        const have = stored.size ? stored.get(`${p.device.scaleId}:${p.message.seq}`) : undefined;
        if (have === undefined) toStore.push(p);
        else if (have === p.contentHash) acks.set(p, { seq: p.message.seq, status: 'duplicate' });
        else conflict(p, have);
      }

      // 3. Sequence bookkeeping per scale (the device rows are locked above).
      const byScale = new Map<number, Pending[]>();
      for (const p of toStore) (byScale.get(p.device.scaleId) ?? byScale.set(p.device.scaleId, []).get(p.device.scaleId)!).push(p);
      const gapOpens: { scale_id: number; from_seq: number; to_seq: number }[] = [];
      const late: { scaleId: number; seq: number }[] = [];
      const newLast = new Map<number, number>();
      for (const [scaleId, ps] of byScale) {
        const last = lastSeqs.get(scaleId) ?? 0;
        const sorted = ps.map((p) => p.message.seq).sort((a, b) => a - b);
        const { gaps, maxSeq } = newGaps(last, sorted);
        for (const [from, to] of gaps) gapOpens.push({ scale_id: scaleId, from_seq: from, to_seq: to });
        for (const s of sorted) if (s <= last) late.push({ scaleId, seq: s });
        newLast.set(scaleId, maxSeq);
      }
      // A late message fills (part of) an open gap: the gap closes and what is still missing of it
      // opens again with the gap's original times (one update and one insert, however many).
      if (late.length) {
        const lateOf = new Map<number, number[]>();
        for (const l of late) (lateOf.get(l.scaleId) ?? lateOf.set(l.scaleId, []).get(l.scaleId)!).push(l.seq);
        // The open gaps of these scales were read (and locked) above: a late seq is a candidate.
        const open = openGaps.filter((g) => lateOf.has(g.scale_id));
        const closing: number[] = [];
        for (const g of open) {
          const inside = lateOf.get(g.scale_id)!.filter((seq) => seq >= g.from_seq && seq <= g.to_seq);
          if (!inside.length) continue;
          let parts = [{ from: g.from_seq, to: g.to_seq }];
          for (const seq of inside) parts = parts.flatMap((part) => fillGap(part, seq));
          closing.push(g.id);
          for (const part of parts) gapOpens.push({ scale_id: g.scale_id, from_seq: part.from, to_seq: part.to, opened_at: g.opened_at, reported_at: g.reported_at } as never);
        }
        if (closing.length) await trx.updateTable('seq_gap').set({ closed_at: receivedAt }).where('id', 'in', closing).execute();
      }
      if (gapOpens.length) await trx.insertInto('seq_gap').values(gapOpens).execute();

      // 4. Judge and store.
      const sales = toStore.filter((p) => p.message.kind === 'tx');
      const events = toStore.filter((p) => p.message.kind === 'event');
      const calib = events.filter((p) => p.message.kind === 'event' && (p.message.type === 'calibration' || p.message.type === 'config_change'));
      const orders = calib.length
        ? await trx
            .selectFrom('calibration_order')
            .select(['scale_id', 'valid_from', 'valid_until', 'calibrator'])
            .where('scale_id', 'in', [...new Set(calib.map((p) => p.device.scaleId))])
            .execute()
        : [];

      if (sales.length) {
        // One COPY of all the batch's sales, built as text here.
        const rows = new CopyRows();
        const receivedText = receivedAt.toISOString();
        const times = new Map<string, { date: string; at: string }>();
        for (const p of sales) {
          const m = p.message as Extract<ScaleMessage, { kind: 'tx' }>;
          const d = p.device;
          const judgement = d.merchantId
            ? pricing.judge({ merchantId: d.merchantId, cityId: d.cityId, plu: m.plu, name: m.name, unitPriceFenPerKg: m.unitPriceFenPerKg, at: m.at })
            : NO_JUDGEMENT;
          // ts carries its own offset, so one ts text is one calendar day and one instant.
          let time = times.get(m.ts);
          if (time === undefined) times.set(m.ts, (time = { date: calendarDate(m.at, settings.timezone), at: m.at.toISOString() }));
          const check = checkSale(m, d, judgement, { toleranceFen: settings.roundingToleranceFen, verifiedUntil: d.verifiedUntil, saleDate: time.date });
          for (const f of check.findings) findings.push(f);
          rows
            .plain(d.scaleId).plain(m.seq).text(time.at).text(receivedText).plain(d.merchantId).plain(d.marketId).plain(d.districtId)
            .text(m.plu).text(m.name).plain(m.weightG).plain(m.tareG).plain(m.unitPriceFenPerKg).plain(m.totalFen).text(m.receiptNo)
            .plain(judgement.productId).plain(judgement.capFenPerKg).plain(judgement.overCap).text(check.flags.length ? `{${check.flags.join(',')}}` : '{}').text(p.contentHash)
            .end();
        }
        await copyRows(trx, 'sale', SALE_COLUMNS, rows.toBuffer());
      }
      const drift = new Map<number, number>();
      if (events.length) {
        await trx
          .insertInto('scale_event')
          .values(
            events.map((p) => {
              const ev = p.message as Extract<ScaleMessage, { kind: 'event' }>;
              const authorised = orders.some(
                (o) => o.scale_id === p.device.scaleId && ev.at >= new Date(o.valid_from) && ev.at <= new Date(o.valid_until) && (!o.calibrator || o.calibrator === ev.actor),
              );
              const live = p.alone && ev.seq > (lastSeqs.get(p.device.scaleId) ?? 0);
              findings.push(...checkEvent(ev, subjectOf(p.device), { authorised, receivedAt: p.receivedAt, clockDriftS: settings.clockDriftS, live }));
              if (live && (ev.type === 'heartbeat' || ev.type === 'power_on' || ev.type === 'clock_set')) drift.set(p.device.scaleId, p.receivedAt.getTime() - ev.at.getTime());
              return { scale_id: p.device.scaleId, seq: ev.seq, at: ev.at, received_at: receivedAt, district_id: p.device.districtId, type: ev.type, actor: ev.actor, detail: ev.detail === null ? null : JSON.stringify(ev.detail), content_hash: p.contentHash };
            }),
          )
          .execute();
      }
      // 5. Device bookkeeping: highest seq, last seen, drift.
      if (touched.length) {
        const lastOf = touched.map((id) => newLast.get(id) ?? null);
        const transportOf = touched.map((id) => batch.find((p) => p.device.scaleId === id)!.transport);
        const driftOf = touched.map((id) => drift.get(id) ?? null);
        await sql`${sql.raw(PREPARED)}update scale_device d set
            last_seq = greatest(d.last_seq, coalesce(k.last_seq, d.last_seq)),
            last_seen_at = ${receivedAt},
            last_transport = k.transport,
            clock_drift_ms = coalesce(k.drift, d.clock_drift_ms)
          from unnest(${touched}::bigint[], ${lastOf}::bigint[], ${transportOf}::text[], ${driftOf}::int[]) as k(scale_id, last_seq, transport, drift)
          where d.scale_id = k.scale_id`.execute(trx);
      }
      const allRejections = [...rej, ...conflicts];
      if (allRejections.length) {
        await trx
          .insertInto('ingest_rejection')
          .values(allRejections.map((r) => ({ device_id: r.deviceId, scale_id: r.scaleId, seq: r.seq, transport: r.transport, channel: r.channel, raw: r.raw, reason: r.reason, received_at: receivedAt })))
          .execute();
      }
      for (const p of toStore) acks.set(p, { seq: p.message.seq, status: 'accepted' });
      const raised = findings.length ? await alerts.raiseIn(trx, findings) : null;
      return raised;
    }).then((raised) => {
      if (raised) alerts.publish(raised);
    });

    stats.batches++;
    for (const p of batch) {
      const ack = acks.get(p)!;
      stats[ack.status]++;
      settle(p, ack);
    }
  }

  return {
    /**
     * One payload from one authenticated scale: a message or an array of up to 500. Resolves with an
     * ack per message, in order, after the accepted ones are durably stored. Never throws on bad input.
     */
    async submit(device: DeviceContext, transport: Transport, channel: 'tx' | 'event' | 'any', payload: Buffer | unknown[]): Promise<Ack[]> {
      if (closed) throw new Error('ingest is closed');
      let parsed: unknown;
      if (Buffer.isBuffer(payload)) {
        try {
          parsed = JSON.parse(payload.toString('utf8'));
        } catch {
          rejections.push({ deviceId: device.deviceId, scaleId: device.scaleId, seq: null, transport, channel, raw: payload, reason: 'payload is not JSON' });
          stats.rejected++;
          schedule();
          return [];
        }
      } else parsed = payload;
      const split = splitPayload(parsed);
      if (!split.ok) {
        rejections.push({ deviceId: device.deviceId, scaleId: device.scaleId, seq: null, transport, channel, raw: Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload)), reason: split.error });
        stats.rejected++;
        schedule();
        return [];
      }
      const receivedAt = now();
      const ctx = { channel, maxCapacityG: device.maxCapacityG, secret: device.secret, now: receivedAt, backfillDays: settings.backfillDays };
      const items = split.items;
      const alone = items.length === 1;
      // One promise per payload: each message settles its own slot, the last one resolves it.
      let group!: AckGroup;
      const done = new Promise<Ack[]>((resolve, reject) => (group = { acks: new Array<Ack>(items.length), left: items.length, resolve, reject }));
      for (let index = 0; index < items.length; index++) {
        const item = items[index];
        const r = parseScaleMessage(item, ctx);
        if (!r.ok) {
          rejections.push({ deviceId: device.deviceId, scaleId: device.scaleId, seq: r.seq, transport, channel, raw: Buffer.from(JSON.stringify(item) ?? 'null'), reason: r.error });
          // One without a readable seq is answered as seq 0.
          group.acks[index] = { seq: r.seq ?? 0, status: 'rejected', error: r.error };
          stats.rejected++;
          group.left--;
          continue;
        }
        enqueue({ device, message: r.message, contentHash: r.contentHash, receivedAt, transport, alone, group, index });
      }
      if (group.left === 0) group.resolve(group.acks);
      schedule();
      // One ack per message in the order sent.
      return done;
    },

    /** Stores whatever is queued now (tests, shutdown). */
    flush: () => kick(),

    stats: () => ({ ...stats, queued }),

    /** Messages waiting for the writer now (cheap: the transports ask per payload). */
    queued: () => queued,

    /** Resolves once no more than `below` messages wait for the writer (at once if so now). */
    whenBelow(below: number): Promise<void> {
      if (queued <= below) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ below, resolve }));
    },

    /** Stops taking messages and stores what was already taken. */
    async close() {
      closed = true;
      await kick();
    },
  };
}

const SALE_COLUMNS = [
  'scale_id', 'seq', 'at', 'received_at', 'merchant_id', 'market_id', 'district_id', 'plu', 'name', 'weight_g', 'tare_g',
  'unit_price_fen_per_kg', 'total_fen', 'receipt_no', 'product_id', 'cap_fen_per_kg', 'is_over_cap', 'flags', 'content_hash',
] as const;

const NO_JUDGEMENT: SaleJudgement = { productId: null, productName: null, capFenPerKg: null, priceListId: null, overCap: false, excessFenPerKg: 0, excessPct: 0, unmappedControlled: null };

function subjectOf(d: DeviceContext) {
  return { scaleId: d.scaleId, merchantId: d.merchantId, marketId: d.marketId, districtId: d.districtId };
}

export type IngestService = ReturnType<typeof createIngestService>;
