// The signed-in user, kept in sessionStorage so it lasts for the tab and is gone when the tab closes.
import type { LoginResponse, Role } from './types';

export interface Session {
  accessToken: string;
  role: Role;
  username: string;
  displayName: string;
  patientId: string | null;
  /** Epoch milliseconds when the token stops being valid. */
  expiresAt: number;
}

/**
 * One key per app (named by the role it serves), so two apps served from one origin (BASE_PATH) never pick up each
 * other's session: a patient's sign-in must not open the clinician app, nor the other way round.
 */
export function sessionStorageKey(app: Role): string {
  return `healthflow.session.${app}`;
}

export function sessionFromLogin(response: LoginResponse, username: string, now = Date.now()): Session {
  return {
    accessToken: response.accessToken,
    role: response.role,
    username,
    displayName: response.displayName,
    patientId: response.patientId ?? null,
    expiresAt: now + response.expiresIn * 1000,
  };
}

/**
 * The app's stored session, or null when there is none, it has expired, or its role is not one the app signs in
 * (stored by hand or by an older build): the sign-in page's role check must not be skipped by a reload.
 */
export function loadSession(app: Role, roles: readonly Role[], now = Date.now()): Session | null {
  const key = sessionStorageKey(app);
  const raw = sessionStorage.getItem(key);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as Session;
    if (typeof session.accessToken !== 'string' || !(session.expiresAt > now) || !roles.includes(session.role)) {
      sessionStorage.removeItem(key);
      return null;
    }
    return session;
  } catch {
    sessionStorage.removeItem(key);
    return null;
  }
}

export function saveSession(app: Role, session: Session): void {
  sessionStorage.setItem(sessionStorageKey(app), JSON.stringify(session));
}

export function clearSession(app: Role): void {
  sessionStorage.removeItem(sessionStorageKey(app));
}
