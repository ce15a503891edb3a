import { describe, expect, it } from 'vitest';
import { formatClockInZone, formatDueInZone } from './format';

describe('times on the patient’s clock', () => {
  it('writes an instant on a 24-hour clock in the plan’s zone, not the reader’s', () => {
    expect(formatClockInZone('2026-07-01T13:00:00Z', 'Europe/London')).toBe('14:00');
    expect(formatClockInZone('2026-07-01T13:00:00Z', 'America/New_York')).toBe('09:00');
    expect(formatClockInZone('2026-01-01T00:05:00Z', 'UTC')).toBe('00:05');
  });

  it('names the day only when it is not today in that zone', () => {
    const now = new Date('2026-12-08T10:00:00Z');

    expect(formatDueInZone('2026-12-08T14:00:00Z', 'Europe/London', now)).toBe('14:00');
    expect(formatDueInZone('2026-12-09T08:00:00Z', 'Europe/London', now)).toBe('08:00 tomorrow');
    expect(formatDueInZone('2026-12-07T20:00:00Z', 'Europe/London', now)).toBe('20:00 yesterday');
    expect(formatDueInZone('2026-12-10T08:00:00Z', 'Europe/London', now)).toBe('08:00 on Thu 10 Dec');
  });

  it('counts days on the zone’s calendar: 23:30 UTC is already tomorrow in Sydney', () => {
    const now = new Date('2026-12-08T10:00:00Z'); // 21:00 on the 8th in Sydney (UTC+11)

    expect(formatDueInZone('2026-12-08T13:30:00Z', 'Australia/Sydney', now)).toBe('00:30 tomorrow');
  });
});
