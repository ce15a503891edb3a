import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { callsTo, jsonResponse, requestBody, requestHeader, seedSession, stubFetch } from '@healthflow/shared/testing';
import { renderApp } from '../testing/renderApp';

const accepted = (url: string, init: RequestInit) =>
  url === '/api/observations' && init.method === 'POST' ? jsonResponse({ observationId: 'obs-1' }, 202) : undefined;

describe('the check-in form', () => {
  it('shows an inline error for an out-of-range heart rate and sends nothing', async () => {
    seedSession();
    const fetchMock = stubFetch(accepted);
    const user = userEvent.setup({ delay: null });
    renderApp('/');

    await user.type(screen.getByLabelText(/symptom score/i), '6');
    await user.type(screen.getByLabelText(/heart rate/i), '400');
    await user.click(screen.getByRole('button', { name: 'Send check-in' }));

    expect(screen.getByTestId('checkin-error-heartRate')).toHaveTextContent('Enter a whole number from 20 to 300.');
    expect(screen.getByLabelText(/heart rate/i)).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText(/heart rate/i)).toHaveFocus();
    expect(screen.getByTestId('checkin-error-summary')).toHaveTextContent('Nothing was sent');
    expect(callsTo(fetchMock, '/api/observations')).toHaveLength(0);
  });

  it('requires a symptom score before sending', async () => {
    seedSession();
    const fetchMock = stubFetch(accepted);
    const user = userEvent.setup({ delay: null });
    renderApp('/');

    await user.type(screen.getByLabelText(/respiratory rate/i), '18');
    await user.click(screen.getByRole('button', { name: 'Send check-in' }));

    expect(screen.getByTestId('checkin-error-score')).toBeVisible();
    expect(callsTo(fetchMock, '/api/observations')).toHaveLength(0);
  });

  it('sends valid vitals with an idempotency key and confirms the check-in', async () => {
    seedSession();
    const fetchMock = stubFetch(accepted);
    const user = userEvent.setup({ delay: null });
    renderApp('/');

    await user.type(screen.getByLabelText(/symptom score/i), '8');
    await user.type(screen.getByLabelText(/heart rate/i), '135');
    await user.type(screen.getByLabelText(/oxygen saturation/i), '89');
    await user.type(screen.getByLabelText(/temperature/i), '39.4');
    await user.selectOptions(screen.getByLabelText('Alertness'), 'confusion');
    await user.click(screen.getByRole('button', { name: 'Send check-in' }));

    expect(await screen.findByTestId('checkin-confirmation')).toHaveTextContent('Check-in received');
    expect(screen.getByTestId('checkin-observation-id')).toHaveTextContent('obs-1');
    const [[, init]] = callsTo(fetchMock, '/api/observations', 'POST');
    expect(requestBody(init)).toEqual({
      score: 8,
      heartRate: 135,
      oxygenSaturation: 89,
      onSupplementalOxygen: false,
      temperature: 39.4,
      consciousness: 'confusion',
    });
    expect(requestHeader(init, 'Idempotency-Key')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestHeader(init, 'Authorization')).toBe('Bearer test-token');
  });

  it('retries a check-in whose reply was lost with the same idempotency key', async () => {
    seedSession();
    let attempts = 0;
    const fetchMock = stubFetch((url, init) => {
      if (url !== '/api/observations' || init.method !== 'POST') return undefined;
      attempts += 1;
      if (attempts === 1) throw new TypeError('Failed to fetch');
      return jsonResponse({ observationId: 'obs-2' }, 202);
    });
    const user = userEvent.setup({ delay: null });
    renderApp('/');

    await user.type(screen.getByLabelText(/symptom score/i), '4');
    await user.click(screen.getByRole('button', { name: 'Send check-in' }));
    expect(await screen.findByTestId('checkin-submit-error')).toHaveTextContent('could not be reached');
    await user.click(screen.getByRole('button', { name: 'Retry check-in' }));

    await screen.findByTestId('checkin-confirmation');
    const [first, second] = callsTo(fetchMock, '/api/observations', 'POST').map(([, init]) => requestHeader(init, 'Idempotency-Key'));
    expect(first).toBeTruthy();
    expect(second).toBe(first);
  });

  it('shows the API validation problem next to the field it names', async () => {
    seedSession();
    stubFetch((url) =>
      url === '/api/observations'
        ? jsonResponse({ title: 'One or more validation errors occurred.', status: 400, errors: { temperature: ['Temperature must be between 25 and 45 °C.'] } }, 400)
        : undefined,
    );
    const user = userEvent.setup({ delay: null });
    renderApp('/');

    await user.type(screen.getByLabelText(/symptom score/i), '3');
    await user.type(screen.getByLabelText(/temperature/i), '37');
    await user.click(screen.getByRole('button', { name: 'Send check-in' }));

    await waitFor(() => expect(screen.getByTestId('checkin-submit-error')).toHaveTextContent('One or more validation errors occurred.'));
    expect(screen.getByTestId('checkin-error-temperature')).toHaveTextContent('between 25 and 45');
  });
});
