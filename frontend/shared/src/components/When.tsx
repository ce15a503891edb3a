// A moment shown both ways a clinician reads it: when, with its zone, and how long ago, kept current.
import { useEffect, useState } from 'react';
import { formatAgo, formatDateTime } from '../format';

const tickMs = 30_000;

/** The time now, again every `everyMs`, so "12 min ago" does not stay 12 all shift. */
export function useNow(everyMs = tickMs): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

export function When({ iso, testId }: { iso: string; testId?: string }) {
  const now = useNow();
  return (
    <span data-testid={testId}>
      <time dateTime={iso}>{formatDateTime(iso)}</time> <span className="muted">({formatAgo(iso, now)})</span>
    </span>
  );
}
