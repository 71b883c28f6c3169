// The signed-in session every page reads: the API for the key, and the account shown in the
// header (name and balance), refreshed after anything that may change the balance.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

import type { Account, Api } from './api.js';

export interface Session {
  api: Api;
  account: Account;
  /** Reads the account again (after a task, a refund, a cancel). */
  refreshAccount: () => void;
  signOut: () => void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
