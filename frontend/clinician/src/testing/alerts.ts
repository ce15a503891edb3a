// Alert fixtures in the API's shape.
import type { Alert } from '@healthflow/shared';

let counter = 0;

export function anAlert(overrides: Partial<Alert> = {}): Alert {
  counter += 1;
  return {
    alertId: `alert-${counter}`,
    patientId: `patient-${counter}`,
    patientName: `Patient ${counter}`,
    observationId: `obs-${counter}`,
    severity: 'medium',
    rule: 'score-threshold',
    rules: ['score-threshold'],
    reasons: ['score 9 > 7'],
    score: 9,
    news2: null,
    status: 'open',
    raisedAt: new Date(Date.now() - 60_000 + counter).toISOString(),
    acknowledgedAt: null,
    acknowledgedBy: null,
    ...overrides,
  };
}
