export {
  ROLES,
  ROLE_LABELS,
  PERMISSIONS,
  isPermitted,
  isWithinReach,
  type Actor,
  type Reach,
  type Role,
  type Permission,
  type Place,
} from './auth.rules.js';
export { createAuthService, actorOf, type AuthService, type AuthSettings, type By, type Staff, type NewStaff, type StaffPatch } from './auth.service.js';
export { hashPassword } from './password.js';
export { registerAuthRoutes } from './auth.routes.js';
