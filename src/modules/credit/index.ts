export { createCreditService, toRuleEvent, type CreditService, type RecordEventInput } from './credit.service.js';
export { registerCreditRoutes } from './credit.routes.js';
export { DEFAULT_RULEBOOK } from './credit.rulebook.default.js';
export * from './credit.rules.js';
export type { CreditTables } from './credit.table.js';
