/**
 * Alerts in the web app: their API shapes, labels for the fixed values, and the live stream
 * (GET /api/alerts/stream, Server-Sent Events) with reconnects. Alert type labels come from the
 * API (typeLabel, /api/alerts/summary), so a new type needs no change here.
 */
import { useEffect, useRef, useState } from 'react';
import { api } from '../api';
import type { Label } from '../labels';

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type AlertStatus = 'open' | 'acknowledged' | 'resolved' | 'dismissed';
export type AlertAction = 'acknowledge' | 'resolve' | 'dismiss' | 'reopen';

export interface Alert {
  id: number;
  type: string;
  typeLabel: Label;
  severity: Severity;
  status: AlertStatus;
  title: string;
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
  officeId: number | null;
  officeName: string | null;
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
  version: number;
  /** The credit event an inspector recorded from this finding (one per alert). */
  creditEventId: number | null;
}
export type AlertChange = 'created' | 'evidence' | 'status';
export type AlertEvent = Alert & { change: AlertChange };

export interface AlertCounts {
  open: number;
  acknowledged: number;
  byType: { type: string; zh: string; en: string; defaultSeverity: Severity; open: number; acknowledged: number }[];
  bySeverity: { severity: Severity; zh: string; en: string; open: number; acknowledged: number }[];
}

export interface AlertDetail {
  alert: Alert;
  allowedActions: AlertAction[];
  evidence: { items: { id: number; at: string; summary: string; data: unknown; source: { scaleId: number | null; seq: number | null } | null; recordedAt: string }[]; total: number; page: number; pageSize: number };
  actions: { id: number; action: AlertAction; fromStatus: AlertStatus; toStatus: AlertStatus; staffId: number; staffName: string | null; at: string; note: string }[];
}

export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];
export const SEVERITY_LABELS: Record<Severity, Label> = {
  low: { zh: '低', en: 'Low' },
  medium: { zh: '中', en: 'Medium' },
  high: { zh: '高', en: 'High' },
  critical: { zh: '紧急', en: 'Critical' },
};
/** Severity in the palette the registry already uses for verification states. */
export const SEVERITY_TONE: Record<Severity, string> = { critical: 'v-failed', high: 'v-expired', medium: 'v-expiring', low: 'v-unverified' };

export const STATUSES: AlertStatus[] = ['open', 'acknowledged', 'resolved', 'dismissed'];
export const STATUS_LABELS: Record<AlertStatus, Label> = {
  open: { zh: '待处理', en: 'Open' },
  acknowledged: { zh: '处理中', en: 'Acknowledged' },
  resolved: { zh: '已办结', en: 'Resolved' },
  dismissed: { zh: '已排除', en: 'Dismissed' },
};
export const STATUS_TONE: Record<AlertStatus, string> = { open: 'v-expired', acknowledged: 'v-expiring', resolved: 'v-valid', dismissed: 'v-unverified' };
/** Filter values beyond the four statuses. */
export const STATUS_GROUPS: Record<'active' | 'closed', Label> = { active: { zh: '未办结', en: 'Open or acknowledged' }, closed: { zh: '已关闭', en: 'Resolved or dismissed' } };

export const ACTION_LABELS: Record<AlertAction, Label & { noteRequired: boolean }> = {
  acknowledge: { zh: '签收', en: 'Acknowledge', noteRequired: false },
  resolve: { zh: '办结', en: 'Resolve', noteRequired: true },
  dismiss: { zh: '排除', en: 'Dismiss', noteRequired: true },
  reopen: { zh: '重新打开', en: 'Reopen', noteRequired: false },
};

export function SeverityBadge({ severity }: { severity: Severity }) {
  const l = SEVERITY_LABELS[severity];
  return (
    <span className={`badge ${SEVERITY_TONE[severity]}`} title={l.en}>
      {l.zh} {l.en}
    </span>
  );
}
export function StatusBadge({ status }: { status: AlertStatus }) {
  const l = STATUS_LABELS[status];
  return (
    <span className={`badge ${STATUS_TONE[status]}`} title={l.en}>
      {l.zh} {l.en}
    </span>
  );
}

export type StreamState = 'connecting' | 'live' | 'reconnecting';

/**
 * Subscribes to the live alert stream for as long as the component is mounted. `onAlert` gets
 * every new or changed alert within the viewer's reach; `onSync` is called when the stream is
 * (re)established or may have missed events, which is when a page should reload its list.
 * The browser's EventSource retries dropped connections itself; when it gives up (the server
 * answered with an error, e.g. a lost session) this reconnects with a growing delay, after
 * asking /api/auth/me so a lost session sends the user back to sign in.
 */
export function useAlertStream(onAlert: (a: AlertEvent) => void, onSync: () => void): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handlers = useRef({ onAlert, onSync });
  handlers.current = { onAlert, onSync };

  useEffect(() => {
    let es: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let delay = 2000;
    let stopped = false;

    const connect = () => {
      es = new EventSource('/api/alerts/stream', { withCredentials: true });
      es.addEventListener('ready', () => {
        delay = 2000;
        setState('live');
        handlers.current.onSync();
      });
      es.addEventListener('resync', () => handlers.current.onSync());
      es.addEventListener('alert', (e) => {
        try {
          handlers.current.onAlert(JSON.parse((e as MessageEvent<string>).data) as AlertEvent);
        } catch {
          /* a malformed event is skipped; the next sync corrects the list */
        }
      });
      es.onerror = () => {
        if (stopped) return;
        setState('reconnecting');
        if (es?.readyState !== EventSource.CLOSED) return; // the browser is retrying
        es = null;
        retry = setTimeout(() => {
          if (stopped) return;
          // A 401 here signs the user out (api's handler); anything else: try the stream again.
          api.get('/api/auth/me').then(connect, () => !stopped && connect());
        }, delay);
        delay = Math.min(delay * 2, 30_000);
      };
    };
    connect();
    return () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      es?.close();
    };
  }, []);
  return state;
}

export function StreamIndicator({ state }: { state: StreamState }) {
  const [cls, zh, en] =
    state === 'live' ? ['v-valid', '● 实时', 'Live'] : state === 'connecting' ? ['v-unverified', '○ 连接中', 'Connecting'] : ['v-expiring', '○ 重新连接中', 'Reconnecting'];
  return (
    <span className={`badge ${cls}`} data-testid="alert-stream" data-state={state} title="新预警无需刷新即会出现 (new alerts appear without a reload)">
      {zh} {en}
    </span>
  );
}

/** Evidence data as short "key: value" pairs; money in fen shown in yuan. */
export function formatData(data: unknown): string {
  if (!data || typeof data !== 'object') return '';
  return Object.entries(data as Record<string, unknown>)
    .map(([k, v]) => (typeof v === 'number' && /Fen/.test(k) ? `${k}: ¥${(v / 100).toFixed(2)}` : `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`))
    .join(' · ');
}
