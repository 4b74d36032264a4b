/** Pure alert rules: the types, severities, lifecycle, finding checks and grouping. No I/O. */

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SEVERITY_LABELS: Record<Severity, { zh: string; en: string }> = {
  low: { zh: '低', en: 'Low' },
  medium: { zh: '中', en: 'Medium' },
  high: { zh: '高', en: 'High' },
  critical: { zh: '紧急', en: 'Critical' },
};

/**
 * Every kind of finding, with its labels and default severity. Adding a type is one line here:
 * the database keeps the type as text, and the API and web app take labels from this table.
 */
export const ALERT_TYPES = {
  over_cap: { zh: '超调控价', en: 'Over the controlled price', severity: 'high' },
  arithmetic_mismatch: { zh: '金额计算不符', en: 'Total does not match weight × price', severity: 'high' },
  unmapped_product: { zh: '商品未对应目录', en: 'Product not mapped to the catalogue', severity: 'low' },
  unauthorised_calibration: { zh: '未经授权的校准', en: 'Calibration without an authorised order', severity: 'critical' },
  unauthorised_config_change: { zh: '未经授权的配置变更', en: 'Configuration change without an authorised order', severity: 'high' },
  unit_change_attempt: { zh: '试图更改计量单位', en: 'Attempt to change the unit', severity: 'high' },
  tamper: { zh: '防作弊告警', en: 'Tamper detected', severity: 'critical' },
  clock_drift: { zh: '时钟偏差', en: 'Clock drift', severity: 'low' },
  seq_gap: { zh: '交易序号缺失', en: 'Missing sales (sequence gap)', severity: 'medium' },
  seq_conflict: { zh: '交易序号冲突', en: 'Conflicting message for a sequence number', severity: 'high' },
  scale_offline: { zh: '营业时间离线', en: 'Scale offline in business hours', severity: 'medium' },
  expired_verification_sale: { zh: '检定过期仍在交易', en: 'Sale on a scale with expired verification', severity: 'high' },
  red_light_scale: { zh: '红灯秤（消费者评价）', en: 'Red-light scale (consumer ratings)', severity: 'high' },
  complaint_overdue: { zh: '消费投诉超期', en: 'Complaint past its statutory deadline', severity: 'medium' },
} as const satisfies Record<string, { zh: string; en: string; severity: Severity }>;
export type AlertType = keyof typeof ALERT_TYPES;
export const ALERT_TYPE_KEYS = Object.keys(ALERT_TYPES) as AlertType[];
export const isAlertType = (t: string): t is AlertType => Object.prototype.hasOwnProperty.call(ALERT_TYPES, t);

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved', 'dismissed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
/** Statuses that still take evidence: at most one alert per (type, aggregation key) is in one of them. */
export const ACTIVE_STATUSES = ['open', 'acknowledged'] as const satisfies readonly AlertStatus[];

export const STATUS_LABELS: Record<AlertStatus, { zh: string; en: string }> = {
  open: { zh: '待处理', en: 'Open' },
  acknowledged: { zh: '处理中', en: 'Acknowledged' },
  resolved: { zh: '已办结', en: 'Resolved' },
  dismissed: { zh: '已排除', en: 'Dismissed' },
};

export const ALERT_ACTIONS = ['acknowledge', 'resolve', 'dismiss', 'reopen'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

export const ACTION_LABELS: Record<AlertAction, { zh: string; en: string }> = {
  acknowledge: { zh: '签收', en: 'Acknowledge' },
  resolve: { zh: '办结', en: 'Resolve' },
  dismiss: { zh: '排除', en: 'Dismiss' },
  reopen: { zh: '重新打开', en: 'Reopen' },
};

/** The lifecycle: open → acknowledged → resolved | dismissed, and a closed alert may be reopened. */
const TRANSITIONS: Record<AlertAction, { from: readonly AlertStatus[]; to: AlertStatus; noteRequired: boolean }> = {
  acknowledge: { from: ['open'], to: 'acknowledged', noteRequired: false },
  resolve: { from: ['open', 'acknowledged'], to: 'resolved', noteRequired: true },
  dismiss: { from: ['open', 'acknowledged'], to: 'dismissed', noteRequired: true },
  reopen: { from: ['resolved', 'dismissed'], to: 'open', noteRequired: false },
};

export const NOTE_MAX = 1000;

export type TransitionResult = { ok: true; to: AlertStatus } | { ok: false; reason: 'illegal' | 'note_required'; message: string };

/** Whether `action` may be taken on an alert in `status` with `note`; the message says why not, in Chinese then English. */
export function transition(status: AlertStatus, action: AlertAction, note: string | undefined): TransitionResult {
  const t = TRANSITIONS[action];
  if (!t.from.includes(status)) {
    const a = ACTION_LABELS[action];
    const s = STATUS_LABELS[status];
    return { ok: false, reason: 'illegal', message: `预警当前为“${s.zh}”，不能${a.zh} (an alert that is ${s.en.toLowerCase()} cannot be ${pastTense(action)})` };
  }
  if (t.noteRequired && !note?.trim()) {
    return { ok: false, reason: 'note_required', message: `${ACTION_LABELS[action].zh}须填写说明 (a note is required to ${action})` };
  }
  return { ok: true, to: t.to };
}
const pastTense = (a: AlertAction) => ({ acknowledge: 'acknowledged', resolve: 'resolved', dismiss: 'dismissed', reopen: 'reopened' })[a];

export const allowedActions = (status: AlertStatus): AlertAction[] => ALERT_ACTIONS.filter((a) => TRANSITIONS[a].from.includes(status));

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);
export const maxSeverity = (a: Severity, b: Severity): Severity => (severityRank(b) > severityRank(a) ? b : a);

// ---------------- findings ----------------

export interface Finding {
  type: AlertType;
  /** Defaults to the type's severity. An alert keeps the greatest severity of its findings. */
  severity?: Severity;
  subject: { scaleId: number | null; merchantId: number | null; marketId: number | null; districtId: number };
  /** What makes repeats the same alert, e.g. `scale:123` (unique per type among open alerts). */
  aggregationKey: string;
  title: string;
  evidence: { at: Date; summary: string; data: Record<string, unknown>; source?: { scaleId?: number; seq?: number } };
}

/** At most this many pieces of evidence are stored per alert; later ones are counted (evidence_count) but not kept. */
export const EVIDENCE_CAP = 1000;
export const TITLE_MAX = 200;
export const SUMMARY_MAX = 500;
export const KEY_MAX = 200;
export const DATA_MAX_BYTES = 8 * 1024;

const isId = (v: unknown) => Number.isSafeInteger(v) && (v as number) > 0;
const isIdOrNull = (v: unknown) => v === null || isId(v);

/** What is wrong with each finding (by index); an empty list when all are sound. */
export function findingProblems(findings: readonly Finding[]): { index: number; message: string }[] {
  const out: { index: number; message: string }[] = [];
  findings.forEach((f, index) => {
    const bad = (message: string) => out.push({ index, message });
    if (!isAlertType(f.type)) bad(`unknown alert type ${JSON.stringify(f.type)}`);
    if (f.severity !== undefined && !SEVERITIES.includes(f.severity)) bad(`unknown severity ${JSON.stringify(f.severity)}`);
    if (!f.subject || !isId(f.subject.districtId)) bad('subject.districtId must be a positive integer');
    else if (!isIdOrNull(f.subject.scaleId) || !isIdOrNull(f.subject.merchantId) || !isIdOrNull(f.subject.marketId)) bad('subject ids must be positive integers or null');
    if (typeof f.aggregationKey !== 'string' || !f.aggregationKey || f.aggregationKey.length > KEY_MAX) bad(`aggregationKey must be 1 to ${KEY_MAX} characters`);
    if (typeof f.title !== 'string' || !f.title.trim()) bad('title is required');
    const e = f.evidence;
    if (!e || !(e.at instanceof Date) || Number.isNaN(e.at.getTime())) bad('evidence.at must be a valid Date');
    else if (typeof e.summary !== 'string') bad('evidence.summary must be text');
    else if (!e.data || typeof e.data !== 'object' || Array.isArray(e.data)) bad('evidence.data must be an object');
    else if (Buffer.byteLength(JSON.stringify(e.data)) > DATA_MAX_BYTES) bad(`evidence.data is over ${DATA_MAX_BYTES} bytes`);
    if (e?.source && ((e.source.scaleId !== undefined && !isId(e.source.scaleId)) || (e.source.seq !== undefined && !isId(e.source.seq)))) bad('evidence.source ids must be positive integers');
  });
  return out;
}

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Findings of one (type, aggregation key) in a batch: one upsert row, and its evidence in order. */
export interface FindingGroup {
  /** 0-based position of the group by first appearance. */
  k: number;
  type: AlertType;
  severity: Severity;
  aggregationKey: string;
  title: string;
  /** The summary of the latest piece of evidence. */
  summary: string;
  subject: Finding['subject'];
  firstAt: Date;
  lastAt: Date;
  evidence: { at: Date; summary: string; data: Record<string, unknown>; scaleId: number | null; seq: number | null }[];
}

/**
 * Folds a batch into one group per (type, aggregation key): a statement may touch an alert row
 * only once, and one row per alert is what makes a batch one round of SQL. The subject and title
 * come from the group's first finding; the severity is the greatest; evidence keeps batch order.
 */
export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const f of findings) {
    const id = `${f.type}\u0000${f.aggregationKey}`;
    const severity = f.severity ?? ALERT_TYPES[f.type].severity;
    const at = f.evidence.at;
    const piece = { at, summary: clip(f.evidence.summary, SUMMARY_MAX), data: f.evidence.data, scaleId: f.evidence.source?.scaleId ?? null, seq: f.evidence.source?.seq ?? null };
    let g = groups.get(id);
    if (!g) {
      g = { k: groups.size, type: f.type, severity, aggregationKey: f.aggregationKey, title: clip(f.title.trim(), TITLE_MAX), summary: piece.summary, subject: f.subject, firstAt: at, lastAt: at, evidence: [] };
      groups.set(id, g);
    } else {
      g.severity = maxSeverity(g.severity, severity);
      if (at < g.firstAt) g.firstAt = at;
      if (at >= g.lastAt) {
        g.lastAt = at;
        g.summary = piece.summary;
      }
    }
    g.evidence.push(piece);
  }
  return [...groups.values()];
}

/** Which pieces of a group are stored, given the alert's evidence count after this batch: the first EVIDENCE_CAP ever raised. */
export const storedPieces = (countAfter: number, added: number, cap = EVIDENCE_CAP) => Math.max(0, Math.min(added, cap - (countAfter - added)));

// ---------------- live push ----------------

/**
 * Splits ids into NOTIFY payloads of at most `maxBytes` (PostgreSQL refuses 8000 and more), each
 * `{"i":instance,"c":[created],"e":[evidence],"s":[status]}`.
 */
export function notifyPayloads(instance: string, changes: { created: readonly number[]; evidence: readonly number[]; status: readonly number[] }, maxBytes = 7900): string[] {
  const out: string[] = [];
  const fresh = () => ({ i: instance, c: [] as number[], e: [] as number[], s: [] as number[] });
  let cur = fresh();
  const empty = JSON.stringify(cur).length;
  let size = empty;
  const add = (key: 'c' | 'e' | 's', id: number) => {
    const bytes = String(id).length + 1;
    if (size + bytes > maxBytes && size > empty) {
      out.push(JSON.stringify(cur));
      cur = fresh();
      size = empty;
    }
    cur[key].push(id);
    size += bytes;
  };
  for (const id of changes.created) add('c', id);
  for (const id of changes.evidence) add('e', id);
  for (const id of changes.status) add('s', id);
  if (size > empty) out.push(JSON.stringify(cur));
  return out;
}

/** Reads a NOTIFY payload; null when it is not one of ours. */
export function parseNotifyPayload(payload: string | undefined): { instance: string; created: number[]; evidence: number[]; status: number[] } | null {
  if (!payload) return null;
  try {
    const p = JSON.parse(payload) as { i?: unknown; c?: unknown; e?: unknown; s?: unknown };
    const ids = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is number => Number.isSafeInteger(x) && x > 0) : []);
    if (typeof p.i !== 'string') return null;
    return { instance: p.i, created: ids(p.c), evidence: ids(p.e), status: ids(p.s) };
  } catch {
    return null;
  }
}
