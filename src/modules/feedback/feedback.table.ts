import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ScaleRatingTable {
  id: Generated<number>;
  scale_id: number;
  at: Timestamp;
  is_accurate: boolean;
  stars: number;
  comment: string | null;
  masked: ColumnType<string[], string[] | undefined, string[]>;
  fair_weight_g: number | null;
  receipt_weight_g: number | null;
  device_key: string;
  network_key: string;
  is_suspect: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface ScaleLightTable {
  scale_id: number;
  light: string;
  ratings: number;
  inaccurate: number;
  /** jsonb: written as JSON text, read back parsed. */
  evidence: ColumnType<unknown, string, string>;
  updated_at: Timestamp;
}

/** The step of a complaint whose overdue alert went out (migration 0009); the complaint tables are in credit.table.ts. */
export interface ComplaintOverdueAlertTable {
  complaint_id: number;
  step: string;
  alerted_at: Timestamp;
}

/** A stretch of 检定、检验、检测、鉴定 that stops a complaint's mediation clock (migration 0103). */
export interface ComplaintPauseTable {
  id: Generated<number>;
  complaint_id: number;
  kind: string;
  reason: string;
  started_on: string;
  ended_on: string | null;
  started_by: number | null;
  ended_by: number | null;
  started_at: Timestamp;
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface FeedbackTables {
  scale_rating: ScaleRatingTable;
  scale_light: ScaleLightTable;
  complaint_overdue_alert: ComplaintOverdueAlertTable;
  complaint_pause: ComplaintPauseTable;
}
