import type { ColumnType, Generated, Selectable } from 'kysely';

/** Timestamps are written as Date or ISO text and read back as Date. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface AlertTable {
  id: Generated<number>;
  type: string;
  severity: string;
  status: ColumnType<string, string | undefined, string>;
  aggregation_key: string;
  title: string;
  summary: ColumnType<string, string | undefined, string>;
  scale_id: number | null;
  merchant_id: number | null;
  market_id: number | null;
  district_id: number;
  office_id: number | null;
  evidence_count: ColumnType<number, number | undefined, number>;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  opened_at: Timestamp;
  acknowledged_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  acknowledged_by: number | null;
  closed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  closed_by: number | null;
  updated_at: Timestamp;
  version: ColumnType<number, number | undefined, number>;
  /** The credit event an inspector recorded from this finding (at most one). */
  credit_event_id: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface AlertEvidenceTable {
  id: Generated<number>;
  alert_id: number;
  at: Timestamp;
  summary: string;
  /** jsonb: written as JSON text, read back parsed. */
  data: ColumnType<unknown, string | undefined, string>;
  source_scale_id: number | null;
  source_seq: number | null;
  recorded_at: Timestamp;
}

export interface AlertActionTable {
  id: Generated<number>;
  alert_id: number;
  action: string;
  from_status: string;
  to_status: string;
  staff_id: number;
  at: Timestamp;
  note: ColumnType<string, string | undefined, string>;
}

/** The tables the alerts module owns (migration 20261123_0004_alerts.sql). */
export interface AlertTables {
  alert: AlertTable;
  alert_evidence: AlertEvidenceTable;
  alert_action: AlertActionTable;
}

export type AlertRow = Selectable<AlertTable>;
