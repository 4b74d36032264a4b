export { appendAuditEntries, searchAuditEntries, type AuditWrite } from './audit.repository.js';
export { verifyAuditChain, type AuditVerification } from './audit.service.js';
export type { StoredAuditEntry, ChainBreak } from './audit.rules.js';
export { registerAuditRoutes } from './audit.routes.js';
