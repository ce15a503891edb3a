// Severity and status badges; the colour comes from the severity class so every list matches.
import { capitalise } from '../format';
import type { AlertStatus, Severity } from '../types';

export const severityLabels: Record<Severity, string> = {
  high: 'High',
  medium: 'Medium',
  'low-medium': 'Low-medium',
};

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`badge severity severity--${severity}`} data-severity={severity} data-testid="severity-badge">
      {severityLabels[severity] ?? capitalise(severity)}
    </span>
  );
}

export function StatusBadge({ status }: { status: AlertStatus }) {
  return (
    <span className={`badge status status--${status}`} data-testid="status-badge">
      {capitalise(status)}
    </span>
  );
}

/** Shown on an alert nobody acknowledged by its deadline; the text says it, the colour only repeats it. */
export function EscalatedBadge() {
  return (
    <span className="badge escalated" data-testid="escalated-badge">
      Escalated
    </span>
  );
}
