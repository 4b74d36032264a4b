import { Type } from 'typebox';
import { Nullable, PageQuery } from '../../http/schemas.js';
import { MAX_CAP_FEN_PER_KG, PRODUCT_CATEGORY_KEYS } from './pricing.rules.js';

const lit = <T extends readonly string[]>(xs: T) => Type.Union(xs.map((x) => Type.Literal(x)));
const Str = (max: number) => Type.String({ maxLength: max });
// RFC 3339 with an offset, as the scale protocol writes times.
const Time = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?([Zz]|[+-]\\d{2}:\\d{2})$', description: 'RFC 3339 time with offset, e.g. 2026-06-01T00:00:00+08:00' });

export const Product = Type.Object({
  id: Type.Integer(),
  cityId: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  nameEn: Type.String(),
  category: Type.String(),
  spec: Type.String(),
  unit: Type.String(),
  aliases: Type.Array(Type.String()),
  active: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const productFields = {
  code: Type.String({ minLength: 1, maxLength: 32, description: "the price centre's catalogue code, e.g. SY-SF-001" }),
  name: Type.String({ minLength: 1, maxLength: 60 }),
  nameEn: Type.Optional(Str(100)),
  category: lit(PRODUCT_CATEGORY_KEYS),
  spec: Type.Optional(Type.String({ maxLength: 60, description: 'size grade or specification, e.g. 活，500g以上' })),
  aliases: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 20, description: 'other names a receipt may print' })),
  active: Type.Optional(Type.Boolean()),
};
export const ProductInput = Type.Object({ cityId: Type.Optional(Type.Integer({ minimum: 1, description: "defaults to your city" })), ...productFields }, { additionalProperties: false });
export const ProductPatch = Type.Partial(Type.Object(productFields), { additionalProperties: false });
export const ProductQuery = Type.Object({ ...PageQuery, cityId: Type.Optional(Type.Integer()), category: Type.Optional(lit(PRODUCT_CATEGORY_KEYS)), active: Type.Optional(Type.Boolean()) });

export const Item = Type.Object({
  productId: Type.Integer(),
  productCode: Type.String(),
  name: Type.String(),
  nameEn: Type.String(),
  spec: Type.String(),
  category: Type.String(),
  capFenPerKg: Type.Integer(),
  capFenPerHalfKg: Type.Integer({ description: 'per 500 g (斤), rounded half up to the fen: for display' }),
});
export const ItemInput = Type.Object({ productId: Type.Integer({ minimum: 1 }), capFenPerKg: Type.Integer({ minimum: 1, maximum: MAX_CAP_FEN_PER_KG }) }, { additionalProperties: false });
export const ItemsInput = Type.Object({ items: Type.Array(ItemInput, { maxItems: 1000 }) }, { additionalProperties: false });

const listFields = {
  id: Type.Integer(),
  cityId: Type.Integer(),
  version: Nullable(Type.Integer({ description: 'numbered at publication; null for a draft' })),
  title: Type.String(),
  issuer: Type.String(),
  effectiveFrom: Type.String(),
  effectiveTo: Nullable(Type.String()),
  status: lit(['draft', 'published'] as const),
  publishedAt: Nullable(Type.String()),
  publishedBy: Nullable(Type.Integer()),
  supersedesId: Nullable(Type.Integer()),
  note: Type.String(),
  itemCount: Type.Integer(),
  inForceNow: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
};
export const PriceList = Type.Object(listFields);
export const PriceListDetail = Type.Object({ ...listFields, items: Type.Array(Item) });
const headerFields = {
  title: Type.String({ minLength: 1, maxLength: 100 }),
  issuer: Type.Optional(Type.String({ maxLength: 100, description: 'the publishing body; defaults to your organisation' })),
  effectiveFrom: Time,
  effectiveTo: Type.Optional(Nullable(Time)),
  note: Type.Optional(Str(500)),
};
export const PriceListInput = Type.Object({ cityId: Type.Optional(Type.Integer({ minimum: 1 })), ...headerFields, items: Type.Optional(Type.Array(ItemInput, { maxItems: 1000 })) }, { additionalProperties: false });
export const PriceListPatch = Type.Partial(Type.Object(headerFields), { additionalProperties: false });
export const PriceListQuery = Type.Object({ page: PageQuery.page, pageSize: PageQuery.pageSize, cityId: Type.Optional(Type.Integer()), status: Type.Optional(lit(['draft', 'published'] as const)) });
export const CorrectInput = Type.Object(
  { effectiveFrom: Type.Optional(Time), title: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), note: Type.Optional(Str(500)) },
  { additionalProperties: false },
);

export const InForce = Type.Object({
  cityId: Type.Integer(),
  cityCode: Type.String(),
  cityName: Type.String(),
  at: Type.String(),
  list: Nullable(
    Type.Object({
      id: Type.Integer(),
      version: Type.Integer(),
      title: Type.String(),
      issuer: Type.String(),
      effectiveFrom: Type.String(),
      effectiveTo: Nullable(Type.String()),
      publishedAt: Type.String(),
      supersedesId: Nullable(Type.Integer()),
      note: Type.String(),
      items: Type.Array(Item),
    }),
  ),
});
export const InForceQuery = Type.Object({ cityId: Type.Optional(Type.Integer({ minimum: 1 })), at: Type.Optional(Time) });

export const PluMapping = Type.Object({
  merchantId: Type.Integer(),
  plu: Type.String(),
  productId: Type.Integer(),
  productCode: Type.String(),
  productName: Type.String(),
  spec: Type.String(),
  category: Type.String(),
  active: Type.Boolean(),
  capFenPerKg: Nullable(Type.Integer({ description: 'the cap in force now; null when the product is not on the list in force' })),
  updatedAt: Type.String(),
});
export const PluInput = Type.Object({ plu: Type.String({ minLength: 1, maxLength: 32, description: "the scale's product key, exactly as it sends it" }), productId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
export const PluParams = Type.Object({ id: Type.Integer({ minimum: 1 }), plu: Type.String({ minLength: 1, maxLength: 32 }) });

// The public page answers anything with a page of its own, never a JSON error: so no limits here.
export const PageParams = Type.Object({ cityCode: Type.String() });
export const PageQueryLang = Type.Object({ lang: Type.Optional(Type.String()) });
