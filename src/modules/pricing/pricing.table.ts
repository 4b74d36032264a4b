import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type WithDefault<T> = ColumnType<T, T | undefined, T>;

export interface ProductTable {
  id: Generated<number>;
  city_id: number;
  code: string;
  name: string;
  name_en: WithDefault<string>;
  category: string;
  spec: WithDefault<string>;
  unit: WithDefault<string>;
  aliases: WithDefault<string[]>;
  active: WithDefault<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
  created_by: number | null;
  updated_by: number | null;
}

export interface PriceListTable {
  id: Generated<number>;
  city_id: number;
  version: number | null;
  title: string;
  issuer: WithDefault<string>;
  effective_from: ColumnType<Date, Date | string, Date | string>;
  effective_to: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  status: WithDefault<'draft' | 'published'>;
  published_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  published_by: number | null;
  supersedes_id: number | null;
  note: WithDefault<string>;
  created_at: Timestamp;
  created_by: number | null;
  updated_at: Timestamp;
}

export interface PriceListItemTable {
  price_list_id: number;
  product_id: number;
  cap_fen_per_kg: number;
  name: string;
  name_en: WithDefault<string>;
  spec: WithDefault<string>;
  category: string;
}

export interface MerchantPluTable {
  merchant_id: number;
  plu: string;
  product_id: number;
  updated_at: Timestamp;
  updated_by: number | null;
}

export interface PricingRevisionTable {
  id: number;
  revision: number;
}

/** The tables the pricing module owns. */
export interface PricingTables {
  product: ProductTable;
  price_list: PriceListTable;
  price_list_item: PriceListItemTable;
  merchant_plu: MerchantPluTable;
  pricing_revision: PricingRevisionTable;
}
