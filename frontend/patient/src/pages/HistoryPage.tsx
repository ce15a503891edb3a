// The patient's recent check-ins as charts and a table.
import { LoadMore, Loading, ObservationTable, ProblemMessage, usePagedResource, useSignedInSession } from '@healthflow/shared';
import { ObservationChart } from '@healthflow/shared/charts';

export function HistoryPage() {
  const { api, session } = useSignedInSession();
  const patientId = session.patientId ?? '';
  const observations = usePagedResource(
    (cursor, signal) => api.getObservations(patientId, { limit: 50, cursor }, signal),
    [api, patientId],
  );

  return (
    <section aria-labelledby="history-heading">
      <div className="page-head">
        <h1 id="history-heading">My history</h1>
        <button type="button" className="button button--small" onClick={observations.reload} data-testid="history-refresh">
          Refresh
        </button>
      </div>
      <ProblemMessage error={observations.error} />
      {observations.loading ? (
        <Loading label="Loading your check-ins…" />
      ) : (
        <>
          <div className="card">
            <h2>Trends</h2>
            <ObservationChart observations={observations.items} />
          </div>
          <div className="card">
            <h2>Check-ins</h2>
            <ObservationTable observations={observations.items} />
            <LoadMore hasMore={observations.hasMore} loading={observations.loadingMore} onClick={observations.loadMore} label="Load older check-ins" />
          </div>
        </>
      )}
    </section>
  );
}
