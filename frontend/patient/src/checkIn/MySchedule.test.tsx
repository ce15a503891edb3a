import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { callsTo, jsonResponse, requestHeader, seedSession, stubFetch } from '@healthflow/shared/testing';
import type { MonitoringPlan } from '@healthflow/shared';
import { renderApp } from '../testing/renderApp';

const planUrl = '/api/patients/p-1/monitoring-plan';

function withPlan(plan: MonitoringPlan | undefined) {
  return stubFetch((url) => {
    if (url !== planUrl) return undefined;
    return plan
      ? jsonResponse({ patientId: 'p-1', version: 2, plan, setBy: 'clinician1', reason: 'Heart failure.', setAt: '2026-12-01T09:00:00Z' })
      : jsonResponse({ title: 'Not found', status: 404 }, 404);
  });
}

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
});
