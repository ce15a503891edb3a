import { act, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { callsTo, jsonResponse, requestHeader, seedSession, stubFetch, type Route } from '@healthflow/shared/testing';
import type { CheckInStatus, MonitoringPlan } from '@healthflow/shared';
import { renderApp } from '../testing/renderApp';

const planUrl = '/api/patients/p-1/monitoring-plan';
const statusUrl = '/api/patients/p-1/check-in-status';
const twiceDaily: MonitoringPlan = { schedule: { timesOfDay: ['09:00', '14:00'], timeZone: 'Europe/London', graceMinutes: 60 } };

// Winter: London's clock reads UTC, so the instants below read as the times the tests name.
function status(overrides: Partial<CheckInStatus> = {}): CheckInStatus {
  return {
    patientId: 'p-1',
    planVersion: 2,
    timeZone: 'Europe/London',
    dueAt: '2026-12-08T14:00:00Z',
    graceEndsAt: '2026-12-08T15:00:00Z',
    overdue: false,
    overdueDueAt: null,
    lastCheckInAt: '2026-12-08T08:50:00Z',
    asOf: '2026-12-08T10:00:00Z',
    ...overrides,
  };
}

const notFound = () => jsonResponse({ title: 'Not found', status: 404 }, 404);

/** Answers the plan, and each status read with the next of `statuses` (the last one again once they run out). */
function withPlan(plan: MonitoringPlan | undefined, ...statuses: CheckInStatus[]) {
  let reads = 0;
  const routes: Route[] = [
    (url) => {
      if (url !== planUrl) return undefined;
      return plan
        ? jsonResponse({ patientId: 'p-1', version: 2, plan, setBy: 'clinician1', reason: 'Heart failure.', setAt: '2026-12-01T09:00:00Z' })
        : notFound();
    },
    (url) => {
      if (url !== statusUrl) return undefined;
      return statuses.length === 0 ? notFound() : jsonResponse(statuses[Math.min(reads++, statuses.length - 1)]);
    },
    (url, init) => (url === '/api/observations' && init.method === 'POST' ? jsonResponse({ observationId: 'obs-1' }, 202) : undefined),
  ];
  return stubFetch(...routes);
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the patient's check-in schedule", () => {
  it('says how often the care team asks for a check-in', async () => {
    seedSession();
    const fetchMock = withPlan({ schedule: { everyHours: 8, timeZone: 'Europe/London', graceMinutes: 60 } });
    renderApp('/');

    expect(await screen.findByTestId('checkin-schedule')).toHaveTextContent('Your care team asks you to check in every 8 hours.');
    expect(screen.getByTestId('checkin-form')).toBeInTheDocument();
    expect(requestHeader(callsTo(fetchMock, planUrl, 'GET')[0][1], 'Authorization')).toBe('Bearer test-token');
  });

  it('names the times of day in the patient’s time zone', async () => {
    seedSession();
    withPlan({ schedule: { timesOfDay: ['08:00', '20:00'], timeZone: 'Europe/London', graceMinutes: 30 } });
    renderApp('/');

    expect(await screen.findByTestId('checkin-schedule')).toHaveTextContent(
      'Your care team asks you to check in at 08:00 and 20:00 (Europe/London time).',
    );
  });

  it('says nothing while no plan was set', async () => {
    seedSession();
    const fetchMock = withPlan(undefined);
    renderApp('/');

    await screen.findByTestId('checkin-form');
    await expect.poll(() => callsTo(fetchMock, planUrl, 'GET').length).toBe(1);
    expect(screen.queryByTestId('checkin-schedule')).not.toBeInTheDocument();
  });

  it('says nothing when the plan has no schedule', async () => {
    seedSession();
    const fetchMock = withPlan({ spO2Scale: { scale: 2, targetLow: 88, targetHigh: 92 } });
    renderApp('/');

    await screen.findByTestId('checkin-form');
    await expect.poll(() => callsTo(fetchMock, planUrl, 'GET').length).toBe(1);
    expect(screen.queryByTestId('checkin-schedule')).not.toBeInTheDocument();
  });

  it('says when the next check-in is due, on the clock of the plan’s time zone', async () => {
    seedSession();
    const fetchMock = withPlan(twiceDaily, status());
    renderApp('/');

    expect(await screen.findByTestId('checkin-next-due')).toHaveTextContent('Next check-in due by 14:00');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(requestHeader(callsTo(fetchMock, statusUrl, 'GET')[0][1], 'Authorization')).toBe('Bearer test-token');
  });

  it('names the day when the next check-in is not due today', async () => {
    seedSession();
    withPlan(twiceDaily, status({ dueAt: '2026-12-09T09:00:00Z', graceEndsAt: '2026-12-09T10:00:00Z', asOf: '2026-12-08T15:30:00Z' }));
    renderApp('/');

    expect(await screen.findByTestId('checkin-next-due')).toHaveTextContent('Next check-in due by 09:00 tomorrow');
  });

  it('shows an overdue banner in words, with the due time that passed, above the form', async () => {
    seedSession();
    withPlan(twiceDaily, status({ dueAt: '2026-12-08T14:00:00Z', overdue: true, overdueDueAt: '2026-12-08T09:00:00Z', lastCheckInAt: null }));
    renderApp('/');

    const banner = await screen.findByRole('alert');
    expect(banner).toHaveTextContent('Check-in overdue. Your check-in due at 09:00');
    expect(banner).toHaveTextContent('has not arrived. Please check in now.');
    expect(screen.getByTestId('checkin-form')).toBeInTheDocument();
  });

  it('reads the status again when the due time passes, and then shows the banner (a fake clock)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    seedSession();
    const fetchMock = withPlan(
      twiceDaily,
      status({ asOf: '2026-12-08T13:55:00Z' }),
      status({ asOf: '2026-12-08T14:00:01Z', overdue: true, overdueDueAt: '2026-12-08T14:00:00Z' }),
    );
    renderApp('/');
    await screen.findByTestId('checkin-next-due');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    await act(() => vi.advanceTimersByTimeAsync(5 * 60_000 + 1000));

    expect(await screen.findByRole('alert')).toHaveTextContent('Your check-in due at 14:00');
    expect(callsTo(fetchMock, statusUrl, 'GET')).toHaveLength(2);
  });

  it('after a check-in, waits for the server to count it, then drops the banner and shows the next due time', async () => {
    seedSession();
    const overdue = status({ overdue: true, overdueDueAt: '2026-12-08T09:00:00Z', lastCheckInAt: '2026-12-07T20:00:00Z' });
    const counted = status({ dueAt: '2026-12-09T09:00:00Z', graceEndsAt: '2026-12-09T10:00:00Z', lastCheckInAt: '2026-12-08T10:01:00Z', asOf: '2026-12-08T10:01:02Z' });
    // Read for the form, then twice more before the projection has counted the check-in.
    const fetchMock = withPlan(twiceDaily, overdue, overdue, overdue, counted);
    const user = userEvent.setup({ delay: null });
    renderApp('/');
    expect(await screen.findByRole('alert')).toHaveTextContent('Check-in overdue.');

    await user.type(screen.getByLabelText(/symptom score/i), '3');
    await user.click(screen.getByRole('button', { name: 'Send check-in' }));

    expect(await screen.findByTestId('checkin-confirmation')).toBeInTheDocument();
    expect(await screen.findByTestId('checkin-next-due', {}, { timeout: 5000 })).toHaveTextContent('Next check-in due by 09:00 tomorrow');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(callsTo(fetchMock, statusUrl, 'GET')).toHaveLength(4);
  });
});
