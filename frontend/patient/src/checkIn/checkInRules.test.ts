import { describe, expect, it } from 'vitest';
import { emptyCheckIn, validateCheckIn, type CheckInFormValues } from './checkInRules';

const now = new Date('2026-11-20T12:00:00Z');
const withScore = (overrides: Partial<CheckInFormValues>): CheckInFormValues => ({ ...emptyCheckIn, score: '5', ...overrides });

describe('check-in rules', () => {
  it.each([
    ['score', '0'],
    ['score', '11'],
    ['score', '7.5'],
    ['heartRate', '19'],
    ['heartRate', '301'],
    ['respiratoryRate', '2'],
    ['respiratoryRate', '81'],
    ['oxygenSaturation', '49'],
    ['oxygenSaturation', '101'],
    ['systolicBp', '49'],
    ['systolicBp', '301'],
    ['diastolicBp', '19'],
    ['diastolicBp', '201'],
    ['temperature', '24.9'],
    ['temperature', '45.1'],
    ['temperature', 'warm'],
    ['heartRate', '80bpm'],
  ] as const)('rejects %s = %s and builds no request', (field, value) => {
    const result = validateCheckIn(withScore({ [field]: value }), now);
    expect(result.errors[field]).toBeTruthy();
    expect(result.request).toBeUndefined();
  });

  it.each([
    ['score', '1', 1],
    ['score', '10', 10],
    ['heartRate', '20', 20],
    ['heartRate', '300', 300],
    ['respiratoryRate', '3', 3],
    ['oxygenSaturation', '100', 100],
    ['temperature', '25', 25],
    ['temperature', '45.0', 45],
    ['temperature', '37,4', 37.4],
  ] as const)('accepts the inclusive bound %s = %s', (field, value, expected) => {
    const result = validateCheckIn(withScore({ [field]: value }), now);
    expect(result.errors).toEqual({});
    expect(result.request?.[field]).toBe(expected);
  });

  it('requires the symptom score', () => {
    const result = validateCheckIn({ ...emptyCheckIn, heartRate: '80' }, now);
    expect(result.errors.score).toMatch(/1 to 10/);
  });

  it('rejects a diastolic pressure that is not below the systolic one', () => {
    const result = validateCheckIn(withScore({ systolicBp: '90', diastolicBp: '120' }), now);
    expect(result.errors.diastolicBp).toMatch(/lower than systolic/);
  });

  it('rejects a reading from the future or from more than 7 days ago', () => {
    expect(validateCheckIn(withScore({ measuredAt: '2026-11-21T12:00' }), now).errors.measuredAt).toMatch(/future/);
    expect(validateCheckIn(withScore({ measuredAt: '2026-11-01T12:00' }), now).errors.measuredAt).toMatch(/7 days/);
  });

  it('sends only what was measured, with room air stated alongside an SpO2 reading', () => {
    const result = validateCheckIn(withScore({ oxygenSaturation: '95', consciousness: 'confusion', note: '  tired  ' }), now);
    expect(result.request).toEqual({ score: 5, oxygenSaturation: 95, onSupplementalOxygen: false, consciousness: 'confusion', note: 'tired' });
  });

  it('does not claim room air when no SpO2 was measured', () => {
    expect(validateCheckIn(withScore({}), now).request).toEqual({ score: 5 });
  });
});
