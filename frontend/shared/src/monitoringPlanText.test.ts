import { describe, expect, it } from 'vitest';
import { describeBound, describeSchedule, describeScheduleForPatient, describeSpO2Scale, describeThresholds, joinWithAnd } from './monitoringPlanText';

describe('a monitoring plan in words', () => {
  it('joins times of day as a sentence would', () => {
    expect(joinWithAnd(['08:00'])).toBe('08:00');
    expect(joinWithAnd(['08:00', '20:00'])).toBe('08:00 and 20:00');
    expect(joinWithAnd(['08:00', '14:00', '20:00'])).toBe('08:00, 14:00 and 20:00');
  });

  it('gives clinicians the schedule with its grace and time zone', () => {
    expect(describeSchedule({ everyHours: 8, timeZone: 'Europe/London', graceMinutes: 60 })).toBe('Check-ins every 8 h, 60 min grace, Europe/London');
    expect(describeSchedule({ timesOfDay: ['08:00', '20:00'], timeZone: 'Europe/Paris' })).toBe('Check-ins at 08:00 and 20:00, 0 min grace, Europe/Paris');
  });

  it('gives the patient the schedule in plain words', () => {
    expect(describeScheduleForPatient({ everyHours: 1, timeZone: 'Europe/London' })).toBe('Your care team asks you to check in every hour.');
    expect(describeScheduleForPatient({ everyHours: 12, timeZone: 'Europe/London' })).toBe('Your care team asks you to check in every 12 hours.');
    expect(describeScheduleForPatient({ timesOfDay: ['09:00'], timeZone: 'America/New_York' })).toBe(
      'Your care team asks you to check in at 09:00 (America/New_York time).',
    );
  });

  it('names the SpO₂ scale, with the target range of scale 2', () => {
    expect(describeSpO2Scale(undefined)).toBe('SpO₂ scale 1');
    expect(describeSpO2Scale({ scale: 1 })).toBe('SpO₂ scale 1');
    expect(describeSpO2Scale({ scale: 2, targetLow: 86, targetHigh: 90 })).toBe('SpO₂ scale 2, target 86–90 %');
  });

  it('writes each bound with its unit and severity, in the check-in order, then the score threshold', () => {
    expect(describeBound('heartRate', { low: 55, severity: 'high' })).toBe('Heart rate: alert below 55 /min (high)');
    expect(describeBound('systolicBp', { high: 180, severity: 'medium' })).toBe('Systolic blood pressure: alert above 180 mmHg (medium)');
    expect(
      describeThresholds({
        temperature: { low: 35.5, high: 38.2, severity: 'low-medium' },
        heartRate: { low: 55, severity: 'high' },
        scoreThreshold: 6,
      }),
    ).toEqual(['Heart rate: alert below 55 /min (high)', 'Temperature: alert below 35.5 or above 38.2 °C (low-medium)', 'Symptom score: alert above 6']);
    expect(describeThresholds(null)).toEqual([]);
  });
});
