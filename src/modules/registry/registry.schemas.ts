import { Type } from 'typebox';
import { Nullable, PageQuery } from '../../http/schemas.js';
import { ACCURACY_CLASSES, BUSINESS_CATEGORY_KEYS, CAMERA_KEY_POINTS, ENTITY_TYPES, MERCHANT_STATUSES, VERIFICATION_STATUSES } from './registry.rules.js';

const lit = <T extends readonly string[]>(xs: T) => Type.Union(xs.map((x) => Type.Literal(x)));
const Str = (max: number) => Type.String({ maxLength: max });
const Date_ = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });

export const Jurisdiction = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  nameEn: Type.String(),
  districts: Type.Array(Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String(), nameEn: Type.String(), withinReach: Type.Boolean() })),
  offices: Type.Array(
    Type.Object({ id: Type.Integer(), name: Type.String(), nameEn: Type.String(), address: Type.String(), phone: Type.String(), districtIds: Type.Array(Type.Integer()) }),
  ),
});
export const CityInput = Type.Object({ code: Str(6), name: Str(100), nameEn: Type.Optional(Str(100)) }, { additionalProperties: false });
export const OfficeInput = Type.Object(
  { cityId: Type.Integer(), name: Str(100), nameEn: Type.Optional(Str(100)), address: Type.Optional(Str(200)), phone: Type.Optional(Str(40)), districtIds: Type.Array(Type.Integer(), { maxItems: 100 }) },
  { additionalProperties: false },
);

export const Market = Type.Object({
  id: Type.Integer(),
  districtId: Type.Integer(),
  districtName: Type.String(),
  cityId: Type.Integer(),
  name: Type.String(),
  address: Type.String(),
  managingOrg: Type.String(),
  contactName: Type.String(),
  contactPhone: Type.String(),
  merchantCount: Type.Integer(),
  scaleCount: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const marketFields = {
  districtId: Type.Integer({ minimum: 1 }),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  address: Type.Optional(Str(200)),
  managingOrg: Type.Optional(Str(200)),
  contactName: Type.Optional(Str(50)),
  contactPhone: Type.Optional(Str(40)),
};
export const MarketInput = Type.Object(marketFields, { additionalProperties: false });
export const MarketPatch = Type.Partial(MarketInput, { additionalProperties: false });
export const MarketQuery = Type.Object({ ...PageQuery, districtId: Type.Optional(Type.Integer()) });

export const Stall = Type.Object({ id: Type.Integer(), marketId: Type.Integer(), number: Type.String(), areaM2: Nullable(Type.Number()), trade: Type.String(), merchantName: Nullable(Type.String()) });
export const StallInput = Type.Object({ number: Type.String({ minLength: 1, maxLength: 20 }), areaM2: Type.Optional(Nullable(Type.Number({ exclusiveMinimum: 0, maximum: 100000 }))), trade: Str(50) }, { additionalProperties: false });
export const StallPatch = Type.Partial(StallInput, { additionalProperties: false });

export const Merchant = Type.Object({
  id: Type.Integer(),
  uscc: Nullable(Type.String()),
  hasUscc: Type.Boolean(),
  name: Type.String(),
  legalRep: Type.String(),
  entityType: Type.String(),
  address: Type.String(),
  categories: Type.Array(Type.String()),
  licenceNumbers: Type.Array(Type.String()),
  districtId: Type.Integer(),
  districtName: Type.String(),
  cityId: Type.Integer(),
  marketId: Nullable(Type.Integer()),
  marketName: Nullable(Type.String()),
  stallId: Nullable(Type.Integer()),
  stallNumber: Nullable(Type.String()),
  status: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const merchantFields = {
  uscc: Type.Optional(Nullable(Str(30))),
  hasUscc: Type.Optional(Type.Boolean({ description: 'false for an individual business (个体工商户) without a USCC' })),
  name: Str(200),
  legalRep: Str(50),
  entityType: lit(ENTITY_TYPES),
  address: Type.Optional(Str(200)),
  categories: Type.Optional(Type.Array(lit(BUSINESS_CATEGORY_KEYS), { maxItems: 20 })),
  licenceNumbers: Type.Optional(Type.Array(Str(60), { maxItems: 20 })),
  districtId: Type.Optional(Nullable(Type.Integer())),
  marketId: Type.Optional(Nullable(Type.Integer())),
  stallId: Type.Optional(Nullable(Type.Integer())),
  status: Type.Optional(lit(MERCHANT_STATUSES)),
};
export const MerchantInput = Type.Object(merchantFields, { additionalProperties: false });
export const MerchantPatch = Type.Partial(MerchantInput, { additionalProperties: false });
export const MerchantQuery = Type.Object({
  ...PageQuery,
  districtId: Type.Optional(Type.Integer()),
  marketId: Type.Optional(Type.Integer()),
  status: Type.Optional(lit(MERCHANT_STATUSES)),
  category: Type.Optional(lit(BUSINESS_CATEGORY_KEYS)),
});

export const VerificationState = Type.Object({
  status: lit(VERIFICATION_STATUSES),
  validUntil: Nullable(Type.String()),
  daysLeft: Nullable(Type.Integer()),
  certificateNo: Nullable(Type.String()),
});
export const Scale = Type.Object({
  id: Type.Integer(),
  serialNo: Type.String(),
  manufacturer: Type.String(),
  model: Type.String(),
  maxCapacityG: Type.Integer(),
  divisionG: Type.Integer(),
  accuracyClass: Type.String(),
  typeApprovalNo: Type.String(),
  isIot: Type.Boolean(),
  districtId: Type.Integer(),
  districtName: Type.String(),
  cityId: Type.Integer(),
  merchantId: Nullable(Type.Integer()),
  merchantName: Nullable(Type.String()),
  marketId: Nullable(Type.Integer()),
  marketName: Nullable(Type.String()),
  stallId: Nullable(Type.Integer()),
  stallNumber: Nullable(Type.String()),
  verification: VerificationState,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const scaleFields = {
  serialNo: Str(64),
  manufacturer: Str(100),
  model: Str(100),
  maxCapacityG: Type.Integer({ description: 'maximum capacity, grams' }),
  divisionG: Type.Integer({ description: 'verification division e, grams' }),
  accuracyClass: lit(ACCURACY_CLASSES),
  typeApprovalNo: Type.Optional(Str(60)),
  isIot: Type.Optional(Type.Boolean()),
  districtId: Type.Optional(Nullable(Type.Integer())),
  merchantId: Type.Optional(Nullable(Type.Integer())),
  stallId: Type.Optional(Nullable(Type.Integer())),
};
export const ScaleInput = Type.Object(scaleFields, { additionalProperties: false });
const { merchantId: _m, stallId: _s, ...scalePatchFields } = scaleFields;
export const ScalePatch = Type.Partial(Type.Object(scalePatchFields), { additionalProperties: false });
export const ScaleQuery = Type.Object({
  ...PageQuery,
  districtId: Type.Optional(Type.Integer()),
  marketId: Type.Optional(Type.Integer()),
  merchantId: Type.Optional(Type.Integer()),
  verification: Type.Optional(lit(VERIFICATION_STATUSES)),
  isIot: Type.Optional(Type.Boolean()),
});
export const AssignInput = Type.Object({ merchantId: Nullable(Type.Integer()), stallId: Type.Optional(Nullable(Type.Integer())) }, { additionalProperties: false });
export const Assignment = Type.Object({
  id: Type.Integer(),
  merchantId: Nullable(Type.Integer()),
  merchantName: Nullable(Type.String()),
  stallId: Nullable(Type.Integer()),
  stallNumber: Nullable(Type.String()),
  marketName: Nullable(Type.String()),
  fromAt: Type.String(),
  toAt: Nullable(Type.String()),
});
export const Verification = Type.Object({
  id: Type.Integer(),
  scaleId: Type.Integer(),
  certificateNo: Type.String(),
  institution: Type.String(),
  verifiedOn: Type.String(),
  result: lit(['pass', 'fail'] as const),
  validUntil: Nullable(Type.String()),
  recordedBy: Nullable(Type.Integer()),
  createdAt: Type.String(),
});
export const VerificationInput = Type.Object(
  { certificateNo: Str(60), institution: Type.Optional(Str(100)), verifiedOn: Date_, result: lit(['pass', 'fail'] as const), validUntil: Type.Optional(Nullable(Date_)) },
  { additionalProperties: false },
);

export const Camera = Type.Object({
  id: Type.Integer(),
  merchantId: Type.Integer(),
  merchantName: Type.String(),
  districtId: Type.Integer(),
  marketId: Nullable(Type.Integer()),
  keyPoint: Type.String(),
  streamUrl: Type.String(),
  retentionDays: Type.Integer(),
  meetsRetention: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export const CameraInput = Type.Object(
  { merchantId: Type.Integer(), keyPoint: lit(CAMERA_KEY_POINTS), streamUrl: Str(500), retentionDays: Type.Integer({ minimum: 0, maximum: 3650 }) },
  { additionalProperties: false },
);
export const CameraPatch = Type.Partial(Type.Object({ keyPoint: lit(CAMERA_KEY_POINTS), streamUrl: Str(500), retentionDays: Type.Integer({ minimum: 0, maximum: 3650 }) }), { additionalProperties: false });
export const CameraQuery = Type.Object({ page: PageQuery.page, pageSize: PageQuery.pageSize, merchantId: Type.Optional(Type.Integer()), marketId: Type.Optional(Type.Integer()) });

export const Summary = Type.Object({ markets: Type.Integer(), merchants: Type.Integer(), scales: Type.Integer(), scalesByVerification: Type.Record(Type.String(), Type.Integer()) });
