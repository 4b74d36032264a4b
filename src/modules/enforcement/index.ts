export { createPenaltyService, type PenaltyService, type PenaltyListFilter } from './penalty.service.js';
export { registerPenaltyRoutes } from './penalty.routes.js';
export { penaltyItemCode, penaltyProblems, type PenaltyInput } from './penalty.rules.js';
