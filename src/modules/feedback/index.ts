export { createFeedbackService, networkOf, RATING_REASONS, type FeedbackService, type RatingInput, type RatingOutcome } from './feedback.service.js';
export { registerFeedbackRoutes } from './feedback.routes.js';
export { LIGHT_LABELS, scaleLight, type Light } from './rating.rules.js';
export type { FeedbackTables } from './feedback.table.js';
export { createComplaintService, type ComplaintService, type ComplaintInput, type FileOutcome, type ComplaintListFilter, type CloseInput, type ComplaintClock } from './complaint.service.js';
export { createComplaintSweeper, type ComplaintSweeper } from './complaint.sweeper.js';
export { registerComplaintRoutes } from './complaint.routes.js';
export { COMPLAINT_STATUSES, MEDIATION_OUTCOMES, MESSAGE_AUTHORS, COMPLAINT_LIMITS, type ComplaintStatus, type MediationOutcome, type MessageAuthor } from './complaint.rules.js';
export { COMPLAINT_STEPS, type ComplaintStep } from './complaint-clock.rules.js';
