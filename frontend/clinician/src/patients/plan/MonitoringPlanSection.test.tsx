import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { callsTo, jsonResponse, requestBody, requestHeader, seedSession, stubFetch, type Route } from '@healthflow/shared/testing';
import type { MonitoringPlanRequest, MonitoringPlanView } from '@healthflow/shared';
import { renderApp } from '../../testing/renderApp';

const patientId = '4b1f0c7e-2d5a-4e8b-9c3f-1a2b3c4d5e6f';
const planUrl = `/api/patients/${patientId}/monitoring-plan`;

const planV3: MonitoringPlanView = {
  patientId,
  version: 3,
  plan: {
    schedule: { everyHours: 8, timeZone: 'Europe/London', graceMinutes: 60 },
    spO2Scale: { scale: 2, targetLow: 88, targetHigh: 92 },
    thresholds: { heartRate: { low: 55, severity: 'high' }, temperature: { low: 35.5, high: 38.2, severity: 'medium' }, scoreThreshold: 6 },
  },
  setBy: 'clinician1',
  reason: 'COPD with CO2 retention; on bisoprolol.',
  setAt: '2026-12-01T09:30:00Z',
};

/** The patient page's other reads, and the plan's GET answered by `plan` (undefined: 404, none set). */
function patientPage(plan: () => MonitoringPlanView | undefined, ...routes: Route[]) {
  return stubFetch(
    ...routes,
    (url, init) => {
      if (url !== planUrl || (init.method ?? 'GET') !== 'GET') return undefined;
      const current = plan();
      return current ? jsonResponse(current, 200, { ETag: `"${current.version}"` }) : jsonResponse({ title: 'Not found' }, 404);
    },
    (url) => (url === `/api/patients/${patientId}` ? jsonResponse({ patientId, username: 'ada', displayName: 'Ada Lovelace', registeredAt: '2026-11-01T08:00:00Z' }) : undefined),
    (url) => (url.startsWith(`/api/patients/${patientId}/`) ? jsonResponse({ items: [], nextCursor: null }) : undefined),
  );
}

const put = (answer: (init: RequestInit) => Response): Route => (url, init) => (url === planUrl && init.method === 'PUT' ? answer(init) : undefined);

describe('the monitoring plan on the patient page', () => {
  beforeEach(() => {
    seedSession({ role: 'clinician', patientId: null, username: 'clinician1', displayName: 'Dr Demo' });
  });

  it('shows the plan in force in clinical words with units, and who set it, when and why', async () => {
    patientPage(() => planV3);
    renderApp(`/patients/${patientId}`);

    const section = await screen.findByTestId('plan-summary');
    expect(within(section).getByTestId('plan-version')).toHaveTextContent('3');
    expect(within(section).getByTestId('plan-provenance')).toHaveTextContent('set by clinician1');
    expect(within(section).getByTestId('plan-reason')).toHaveTextContent('COPD with CO2 retention; on bisoprolol.');
    expect(within(section).getByTestId('plan-schedule')).toHaveTextContent('Check-ins every 8 h, 60 min grace, Europe/London');
    expect(within(section).getByTestId('plan-spo2')).toHaveTextContent('SpO₂ scale 2, target 88–92 %');
    const thresholds = within(section).getAllByRole('listitem').map((item) => item.textContent);
    expect(thresholds).toContain('Heart rate: alert below 55 /min (high)');
    expect(thresholds).toContain('Temperature: alert below 35.5 or above 38.2 °C (medium)');
    expect(thresholds).toContain('Symptom score: alert above 6');
  });

  it('says the defaults apply while no plan was set, and sets a first one with If-Match "0"', async () => {
    const fetchMock = patientPage(
      () => undefined,
      put((init) => {
        const { reason, ...plan } = requestBody(init) as MonitoringPlanRequest;
        return jsonResponse({ patientId, version: 1, plan, setBy: 'clinician1', reason, setAt: '2026-12-08T10:00:00Z' }, 200, { ETag: '"1"' });
      }),
    );
    const user = userEvent.setup({ delay: null });
    renderApp(`/patients/${patientId}`);

    expect(await screen.findByTestId('plan-none')).toHaveTextContent('No plan yet');
    await user.click(screen.getByRole('button', { name: 'Set a plan' }));
    await user.click(screen.getByRole('radio', { name: 'At set times of day' }));
    await user.type(screen.getByLabelText('Times of day'), '08:00, 20:00');
    await user.clear(screen.getByLabelText('Time zone'));
    await user.type(screen.getByLabelText('Time zone'), 'Europe/London');
    await user.clear(screen.getByLabelText('Grace (minutes)'));
    await user.type(screen.getByLabelText('Grace (minutes)'), '60');
    await user.click(screen.getByRole('radio', { name: /Scale 2/ }));
    await user.type(screen.getByRole('textbox', { name: 'Alert below (Heart rate)' }), '55');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Severity (Heart rate)' }), 'high');
    await user.type(screen.getByLabelText(/Reason for this plan/), 'COPD; on bisoprolol.');
    await user.click(screen.getByRole('button', { name: 'Save plan' }));

    expect(await screen.findByTestId('plan-status')).toHaveTextContent('Plan version 1 saved.');
    const [[, init]] = callsTo(fetchMock, planUrl, 'PUT');
    expect(requestHeader(init, 'If-Match')).toBe('"0"');
    expect(requestBody(init)).toEqual({
      reason: 'COPD; on bisoprolol.',
      schedule: { timesOfDay: ['08:00', '20:00'], timeZone: 'Europe/London', graceMinutes: 60 },
      spO2Scale: { scale: 2, targetLow: 88, targetHigh: 92 },
      thresholds: { heartRate: { low: 55, severity: 'high' } },
    });
    expect(screen.getByTestId('plan-schedule')).toHaveTextContent('Check-ins at 08:00 and 20:00, 60 min grace, Europe/London');
    expect(screen.getByTestId('plan-spo2')).toHaveTextContent('SpO₂ scale 2, target 88–92 %');
    expect(screen.getByTestId('plan-thresholds')).toHaveTextContent('Heart rate: alert below 55 /min (high)');
    expect(screen.queryByTestId('plan-form')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Change plan' })).toHaveFocus();
  });

  it('starts the form from the plan shown and sends its version as If-Match', async () => {
    const fetchMock = patientPage(() => planV3, put(() => jsonResponse({ ...planV3, version: 4 }, 200)));
    const user = userEvent.setup({ delay: null });
    renderApp(`/patients/${patientId}`);

    await user.click(await screen.findByRole('button', { name: 'Change plan' }));
    expect(screen.getByRole('radio', { name: 'Every few hours' })).toBeChecked();
    expect(screen.getByLabelText('Hours between check-ins')).toHaveValue('8');
    expect(screen.getByRole('radio', { name: /Scale 2/ })).toBeChecked();
    expect(screen.getByTestId('plan-thresholds-heartRate-low')).toHaveValue('55');
    expect(screen.getByTestId('plan-thresholds-heartRate-severity')).toHaveValue('high');
    await user.type(screen.getByLabelText(/Reason for this plan/), 'Same plan, reviewed.');
    await user.click(screen.getByRole('button', { name: 'Save plan' }));

    await waitFor(() => expect(screen.getByTestId('plan-version')).toHaveTextContent('4'));
    const [[, init]] = callsTo(fetchMock, planUrl, 'PUT');
    expect(requestHeader(init, 'If-Match')).toBe('"3"');
  });

  it('requires a reason and sends nothing without one', async () => {
    const fetchMock = patientPage(() => planV3);
    const user = userEvent.setup({ delay: null });
    renderApp(`/patients/${patientId}`);

    await user.click(await screen.findByRole('button', { name: 'Change plan' }));
    await user.click(screen.getByRole('button', { name: 'Save plan' }));

    const reason = screen.getByLabelText(/Reason for this plan/);
    expect(screen.getByTestId('plan-error-reason')).toHaveTextContent('Say why the plan changes');
    expect(reason).toHaveAttribute('aria-invalid', 'true');
    await waitFor(() => expect(reason).toHaveFocus());
    expect(callsTo(fetchMock, planUrl, 'PUT')).toHaveLength(0);
  });

  it("shows each field error of the API's problem next to its field, and keeps what was typed", async () => {
    patientPage(
      () => planV3,
      put(() =>
        jsonResponse(
          {
            title: 'One or more validation errors occurred.',
            status: 400,
            errors: {
              'schedule.everyHours': ['EveryHours must be from 1 to 168.'],
              'thresholds.heartRate.low': ['Low must be a whole number from 20 to 300.'],
              'thresholds.respiratoryRate': ['A bound needs a low, a high, or both.'],
            },
          },
          400,
        ),
      ),
    );
    const user = userEvent.setup({ delay: null });
    renderApp(`/patients/${patientId}`);

    await user.click(await screen.findByRole('button', { name: 'Change plan' }));
    const everyHours = screen.getByLabelText('Hours between check-ins');
    await user.clear(everyHours);
    await user.type(everyHours, '200');
    const heartRateLow = screen.getByTestId('plan-thresholds-heartRate-low');
    await user.clear(heartRateLow);
    await user.type(heartRateLow, '15');
    await user.type(screen.getByLabelText(/Reason for this plan/), 'Tighter watch.');
    await user.click(screen.getByRole('button', { name: 'Save plan' }));

    expect(await screen.findByTestId('plan-error-schedule.everyHours')).toHaveTextContent('EveryHours must be from 1 to 168.');
    expect(everyHours).toHaveAttribute('aria-invalid', 'true');
    expect(everyHours.getAttribute('aria-describedby')).toContain('plan-schedule-everyHours-error');
    expect(everyHours).toHaveAccessibleDescription(/EveryHours must be from 1 to 168\./);
    expect(heartRateLow).toHaveAccessibleDescription('Low must be a whole number from 20 to 300.');
    expect(screen.getByTestId('plan-thresholds-respiratoryRate-low')).toHaveAccessibleDescription('A bound needs a low, a high, or both.');
    expect(screen.getByTestId('plan-save-error')).toHaveTextContent('Hours between check-ins: EveryHours must be from 1 to 168.');
    expect(everyHours).toHaveValue('200');
    expect(heartRateLow).toHaveValue('15');
    expect(screen.getByLabelText(/Reason for this plan/)).toHaveValue('Tighter watch.');
    await waitFor(() => expect(everyHours).toHaveFocus());
  });

  it('says the plan changed meanwhile on 412, and reloads the version in force into the form', async () => {
    let current = planV3;
    const fetchMock = patientPage(
      () => current,
      put(() => {
        current = { ...planV3, version: 4, setBy: 'clinician2', reason: 'Fever watch.', plan: { ...planV3.plan, spO2Scale: { scale: 1 } } };
        return jsonResponse({ title: 'Plan changed', status: 412, currentVersion: 4 }, 412, { ETag: '"4"' });
      }),
    );
    const user = userEvent.setup({ delay: null });
    renderApp(`/patients/${patientId}`);

    await user.click(await screen.findByRole('button', { name: 'Change plan' }));
    await user.type(screen.getByLabelText(/Reason for this plan/), 'My change.');
    await user.click(screen.getByRole('button', { name: 'Save plan' }));

    const conflict = await screen.findByTestId('plan-conflict');
    expect(conflict).toHaveAttribute('role', 'alert');
    expect(conflict).toHaveTextContent('The plan changed while you were editing it.');
    expect(conflict).toHaveTextContent('version 4');
    await user.click(within(conflict).getByRole('button', { name: 'Reload the plan' }));

    await waitFor(() => expect(screen.getByTestId('plan-version')).toHaveTextContent('4'));
    expect(screen.getByTestId('plan-provenance')).toHaveTextContent('clinician2');
    expect(screen.getByTestId('plan-status')).toHaveTextContent('Plan version 4 loaded.');
    expect(screen.getByRole('heading', { name: 'Change plan version 4' })).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: /Scale 1/ })).toBeChecked();
    expect(screen.queryByTestId('plan-conflict')).not.toBeInTheDocument();
    expect(requestHeader(callsTo(fetchMock, planUrl, 'PUT')[0][1], 'If-Match')).toBe('"3"');
  });
});
