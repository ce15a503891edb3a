import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { jsonResponse, seedSession, stubFetch } from '@healthflow/shared/testing';
import { sessionStorageKey } from '@healthflow/shared';
import { renderApp } from '../testing/renderApp';

describe('an expired token', () => {
  it('sends the patient back to sign in with a message and forgets the session', async () => {
    seedSession();
    stubFetch(() => jsonResponse({ title: 'Unauthorized', status: 401 }, 401));
    renderApp('/history');

    expect(await screen.findByTestId('session-notice')).toHaveTextContent('Your session has expired. Please sign in again.');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeVisible();
    expect(sessionStorage.getItem(sessionStorageKey('patient'))).toBeNull();
  });

  it('returns to the page the patient was on after signing in again', async () => {
    seedSession();
    let signedInAgain = false;
    stubFetch((url) => {
      if (url === '/api/auth/login') {
        signedInAgain = true;
        return jsonResponse({ accessToken: 'new', tokenType: 'Bearer', expiresIn: 3600, role: 'patient', patientId: 'p-1', displayName: 'Alice' });
      }
      if (url.startsWith('/api/patients/p-1/alerts')) {
        return signedInAgain ? jsonResponse({ items: [], nextCursor: null }) : jsonResponse({ title: 'Unauthorized' }, 401);
      }
      return undefined;
    });
    const user = userEvent.setup({ delay: null });
    renderApp('/alerts');

    await user.type(await screen.findByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'secret-pass');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'My alerts' })).toBeVisible();
    expect(await screen.findByTestId('alerts-empty')).toBeVisible();
  });
});
