// One patient: who they are, their vitals over time with their missed check-ins, and every alert raised for them.
import { Link, useParams } from 'react-router-dom';
import {
  AlertHistory,
  LoadMore,
  Loading,
  ObservationTable,
  ProblemMessage,
  formatDateTime,
  useApiResource,
  usePagedResource,
  useSignedInSession,
} from '@healthflow/shared';
import { ObservationChart } from '@healthflow/shared/charts';
import { DownloadFhirBundle } from './DownloadFhirBundle';
import { MonitoringPlanSection } from './plan/MonitoringPlanSection';

const missedCheckInRule = 'check-in-missed';

export function PatientDetailPage() {
  const { patientId = '' } = useParams();
  const { api } = useSignedInSession();
  const patient = useApiResource((signal) => api.getPatient(patientId, signal), [api, patientId]);
  const observations = usePagedResource((cursor, signal) => api.getObservations(patientId, { limit: 100, cursor }, signal), [api, patientId]);
  const alerts = usePagedResource((cursor, signal) => api.getPatientAlerts(patientId, { limit: 50, cursor }, signal), [api, patientId]);
  // The alerts loaded so far: a missed check-in older than them appears once "Load more" reaches it.
  const missedCheckIns = alerts.items.flatMap((a) => (a.rule === missedCheckInRule && a.missedDueAt ? [a.missedDueAt] : []));

  return (
    <section aria-labelledby="patient-heading">
      <p>
        <Link to="/patients">← All patients</Link>
      </p>
      <ProblemMessage error={patient.error} />
      {patient.loading ? (
        <Loading label="Loading patient…" />
      ) : (
        patient.data && (
          <div className="page-head">
            <h1 id="patient-heading" data-testid="patient-name">
              {patient.data.displayName}
            </h1>
            <span className="muted">
              {patient.data.username} · registered {formatDateTime(patient.data.registeredAt)}
            </span>
            <DownloadFhirBundle patientId={patientId} />
          </div>
        )
      )}

      {/* Keyed: a plan saved on one patient's page is never shown on the next one's. */}
      <MonitoringPlanSection key={patientId} patientId={patientId} />

      <div className="card">
        <h2>Vital signs and scores</h2>
        <ProblemMessage error={observations.error} />
        {observations.loading ? (
          <Loading label="Loading check-ins…" />
        ) : (
          <>
            <ObservationChart observations={observations.items} missedCheckIns={missedCheckIns} />
            <h3 className="detail__subheading">Check-ins</h3>
            <ObservationTable observations={observations.items} />
            <LoadMore hasMore={observations.hasMore} loading={observations.loadingMore} onClick={observations.loadMore} label="Load older check-ins" />
          </>
        )}
      </div>

      <div className="card">
        <h2>Alert history</h2>
        <ProblemMessage error={alerts.error} />
        {alerts.loading ? (
          <Loading label="Loading alerts…" />
        ) : (
          <>
            <AlertHistory alerts={alerts.items} />
            <LoadMore hasMore={alerts.hasMore} loading={alerts.loadingMore} onClick={alerts.loadMore} />
          </>
        )}
      </div>
    </section>
  );
}
