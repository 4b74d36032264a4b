import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ScaleDeviceTable {
  scale_id: number;
  device_id: string;
  secret_enc: string | null;
  issued_at: Date | null;
  issued_by: number | null;
  revoked_at: Date | null;
  last_seen_at: Date | null;
  last_seq: ColumnType<number, number | undefined, number>;
  is_online: ColumnType<boolean, boolean | undefined, boolean>;
  status_changed_at: Date | null;
  clock_drift_ms: number | null;
  last_transport: string | null;
  offline_reported_at: Date | null;
}

export interface SaleTable {
  scale_id: number;
  seq: number;
  at: Timestamp;
  received_at: Timestamp;
  merchant_id: number | null;
  market_id: number | null;
  district_id: number;
  plu: string;
  name: string;
  weight_g: number;
  tare_g: number;
  unit_price_fen_per_kg: number;
  total_fen: number;
  receipt_no: string | null;
  product_id: number | null;
  cap_fen_per_kg: number | null;
  is_over_cap: ColumnType<boolean, boolean | undefined, boolean>;
  flags: ColumnType<string[], string[] | undefined, string[]>;
  content_hash: string;
}

export interface ScaleEventTable {
  scale_id: number;
  seq: number;
  at: Timestamp;
  received_at: Timestamp;
  district_id: number;
  type: string;
  actor: string | null;
  detail: unknown;
  content_hash: string;
}

export interface IngestRejectionTable {
  id: Generated<number>;
  received_at: Timestamp;
  device_id: string | null;
  scale_id: number | null;
  seq: number | null;
  transport: string;
  channel: string;
  raw: Buffer;
  reason: string;
}

export interface SeqGapTable {
  id: Generated<number>;
  scale_id: number;
  from_seq: number;
  to_seq: number;
  opened_at: Timestamp;
  closed_at: Date | null;
  reported_at: Date | null;
}

export interface CalibrationOrderTable {
  id: Generated<number>;
  scale_id: number;
  valid_from: Timestamp;
  valid_until: Timestamp;
  calibrator: string | null;
  reason: ColumnType<string, string | undefined, string>;
  issued_by: number | null;
  issued_at: Timestamp;
}

export interface PlatformSecretTable {
  name: string;
  value: string;
}

/** The tables the ingest module owns. */
export interface IngestTables {
  platform_secret: PlatformSecretTable;
  scale_device: ScaleDeviceTable;
  sale: SaleTable;
  scale_event: ScaleEventTable;
  ingest_rejection: IngestRejectionTable;
  seq_gap: SeqGapTable;
  calibration_order: CalibrationOrderTable;
}
