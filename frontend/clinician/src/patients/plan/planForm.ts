// The edit form's values (text, as typed) and their way to and from the API's plan. The server validates the plan;
// the form only refuses what it cannot send (a reason left out, text where a number goes).
import {
  planVitalSigns,
  type MonitoringPlan,
  type MonitoringPlanRequest,
  type PersonalThresholds,
  type PlanVitalSign,
  type Severity,
} from '@healthflow/shared';

export type ScheduleKind = 'none' | 'interval' | 'times';

export interface BoundValues {
  low: string;
  high: string;
  severity: Severity;
}

export interface PlanFormValues {
  scheduleKind: ScheduleKind;
  everyHours: string;
  /** "08:00, 20:00": commas or spaces between times. */
  timesOfDay: string;
  timeZone: string;
  graceMinutes: string;
  scale: '1' | '2';
  targetLow: string;
  targetHigh: string;
  bounds: Record<PlanVitalSign, BoundValues>;
  scoreThreshold: string;
  reason: string;
}

/** Errors keyed as the API names fields in its problem+json: `schedule.everyHours`, `thresholds.heartRate.low`, `reason`. */
export type PlanErrors = Record<string, string>;

/** Where the browser is, for a first schedule; the clinician changes it to the patient's zone. */
function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/London';
}

const text = (value: number | null | undefined) => (value == null ? '' : String(value));

/** The form filled in with the plan in force (or the defaults when there is none); the reason starts empty. */
export function formValuesFrom(plan: MonitoringPlan | null | undefined): PlanFormValues {
  const schedule = plan?.schedule;
  const scale = plan?.spO2Scale;
  const thresholds = plan?.thresholds;
  const bounds = Object.fromEntries(
    planVitalSigns.map((sign) => {
      const bound = thresholds?.[sign];
      return [sign, { low: text(bound?.low), high: text(bound?.high), severity: bound?.severity ?? 'medium' }];
    }),
  ) as Record<PlanVitalSign, BoundValues>;
  return {
    scheduleKind: !schedule ? 'none' : schedule.everyHours ? 'interval' : 'times',
    everyHours: text(schedule?.everyHours),
    timesOfDay: (schedule?.timesOfDay ?? []).join(', '),
    timeZone: schedule?.timeZone ?? browserTimeZone(),
    graceMinutes: text(schedule?.graceMinutes ?? 0),
    scale: scale?.scale === 2 ? '2' : '1',
    targetLow: text(scale?.scale === 2 ? (scale.targetLow ?? 88) : 88),
    targetHigh: text(scale?.scale === 2 ? (scale.targetHigh ?? 92) : 92),
    bounds,
    scoreThreshold: text(thresholds?.scoreThreshold),
    reason: '',
  };
}

/** The request the form's values make, or the fields it cannot make one from. */
export function toRequest(values: PlanFormValues): { request?: MonitoringPlanRequest; errors: PlanErrors } {
  const errors: PlanErrors = {};
  const number = (field: string, value: string): number | undefined => {
    const trimmed = value.trim();
    if (trimmed === '') return undefined;
    const parsed = Number(trimmed);
    if (Number.isNaN(parsed)) {
      errors[field] = 'Enter a number.';
      return undefined;
    }
    return parsed;
  };

  const request: MonitoringPlanRequest = { reason: values.reason.trim() };
  if (!request.reason) errors.reason = 'Say why the plan changes: it is kept with the plan.';

  if (values.scheduleKind !== 'none') {
    const graceMinutes = number('schedule.graceMinutes', values.graceMinutes) ?? 0;
    const timeZone = values.timeZone.trim();
    if (values.scheduleKind === 'interval') {
      const everyHours = number('schedule.everyHours', values.everyHours);
      if (everyHours === undefined && !errors['schedule.everyHours']) errors['schedule.everyHours'] = 'Enter the hours between check-ins.';
      request.schedule = { everyHours, timeZone, graceMinutes };
    } else {
      const timesOfDay = values.timesOfDay.split(/[\s,]+/).filter(Boolean);
      if (timesOfDay.length === 0) errors['schedule.timesOfDay'] = 'Enter at least one time of day, e.g. 08:00.';
      request.schedule = { timesOfDay, timeZone, graceMinutes };
    }
  }

  request.spO2Scale =
    values.scale === '2'
      ? { scale: 2, targetLow: number('spO2Scale.targetLow', values.targetLow), targetHigh: number('spO2Scale.targetHigh', values.targetHigh) }
      : { scale: 1 };

  const thresholds: PersonalThresholds = {};
  for (const sign of planVitalSigns) {
    const bound = values.bounds[sign];
    const low = number(`thresholds.${sign}.low`, bound.low);
    const high = number(`thresholds.${sign}.high`, bound.high);
    if (low !== undefined || high !== undefined) thresholds[sign] = { low, high, severity: bound.severity };
  }
  const scoreThreshold = number('thresholds.scoreThreshold', values.scoreThreshold);
  if (scoreThreshold !== undefined) thresholds.scoreThreshold = scoreThreshold;
  if (Object.keys(thresholds).length > 0) request.thresholds = thresholds;

  return Object.keys(errors).length > 0 ? { errors } : { request, errors };
}

/**
 * The API's field errors, first message each. A bound that names neither low nor high (`thresholds.heartRate`) is
 * shown at its low input, where the clinician adds one.
 */
export function planErrorsFrom(fieldErrors: Record<string, string[]>): PlanErrors {
  const errors: PlanErrors = {};
  for (const [key, messages] of Object.entries(fieldErrors)) {
    if (messages.length === 0) continue;
    const field = planVitalSigns.some((sign) => key === `thresholds.${sign}`) ? `${key}.low` : key;
    errors[field] ??= messages[0];
  }
  return errors;
}

/** The input of a field key, e.g. `thresholds.heartRate.low` → `plan-thresholds-heartRate-low`. */
export function inputId(field: string): string {
  return `plan-${field.replace(/\./g, '-')}`;
}
