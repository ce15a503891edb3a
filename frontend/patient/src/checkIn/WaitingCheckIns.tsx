// What the outbox holds, in words: the check-ins saved on this device and not yet sent, and what became of the last.
import { ProblemMessage, formatDateTime } from '@healthflow/shared';
import type { CheckInOutbox } from './useCheckInOutbox';

export function WaitingCheckIns({ outbox }: { outbox: CheckInOutbox }) {
  const { pending, lastSent, lastRefused } = outbox;
  return (
    <div aria-live="polite" data-testid="checkin-outbox">
      {pending.length > 0 && (
        <div className="notice" data-testid="checkin-waiting">
          <p>
            <strong>
              {pending.length === 1 ? '1 check-in is' : `${pending.length} check-ins are`} saved on this device and not sent yet.
            </strong>{' '}
            {pending.length === 1 ? 'It' : 'They'} will be sent as soon as the connection is back, even if you close this page. Do not
            enter {pending.length === 1 ? 'it' : 'them'} again.
          </p>
          <ul>
            {pending.map((p) => (
              <li key={p.idempotencyKey} data-testid="checkin-waiting-item">
                Measured {formatDateTime(p.request.measuredAt)}
                {p.request.score != null ? `, symptom score ${p.request.score}` : ''}
              </li>
            ))}
          </ul>
        </div>
      )}
      {pending.length === 0 && lastSent && (
        <p className="success" data-testid="checkin-sent-late">
          Your check-in measured {formatDateTime(lastSent.pending.request.measuredAt)} has now been sent.
        </p>
      )}
      {lastRefused && (
        <div data-testid="checkin-refused-late">
          <p className="problem">Your saved check-in measured {formatDateTime(lastRefused.pending.request.measuredAt)} could not be sent:</p>
          <ProblemMessage error={lastRefused.error} />
        </div>
      )}
    </div>
  );
}
