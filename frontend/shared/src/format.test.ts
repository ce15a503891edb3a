import { describe, expect, it } from 'vitest';
import { formatAgo, formatClockInZone, formatDateTime, formatDueInZone } from './format';

const now = Date.parse('2026-12-08T14:05:00Z');
const ago = (ms: number) => new Date(now - ms).toISOString();

describe('times on screen', () => {
  it('name their zone', () => {
    expect(formatDateTime('2026-12-08T14:05:00Z')).toMatch(/(UTC|GMT|[A-Z]{2,5}|[+-]\d)/);
  });

  it('say how long ago, in the unit a reader expects', () => {
    expect(formatAgo(ago(10_000), now)).toBe('now');
    expect(formatAgo(ago(12 * 60_000), now)).toBe('12 min. ago');
    expect(formatAgo(ago(3 * 3_600_000 + 20 * 60_000), now)).toBe('3 hr. ago');
    expect(formatAgo(ago(26 * 3_600_000), now)).toBe('yesterday');
    expect(formatAgo(new Date(now + 5 * 60_000).toISOString(), now)).toBe('in 5 min.');
  });

  it('say nothing of a time that is not one', () => {
    expect(formatAgo('not a time', now)).toBe('');
  });
});

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
