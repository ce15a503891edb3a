import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { callsTo, jsonResponse, requestBody, stubFetch } from '@healthflow/shared/testing';
import { sessionStorageKey } from '@healthflow/shared';
import { renderApp } from '../testing/renderApp';

const loginReply = (role: 'patient' | 'clinician') => ({
  accessToken: 'jwt',
  tokenType: 'Bearer',
  expiresIn: 3600,
  role,
  patientId: role === 'patient' ? 'p-7' : null,
  displayName: role === 'patient' ? 'Pat Example' : 'Dr Demo',
});

describe('signing in', () => {
  it('sends the credentials, stores the session and opens the check-in form', async () => {
    const fetchMock = stubFetch((url) => (url === '/api/auth/login' ? jsonResponse(loginReply('patient')) : undefined));
    const user = userEvent.setup({ delay: null });
    renderApp('/');

    await user.type(await screen.findByLabelText('Username'), 'pat');
    await user.type(screen.getByLabelText('Password'), 'secret-pass');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'Daily check-in' })).toBeVisible();
    expect(screen.getByTestId('signed-in-user')).toHaveTextContent('Pat Example');
    expect(requestBody(callsTo(fetchMock, '/api/auth/login')[0][1])).toEqual({ username: 'pat', password: 'secret-pass' });
    expect(JSON.parse(sessionStorage.getItem(sessionStorageKey('patient'))!)).toMatchObject({ accessToken: 'jwt', patientId: 'p-7' });
  });

  it('shows the API problem title for wrong credentials and stays signed out', async () => {
    stubFetch(() => jsonResponse({ title: 'Invalid username or password.', status: 401 }, 401));
    const user = userEvent.setup({ delay: null });
    renderApp('/sign-in');

    await user.type(screen.getByLabelText('Username'), 'pat');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByTestId('login-error')).toHaveTextContent('Invalid username or password.');
    expect(sessionStorage.getItem(sessionStorageKey('patient'))).toBeNull();
  });

  it('asks for both fields before calling the API', async () => {
    const fetchMock = stubFetch();
    const user = userEvent.setup({ delay: null });
    renderApp('/sign-in');

    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(screen.getByText('Enter your username.')).toBeVisible();
    expect(screen.getByText('Enter your password.')).toBeVisible();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('refuses a clinician account in the patient app', async () => {
    stubFetch(() => jsonResponse(loginReply('clinician')));
    const user = userEvent.setup({ delay: null });
    renderApp('/sign-in');

    await user.type(screen.getByLabelText('Username'), 'clinician1');
    await user.type(screen.getByLabelText('Password'), 'demo');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByTestId('login-error')).toHaveTextContent('This app is for patients');
    expect(sessionStorage.getItem(sessionStorageKey('patient'))).toBeNull();
  });
});
