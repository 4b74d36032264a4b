import { randomBytes } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { Logger } from 'pino';
import { PREPARED, type Db } from '../../db/connect.js';
import { AppError, conflict, invalid, notFound } from '../../shared/errors.js';
import { appendAuditEntries } from '../audit/index.js';
import { isWithinReach, type Actor, type By, type Reach } from '../auth/index.js';
import { AlertBus, type AlertChange } from './alerts.bus.js';
import { PgListener } from '../../db/listener.js';
import * as repo from './alerts.repository.js';
import {
  ALERT_TYPES,
  ALERT_TYPE_KEYS,
  EVIDENCE_CAP,
  NOTE_MAX,
  SEVERITIES,
  SEVERITY_LABELS,
  allowedActions,
  findingProblems,
  groupFindings,
  isAlertType,
  notifyPayloads,
  parseNotifyPayload,
  storedPieces,
  transition,
  type AlertAction,
  type AlertStatus,
  type Finding,
  type Severity,
} from './alerts.rules.js';

/** An alert as the API and the live stream present it. */
export interface Alert {
  id: number;
  type: string;
  typeLabel: { zh: string; en: string };
  severity: Severity;
  status: AlertStatus;
  title: string;
  /** The latest piece of evidence, in words. */
  summary: string;
  aggregationKey: string;
  scaleId: number | null;
  scaleSerialNo: string | null;
  merchantId: number | null;
  merchantName: string | null;
  marketId: number | null;
  marketName: string | null;
  districtId: number;
  districtName: string;
  /** The office it is routed to; every office covering the district sees it. */
  officeId: number | null;
  officeName: string | null;
  /** Every piece raised; the first `evidenceStored` of them are kept. */
  evidenceCount: number;
  evidenceStored: number;
  firstSeenAt: string;
  lastSeenAt: string;
  openedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: number | null;
  closedAt: string | null;
  closedBy: number | null;
  updatedAt: string;
  /** Grows with every change: a client keeps the highest it has seen. */
  version: number;
  /** The credit event an inspector recorded from this finding; at most one. */
  creditEventId: number | null;
}
/** One event of the live stream: the alert as it now stands, and what changed. */
export interface AlertSummary extends Alert {
  change: AlertChange;
}
/** One per distinct (type, aggregation key) of a raised batch, in order of first appearance. */
export interface RaisedAlert extends Alert {
  alertId: number;
  /** True when this batch opened the alert; false when it added to an open or acknowledged one. */
  created: boolean;
  /** Findings of the batch that went into this alert. */
  evidenceAdded: number;
}
export interface Evidence {
  id: number;
  at: string;
  summary: string;
  data: unknown;
  source: { scaleId: number | null; seq: number | null } | null;
  recordedAt: string;
}
export interface AlertActionRecord {
  id: number;
  action: string;
  fromStatus: string;
  toStatus: string;
  staffId: number;
  staffName: string | null;
  at: string;
  note: string;
}

export interface AlertsOptions {
  /** PostgreSQL URL: changes are also sent by NOTIFY and received by LISTEN, so every instance's streams see every alert. */
  notify?: { url: string; channel?: string };
  logger?: Logger;
  /** Evidence updates of one alert within this window go out as one event (default 100 ms). */
  coalesceMs?: number;
  evidenceCap?: number;
}

export interface AlertListFilter {
  status?: 'open' | 'acknowledged' | 'resolved' | 'dismissed' | 'active' | 'closed';
  type?: string;
  severity?: Severity;
  districtId?: number;
  marketId?: number;
  merchantId?: number;
  scaleId?: number;
  officeId?: number;
  from?: string;
  to?: string;
  q?: string;
  page: number;
  pageSize: number;
}

const iso = (d: Date | string) => new Date(d).toISOString();
const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));
const typeLabel = (type: string) => (isAlertType(type) ? { zh: ALERT_TYPES[type].zh, en: ALERT_TYPES[type].en } : { zh: type, en: type });

/** The alerts of the platform: raising findings (batched), the staff lifecycle, and the live push. */
export function createAlertsService(db: Db, opts: AlertsOptions = {}) {
  const cap = opts.evidenceCap ?? EVIDENCE_CAP;
  // (type, aggregation key) → id of the active alert last seen holding `cap` pieces of evidence.
  const fullAlerts = new Map<string, number>();
  const logger = opts.logger;
  const instance = randomBytes(6).toString('hex');
  const channel = opts.notify?.channel ?? 'mashang_alerts';

  const toAlert = (r: repo.AlertView): Alert => ({
    id: r.id,
    type: r.type,
    typeLabel: typeLabel(r.type),
    severity: r.severity as Severity,
    status: r.status as AlertStatus,
    title: r.title,
    summary: r.summary,
    aggregationKey: r.aggregation_key,
    scaleId: r.scale_id,
    scaleSerialNo: r.scale_serial_no,
    merchantId: r.merchant_id,
    merchantName: r.merchant_name,
    marketId: r.market_id,
    marketName: r.market_name,
    districtId: r.district_id,
    districtName: r.district_name,
    officeId: r.office_id,
    officeName: r.office_name,
    evidenceCount: r.evidence_count,
    evidenceStored: Math.min(r.evidence_count, cap),
    firstSeenAt: iso(r.first_seen_at),
    lastSeenAt: iso(r.last_seen_at),
    openedAt: iso(r.opened_at),
    acknowledgedAt: isoOrNull(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    closedAt: isoOrNull(r.closed_at),
    closedBy: r.closed_by,
    updatedAt: iso(r.updated_at),
    version: r.version,
    creditEventId: r.credit_event_id,
  });

  // ---------------- live push ----------------
  let listener: PgListener | null = null;
  let linger: NodeJS.Timeout | null = null;
  // The LISTEN connection is held only while this instance has subscribers (plus a short linger
  // across page reloads), so CLI commands and ingest-only instances never hold one.
  const bus = new AlertBus<AlertSummary>(opts.coalesceMs ?? 100, (n) => {
    if (!listener) return;
    if (linger) clearTimeout(linger);
    linger = null;
    if (n > 0) void listener.start();
    else {
      linger = setTimeout(() => void listener?.stop(), 10_000);
      linger.unref();
    }
  });
  const incoming = { created: new Set<number>(), evidence: new Set<number>(), status: new Set<number>() };
  let draining = false;

  if (opts.notify) {
    listener = new PgListener(
      opts.notify.url,
      channel,
      (payload) => {
        const p = parseNotifyPayload(payload);
        if (!p || p.instance === instance) return; // this instance already delivered its own
        p.created.forEach((id) => incoming.created.add(id));
        p.evidence.forEach((id) => incoming.evidence.add(id));
        p.status.forEach((id) => incoming.status.add(id));
        if (!draining) void drainIncoming();
      },
      () => bus.resync(),
      logger,
    );
  }

  /** Loads alerts another instance changed, many notifications to one query, and fans them out. */
  async function drainIncoming() {
    draining = true;
    try {
      while (incoming.created.size + incoming.evidence.size + incoming.status.size) {
        const kinds = new Map<number, AlertChange>();
        for (const id of incoming.evidence) kinds.set(id, 'evidence');
        for (const id of incoming.status) kinds.set(id, 'status');
        for (const id of incoming.created) kinds.set(id, 'created');
        incoming.created.clear();
        incoming.evidence.clear();
        incoming.status.clear();
        const rows = await repo.loadAlertViews(db, [...kinds.keys()]);
        bus.publish(rows.map((r) => ({ ...toAlert(r), change: kinds.get(r.id)! })));
      }
    } catch (err) {
      logger?.warn({ err }, 'alerts: could not load alerts changed on another instance');
      bus.resync();
    } finally {
      draining = false;
    }
  }

  /** Tells the other instances which alerts changed. Never throws: a failure is logged (their clients resync on reconnect). */
  async function notifyOthers(changes: { created?: number[]; evidence?: number[]; status?: number[] }) {
    if (!opts.notify) return;
    const payloads = notifyPayloads(instance, { created: changes.created ?? [], evidence: changes.evidence ?? [], status: changes.status ?? [] });
    if (!payloads.length) return;
    try {
      await sql`${sql.raw(PREPARED)}select pg_notify(${channel}, p) from unnest(${payloads}::text[]) as p`.execute(db);
    } catch (err) {
      logger?.warn({ err }, 'alerts: NOTIFY failed');
    }
  }

  const stripRaised = ({ alertId: _a, created: _c, evidenceAdded: _e, ...alert }: RaisedAlert): Alert => alert;

  // ---------------- raising ----------------
  /**
   * Raises findings inside the caller's transaction (or on `db`): one statement for the whole
   * batch. Sends nothing live: call `publish(raised)` after the transaction commits.
   * Throws `invalid_input` naming each malformed finding, before writing anything.
   */
  async function raiseIn(q: repo.Q, findings: readonly Finding[]): Promise<RaisedAlert[]> {
    if (!findings.length) return [];
    const problems = findingProblems(findings);
    if (problems.length) throw invalid(`无效的预警发现 (invalid findings): ${problems.slice(0, 5).map((p) => `#${p.index} ${p.message}`).join('; ')}`, problems);
    const groups = groupFindings(findings);
    // An alert known (as of a committed batch) to hold its cap of evidence stores no more: its
    // pieces are counted but not sent. Should the upsert land on another alert (that one was
    // closed meanwhile, a new one opened), the pieces are stored for it after all.
    const withheld = new Map<number, number>();
    for (const g of groups) {
      const full = fullAlerts.get(`${g.type}\u0000${g.aggregationKey}`);
      if (full !== undefined) withheld.set(g.k, full);
    }
    const rows = await repo.upsertGroups(q, groups, cap, new Set(withheld.keys()));
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const g = groups[i]!;
      const full = withheld.get(g.k);
      if (full === undefined || full === r.id) continue;
      const keep = storedPieces(r.evidence_count, g.evidence.length, cap);
      await repo.insertEvidence(q, r.id, g.evidence.slice(0, keep));
    }
    return rows.map((r) => ({ ...toAlert(r), alertId: r.id, created: r.created, evidenceAdded: r.added }));
  }

  /** After commit: which active alerts now hold their cap of evidence (bounded; a miss only costs sending pieces the database drops). */
  function noteFull(raised: readonly RaisedAlert[]) {
    if (fullAlerts.size > 100_000) fullAlerts.clear();
    for (const r of raised) {
      const key = `${r.type}\u0000${r.aggregationKey}`;
      if (r.evidenceCount >= cap && (r.status === 'open' || r.status === 'acknowledged')) fullAlerts.set(key, r.alertId);
      else fullAlerts.delete(key);
    }
  }

  /** The live push of raised alerts: to this instance's streams at once, and by NOTIFY to the others. Never throws. */
  async function publish(raised: readonly RaisedAlert[]): Promise<void> {
    if (!raised.length) return;
    noteFull(raised);
    bus.publish(raised.map((r) => ({ ...stripRaised(r), change: r.created ? 'created' : 'evidence' })));
    await notifyOthers({ created: raised.filter((r) => r.created).map((r) => r.id), evidence: raised.filter((r) => !r.created).map((r) => r.id) });
  }

  const window = (p: { page: number; pageSize: number }) => ({ limit: p.pageSize, offset: (p.page - 1) * p.pageSize });
  const parseTime = (field: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) throw invalid(`${field}: 时间格式不正确 (not a valid time)`, [{ field, message: '时间格式不正确 (not a valid time)' }]);
    return d;
  };

  async function loadInReach(actor: Actor, id: number) {
    const r = await repo.findAlertView(db, id);
    if (!r || !isWithinReach(actor.reach, { districtId: r.district_id, marketId: r.market_id })) throw notFound('alert', id);
    return r;
  }

  return {
    /** Raises findings in one round of SQL and pushes the result live. Many findings of one (type, key) make one alert. */
    async raise(findings: readonly Finding[]): Promise<RaisedAlert[]> {
      const raised = await raiseIn(db, findings);
      await publish(raised);
      return raised;
    },
    raiseIn,
    publish,

    /**
     * Calls `onAlert` for every alert created or changed from now on whose district or market is
     * within `viewerReach`; `onResync` when some may have been missed. Returns the unsubscribe.
     */
    subscribe(viewerReach: Reach, onAlert: (a: AlertSummary) => void, subOpts: { onResync?: () => void } = {}): () => void {
      return bus.subscribe(viewerReach, onAlert, subOpts.onResync);
    },
    /** Resolves when changes from other instances are being received (at once without `notify`); never rejects. */
    async whenListening(): Promise<void> {
      await listener?.start().catch(() => {});
    },

    async list(actor: Actor, f: AlertListFilter) {
      const { items, total } = await repo.listAlertViews(db, actor.reach, {
        ...f,
        from: parseTime('from', f.from),
        to: parseTime('to', f.to),
        ...window(f),
      });
      return { items: items.map(toAlert), total, page: f.page, pageSize: f.pageSize };
    },

    /** One alert with a page of its evidence (newest first) and its whole action history; outside reach it is not found. */
    async get(actor: Actor, id: number, evidencePage: { page: number; pageSize: number }) {
      const r = await loadInReach(actor, id);
      const [evidence, actions] = await Promise.all([repo.listEvidence(db, id, evidencePage.pageSize, (evidencePage.page - 1) * evidencePage.pageSize), repo.listActions(db, id)]);
      return {
        alert: toAlert(r),
        allowedActions: allowedActions(r.status as AlertStatus),
        evidence: {
          items: evidence.items.map(
            (e): Evidence => ({
              id: e.id,
              at: iso(e.at),
              summary: e.summary,
              data: e.data,
              source: e.source_scale_id === null && e.source_seq === null ? null : { scaleId: e.source_scale_id, seq: e.source_seq },
              recordedAt: iso(e.recorded_at),
            }),
          ),
          total: evidence.total,
          page: evidencePage.page,
          pageSize: evidencePage.pageSize,
        },
        actions: actions.map(
          (a): AlertActionRecord => ({ id: a.id, action: a.action, fromStatus: a.from_status, toStatus: a.to_status, staffId: a.staff_id, staffName: a.staff_name, at: iso(a.at), note: a.note }),
        ),
      };
    },

    /**
     * Takes a lifecycle step with its note, with the audit entry, in one transaction. Outside reach:
     * 404. An illegal step: 409 naming the current status. Resolve and dismiss need a note.
     */
    async act(by: By, id: number, action: AlertAction, note?: string): Promise<Alert> {
      const text = (note ?? '').trim();
      if (text.length > NOTE_MAX) throw invalid(`说明最多${NOTE_MAX}个字符 (a note has at most ${NOTE_MAX} characters)`, [{ field: 'note', message: `最多${NOTE_MAX}个字符 (at most ${NOTE_MAX} characters)` }]);
      const at = new Date();
      let view: repo.AlertView | undefined;
      try {
        view = await db.transaction().execute(async (trx) => {
          const row = await repo.lockAlert(trx, id);
          if (!row || !isWithinReach(by.actor.reach, { districtId: row.district_id, marketId: row.market_id })) throw notFound('alert', id);
          const from = row.status as AlertStatus;
          const step = transition(from, action, text);
          if (!step.ok) {
            if (step.reason === 'note_required') throw invalid(step.message, [{ field: 'note', message: step.message }]);
            throw conflict(step.message, { status: from, allowedActions: allowedActions(from) });
          }
          if (action === 'reopen') {
            const other = await repo.findActiveByKey(trx, row.type, row.aggregation_key);
            if (other) throw reopenConflict(other.id);
          }
          await repo.changeStatus(trx, id, { action, from, to: step.to, staffId: by.actor.staffId, note: text, at });
          await appendAuditEntries(trx, [
            {
              staffId: by.actor.staffId,
              action: `alert.${action}`,
              entity: 'alert',
              entityId: id,
              before: { status: from, severity: row.severity, evidenceCount: row.evidence_count },
              after: { status: step.to, note: text },
              requestId: by.requestId,
            },
          ]);
          return repo.findAlertView(trx, id);
        });
      } catch (err) {
        // A finding raised concurrently opened a new alert of the same key first.
        if ((err as { code?: string }).code === '23505') throw reopenConflict();
        throw err;
      }
      const alert = toAlert(view!);
      bus.publish([{ ...alert, change: 'status' }]);
      void notifyOthers({ status: [id] });
      return alert;
    },

    /**
     * The alert, locked in the caller's transaction, for turning the finding into a credit event.
     * Outside reach: 404 (as if it did not exist).
     */
    async lockForCredit(trx: Transaction<Database>, actor: Actor, id: number) {
      const row = await repo.lockAlert(trx, id);
      if (!row || !isWithinReach(actor.reach, { districtId: row.district_id, marketId: row.market_id })) throw notFound('alert', id);
      return row;
    },

    /**
     * Links a locked alert to the credit event recorded from it, in the caller's transaction, with
     * a line in its history. Refused (409) when it already has one. Call `pushChanged` after commit.
     */
    async linkCreditEvent(trx: Transaction<Database>, by: By, id: number, creditEventId: number, note: string) {
      const row = await repo.lockAlert(trx, id);
      if (!row) throw notFound('alert', id);
      if (row.credit_event_id !== null) throw alreadyRecorded(row.credit_event_id);
      const at = new Date();
      await trx.updateTable('alert').set((eb) => ({ credit_event_id: creditEventId, updated_at: at, version: eb('version', '+', 1) })).where('id', '=', id).execute();
      await trx.insertInto('alert_action').values({ alert_id: id, action: 'credit_event', from_status: row.status, to_status: row.status, staff_id: by.actor.staffId, at, note }).execute();
    },

    /** Pushes an alert changed outside `act` to the live streams (this instance and, by NOTIFY, the others). Never throws. */
    async pushChanged(id: number): Promise<void> {
      try {
        const view = await repo.findAlertView(db, id);
        if (view) bus.publish([{ ...toAlert(view), change: 'status' }]);
        await notifyOthers({ status: [id] });
      } catch (err) {
        logger?.warn({ err }, 'alerts: could not push a changed alert');
      }
    },

    /** Open and acknowledged alerts within reach, by type (every type, with labels) and by severity. */
    async summary(actor: Actor) {
      const rows = await repo.activeCounts(db, actor.reach);
      const count = (pred: (r: (typeof rows)[number]) => boolean) => rows.filter(pred).reduce((n, r) => n + r.n, 0);
      return {
        open: count((r) => r.status === 'open'),
        acknowledged: count((r) => r.status === 'acknowledged'),
        byType: ALERT_TYPE_KEYS.map((type) => ({
          type,
          zh: ALERT_TYPES[type].zh,
          en: ALERT_TYPES[type].en,
          defaultSeverity: ALERT_TYPES[type].severity as Severity,
          open: count((r) => r.type === type && r.status === 'open'),
          acknowledged: count((r) => r.type === type && r.status === 'acknowledged'),
        })),
        bySeverity: SEVERITIES.map((severity) => ({
          severity,
          ...SEVERITY_LABELS[severity],
          open: count((r) => r.severity === severity && r.status === 'open'),
          acknowledged: count((r) => r.severity === severity && r.status === 'acknowledged'),
        })),
      };
    },

    /** Stops the live push: pending coalesced events are dropped and the LISTEN connection closed. */
    async close() {
      if (linger) clearTimeout(linger);
      linger = null;
      bus.close();
      await listener?.stop();
    },
  };
}

/** 409: the finding is already a credit event, named in `details.creditEventId`. */
export const alreadyRecorded = (creditEventId: number) =>
  new AppError('conflict', `该预警已记录为信用事件 #${creditEventId} (this alert is already credit event ${creditEventId})`, 409, { creditEventId });

const reopenConflict = (activeId?: number) =>
  new AppError(
    'conflict',
    activeId
      ? `同一事项已有未办结的预警 #${activeId}，请在该预警上处理 (alert ${activeId} for the same finding is open; work on it instead)`
      : '同一事项已有未办结的预警，请在该预警上处理 (an alert for the same finding is open; work on it instead)',
    409,
    activeId ? { activeAlertId: activeId } : undefined,
  );

export type AlertsService = ReturnType<typeof createAlertsService>;
