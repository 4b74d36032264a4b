import type { MarketView, MerchantView, ScaleView, CameraView } from './registry.repository.js';
import type { StallRow, VerificationRecordRow } from '../../db/database.js';
import { verificationState, type VerificationState } from './registry.rules.js';

// Row types stay in the repository; these are the API's shapes.

export const toMarket = (r: NonNullable<MarketView>) => ({
  id: r.id,
  districtId: r.district_id,
  districtName: r.district_name,
  cityId: r.city_id,
  name: r.name,
  address: r.address,
  managingOrg: r.managing_org,
  contactName: r.contact_name,
  contactPhone: r.contact_phone,
  merchantCount: r.merchant_count ?? 0,
  scaleCount: r.scale_count ?? 0,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});
export type Market = ReturnType<typeof toMarket>;

export const toStall = (r: StallRow & { merchant_name?: string | null }) => ({
  id: r.id,
  marketId: r.market_id,
  number: r.number,
  areaM2: r.area_m2 === null ? null : Number(r.area_m2),
  trade: r.trade,
  merchantName: r.merchant_name ?? null,
});
export type Stall = ReturnType<typeof toStall>;

export const toMerchant = (r: MerchantView) => ({
  id: r.id,
  uscc: r.uscc,
  hasUscc: r.has_uscc,
  name: r.name,
  legalRep: r.legal_rep,
  entityType: r.entity_type,
  address: r.address,
  categories: r.categories,
  licenceNumbers: r.licence_numbers,
  districtId: r.district_id,
  districtName: r.district_name,
  cityId: r.city_id,
  marketId: r.market_id,
  marketName: r.market_name,
  stallId: r.stall_id,
  stallNumber: r.stall_number,
  status: r.status,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});
export type Merchant = ReturnType<typeof toMerchant>;

export const scaleVerification = (r: ScaleView, today: string): VerificationState =>
  verificationState(r.v_result ? [{ verifiedOn: r.v_verified_on!, result: r.v_result as 'pass' | 'fail', validUntil: r.v_valid_until }] : [], today);

export const toScale = (r: ScaleView, today: string) => ({
  id: r.id,
  serialNo: r.serial_no,
  manufacturer: r.manufacturer,
  model: r.model,
  maxCapacityG: r.max_capacity_g,
  divisionG: r.division_g,
  accuracyClass: r.accuracy_class,
  typeApprovalNo: r.type_approval_no,
  isIot: r.is_iot,
  districtId: r.district_id,
  districtName: r.district_name,
  cityId: r.city_id,
  merchantId: r.merchant_id,
  merchantName: r.merchant_name,
  marketId: r.market_id,
  marketName: r.market_name,
  stallId: r.stall_id,
  stallNumber: r.stall_number,
  verification: { ...scaleVerification(r, today), certificateNo: r.v_certificate_no ?? null },
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});
export type Scale = ReturnType<typeof toScale>;

export const toVerification = (r: VerificationRecordRow) => ({
  id: r.id,
  scaleId: r.scale_id,
  certificateNo: r.certificate_no,
  institution: r.institution,
  verifiedOn: r.verified_on,
  result: r.result,
  validUntil: r.valid_until,
  recordedBy: r.recorded_by,
  createdAt: r.created_at.toISOString(),
});
export type VerificationRecord = ReturnType<typeof toVerification>;

export const toCamera = (r: CameraView) => ({
  id: r.id,
  merchantId: r.merchant_id,
  merchantName: r.merchant_name,
  districtId: r.district_id,
  marketId: r.market_id,
  keyPoint: r.key_point,
  streamUrl: r.stream_url,
  retentionDays: r.retention_days,
  meetsRetention: r.retention_days >= 30,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});
export type Camera = ReturnType<typeof toCamera>;
