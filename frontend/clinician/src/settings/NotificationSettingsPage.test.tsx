import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { callsTo, jsonResponse, requestBody, seedSession, stubFetch, type Route } from '@healthflow/shared/testing';
import type { NotificationSettings } from '@healthflow/shared';
import { renderApp } from '../testing/renderApp';

const settingsUrl = '/api/clinicians/me/notification-settings';

const get = (settings: NotificationSettings): Route => (url, init) =>
  url === settingsUrl && (init.method ?? 'GET') === 'GET' ? jsonResponse(settings) : undefined;
const put = (answer: (init: RequestInit) => Response): Route => (url, init) => (url === settingsUrl && init.method === 'PUT' ? answer(init) : undefined);

describe('the notification settings page', () => {
  beforeEach(() => {
    seedSession({ role: 'clinician', patientId: null, username: 'clinician1', displayName: 'Dr Demo' });
  });

  it('shows the saved settings and saves the changed ones whole', async () => {
    const fetchMock = stubFetch(
      get({ email: 'demo@ward.example.org', events: ['high-alert'], onCall: false }),
      put((init) => jsonResponse(requestBody(init))),
    );
    const user = userEvent.setup({ delay: null });
    renderApp('/notifications');

    expect(await screen.findByLabelText('Email address')).toHaveValue('demo@ward.example.org');
    expect(screen.getByRole('checkbox', { name: 'High alerts' })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'I am on call' })).not.toBeChecked();
    await user.click(screen.getByRole('checkbox', { name: 'Missed check-ins' }));
    await user.click(screen.getByRole('checkbox', { name: 'I am on call' }));
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByTestId('notification-settings-saved')).toHaveTextContent('Saved.');
    const [, init] = callsTo(fetchMock, settingsUrl, 'PUT')[0];
    expect(requestBody(init)).toEqual({ email: 'demo@ward.example.org', events: ['high-alert', 'missed-check-in'], onCall: true });
  });

  it('names the field the API refused', async () => {
    stubFetch(
      get({ email: '', events: [], onCall: false }),
      put(() =>
        jsonResponse({ title: 'One or more validation errors occurred.', status: 400, errors: { email: ['An email address is required.'] } }, 400, {
          'Content-Type': 'application/problem+json',
        }),
      ),
    );
    const user = userEvent.setup({ delay: null });
    renderApp('/notifications');

    await user.click(await screen.findByRole('button', { name: 'Save' }));

    await waitFor(() => expect(screen.getByTestId('error-message')).toHaveTextContent('Email address: An email address is required.'));
    expect(screen.getByLabelText('Email address')).toHaveAttribute('aria-invalid', 'true');
  });
});
