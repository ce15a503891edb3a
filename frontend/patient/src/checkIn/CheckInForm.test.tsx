import { act, cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { clear } from 'idb-keyval';
import { beforeEach, describe, expect, it } from 'vitest';
import { callsTo, jsonResponse, requestBody, requestHeader, seedSession, stubFetch } from '@healthflow/shared/testing';
import { renderApp } from '../testing/renderApp';
import { checkInOutboxStore } from './checkInOutbox';

const accepted = (url: string, init: RequestInit) =>
  url === '/api/observations' && init.method === 'POST' ? jsonResponse({ observationId: 'obs-1' }, 202) : undefined;

/** The API as a patient on a weak link meets it: each POST fails to connect while `server.down`, else is taken. */
function flakyApi(server: { down: boolean }) {
  let taken = 0;
  return stubFetch((url, init) => {
    if (url !== '/api/observations' || init.method !== 'POST') return undefined;
    if (server.down) throw new TypeError('Failed to fetch');
    taken += 1;
    return jsonResponse({ observationId: `obs-${taken}` }, 202);
  });
}

const posts = (fetchMock: ReturnType<typeof stubFetch>) =>
  callsTo(fetchMock, '/api/observations', 'POST').map(([, init]) => ({
    key: requestHeader(init, 'Idempotency-Key'),
    body: requestBody(init) as { score: number; measuredAt: string },
  }));

describe('the check-in form', () => {
  beforeEach(() => clear(checkInOutboxStore));
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
      // Stamped at the first attempt, not by whichever attempt gets through.
      measuredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(requestHeader(init, 'Idempotency-Key')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestHeader(init, 'Authorization')).toBe('Bearer test-token');
  });

  it('keeps a check-in that could not be sent on the device, says so, and sends it with the same key once back online', async () => {
    seedSession();
    const server = { down: true };
    const fetchMock = flakyApi(server);
    const user = userEvent.setup({ delay: null });
    renderApp('/');

    await user.type(screen.getByLabelText(/symptom score/i), '4');
    await user.click(screen.getByRole('button', { name: 'Send check-in' }));
    expect(await screen.findByTestId('checkin-waiting')).toHaveTextContent('1 check-in is saved on this device and not sent yet.');
    expect(screen.getByLabelText(/symptom score/i)).toHaveValue('');

    server.down = false;
    act(() => window.dispatchEvent(new Event('online')));

    expect(await screen.findByTestId('checkin-sent-late')).toHaveTextContent('has now been sent');
    expect(screen.queryByTestId('checkin-waiting')).not.toBeInTheDocument();
    const [first, second] = posts(fetchMock);
    expect(second.key).toBe(first.key);
    expect(second.body).toEqual(first.body);
  });

  it('keeps a queued check-in across a reload and sends it once, with the time of its first attempt', async () => {
    seedSession();
    const server = { down: true };
    const fetchMock = flakyApi(server);
    const user = userEvent.setup({ delay: null });
    renderApp('/');
    await user.type(screen.getByLabelText(/symptom score/i), '7');
    await user.click(screen.getByRole('button', { name: 'Send check-in' }));
    await screen.findByTestId('checkin-waiting');
    const [firstAttempt] = posts(fetchMock);

    // The tab is reloaded after the link comes back: the new page finds the check-in and sends it.
    cleanup();
    server.down = false;
    renderApp('/');

    expect(await screen.findByTestId('checkin-sent-late')).toBeInTheDocument();
    const taken = posts(fetchMock).slice(1);
    expect(taken).toHaveLength(1);
    expect(taken[0]).toEqual(firstAttempt);
    expect(taken[0].body).toMatchObject({ score: 7 });
  });

  it('drops a queued check-in the server refuses for good, and says why', async () => {
    seedSession();
    let down = true;
    stubFetch((url, init) => {
      if (url !== '/api/observations' || init.method !== 'POST') return undefined;
      if (down) throw new TypeError('Failed to fetch');
      return jsonResponse({ title: 'One or more validation errors occurred.', status: 400, errors: { measuredAt: ['Readings older than 7 days cannot be sent.'] } }, 400);
    });
    const user = userEvent.setup({ delay: null });
    renderApp('/');
    await user.type(screen.getByLabelText(/symptom score/i), '5');
    await user.click(screen.getByRole('button', { name: 'Send check-in' }));
    await screen.findByTestId('checkin-waiting');

    down = false;
    act(() => window.dispatchEvent(new Event('online')));

    expect(await screen.findByTestId('checkin-refused-late')).toHaveTextContent('could not be sent');
    expect(screen.queryByTestId('checkin-waiting')).not.toBeInTheDocument();
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
