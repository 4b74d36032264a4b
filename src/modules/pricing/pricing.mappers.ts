import type { ItemRow, PluRow, PriceListRow, ProductRow } from './pricing.repository.js';
import { perHalfKgFen } from './pricing.rules.js';
import type { Snapshot, SnapshotList } from './pricing.snapshot.js';

// Row types stay in the repository; these are the API's shapes.

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export const toProduct = (r: ProductRow) => ({
  id: r.id,
  cityId: r.city_id,
  code: r.code,
  name: r.name,
  nameEn: r.name_en,
  category: r.category,
  spec: r.spec,
  unit: r.unit,
  aliases: r.aliases,
  active: r.active,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});
export type Product = ReturnType<typeof toProduct>;

export const toPriceList = (r: PriceListRow & { item_count?: number | null }, inForceNow: boolean) => ({
  id: r.id,
  cityId: r.city_id,
  version: r.version,
  title: r.title,
  issuer: r.issuer,
  effectiveFrom: iso(r.effective_from)!,
  effectiveTo: iso(r.effective_to),
  status: r.status,
  publishedAt: iso(r.published_at),
  publishedBy: r.published_by,
  supersedesId: r.supersedes_id,
  note: r.note,
  itemCount: r.item_count ?? 0,
  inForceNow,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});
export type PriceList = ReturnType<typeof toPriceList>;

export const toItem = (r: ItemRow) => ({
  productId: r.product_id,
  productCode: r.product_code,
  name: r.name,
  nameEn: r.name_en,
  spec: r.spec,
  category: r.category,
  capFenPerKg: r.cap_fen_per_kg,
  capFenPerHalfKg: perHalfKgFen(r.cap_fen_per_kg),
});
export type PriceListItem = ReturnType<typeof toItem>;

/** A list as the snapshot holds it (what judge() uses), for the in-force view and the public page. */
export const toInForceList = (l: SnapshotList, snap: Snapshot) => ({
  id: l.id,
  version: l.version,
  title: l.title,
  issuer: l.issuer,
  effectiveFrom: l.effectiveFrom.toISOString(),
  effectiveTo: iso(l.effectiveTo),
  publishedAt: l.publishedAt.toISOString(),
  supersedesId: l.supersedesId,
  note: l.note,
  items: l.items.map((i) => ({
    productId: i.productId,
    productCode: snap.product(i.productId)?.code ?? '',
    name: i.name,
    nameEn: i.nameEn,
    spec: i.spec,
    category: i.category,
    capFenPerKg: i.capFenPerKg,
    capFenPerHalfKg: perHalfKgFen(i.capFenPerKg),
  })),
});
export type InForceList = ReturnType<typeof toInForceList>;

export const toPlu = (merchantId: number, r: PluRow, capFenPerKg: number | null) => ({
  merchantId,
  plu: r.plu,
  productId: r.product_id,
  productCode: r.code,
  productName: r.name,
  spec: r.spec,
  category: r.category,
  active: r.active,
  capFenPerKg,
  updatedAt: r.updated_at.toISOString(),
});
export type PluMapping = ReturnType<typeof toPlu>;
