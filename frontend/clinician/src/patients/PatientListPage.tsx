// The patients of the clinician's care teams, paged; each links to the patient's detail page.
import { Link } from 'react-router-dom';
import { LoadMore, Loading, ProblemMessage, formatDateTime, usePagedResource, useSignedInSession } from '@healthflow/shared';
import { MyCareTeams } from '../teams/MyCareTeams';

export function PatientListPage() {
  const { api } = useSignedInSession();
  const patients = usePagedResource((cursor, signal) => api.getPatients({ limit: 50, cursor }, signal), [api]);

  return (
    <section aria-labelledby="patients-heading">
      <div className="page-head">
        <h1 id="patients-heading">Patients</h1>
      </div>
      <MyCareTeams />
      <ProblemMessage error={patients.error} />
      {patients.loading ? (
        <Loading label="Loading patients…" />
      ) : patients.items.length === 0 ? (
        <p className="empty" data-testid="patients-empty">
          No patients in your care teams yet.
        </p>
      ) : (
        <div className="card table-wrap">
          <table className="table" data-testid="patient-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Username</th>
                <th scope="col">Registered</th>
              </tr>
            </thead>
            <tbody>
              {patients.items.map((p) => (
                <tr key={p.patientId} data-testid="patient-row" data-patient-id={p.patientId}>
                  <td>
                    <Link to={`/patients/${encodeURIComponent(p.patientId)}`}>{p.displayName}</Link>
                  </td>
                  <td>{p.username}</td>
                  <td>{formatDateTime(p.registeredAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <LoadMore hasMore={patients.hasMore} loading={patients.loadingMore} onClick={patients.loadMore} label="Load more patients" />
        </div>
      )}
    </section>
  );
}
