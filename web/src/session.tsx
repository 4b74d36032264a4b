/** Who is signed in, what their role may do, and signing out. */
import { createContext, useContext } from 'react';
import { isPermitted, type Permission } from './permissions';
import type { Me } from './types';

export interface Session {
  me: Me;
  can: (p: Permission) => boolean;
  signOut: (everywhere?: boolean) => Promise<void>;
  /** Ends the local session without calling the API (after a password change the server already has). */
  signedOut: (notice?: string) => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in shell');
  return s;
}

export function makeCan(me: Me) {
  return (p: Permission) => isPermitted(me.staff.role, p);
}
