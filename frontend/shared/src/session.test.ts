import { beforeEach, describe, expect, it } from 'vitest';
import { clearSession, loadSession, saveSession, sessionStorageKey, type Session } from './session';

const now = 1_800_000_000_000;

function aSession(overrides: Partial<Session> = {}): Session {
  return { accessToken: 'jwt', role: 'patient', username: 'alice', displayName: 'Alice', patientId: 'p-1', expiresAt: now + 60_000, ...overrides };
}

describe('the stored session', () => {
  beforeEach(() => sessionStorage.clear());

  it('is kept per app, so an app on the same origin never opens with the other app’s sign-in', () => {
    saveSession('patient', aSession());

    expect(loadSession('clinician', ['clinician', 'admin'], now)).toBeNull();
    expect(loadSession('patient', ['patient'], now)).toMatchObject({ accessToken: 'jwt', role: 'patient' });
  });

  it('is refused and removed when its role is not one the app signs in, even under the app’s own key', () => {
    sessionStorage.setItem(sessionStorageKey('clinician'), JSON.stringify(aSession({ role: 'patient' })));

    expect(loadSession('clinician', ['clinician', 'admin'], now)).toBeNull();
    expect(sessionStorage.getItem(sessionStorageKey('clinician'))).toBeNull();
  });

  it('lets an admin into the clinician app, which signs admins in too', () => {
    saveSession('clinician', aSession({ role: 'admin', patientId: null }));

    expect(loadSession('clinician', ['clinician', 'admin'], now)).toMatchObject({ role: 'admin' });
  });

  it('is dropped once expired, and by signing out of its app only', () => {
    saveSession('patient', aSession({ expiresAt: now }));
    saveSession('clinician', aSession({ role: 'clinician', patientId: null }));

    expect(loadSession('patient', ['patient'], now)).toBeNull();
    clearSession('patient');
    expect(loadSession('clinician', ['clinician'], now)).not.toBeNull();
  });
});
