// The check-in form's rules, mirroring services/HealthFlow.Domain/CheckIns/README.md so nothing invalid is sent.
import type { Consciousness, ObservationRequest } from '@healthflow/shared';

export interface CheckInFormValues {
  score: string;
  heartRate: string;
  respiratoryRate: string;
  oxygenSaturation: string;
  onSupplementalOxygen: boolean;
  systolicBp: string;
  diastolicBp: string;
  temperature: string;
  consciousness: Consciousness | '';
  /** A datetime-local value (the patient's local time), or '' for "now". */
  measuredAt: string;
  note: string;
}

export type CheckInField = keyof CheckInFormValues;
export type CheckInErrors = Partial<Record<CheckInField, string>>;

export const emptyCheckIn: CheckInFormValues = {
  score: '',
  heartRate: '',
  respiratoryRate: '',
  oxygenSaturation: '',
  onSupplementalOxygen: false,
  systolicBp: '',
  diastolicBp: '',
  temperature: '',
  consciousness: '',
  measuredAt: '',
  note: '',
};

/** Inclusive bounds, the same as CheckInLimits.cs. */
export const checkInLimits = {
  score: { min: 1, max: 10 },
  heartRate: { min: 20, max: 300 },
  respiratoryRate: { min: 3, max: 80 },
  oxygenSaturation: { min: 50, max: 100 },
  systolicBp: { min: 50, max: 300 },
  diastolicBp: { min: 20, max: 200 },
  temperature: { min: 25, max: 45 },
  noteMaxLength: 500,
  measuredAtMaxSkewMs: 2 * 60 * 1000,
  measuredAtMaxAgeMs: 7 * 24 * 60 * 60 * 1000,
} as const;

export const checkInLabels: Record<string, string> = {
  score: 'Symptom score',
  heartRate: 'Heart rate',
  respiratoryRate: 'Respiratory rate',
  oxygenSaturation: 'Oxygen saturation (SpO₂)',
  onSupplementalOxygen: 'On supplemental oxygen',
  systolicBp: 'Systolic blood pressure',
  diastolicBp: 'Diastolic blood pressure',
  temperature: 'Temperature',
  consciousness: 'Alertness',
  measuredAt: 'Measured at',
  note: 'Note',
  measurements: 'Measurements',
};

type IntegerField = 'score' | 'heartRate' | 'respiratoryRate' | 'oxygenSaturation' | 'systolicBp' | 'diastolicBp';

const integerPattern = /^[+-]?\d+$/;
// A comma is accepted as the decimal mark because many patients' keyboards type one.
const decimalPattern = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/;

function readInteger(field: IntegerField, raw: string, errors: CheckInErrors): number | undefined {
  const text = raw.trim();
  if (!text) return undefined;
  const { min, max } = checkInLimits[field];
  const value = Number(text);
  if (!integerPattern.test(text) || value < min || value > max) {
    errors[field] = `Enter a whole number from ${min} to ${max}.`;
    return undefined;
  }
  return value;
}

function readTemperature(raw: string, errors: CheckInErrors): number | undefined {
  const text = raw.trim();
  if (!text) return undefined;
  const { min, max } = checkInLimits.temperature;
  const value = Number(text.replace(',', '.'));
  if (!decimalPattern.test(text) || Number.isNaN(value) || value < min || value > max) {
    errors.temperature = `Enter a temperature from ${min} to ${max} °C, e.g. 37.2.`;
    return undefined;
  }
  return value;
}

function readMeasuredAt(raw: string, now: Date, errors: CheckInErrors): string | undefined {
  if (!raw) return undefined;
  // datetime-local has no offset; the Date constructor reads it as the browser's local time.
  const at = new Date(raw);
  if (Number.isNaN(at.getTime())) {
    errors.measuredAt = 'Enter a valid date and time.';
    return undefined;
  }
  if (at.getTime() > now.getTime() + checkInLimits.measuredAtMaxSkewMs) {
    errors.measuredAt = 'The time cannot be in the future.';
    return undefined;
  }
  if (at.getTime() < now.getTime() - checkInLimits.measuredAtMaxAgeMs) {
    errors.measuredAt = 'Readings older than 7 days cannot be sent.';
    return undefined;
  }
  return at.toISOString();
}

export interface CheckInValidation {
  errors: CheckInErrors;
  /** The request body, present only when there are no errors. */
  request?: ObservationRequest;
}

export function validateCheckIn(values: CheckInFormValues, now: Date = new Date()): CheckInValidation {
  const errors: CheckInErrors = {};
  const request: ObservationRequest = {};

  if (!values.score.trim()) errors.score = 'Enter how you feel today, from 1 to 10.';
  request.score = readInteger('score', values.score, errors);
  request.heartRate = readInteger('heartRate', values.heartRate, errors);
  request.respiratoryRate = readInteger('respiratoryRate', values.respiratoryRate, errors);
  request.oxygenSaturation = readInteger('oxygenSaturation', values.oxygenSaturation, errors);
  request.systolicBp = readInteger('systolicBp', values.systolicBp, errors);
  request.diastolicBp = readInteger('diastolicBp', values.diastolicBp, errors);
  request.temperature = readTemperature(values.temperature, errors);
  request.measuredAt = readMeasuredAt(values.measuredAt, now, errors);

  if (request.systolicBp !== undefined && request.diastolicBp !== undefined && request.diastolicBp >= request.systolicBp) {
    errors.diastolicBp = 'Diastolic must be lower than systolic (the first, larger number).';
  }

  // Supplemental oxygen only means something next to an SpO2 reading (NEWS2 scores them together),
  // so an untouched box is not sent as "on room air" when no SpO2 was measured.
  if (values.onSupplementalOxygen || request.oxygenSaturation !== undefined) {
    request.onSupplementalOxygen = values.onSupplementalOxygen;
  }
  if (values.consciousness) request.consciousness = values.consciousness;

  const note = values.note.trim();
  if (values.note.length > checkInLimits.noteMaxLength) {
    errors.note = `Keep the note to ${checkInLimits.noteMaxLength} characters or fewer.`;
  } else if (note) {
    request.note = note;
  }

  if (Object.keys(errors).length > 0) return { errors };
  const body = Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as ObservationRequest;
  return { errors, request: body };
}
