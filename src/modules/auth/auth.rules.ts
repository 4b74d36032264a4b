/** Pure access rules: roles, what each may do, and how far its reach extends. No I/O. */

export const ROLES = ['admin', 'city_bureau', 'office_inspector', 'market_manager', 'verification_institution', 'price_centre', 'merchant'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, { zh: string; en: string }> = {
  admin: { zh: '系统管理员', en: 'System administrator' },
  city_bureau: { zh: '市场监管局', en: 'City bureau' },
  office_inspector: { zh: '监管所执法人员', en: 'Supervision office inspector' },
  market_manager: { zh: '市场管理方', en: 'Market manager' },
  verification_institution: { zh: '检定机构', en: 'Verification institution' },
  price_centre: { zh: '价格监测中心', en: 'Price monitoring centre' },
  merchant: { zh: '商户', en: 'Merchant' },
};

/** Who is acting, with the reach their role and posting give them. */
export interface Actor {
  staffId: number;
  username: string;
  displayName: string;
  role: Role;
  cityId: number | null;
  officeId: number | null;
  /** A merchant's own account: the merchant it speaks for (and sees nothing else through staff routes). */
  merchantId: number | null;
  reach: Reach;
  isDemo: boolean;
}

/**
 * The records an actor may see: all of them (administrator), those in a set of districts (city
 * roles: their city's districts; inspectors: their office's districts), or those in a set of
 * markets (market managers).
 */
export type Reach = { kind: 'all' } | { kind: 'districts'; districtIds: readonly number[] } | { kind: 'markets'; marketIds: readonly number[] };

/** Where a record sits, for reach checks. */
export interface Place {
  districtId: number;
  marketId: number | null;
}

export function isWithinReach(reach: Reach, place: Place): boolean {
  switch (reach.kind) {
    case 'all':
      return true;
    case 'districts':
      return reach.districtIds.includes(place.districtId);
    case 'markets':
      return place.marketId !== null && reach.marketIds.includes(place.marketId);
  }
}

/** Every action a route may declare; each lists the roles that may perform it (reach still applies). */
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
  'code.print': ['admin', 'city_bureau', 'office_inspector', 'market_manager', 'price_centre'],
  'code.reissue': ['admin', 'city_bureau', 'office_inspector', 'market_manager'],
  'code.key': ['admin'],
  'rating.read': ['admin', 'city_bureau', 'office_inspector', 'market_manager'],
  'credit.read': ['admin', 'city_bureau', 'office_inspector', 'market_manager'],
  'credit.record': ['admin', 'city_bureau', 'office_inspector', 'market_manager'],
  'credit.decide': ['admin', 'city_bureau', 'office_inspector'],
  'rulebook.publish': ['admin', 'city_bureau'],
  // Complaints are decided by a person of the supervision office: market managers neither see nor handle them.
  'complaint.read': ['admin', 'city_bureau', 'office_inspector'],
  'complaint.handle': ['admin', 'city_bureau', 'office_inspector'],
  'penalty.read': ['admin', 'city_bureau', 'office_inspector', 'market_manager'],
  'penalty.record': ['admin', 'city_bureau', 'office_inspector'],
  // A merchant's own record: its credit events, replies, objections, repair, pledge, its scales' ratings.
  'merchant.self': ['merchant'],
  'staff.manage': ['admin'],
  // The log spans every city; until entries carry a jurisdiction only the administrator reads it.
  'audit.read': ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export function isPermitted(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** Sign-in attempts: lock the account after `maxFailures` consecutive failures. */
export function nextLockout(failedLogins: number, maxFailures: number, now: Date, lockoutMinutes: number): { failedLogins: number; lockedUntil: Date | null } {
  const failed = failedLogins + 1;
  return failed >= maxFailures
    ? { failedLogins: 0, lockedUntil: new Date(now.getTime() + lockoutMinutes * 60_000) }
    : { failedLogins: failed, lockedUntil: null };
}

/** A session lives until idle too long or past its absolute lifetime, whichever comes first. */
export function isSessionAlive(s: { lastSeenAt: Date; expiresAt: Date }, now: Date, idleMinutes: number): boolean {
  return now < s.expiresAt && now.getTime() - s.lastSeenAt.getTime() < idleMinutes * 60_000;
}

/** At least 10 characters, with letters and digits: checked when a password is set. */
export function passwordProblem(password: string): string | null {
  if (password.length < 10) return '密码至少10位 (password must have at least 10 characters)';
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password)) return '密码须包含字母和数字 (password must contain letters and digits)';
  return null;
}
