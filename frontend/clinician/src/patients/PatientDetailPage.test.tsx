import { screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, seedSession, stubChartLayout, stubFetch } from '@healthflow/shared/testing';
import type { Alert } from '@healthflow/shared';
import { renderApp } from '../testing/renderApp';

const patientId = '5b1f0c3e-2d4a-4c6b-8e9f-0a1b2c3d4e5f';

function alert(overrides: Partial<Alert>): Alert {
  return {
    alertId: crypto.randomUUID(),
    patientId,
    patientName: 'Ada Lovelace',
    observationId: null,
    severity: 'medium',
    rule: 'check-in-missed',
    rules: ['check-in-missed'],
    reasons: ['No check-in due 20:00 Europe/London on 2026-12-07 by 21:00 (grace 60 min).'],
    status: 'open',
    raisedAt: '2026-12-07T21:00:05Z',
    ...overrides,
  };
}

beforeEach(() => {
  seedSession({ role: 'clinician', patientId: null, username: 'clinician1', displayName: 'Dr Demo' });
  stubChartLayout();
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("the patient page's vital-sign charts", () => {
  it('mark each missed check-in from the patient’s alerts, and no other alert', async () => {
    stubFetch((url) => {
      if (url === `/api/patients/${patientId}`) {
        return jsonResponse({ patientId, username: 'ada', displayName: 'Ada Lovelace', registeredAt: '2026-11-01T08:00:00Z' });
      }
      if (url === `/api/patients/${patientId}/monitoring-plan`) return jsonResponse({ title: 'Not found' }, 404);
      if (url.startsWith(`/api/patients/${patientId}/observations`)) {
        return jsonResponse({
          items: [
            { observationId: 'o-2', measuredAt: '2026-12-08T09:05:00Z', score: 4 },
            { observationId: 'o-1', measuredAt: '2026-12-07T08:55:00Z', score: 3 },
          ],
          nextCursor: null,
        });
      }
      if (url.startsWith(`/api/patients/${patientId}/alerts`)) {
        return jsonResponse({
          items: [
            alert({ missedDueAt: '2026-12-07T20:00:00Z' }),
            alert({ rule: 'news2', rules: ['news2'], observationId: 'o-2', severity: 'high', missedDueAt: null }),
          ],
          nextCursor: null,
        });
      }
      return undefined;
    });
    renderApp(`/patients/${patientId}`);

    const chart = await screen.findByRole('figure', { name: /^Symptom score over time/ });
    const markers = await within(chart).findAllByTestId('missed-check-in-marker');
    expect(markers).toHaveLength(1);
    expect(markers[0]).toHaveAccessibleName(/^Missed check-in due \d\d:00 \S+ on 7 Dec$/);
  });
});
