/**
 * Who may do what, for hiding actions the signed-in role may not perform. The server decides;
 * this only keeps the UI honest. KEEP IN SYNC with ROLES, ROLE_LABELS and PERMISSIONS in
 * src/modules/auth/auth.rules.ts (the web app cannot import server code);
 * test/browser/permissions.sync.test.ts fails when they drift.
 */

export const ROLES = ['admin', 'city_bureau', 'office_inspector', 'market_manager', 'verification_institution', 'price_centre'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, { zh: string; en: string }> = {
  admin: { zh: '系统管理员', en: 'System administrator' },
  city_bureau: { zh: '市场监管局', en: 'City bureau' },
  office_inspector: { zh: '监管所执法人员', en: 'Supervision office inspector' },
  market_manager: { zh: '市场管理方', en: 'Market manager' },
  verification_institution: { zh: '检定机构', en: 'Verification institution' },
  price_centre: { zh: '价格监测中心', en: 'Price monitoring centre' },
};

export const PERMISSIONS = {
  'jurisdiction.read': ['admin', 'city_bureau', 'office_inspector', 'market_manager', 'verification_institution', 'price_centre'],
  'office.write': ['admin'],
  'market.read': ['admin', 'city_bureau', 'office_inspector', 'market_manager', 'verification_institution', 'price_centre'],
  'market.create': ['admin', 'city_bureau', 'office_inspector'],
  'market.update': ['admin', 'city_bureau', 'office_inspector', 'market_manager'],
  'stall.write': ['admin', 'city_bureau', 'office_inspector', 'market_manager'],
  'merchant.read': ['admin', 'city_bureau', 'office_inspector', 'market_manager', 'verification_institution'],
  'merchant.write': ['admin', 'city_bureau', 'office_inspector', 'market_manager'],
  'scale.read': ['admin', 'city_bureau', 'office_inspector', 'market_manager', 'verification_institution'],
  'scale.write': ['admin', 'city_bureau', 'office_inspector', 'market_manager'],
  'verification.write': ['admin', 'verification_institution'],
  'camera.read': ['admin', 'city_bureau', 'office_inspector', 'market_manager'],
  'camera.write': ['admin', 'city_bureau', 'office_inspector', 'market_manager'],
  'import.run': ['admin', 'city_bureau', 'office_inspector', 'market_manager'],
  'price.read': ['admin', 'city_bureau', 'office_inspector', 'market_manager', 'verification_institution', 'price_centre'],
  'price.publish': ['admin', 'price_centre'],
  'plu.write': ['admin', 'city_bureau', 'office_inspector', 'market_manager'],
  'alert.read': ['admin', 'city_bureau', 'office_inspector'],
  'alert.act': ['admin', 'city_bureau', 'office_inspector'],
  'device.read': ['admin', 'city_bureau', 'office_inspector', 'market_manager', 'verification_institution'],
  'device.manage': ['admin', 'city_bureau', 'office_inspector', 'market_manager'],
  'sale.read': ['admin', 'city_bureau', 'office_inspector', 'market_manager'],
  'calibration.write': ['admin', 'verification_institution'],
  'staff.manage': ['admin'],
  'audit.read': ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export function isPermitted(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
