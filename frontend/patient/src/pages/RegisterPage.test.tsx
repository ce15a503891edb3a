import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { callsTo, jsonResponse, requestBody, stubFetch } from '@healthflow/shared/testing';
import { renderApp } from '../testing/renderApp';

async function fillRegistration(username: string, password = 'long-enough-1') {
  const user = userEvent.setup({ delay: null });
  await user.type(screen.getByLabelText('Username'), username);
  await user.type(screen.getByLabelText('Your name'), 'Rita Register');
  await user.type(screen.getByLabelText('Password'), password);
  await user.type(screen.getByLabelText('Confirm password'), password);
  await user.click(screen.getByRole('button', { name: 'Create account' }));
}

describe('registering', () => {
  it('creates the account, signs the patient in and opens the check-in form', async () => {
    const fetchMock = stubFetch((url) => {
      if (url === '/api/auth/register') return jsonResponse({ patientId: 'p-9' }, 201);
      if (url === '/api/auth/login')
        return jsonResponse({ accessToken: 'jwt', tokenType: 'Bearer', expiresIn: 3600, role: 'patient', patientId: 'p-9', displayName: 'Rita Register' });
      return undefined;
    });
    renderApp('/register');

    await fillRegistration('rita');

    expect(await screen.findByRole('heading', { name: 'Daily check-in' })).toBeVisible();
    expect(requestBody(callsTo(fetchMock, '/api/auth/register')[0][1])).toEqual({
      username: 'rita',
      password: 'long-enough-1',
      displayName: 'Rita Register',
    });
  });

  it('says so next to the username when it is taken', async () => {
    stubFetch(() => jsonResponse({ title: 'Username taken', status: 409 }, 409));
    renderApp('/register');

    await fillRegistration('rita');

    expect(await screen.findByText('That username is taken. Choose another.')).toBeVisible();
    expect(screen.getByLabelText('Username')).toHaveAttribute('aria-invalid', 'true');
  });

  it('checks the password length before calling the API', async () => {
    const fetchMock = stubFetch();
    renderApp('/register');

    await fillRegistration('rita', 'short');

    expect(screen.getByText('Use 8 to 128 characters.')).toBeVisible();
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
