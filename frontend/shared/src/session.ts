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

const storageKey = 'healthflow.session';

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

export function loadSession(now = Date.now()): Session | null {
  const raw = sessionStorage.getItem(storageKey);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as Session;
    if (typeof session.accessToken !== 'string' || !(session.expiresAt > now)) {
      sessionStorage.removeItem(storageKey);
      return null;
    }
    return session;
  } catch {
    sessionStorage.removeItem(storageKey);
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(storageKey, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(storageKey);
}
