export { createFeedbackService, networkOf, type FeedbackService, type RatingInput, type RatingOutcome } from './feedback.service.js';
export { registerFeedbackRoutes } from './feedback.routes.js';
export { LIGHT_LABELS, scaleLight, type Light } from './rating.rules.js';
export type { FeedbackTables } from './feedback.table.js';
