// One alert in the inbox: severity, patient, why it was raised, and the acknowledge-with-note action.
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Link } from 'react-router-dom';
import { EscalatedBadge, ProblemMessage, SeverityBadge, StatusBadge, When, formatDateTime, ruleLabel, rulesLabel, type Alert } from '@healthflow/shared';

export interface AlertRowProps {
  alert: Alert;
  flashing: boolean;
  acknowledging: boolean;
  onAcknowledge: (alert: Alert, note: string) => void;
  /** Why acknowledging this alert failed, shown on the alert itself (the worklist acknowledges several at once). */
  problem?: unknown;
}

export function AlertRow({ alert, flashing, acknowledging, onAcknowledge, problem }: AlertRowProps) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const noteId = useId();
  const rowRef = useRef<HTMLLIElement>(null);
  const acknowledgeRef = useRef<HTMLButtonElement>(null);
  // Where focus goes when the note form closes: back to Acknowledge when backed out of, to the row once sent.
  const focusAfterClose = useRef<'acknowledge' | 'row' | null>(null);

  useEffect(() => {
    if (open) return;
    if (focusAfterClose.current === 'acknowledge') acknowledgeRef.current?.focus();
    if (focusAfterClose.current === 'row') rowRef.current?.focus();
    focusAfterClose.current = null;
  }, [open]);

  function close(focus: 'acknowledge' | 'row') {
    focusAfterClose.current = focus;
    setOpen(false);
  }

  function confirm(event: FormEvent) {
    event.preventDefault();
    onAcknowledge(alert, note.trim());
    close('row');
    setNote('');
  }

  function backOutOnEscape(event: KeyboardEvent) {
    if (event.key === 'Escape') close('acknowledge');
  }

  const measure = alert.news2 != null ? `NEWS2 ${alert.news2}${alert.partial ? ' (partial)' : ''}` : alert.score != null ? `Score ${alert.score}/10` : ruleLabel(alert.rule);

  return (
    <li
      ref={rowRef}
      // Focusable by script only: after an acknowledgement focus stays on this alert instead of falling to the page.
      tabIndex={-1}
      className={`alert-card inbox__row severity-edge--${alert.severity}${alert.escalated ? ' inbox__row--escalated' : ''}${flashing ? ' inbox__row--flash' : ''}`}
      data-testid="alert-row"
      data-alert-id={alert.alertId}
      data-status={alert.status}
      data-severity={alert.severity}
      data-escalated={alert.escalated ? 'true' : 'false'}
      aria-label={`${alert.escalated ? 'escalated ' : ''}${alert.severity} alert for ${alert.patientName}`}
    >
      <div className="alert-card__head">
        <SeverityBadge severity={alert.severity} />
        {alert.escalated && <EscalatedBadge />}
        <Link to={`/patients/${encodeURIComponent(alert.patientId)}`} className="inbox__patient" data-testid="alert-patient">
          {alert.patientName}
        </Link>
        <span className="inbox__measure">{measure}</span>
        <StatusBadge status={alert.status} />
      </div>
      {alert.reasons.length > 0 && (
        <ul className="alert-card__reasons" data-testid="alert-reasons">
          {alert.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
      <p className="alert-card__meta">
        {rulesLabel(alert)} · raised <When iso={alert.raisedAt} testId="alert-raised-at" />
        {alert.escalated && alert.escalatedAt && (
          <span data-testid="alert-escalated-at">
            {' '}
            · escalated <time dateTime={alert.escalatedAt}>{formatDateTime(alert.escalatedAt)}</time>
          </span>
        )}
        {alert.status === 'acknowledged' && (
          <span data-testid="alert-acknowledged-by">
            {' '}
            · acknowledged {formatDateTime(alert.acknowledgedAt)}
            {alert.acknowledgedBy ? ` by ${alert.acknowledgedBy}` : ''}
          </span>
        )}
      </p>
      {alert.acknowledgementNote && <p className="alert-card__note">“{alert.acknowledgementNote}”</p>}

      {alert.status === 'open' && !open && (
        <button
          ref={acknowledgeRef}
          type="button"
          className="button button--small"
          onClick={() => setOpen(true)}
          disabled={acknowledging}
          aria-label={`Acknowledge alert for ${alert.patientName}`}
          data-testid="ack-open"
        >
          Acknowledge
        </button>
      )}
      {alert.status === 'open' && open && (
        // Escape anywhere in the form backs out, as Cancel does (the key events of its fields bubble here).
        // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions
        <form className="inbox__ack" onSubmit={confirm} onKeyDown={backOutOnEscape} data-testid="ack-form">
          <label htmlFor={noteId}>Acknowledgement note (optional)</label>
          <textarea
            id={noteId}
            value={note}
            maxLength={500}
            onChange={(e) => setNote(e.target.value)}
            placeholder="e.g. Called the patient, advised to attend the clinic"
            data-testid="ack-note"
            // The clinician has just asked to write a note: the caret goes where they are about to type.
            // eslint-disable-next-line jsx-a11y/no-autofocus
            autoFocus
          />
          <div className="button-row">
            <button type="submit" className="button button--primary button--small" data-testid="ack-confirm">
              Confirm acknowledgement
            </button>
            <button type="button" className="button button--small" onClick={() => close('acknowledge')} data-testid="ack-cancel">
              Cancel
            </button>
          </div>
        </form>
      )}
      {problem != null && <ProblemMessage error={problem} testId="ack-error" />}
    </li>
  );
}
