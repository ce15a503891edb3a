// How dates and vitals are written on screen, the same in both apps.

// Every absolute time names its zone: a clinician reading a patient's check-in from another zone, or a screenshot
// sent to a colleague, must not have to guess which 14:05 it was.
const dateTime = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});
const shortDateTime = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** A time of today, e.g. when the session ends. */
export function formatTime(epochMs: number): string {
  return time.format(new Date(epochMs));
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });

/** How long ago (or how far ahead) `iso` is from `now`: "now", "12 min. ago", "3 hr. ago", "yesterday", "in 5 min.". */
export function formatAgo(iso: string, now = Date.now()): string {
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return '';
  const seconds = Math.round((at - now) / 1000);
  const minutes = Math.trunc(seconds / 60);
  const hours = Math.trunc(minutes / 60);
  const days = Math.trunc(hours / 24);
  if (Math.abs(seconds) < 45) return relative.format(0, 'second');
  if (Math.abs(minutes) < 60) return relative.format(minutes === 0 ? Math.sign(seconds) : minutes, 'minute');
  if (Math.abs(hours) < 24) return relative.format(hours, 'hour');
  return relative.format(days, 'day');
}

export function formatShortDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : shortDateTime.format(date);
}

// Readings are shown as measured, but floating-point noise (37.800000000000004) is not a measurement.
const measurement = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

export function formatNumber(value: number): string {
  return measurement.format(value);
}

export function formatValue(value: number | string | boolean | null | undefined, unit = ''): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  const text = typeof value === 'number' ? formatNumber(value) : value;
  return unit ? `${text} ${unit}` : text;
}

// A schedule's times are the patient's clock, so they are written in the plan's time zone, whatever the reader's is.
function zoned(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-GB', { timeZone, ...options });
}

/** "14:00": the instant on a 24-hour clock in `timeZone`. */
export function formatClockInZone(iso: string, timeZone: string): string {
  return zoned(timeZone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

// The calendar day of an instant in a zone, as a day number, so two instants' days can be subtracted.
function dayNumber(date: Date, timeZone: string): number {
  const parts = zoned(timeZone, { year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(part('year'), part('month') - 1, part('day')) / 86_400_000;
}

/**
 * A due time as the patient reads it, in the plan's zone and relative to `now`: "14:00" today, "08:00 tomorrow",
 * "20:00 yesterday", otherwise "08:00 on Wed 9 Dec".
 */
export function formatDueInZone(iso: string, timeZone: string, now: Date = new Date()): string {
  const due = new Date(iso);
  if (Number.isNaN(due.getTime())) return iso;
  const clock = formatClockInZone(iso, timeZone);
  const days = dayNumber(due, timeZone) - dayNumber(now, timeZone);
  if (days === 0) return clock;
  if (days === 1) return `${clock} tomorrow`;
  if (days === -1) return `${clock} yesterday`;
  return `${clock} on ${zoned(timeZone, { weekday: 'short', day: 'numeric', month: 'short' }).format(due)}`;
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
