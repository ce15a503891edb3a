// How a worklist row is ordered and worded: the server's order kept when one row is refreshed on its own.
import { severities, type WorklistRow } from '@healthflow/shared';

const rank = (row: WorklistRow) => {
  const index = severities.indexOf(row.highestSeverity);
  return index < 0 ? severities.length : index;
};

/** As GET /api/worklist sorts: highest severity first, then the longest-waiting oldest alert. */
export function byUrgency(a: WorklistRow, b: WorklistRow): number {
  return (
    rank(a) - rank(b) ||
    Date.parse(a.oldestOpenRaisedAt) - Date.parse(b.oldestOpenRaisedAt) ||
    (a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : 0)
  );
}

/** How long since `iso`, in words a glance takes in: "4 min", "2 h 5 min", "3 d 1 h". */
export function waited(iso: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(iso)) / 60_000));
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

const arrows = { up: '↑', down: '↓', same: '→' } as const;
const trendWords = { up: 'rising from', down: 'falling from', same: 'unchanged from' } as const;

/** The latest NEWS2 total with its trend: an arrow to see, and words for a screen reader. */
export function news2Trend(row: WorklistRow): { value: string; arrow: string | null; words: string | null } {
  if (row.latestNews2 == null) return { value: 'NEWS2 not recorded', arrow: null, words: null };
  const trend = row.news2Trend;
  return {
    value: `NEWS2 ${row.latestNews2}`,
    arrow: trend ? arrows[trend] : null,
    words: trend && row.previousNews2 != null ? `${trendWords[trend]} ${row.previousNews2}` : null,
  };
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
