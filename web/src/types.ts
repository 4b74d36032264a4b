/** Shapes of the JSON API (see /api/openapi.json and src/modules/registry/registry.schemas.ts). */
import type { Role } from './permissions';

export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface Staff {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  cityId: number | null;
  officeId: number | null;
  marketIds: number[];
  /** A merchant's own account: the merchant it speaks for; null for staff. */
  merchantId: number | null;
  organisation: string;
  isDemo: boolean;
  isDisabled: boolean;
  lockedUntil: string | null;
}

export interface Me {
  staff: Staff;
  csrfToken: string;
  roleLabel: { zh: string; en: string };
}

export interface City {
  id: number;
  code: string;
  name: string;
  nameEn: string;
  districts: { id: number; code: string; name: string; nameEn: string }[];
  offices: { id: number; name: string; nameEn: string; address: string; phone: string; districtIds: number[] }[];
}

export interface Vocabulary {
  entityTypes: { value: string; zh: string; en: string }[];
  categories: { value: string; zh: string; en: string }[];
  merchantStatuses: string[];
  accuracyClasses: string[];
  cameraKeyPoints: string[];
}

export interface Summary {
  markets: number;
  merchants: number;
  scales: number;
  scalesByVerification: Record<string, number>;
}

export interface Market {
  id: number;
  districtId: number;
  districtName: string;
  cityId: number;
  name: string;
  address: string;
  managingOrg: string;
  contactName: string;
  contactPhone: string;
  merchantCount: number;
  scaleCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface Stall {
  id: number;
  marketId: number;
  number: string;
  areaM2: number | null;
  trade: string;
  merchantName: string | null;
}

export interface Merchant {
  id: number;
  uscc: string | null;
  hasUscc: boolean;
  name: string;
  legalRep: string;
  entityType: string;
  address: string;
  categories: string[];
  licenceNumbers: string[];
  districtId: number;
  districtName: string;
  cityId: number;
  marketId: number | null;
  marketName: string | null;
  stallId: number | null;
  stallNumber: string | null;
  status: string;
  createdAt: string;
  updatedAt: string;
}

export type VerificationStatus = 'valid' | 'expiring' | 'expired' | 'failed' | 'unverified';

export interface Scale {
  id: number;
  serialNo: string;
  manufacturer: string;
  model: string;
  maxCapacityG: number;
  divisionG: number;
  accuracyClass: string;
  typeApprovalNo: string;
  isIot: boolean;
  districtId: number;
  districtName: string;
  cityId: number;
  merchantId: number | null;
  merchantName: string | null;
  marketId: number | null;
  marketName: string | null;
  stallId: number | null;
  stallNumber: string | null;
  verification: { status: VerificationStatus; validUntil: string | null; daysLeft: number | null; certificateNo: string | null };
  createdAt: string;
  updatedAt: string;
}

export interface Assignment {
  id: number;
  merchantId: number | null;
  merchantName: string | null;
  stallId: number | null;
  stallNumber: string | null;
  marketName: string | null;
  fromAt: string;
  toAt: string | null;
}

export interface VerificationRecord {
  id: number;
  scaleId: number;
  certificateNo: string;
  institution: string;
  verifiedOn: string;
  result: 'pass' | 'fail';
  validUntil: string | null;
  recordedBy: number | null;
  createdAt: string;
}

export interface Camera {
  id: number;
  merchantId: number;
  merchantName: string;
  districtId: number;
  marketId: number | null;
  keyPoint: string;
  streamUrl: string;
  retentionDays: number;
  meetsRetention: boolean;
  createdAt: string;
  updatedAt: string;
}

export type ImportKind = 'markets' | 'merchants' | 'scales';

/** The import contract agreed with the server side (POST /api/imports, GET /api/imports/:id). */
export interface ImportJob {
  id: string;
  kind: ImportKind;
  mode: 'dry_run' | 'commit';
  skipInvalid: boolean;
  fileName: string;
  status: 'running' | 'done' | 'failed';
  phase: 'reading' | 'validating' | 'writing' | 'done';
  rowsRead: number;
  rowsTotal: number | null;
  validRows: number;
  invalidRows: number;
  importedRows: number;
  outcome: 'dry_run' | 'imported' | 'rejected' | null;
  problems: { row: number; column: string; value: string; reason: string }[];
  problemCount: number;
  error: { code: string; message: string } | null;
  startedAt: string;
  finishedAt: string | null;
}

/** IoT ingest (src/modules/ingest/ingest.routes.ts). `deviceId` is the scale's id in the scale protocol (its MQTT username, its HTTP path). */
export interface DeviceStatus {
  scaleId: number;
  deviceId: string;
  hasCredentials: boolean;
  issuedAt: string | null;
  revokedAt: string | null;
  lastSeenAt: string | null;
  lastSeq: number;
  isOnline: boolean;
  statusChangedAt: string | null;
  /** Platform receipt time minus the scale's clock (positive: the scale is behind). */
  clockDriftMs: number | null;
  lastTransport: string | null;
}

export interface DeviceListItem extends DeviceStatus {
  serialNo: string;
  merchantId: number | null;
  marketId: number | null;
  districtId: number;
}

/** POST /api/scales/:id/device-credentials: the secret is in this answer only. */
export interface IssuedCredentials {
  scaleId: number;
  deviceId: string;
  secret: string;
  issuedAt: string;
}

export type SaleFlag = 'over_cap' | 'arithmetic_mismatch' | 'unmapped_product' | 'expired_verification';

/** A weighed sale. Money in integer fen, weight in grams; `at` is the scale's own time. */
export interface Sale {
  scaleId: number;
  seq: number;
  at: string;
  receivedAt: string;
  merchantId: number | null;
  marketId: number | null;
  districtId: number;
  plu: string;
  name: string;
  weightG: number;
  tareG: number;
  unitPriceFenPerKg: number;
  totalFen: number;
  receiptNo: string | null;
  productId: number | null;
  capFenPerKg: number | null;
  isOverCap: boolean;
  flags: string[];
}

export interface Rejection {
  id: number;
  receivedAt: string;
  seq: number | null;
  transport: string;
  channel: string;
  reason: string;
  raw: string;
}

export interface CalibrationOrder {
  id: number;
  scaleId: number;
  validFrom: string;
  validUntil: string;
  calibrator: string | null;
  reason: string;
  issuedBy: number | null;
  issuedAt: string;
}

/** A subject's current signed QR code (src/modules/codes/codes.routes.ts); issued on first request. */
export interface IssuedCode {
  kind: 'merchant' | 'scale' | 'market' | 'prices';
  subjectId: number;
  /** 1 for the first code; each reissue adds one and revokes the one before. */
  serial: number;
  kid: string;
  token: string;
  /** What the QR code holds: the scan address. */
  url: string;
  /** Printed under the QR code so a consumer can compare it with the scan page (核对码). */
  checkCode: string;
  issuedOn: string;
  issuedAt: string;
}

export type Light = 'none' | 'green' | 'yellow' | 'red';

/** A red or yellow scale as GET /api/ratings/inspection ranks them (strongest evidence first). */
export interface RankedScale {
  scaleId: number;
  serialNo: string;
  light: 'red' | 'yellow';
  lightLabel: { zh: string; en: string };
  ratings: number;
  inaccurate: number;
  /** "中文 (English)", most decisive first. */
  reasons: string[];
  districtId: number;
  marketId: number | null;
  marketName: string | null;
  merchantId: number | null;
  merchantName: string | null;
  stallNumber: string | null;
  updatedAt: string;
}

/** One consumer rating of a scale (comment already screened and masked by the server). */
export interface ScaleRating {
  id: number;
  at: string;
  accurate: boolean;
  stars: number;
  comment: string | null;
  fairWeightG: number | null;
  receiptWeightG: number | null;
  isSuspect: boolean;
}

/** The light's evidence as the server stores it (src/modules/feedback/rating.rules.ts LightEvidence, plus reasons); null before any rating. */
export interface LightEvidence {
  ratings?: number;
  recentInaccurate?: number;
  distinctSources?: number;
  distinctInaccurateSources?: number;
  posteriorMean?: number;
  credibleLower?: number;
  meanStars?: number | null;
  reasons?: string[];
}

/** GET /api/scales/:id/ratings: newest first, at most 100. */
export interface ScaleRatings {
  scaleId: number;
  light: Light;
  evidence: LightEvidence | null;
  ratings: ScaleRating[];
}

export type CreditEventStatus = 'proposed' | 'confirmed' | 'objected' | 'withdrawn' | 'repaired';
export type RiskClass = 'A' | 'B' | 'C' | 'D';
type Bilingual = { zh: string; en: string };

/** A credit event as the API shows it (src/modules/credit/credit.routes.ts EventOut). */
export interface CreditEvent {
  id: number;
  merchantId: number;
  itemCode: string;
  title: Bilingual | null;
  /** Positive: bonus (加分); negative: deduction (扣分). */
  points: number;
  occurredAt: string;
  source: string;
  status: CreditEventStatus;
  evidence: string;
  reply: string | null;
  objection: string | null;
  repairOutcome: 'granted' | 'refused' | null;
}

/** GET /api/merchants/:id/credit and GET /api/me/credit: the score and exactly how it came about. */
export interface CreditRecord {
  merchantId: number;
  score: number;
  stars: number;
  rulebookVersion: number;
  riskClass: RiskClass | null;
  underObjection: number;
  explanation: Bilingual[];
  counted: { eventId: number; itemCode: string; points: number; title: Bilingual; occurredOn: string; expiresOn: string; underObjection: boolean }[];
  notCounted: { eventId: number; itemCode: string; reason: string }[];
  events: CreditEvent[];
  /** The pledge in force; null when none is signed (or it was withdrawn or broken). */
  pledge: { signedBy: string; signedOn: string; text: Bilingual } | null;
  history: { at: string; score: number; stars: number; cause: string }[];
}

/** GET /api/credit/pending: what awaits an inspector's decision. */
export interface PendingCreditEvent {
  id: number;
  merchantId: number;
  merchantName: string;
  itemCode: string;
  points: number;
  status: CreditEventStatus;
  occurredAt: string;
  source: string;
  evidence: string;
  objection: string | null;
  repairPending: boolean;
  repairCommitment: string | null;
}

export interface RulebookItem {
  code: string;
  category: string;
  title: Bilingual;
  points: number;
  evidenceRequired: Bilingual;
  validForDays: number;
  maxPerPeriod?: number | null;
}

/** GET /api/cities/:id/rulebook: the rulebook in force (信用评价标准及评分细则); the fields the app reads. */
export interface RulebookInForce {
  id: number;
  version: number;
  rulebook: {
    version: string;
    title: Bilingual;
    categories: { code: string; title: Bilingual }[];
    items: RulebookItem[];
    starThresholds: { minScore: number; stars: number }[];
    pledgeText: Bilingual;
    objectionWindowDays: number;
    /** How long each penalty type is public (months; null: not published). */
    disclosure?: Record<string, { months: number | null; earliestWithdrawalMonths: number | null }>;
  };
}

// ---------------------------------------------------------------- complaints (src/modules/feedback/complaint.routes.ts)

export type ComplaintStatus = 'received' | 'accepted' | 'refused' | 'mediating' | 'closed';
export type ComplaintStepCode = 'acceptance' | 'mediation' | 'termination_notice';
export type ComplaintStepState = 'not_started' | 'running' | 'paused' | 'done' | 'not_applicable';
export type MediationOutcome = 'agreement' | 'terminated';
export type MessageAuthor = 'consumer' | 'merchant' | 'office';

/** One statutory clock, counted in working days of the Chinese calendar; dates are China dates. */
export interface ComplaintStepClock {
  step: ComplaintStepCode;
  title: Bilingual;
  state: ComplaintStepState;
  startsOn: string | null;
  deadline: string | null;
  doneOn: string | null;
  /** Running and not late: working days after today up to the deadline; 0 means due today. */
  workingDaysLeft: number | null;
  dueToday: boolean;
  /** Running past its deadline, or done after it. */
  overdue: boolean;
  /** Calendar days (not working days) past the deadline; 0 when not late. */
  daysOverdue: number;
}

export interface ComplaintClock {
  today: string;
  /** The step the office has to act on now, if any. */
  due: ComplaintStepClock | null;
  /** The step due now is past its deadline. */
  isOverdue: boolean;
  /** Steps late now or done late. */
  overdueSteps: ComplaintStepCode[];
  /** A deadline was counted through a year whose holiday calendar is not loaded (weekends only). */
  provisional: boolean;
  /** Always the three steps, in order. */
  steps: ComplaintStepClock[];
}

/** GET /api/complaints items (staff) and GET /api/me/complaints items (the merchant: no creditEventId, the name masked too). */
export interface Complaint {
  id: number;
  reference: string;
  merchantId: number;
  merchantName: string;
  scaleId: number | null;
  scaleSerialNo: string | null;
  districtId: number;
  marketId: number | null;
  consumerName: string;
  /** Always masked by the server, e.g. 138****5678. */
  consumerPhone: string;
  content: string;
  receivedAt: string;
  receivedOn: string;
  status: ComplaintStatus;
  statusLabel: Bilingual;
  acceptedOn: string | null;
  refusedOn: string | null;
  refusalReason: string | null;
  mediationEndedOn: string | null;
  mediationOutcome: MediationOutcome | null;
  outcomeNote: string | null;
  terminationNotifiedOn: string | null;
  upheld: boolean | null;
  clock: ComplaintClock;
  creditEventId?: number | null;
}

/** The sale attached by its receipt; only scaleId and seq when the sale itself is no longer kept. */
export interface ComplaintSale {
  scaleId: number;
  seq: number;
  at: string | null;
  product: string | null;
  weightG: number | null;
  unitPriceFenPerKg: number | null;
  totalFen: number | null;
  receiptNo: string | null;
  isOverCap: boolean | null;
}

export interface ComplaintMessage {
  id: number;
  at: string;
  author: MessageAuthor;
  body: string;
}

export type PauseKind = 'verification' | 'inspection' | 'testing' | 'appraisal';

/** A pause of the mediation clock for 检定、检验、检测、鉴定; both dates count as paused. */
export interface ComplaintPause {
  /** Staff only. */
  id?: number;
  kind: PauseKind;
  kindLabel: Bilingual;
  reason: string;
  startedOn: string;
  /** Null while under way. */
  endedOn: string | null;
  isUnderWay: boolean;
  /** Working days not counted, both ends included; one under way counts through today. */
  workingDays: number;
  /** Staff only. */
  startedByName?: string | null;
  endedByName?: string | null;
}

/** GET /api/complaints/:id and GET /api/me/complaints/:id. */
export interface ComplaintDetail extends Complaint {
  sale: ComplaintSale | null;
  messages: ComplaintMessage[];
  /** Oldest first. */
  pauses: ComplaintPause[];
}

// ---------------------------------------------------------------- penalties (src/modules/enforcement/penalty.routes.ts)

/** An administrative penalty decision (行政处罚) and where it stands in its disclosure period today. */
export interface Penalty {
  id: number;
  merchantId: number;
  merchantName: string;
  districtId: number;
  marketId: number | null;
  decisionNo: string;
  violation: string;
  legalBasis: string;
  penaltyType: string;
  penaltyTypeLabel: Bilingual;
  penaltyText: string;
  authority: string;
  decidedOn: string;
  simpleProcedure: boolean;
  restrictionEndsOn: string | null;
  recordedBy: number | null;
  recordedAt: string;
  repairedOn: string | null;
  creditEventId: number | null;
  disclosure: {
    /** Published at all (not a warning alone, not the simple procedure). */
    published: boolean;
    /** On the public merchant page today. */
    isPublic: boolean;
    publicFrom: string | null;
    publicUntil: string | null;
    withdrawnEarly: boolean;
    basis: Bilingual;
  };
}
