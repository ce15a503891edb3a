// A monitoring plan in plain clinical words with units, the same in both apps.
import { formatNumber } from './format';
import { planVitalSigns, type CheckInSchedule, type PersonalThresholds, type PlanVitalSign, type SpO2Scale, type VitalBound } from './types';

export const planVitalSignLabels: Record<PlanVitalSign, string> = {
  heartRate: 'Heart rate',
  respiratoryRate: 'Respiratory rate',
  oxygenSaturation: 'Oxygen saturation (SpO₂)',
  systolicBp: 'Systolic blood pressure',
  temperature: 'Temperature',
};

export const planVitalSignUnits: Record<PlanVitalSign, string> = {
  heartRate: '/min',
  respiratoryRate: '/min',
  oxygenSaturation: '%',
  systolicBp: 'mmHg',
  temperature: '°C',
};

/** "08:00", "08:00 and 20:00", "08:00, 14:00 and 20:00". */
export function joinWithAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function when(schedule: CheckInSchedule, hours: (n: number) => string): string {
  if (schedule.everyHours) return `every ${hours(schedule.everyHours)}`;
  return `at ${joinWithAnd(schedule.timesOfDay ?? [])}`;
}

/** For clinicians: "Check-ins every 8 h, 60 min grace, Europe/London". */
export function describeSchedule(schedule: CheckInSchedule): string {
  return `Check-ins ${when(schedule, (n) => `${n} h`)}, ${schedule.graceMinutes ?? 0} min grace, ${schedule.timeZone}`;
}

/** For the patient: "Your care team asks you to check in every 8 hours." / "… at 08:00 and 20:00 (Europe/London time)." */
export function describeScheduleForPatient(schedule: CheckInSchedule): string {
  const hours = (n: number) => (n === 1 ? 'hour' : `${n} hours`);
  const zone = schedule.everyHours ? '' : ` (${schedule.timeZone} time)`;
  return `Your care team asks you to check in ${when(schedule, hours)}${zone}.`;
}

/** "SpO₂ scale 1", or "SpO₂ scale 2, target 88–92 %". */
export function describeSpO2Scale(scale: SpO2Scale | null | undefined): string {
  if (!scale || scale.scale !== 2) return 'SpO₂ scale 1';
  return `SpO₂ scale 2, target ${scale.targetLow ?? 88}–${scale.targetHigh ?? 92} %`;
}

/** "Heart rate: alert below 55 /min (high)", "… below 55 or above 120 /min (medium)". */
export function describeBound(sign: PlanVitalSign, bound: VitalBound): string {
  const unit = planVitalSignUnits[sign];
  const parts = [
    bound.low != null ? `below ${formatNumber(bound.low)}` : null,
    bound.high != null ? `above ${formatNumber(bound.high)}` : null,
  ].filter(Boolean);
  return `${planVitalSignLabels[sign]}: alert ${parts.join(' or ')} ${unit} (${bound.severity})`;
}

/** One line per personal bound, in the check-in's order, then the symptom-score threshold. */
export function describeThresholds(thresholds: PersonalThresholds | null | undefined): string[] {
  if (!thresholds) return [];
  const lines: string[] = [];
  for (const sign of planVitalSigns) {
    const bound = thresholds[sign];
    if (bound) lines.push(describeBound(sign, bound));
  }
  if (thresholds.scoreThreshold != null) lines.push(`Symptom score: alert above ${thresholds.scoreThreshold}`);
  return lines;
}
