// The patient's home: the check-in form, then a confirmation once the API has accepted it.
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import type { CheckInStatus, ObservationAccepted } from '@healthflow/shared';
import { CheckInForm } from './CheckInForm';
import { MySchedule } from './MySchedule';

export function CheckInPage() {
  const [accepted, setAccepted] = useState<{ observation: ObservationAccepted; checkInBefore: string | null } | null>(null);
  const confirmationRef = useRef<HTMLDivElement>(null);
  // The latest check-in the schedule knew of before this one: the confirmation waits for the server to count a newer one.
  const lastCheckInAt = useRef<string | null>(null);
  const onStatus = useCallback((status: CheckInStatus | null) => {
    lastCheckInAt.current = status?.lastCheckInAt ?? null;
  }, []);

  useEffect(() => {
    if (accepted) confirmationRef.current?.focus();
  }, [accepted]);

  if (accepted) {
    return (
      <>
        <div className="card form success" ref={confirmationRef} tabIndex={-1} role="status" data-testid="checkin-confirmation">
          <h1>Check-in received</h1>
          <p>
            Thank you. Your care team will review it, and you will see any alert it raises under <Link to="/alerts">My alerts</Link>.
          </p>
          <p className="muted">
            Reference: <code data-testid="checkin-observation-id">{accepted.observation.observationId}</code>
          </p>
          <div className="button-row">
            <button type="button" className="button button--primary" onClick={() => setAccepted(null)} data-testid="checkin-again">
              New check-in
            </button>
            <Link to="/history" className="button">
              See my history
            </Link>
          </div>
        </div>
        <MySchedule awaitCheckInAfter={accepted.checkInBefore} onStatus={onStatus} />
      </>
    );
  }
  return (
    <>
      <MySchedule onStatus={onStatus} />
      <CheckInForm onSubmitted={(observation) => setAccepted({ observation, checkInBefore: lastCheckInAt.current })} />
    </>
  );
}
