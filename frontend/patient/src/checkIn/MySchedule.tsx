// The check-in schedule the care team set, in the patient's words, when the next check-in is due and a banner while
// one is overdue; nothing while there is no plan or no schedule. What is due and what is overdue is the server's to
// judge (GET check-in-status), so the page shows what the alerts are decided on.
import { useEffect, useState } from 'react';
import { describeScheduleForPatient, formatDueInZone, useApiResource, useSignedInSession, type CheckInStatus } from '@healthflow/shared';

// setTimeout's longest delay; a due time further off is read again when the page is next opened.
const longestTimer = 2 ** 31 - 1;
const awaitRetryMs = 1000;
const awaitAttempts = 30;

interface MyScheduleProps {
  /**
   * Set after a check-in was accepted: the latest check-in time the page had before it (null: none). The status is
   * read again until the server's is newer, so the next window, not the one just checked in for, is shown.
   */
  awaitCheckInAfter?: string | null;
  /** Each status read, so the page knows the latest check-in time before the patient submits another. */
  onStatus?: (status: CheckInStatus | null) => void;
}

function isNewer(status: CheckInStatus | null | undefined, after: string | null): boolean {
  const last = status?.lastCheckInAt;
  return !!last && (after === null || Date.parse(last) > Date.parse(after));
}

export function MySchedule({ awaitCheckInAfter, onStatus }: MyScheduleProps) {
  const { api, session } = useSignedInSession();
  const patientId = session.patientId ?? '';
  const plan = useApiResource((signal) => (patientId ? api.getMonitoringPlan(patientId, signal) : Promise.resolve(null)), [api, patientId]);
  const status = useApiResource((signal) => (patientId ? api.getCheckInStatus(patientId, signal) : Promise.resolve(null)), [api, patientId]);
  const current = status.data;
  const awaiting = awaitCheckInAfter !== undefined && !isNewer(current, awaitCheckInAfter);
  const { reload } = status;

  useEffect(() => {
    if (!status.loading && current !== undefined) onStatus?.(current);
  }, [current, status.loading, onStatus]);

  // The status changes at the window's due time (overdue) and at its grace end (the next window): read it again then,
  // timed by the server's clock (asOf), not the browser's.
  useEffect(() => {
    if (!current) return;
    const changesAt = Date.parse(current.overdue ? current.graceEndsAt : current.dueAt);
    const delay = Math.min(Math.max(changesAt - Date.parse(current.asOf) + 1000, 1000), longestTimer);
    const timer = setTimeout(reload, delay);
    return () => clearTimeout(timer);
  }, [current, reload]);

  // After a check-in the projection takes a moment to count it: read again, a bounded number of times.
  const [attempts, setAttempts] = useState(0);
  useEffect(() => {
    if (!awaiting || status.loading || current === null || attempts >= awaitAttempts) return;
    const timer = setTimeout(() => {
      setAttempts(attempts + 1);
      reload();
    }, awaitRetryMs);
    return () => clearTimeout(timer);
  }, [awaiting, status.loading, current, attempts, setAttempts, reload]);

  const schedule = plan.data?.plan.schedule;
  // A plan that could not be read leaves the check-in as it always was: the form works without it.
  if (!schedule) return null;
  const stillAwaiting = awaiting && attempts < awaitAttempts && current !== null;
  const now = current ? new Date(current.asOf) : new Date();
  // Every absolute time names its zone: the plan's, which is the patient's clock wherever the browser is.
  const zoneNote = current ? ` (${current.timeZone} time)` : '';

  return (
    <>
      {current?.overdue && !stillAwaiting && (
        <div className="card overdue-banner" role="alert" data-testid="checkin-overdue">
          <span className="overdue-banner__icon" aria-hidden="true">
            ⚠
          </span>{' '}
          <strong>Check-in overdue.</strong> Your check-in due at {formatDueInZone(current.overdueDueAt ?? current.dueAt, current.timeZone, now)}
          {zoneNote} has not arrived. Please check in now.
        </div>
      )}
      <div className="card schedule-note" data-testid="checkin-schedule">
        <p>{describeScheduleForPatient(schedule)}</p>
        {stillAwaiting ? (
          <p role="status" className="muted">
            Working out when your next check-in is due…
          </p>
        ) : (
          current && (
            <p data-testid="checkin-next-due">
              Next check-in due by <strong>{formatDueInZone(current.dueAt, current.timeZone, now)}</strong>
              {zoneNote}.
            </p>
          )
        )}
      </div>
    </>
  );
}
