// The alerts raised from the patient's own check-ins, and whether a clinician has seen them.
import { AlertHistory, LoadMore, Loading, ProblemMessage, usePagedResource, useSignedInSession } from '@healthflow/shared';

export function MyAlertsPage() {
  const { api, session } = useSignedInSession();
  const patientId = session.patientId ?? '';
  const alerts = usePagedResource((cursor, signal) => api.getPatientAlerts(patientId, { limit: 50, cursor }, signal), [api, patientId]);

  return (
    <section aria-labelledby="alerts-heading">
      <div className="page-head">
        <h1 id="alerts-heading">My alerts</h1>
        <button type="button" className="button button--small" onClick={alerts.reload} data-testid="alerts-refresh">
          Refresh
        </button>
      </div>
      <p className="muted">
        An alert means a check-in needs your care team&rsquo;s attention. &ldquo;Acknowledged&rdquo; means a clinician has reviewed it.
        If you feel very unwell, call your emergency number.
      </p>
      <ProblemMessage error={alerts.error} />
      {alerts.loading ? (
        <Loading label="Loading your alerts…" />
      ) : (
        <>
          <AlertHistory alerts={alerts.items} />
          <LoadMore hasMore={alerts.hasMore} loading={alerts.loadingMore} onClick={alerts.loadMore} />
        </>
      )}
    </section>
  );
}
