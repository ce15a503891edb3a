// A patient's alerts with severity, reasons and status: the patient's own view and the clinician's detail page.
import { formatDateTime } from '../format';
import type { Alert } from '../types';
import { EscalatedBadge, SeverityBadge, StatusBadge } from './Badges';

export function ruleLabel(rule: string): string {
  if (rule === 'score-threshold') return 'Symptom score';
  if (rule.toLowerCase().startsWith('news2')) return 'NEWS2';
  return rule;
}

/** Every rule that fired for the alert's check-in, most severe first: "NEWS2 + Symptom score". */
export function rulesLabel(alert: Pick<Alert, 'rule' | 'rules'>): string {
  return (alert.rules?.length ? alert.rules : [alert.rule]).map(ruleLabel).join(' + ');
}

export function AlertHistory({ alerts }: { alerts: Alert[] }) {
  if (alerts.length === 0) {
    return (
      <p className="empty" data-testid="alerts-empty">
        No alerts.
      </p>
    );
  }
  return (
    <ul className="alert-history" data-testid="alert-history">
      {alerts.map((alert) => (
        <li
          key={alert.alertId}
          className={`alert-card severity-edge--${alert.severity}`}
          data-testid="alert-history-item"
          data-status={alert.status}
          data-severity={alert.severity}
          data-escalated={alert.escalated ? 'true' : 'false'}
        >
          <div className="alert-card__head">
            <SeverityBadge severity={alert.severity} />
            {alert.escalated && <EscalatedBadge />}
            <span className="alert-card__rule">
              {rulesLabel(alert)}
              {alert.news2 != null && ` ${alert.news2}${alert.partial ? ' (partial)' : ''}`}
              {alert.news2 == null && alert.score != null && ` ${alert.score}/10`}
            </span>
            <StatusBadge status={alert.status} />
          </div>
          {alert.reasons.length > 0 && (
            <ul className="alert-card__reasons">
              {alert.reasons.map((reason) => (
                <li key={reason}>{reason}</li>
              ))}
            </ul>
          )}
          <p className="alert-card__meta">
            Raised {formatDateTime(alert.raisedAt)}
            {alert.escalated && ` · escalated ${formatDateTime(alert.escalatedAt)}, unacknowledged past its deadline`}
            {alert.status === 'acknowledged' &&
              ` · acknowledged ${formatDateTime(alert.acknowledgedAt)}${alert.acknowledgedBy ? ` by ${alert.acknowledgedBy}` : ''}`}
          </p>
          {alert.acknowledgementNote && <p className="alert-card__note">“{alert.acknowledgementNote}”</p>}
        </li>
      ))}
    </ul>
  );
}
