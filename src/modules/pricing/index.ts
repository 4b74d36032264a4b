export { createPricingService, type PricingService, type PricingOptions, type ProductInput, type PriceListInput, type ItemInput, type PluInput } from './pricing.service.js';
export type { SaleInput, SaleJudgement } from './pricing.snapshot.js';
export type { Product, PriceList, PriceListItem, PluMapping, InForceList } from './pricing.mappers.js';
export { PRODUCT_CATEGORIES, perHalfKgFen, formatYuan, type ProductCategory } from './pricing.rules.js';
export { registerPricingRoutes, registerPricingPage } from './pricing.routes.js';
export { renderPricePage } from './pricing.page.js';
export { loadPricingDemo, DEMO_CATALOGUE, DEMO_UNMAPPED_PLU, type DemoProduct } from './pricing.demo.js';
