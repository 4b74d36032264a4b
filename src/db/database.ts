import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { IngestTables } from '../modules/ingest/ingest.table.js';
import type { PricingTables } from '../modules/pricing/pricing.table.js';
import type { AlertTables } from '../modules/alerts/alerts.table.js';
import type { CodesTables } from '../modules/codes/codes.table.js';
import type { FeedbackTables } from '../modules/feedback/feedback.table.js';
import type { CreditTables } from '../modules/credit/credit.table.js';

/** Timestamps are written as Date or ISO text and read back as Date. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Id = Generated<number>;

export interface CityTable {
  id: Id;
  code: string;
  name: string;
  name_en: ColumnType<string, string | undefined, string>;
}
export interface DistrictTable {
  id: Id;
  city_id: number;
  code: string;
  name: string;
  name_en: ColumnType<string, string | undefined, string>;
}
export interface OfficeTable {
  id: Id;
  city_id: number;
  name: string;
  name_en: ColumnType<string, string | undefined, string>;
  address: ColumnType<string, string | undefined, string>;
  phone: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
}
export interface OfficeDistrictTable {
  office_id: number;
  district_id: number;
}
export interface MarketTable {
  id: Id;
  district_id: number;
  name: string;
  address: ColumnType<string, string | undefined, string>;
  managing_org: ColumnType<string, string | undefined, string>;
  contact_name: ColumnType<string, string | undefined, string>;
  contact_phone: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
  created_by: number | null;
  updated_by: number | null;
}
export interface StallTable {
  id: Id;
  market_id: number;
  number: string;
  area_m2: string | null;
  trade: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export interface MerchantTable {
  id: Id;
  uscc: string | null;
  has_uscc: boolean;
  name: string;
  legal_rep: string;
  entity_type: string;
  address: ColumnType<string, string | undefined, string>;
  categories: ColumnType<string[], string[] | undefined, string[]>;
  licence_numbers: ColumnType<string[], string[] | undefined, string[]>;
  district_id: number;
  market_id: number | null;
  stall_id: number | null;
  status: ColumnType<string, string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
  created_by: number | null;
  updated_by: number | null;
}
export interface ScaleTable {
  id: Id;
  serial_no: string;
  manufacturer: string;
  model: string;
  max_capacity_g: number;
  division_g: number;
  accuracy_class: string;
  type_approval_no: ColumnType<string, string | undefined, string>;
  is_iot: boolean;
  district_id: number;
  merchant_id: number | null;
  market_id: number | null;
  stall_id: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  created_by: number | null;
  updated_by: number | null;
}
export interface ScaleAssignmentTable {
  id: Id;
  scale_id: number;
  merchant_id: number | null;
  stall_id: number | null;
  from_at: Timestamp;
  to_at: Date | null;
  assigned_by: number | null;
}
export interface VerificationRecordTable {
  id: Id;
  scale_id: number;
  certificate_no: string;
  institution: string;
  verified_on: string;
  result: 'pass' | 'fail';
  valid_until: string | null;
  recorded_by: number | null;
  created_at: Timestamp;
}
export interface CameraTable {
  id: Id;
  merchant_id: number;
  district_id: number;
  market_id: number | null;
  key_point: string;
  stream_url: string;
  retention_days: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export interface StaffTable {
  id: Id;
  username: string;
  display_name: string;
  password_hash: string;
  role: string;
  city_id: number | null;
  office_id: number | null;
  merchant_id: ColumnType<number | null, number | null | undefined, number | null>;
  organisation: ColumnType<string, string | undefined, string>;
  is_demo: ColumnType<boolean, boolean | undefined, boolean>;
  is_disabled: ColumnType<boolean, boolean | undefined, boolean>;
  failed_logins: ColumnType<number, number | undefined, number>;
  locked_until: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}
export interface StaffMarketTable {
  staff_id: number;
  market_id: number;
}
export interface StaffSessionTable {
  id: string;
  staff_id: number;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ip: ColumnType<string, string | undefined, string>;
  user_agent: ColumnType<string, string | undefined, string>;
}
export interface AuditLogTable {
  seq: number;
  at: Timestamp;
  staff_id: number | null;
  action: string;
  entity: string;
  entity_id: string;
  before: unknown;
  after: unknown;
  request_id: string;
  prev_hash: string;
  hash: string;
}

export interface Database extends IngestTables, PricingTables, AlertTables, CodesTables, FeedbackTables, CreditTables {
  city: CityTable;
  district: DistrictTable;
  office: OfficeTable;
  office_district: OfficeDistrictTable;
  market: MarketTable;
  stall: StallTable;
  merchant: MerchantTable;
  scale: ScaleTable;
  scale_assignment: ScaleAssignmentTable;
  verification_record: VerificationRecordTable;
  camera: CameraTable;
  staff: StaffTable;
  staff_market: StaffMarketTable;
  staff_session: StaffSessionTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  import_job: ImportJobTable;
}

export type MarketRow = Selectable<MarketTable>;
export type StallRow = Selectable<StallTable>;
export type MerchantRow = Selectable<MerchantTable>;
export type ScaleRow = Selectable<ScaleTable>;
export type VerificationRecordRow = Selectable<VerificationRecordTable>;
export type CameraRow = Selectable<CameraTable>;
export type StaffRow = Selectable<StaffTable>;
export type AuditLogRow = Selectable<AuditLogTable>;
export type NewMerchant = Insertable<MerchantTable>;
export type MerchantUpdate = Updateable<MerchantTable>;
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}
export interface ImportJobTable {
  id: string;
  staff_id: number;
  request_id: ColumnType<string, string | undefined, string>;
  kind: string;
  mode: string;
  skip_invalid: boolean;
  file_name: ColumnType<string, string | undefined, string>;
  status: ColumnType<string, string | undefined, string>;
  phase: ColumnType<string, string | undefined, string>;
  rows_read: ColumnType<number, number | undefined, number>;
  rows_total: number | null;
  valid_rows: ColumnType<number, number | undefined, number>;
  invalid_rows: ColumnType<number, number | undefined, number>;
  imported_rows: ColumnType<number, number | undefined, number>;
  outcome: string | null;
  /** jsonb: written as JSON text, read back parsed. */
  problems: ColumnType<unknown, string | undefined, string>;
  problem_count: ColumnType<number, number | undefined, number>;
  error: ColumnType<unknown, string | null | undefined, string | null>;
  started_at: Timestamp;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  updated_at: Timestamp;
}
