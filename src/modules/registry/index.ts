export { createRegistryService, type RegistryService, type MarketInput, type MerchantInput, type ScaleInput, type StallInput, type VerificationInput, type CameraInput } from './registry.service.js';
export type { Market, Merchant, Scale, Stall, Camera, VerificationRecord } from './registry.mappers.js';
export * from './registry.rules.js';
export { registerRegistryRoutes } from './registry.routes.js';
export * from './registry.bulk.js';
