// One patient's row in the worklist: what their open alerts add up to, and, expanded, the alerts themselves.
import { useId } from 'react';
import { Link } from 'react-router-dom';
import { EscalatedBadge, Loading, ProblemMessage, SeverityBadge, type Alert, type WorklistRow } from '@healthflow/shared';
import { AlertRow } from '../inbox/AlertRow';
import { news2Trend, plural, waited } from './worklistFormat';

/** A patient's open alerts as loaded on expanding the row, kept current by the stream. */
export interface PatientAlerts {
  items?: Alert[];
  loading?: boolean;
  error?: unknown;
}

export interface WorklistItemProps {
  row: WorklistRow;
  now: number;
  expanded: boolean;
  alerts: PatientAlerts | undefined;
  busy: boolean;
  pending: Record<string, true>;
  problems: Record<string, unknown>;
  onToggle: () => void;
  onAcknowledgeAll: () => void;
  onAcknowledge: (alert: Alert, note: string) => void;
}

export function WorklistItem({ row, now, expanded, alerts, busy, pending, problems, onToggle, onAcknowledgeAll, onAcknowledge }: WorklistItemProps) {
  const listId = useId();
  const news2 = news2Trend(row);
  return (
    <li
      className={`alert-card worklist__row severity-edge--${row.highestSeverity}${row.escalated ? ' inbox__row--escalated' : ''}`}
      data-testid="worklist-row"
      data-patient-id={row.patientId}
      data-severity={row.highestSeverity}
      data-escalated={row.escalated ? 'true' : 'false'}
      data-open-alerts={row.openAlerts}
    >
      <div className="alert-card__head">
        <SeverityBadge severity={row.highestSeverity} />
        {row.escalated && <EscalatedBadge />}
        <h3 className="worklist__patient">
          <Link to={`/patients/${encodeURIComponent(row.patientId)}`} data-testid="worklist-patient">
            {row.patientName}
          </Link>
        </h3>
        <span className="worklist__count" data-testid="worklist-open-count">
          {plural(row.openAlerts, 'open alert')}
        </span>
      </div>
      <p className="worklist__facts">
        <span data-testid="worklist-news2" data-trend={row.news2Trend ?? 'none'}>
          {news2.value}
          {news2.arrow && (
            <span className={`worklist__trend worklist__trend--${row.news2Trend}`} aria-hidden="true">
              {' '}
              {news2.arrow}
            </span>
          )}
          {news2.words && <span className="visually-hidden"> ({news2.words})</span>}
        </span>
        <span data-testid="worklist-waited">
          oldest waiting <time dateTime={row.oldestOpenRaisedAt}>{waited(row.oldestOpenRaisedAt, now)}</time>
        </span>
        {row.missedCheckIns > 0 && (
          <span className="worklist__missed" data-testid="worklist-missed">
            {plural(row.missedCheckIns, 'missed check-in')}
          </span>
        )}
      </p>
      <div className="button-row">
        <button
          type="button"
          className="button button--small"
          aria-expanded={expanded}
          aria-controls={listId}
          onClick={onToggle}
          aria-label={`${expanded ? 'Hide' : 'Show'} alerts for ${row.patientName}`}
          data-testid="worklist-expand"
        >
          {expanded ? 'Hide alerts' : 'Show alerts'}
        </button>
        <button
          type="button"
          className="button button--primary button--small"
          // aria-disabled, not disabled: a disabled button drops keyboard focus to the page while the acknowledgements run.
          onClick={busy ? undefined : onAcknowledgeAll}
          aria-disabled={busy}
          aria-label={busy ? `Acknowledging alerts for ${row.patientName}` : `Acknowledge all ${plural(row.openAlerts, 'open alert')} for ${row.patientName}`}
          data-testid="worklist-ack-all"
        >
          {busy ? 'Acknowledging…' : 'Acknowledge all'}
        </button>
      </div>
      <div id={listId} hidden={!expanded}>
        {expanded && (
          <>
            {alerts?.loading && !alerts.items && <Loading label="Loading alerts…" />}
            <ProblemMessage error={alerts?.error} />
            {alerts?.items && (
              <ul className="alert-history worklist__alerts" aria-label={`Open alerts for ${row.patientName}`} data-testid="worklist-alerts">
                {alerts.items.map((alert) => (
                  <AlertRow
                    key={alert.alertId}
                    alert={alert}
                    flashing={false}
                    acknowledging={alert.alertId in pending}
                    onAcknowledge={onAcknowledge}
                    problem={problems[alert.alertId]}
                  />
                ))}
              </ul>
            )}
          </>
        )}
      </div>
    </li>
  );
}
