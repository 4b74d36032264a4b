export { createAlertsService, alreadyRecorded, type AlertsService, type AlertsOptions, type Alert, type AlertSummary, type RaisedAlert, type Evidence, type AlertActionRecord, type AlertListFilter } from './alerts.service.js';
export {
  ALERT_TYPES,
  ALERT_TYPE_KEYS,
  ALERT_STATUSES,
  ALERT_ACTIONS,
  SEVERITIES,
  SEVERITY_LABELS,
  STATUS_LABELS,
  EVIDENCE_CAP,
  type AlertType,
  type AlertStatus,
  type AlertAction,
  type Severity,
  type Finding,
} from './alerts.rules.js';
export type { AlertChange } from './alerts.bus.js';
export type { AlertTables } from './alerts.table.js';
export { registerAlertRoutes, type AlertRoutesOptions } from './alerts.routes.js';
