import { describe, expect, it } from 'vitest';
import { formatAgo, formatDateTime } from './format';

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
