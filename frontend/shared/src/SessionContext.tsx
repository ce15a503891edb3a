// Holds the session and the API client for a whole app, and turns any 401 into "signed out, please sign in".
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { createApi, type HealthflowApi } from './api';
import { clearSession, loadSession, saveSession, sessionFromLogin, type Session } from './session';
import type { LoginResponse, Role } from './types';

export const sessionExpiredMessage = 'Your session has expired. Please sign in again.';

/** How long before the session ends the app warns that it will (a sign-in lasts an hour; a shift does not). */
export const sessionWarningMs = 5 * 60_000;

export interface SessionContextValue {
  session: Session | null;
  api: HealthflowApi;
  /** The role this app serves; a user with another role is refused at sign-in. */
  role: Role;
  /** Every role the app signs in: its own, and e.g. admin in the clinician app. */
  roles: readonly Role[];
  /** A message for the sign-in page, e.g. why the user was signed out. */
  notice: string | null;
  /** True in the last minutes of the session (sessionWarningMs), so the app can say it is about to end. */
  endingSoon: boolean;
  signIn: (response: LoginResponse, username: string) => void;
  signOut: (notice?: string) => void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

const noOtherRoles: readonly Role[] = [];

export interface SessionProviderProps {
  role: Role;
  alsoFor?: readonly Role[];
  /** What the sign-in page says after the session ran out or was refused (the clinician app: that alerts stopped). */
  expiredNotice?: string;
  children: ReactNode;
}

export function SessionProvider({ role, alsoFor = noOtherRoles, expiredNotice = sessionExpiredMessage, children }: SessionProviderProps) {
  const [session, setSession] = useState<Session | null>(() => loadSession(role, [role, ...alsoFor]));
  const [notice, setNotice] = useState<string | null>(null);
  const [endingSoon, setEndingSoon] = useState(false);
  const tokenRef = useRef<string | null>(session?.accessToken ?? null);
  tokenRef.current = session?.accessToken ?? null;

  const signOut = useCallback((message?: string) => {
    clearSession(role);
    tokenRef.current = null;
    setSession(null);
    setNotice(message ?? null);
  }, [role]);

  const signIn = useCallback((response: LoginResponse, username: string) => {
    const next = sessionFromLogin(response, username);
    saveSession(role, next);
    tokenRef.current = next.accessToken;
    setNotice(null);
    setSession(next);
  }, [role]);

  const api = useMemo(
    () =>
      createApi({
        getToken: () => tokenRef.current,
        onUnauthorized: () => signOut(expiredNotice),
      }),
    [signOut, expiredNotice],
  );

  // Sign out when the token runs out even if the user makes no request, so no screen shows stale data as live.
  // Warn first, so a clinician is not surprised mid-shift by the sign-in page.
  useEffect(() => {
    if (!session) return;
    const remaining = session.expiresAt - Date.now();
    const later = (ms: number) => Math.min(Math.max(0, ms), 2 ** 31 - 1);
    setEndingSoon(remaining <= sessionWarningMs);
    const warning = window.setTimeout(() => setEndingSoon(true), later(remaining - sessionWarningMs));
    const timer = window.setTimeout(() => signOut(expiredNotice), later(remaining));
    return () => {
      window.clearTimeout(warning);
      window.clearTimeout(timer);
      setEndingSoon(false);
    };
  }, [session, signOut, expiredNotice]);

  const roles = useMemo(() => [role, ...alsoFor], [role, alsoFor]);
  const value = useMemo<SessionContextValue>(
    () => ({ session, api, role, roles, notice, endingSoon, signIn, signOut }),
    [session, api, role, roles, notice, endingSoon, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession must be used inside <SessionProvider>.');
  return value;
}

/** For pages behind sign-in: the session is guaranteed present there (see RequireSession). */
export function useSignedInSession(): SessionContextValue & { session: Session } {
  const value = useSession();
  if (!value.session) throw new Error('useSignedInSession used outside a signed-in route.');
  return value as SessionContextValue & { session: Session };
}
