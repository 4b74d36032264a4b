import { Type } from 'typebox';
import { Nullable, PageQuery } from '../../http/schemas.js';
import { ALERT_ACTIONS, ALERT_STATUSES, ALERT_TYPE_KEYS, NOTE_MAX, SEVERITIES } from './alerts.rules.js';

const lit = <T extends readonly string[]>(xs: T) => Type.Union(xs.map((x) => Type.Literal(x)));
const Label = Type.Object({ zh: Type.String(), en: Type.String() });
const Time = Type.String({ format: 'date-time', description: 'RFC 3339 time, e.g. 2026-06-27T08:00:00+08:00' });

export const Alert = Type.Object({
  id: Type.Integer(),
  type: Type.String({ description: `one of ${ALERT_TYPE_KEYS.join(', ')}` }),
  typeLabel: Label,
  severity: lit(SEVERITIES),
  status: lit(ALERT_STATUSES),
  title: Type.String(),
  summary: Type.String({ description: 'the latest piece of evidence, in words' }),
  aggregationKey: Type.String(),
  scaleId: Nullable(Type.Integer()),
  scaleSerialNo: Nullable(Type.String()),
  merchantId: Nullable(Type.Integer()),
  merchantName: Nullable(Type.String()),
  marketId: Nullable(Type.Integer()),
  marketName: Nullable(Type.String()),
  districtId: Type.Integer(),
  districtName: Type.String(),
  officeId: Nullable(Type.Integer({ description: 'the supervision office it is routed to' })),
  officeName: Nullable(Type.String()),
  evidenceCount: Type.Integer({ description: 'every piece raised' }),
  evidenceStored: Type.Integer({ description: 'pieces kept: the first 1000' }),
  firstSeenAt: Type.String(),
  lastSeenAt: Type.String(),
  openedAt: Type.String(),
  acknowledgedAt: Nullable(Type.String()),
  acknowledgedBy: Nullable(Type.Integer()),
  closedAt: Nullable(Type.String()),
  closedBy: Nullable(Type.Integer()),
  updatedAt: Type.String(),
  version: Type.Integer({ description: 'grows with every change' }),
  creditEventId: Nullable(Type.Integer({ description: 'the credit event recorded from this finding, if any (one per alert)' })),
});

export const AlertQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(lit([...ALERT_STATUSES, 'active', 'closed'] as const)),
  type: Type.Optional(lit(ALERT_TYPE_KEYS)),
  severity: Type.Optional(lit(SEVERITIES)),
  districtId: Type.Optional(Type.Integer({ minimum: 1 })),
  marketId: Type.Optional(Type.Integer({ minimum: 1 })),
  merchantId: Type.Optional(Type.Integer({ minimum: 1 })),
  scaleId: Type.Optional(Type.Integer({ minimum: 1 })),
  officeId: Type.Optional(Type.Integer({ minimum: 1 })),
  from: Type.Optional(Time),
  to: Type.Optional(Time),
});

export const DetailQuery = Type.Object({
  evidencePage: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  evidencePageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

export const Evidence = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  summary: Type.String(),
  data: Type.Unknown(),
  source: Nullable(Type.Object({ scaleId: Nullable(Type.Integer()), seq: Nullable(Type.Integer()) })),
  recordedAt: Type.String(),
});

export const ActionRecord = Type.Object({
  id: Type.Integer(),
  action: Type.String(),
  fromStatus: Type.String(),
  toStatus: Type.String(),
  staffId: Type.Integer(),
  staffName: Nullable(Type.String()),
  at: Type.String(),
  note: Type.String(),
});

export const AlertDetail = Type.Object({
  alert: Alert,
  allowedActions: Type.Array(lit(ALERT_ACTIONS)),
  evidence: Type.Object({ items: Type.Array(Evidence), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() }),
  actions: Type.Array(ActionRecord),
});

const Note = Type.String({ maxLength: NOTE_MAX });
export const OptionalNote = Type.Object({ note: Type.Optional(Note) }, { additionalProperties: false });
export const RequiredNote = Type.Object({ note: Type.String({ minLength: 1, maxLength: NOTE_MAX }) }, { additionalProperties: false });

const Count = { open: Type.Integer(), acknowledged: Type.Integer() };
export const AlertSummaryCounts = Type.Object({
  ...Count,
  byType: Type.Array(Type.Object({ type: Type.String(), zh: Type.String(), en: Type.String(), defaultSeverity: lit(SEVERITIES), ...Count })),
  bySeverity: Type.Array(Type.Object({ severity: lit(SEVERITIES), zh: Type.String(), en: Type.String(), ...Count })),
});
