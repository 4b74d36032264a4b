/**
 * Who may do what, for hiding actions the signed-in role may not perform. The server decides;
 * this only keeps the UI honest. It is the server's own table (src/modules/auth/auth.rules.ts),
 * which is pure data and rules with no imports, so the two cannot drift.
 */
export { ROLES, ROLE_LABELS, PERMISSIONS, isPermitted, type Role, type Permission } from '../../src/modules/auth/auth.rules';
