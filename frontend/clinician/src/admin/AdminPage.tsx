// For admins: care teams and their members, new clinician accounts, and a patient's audit trail.
import { useState, type FormEvent } from 'react';
import { Loading, ProblemMessage, formatDateTime, useApiResource, useSignedInSession, type AuditRecord, type CareTeam } from '@healthflow/shared';

export function AdminPage() {
  const { api } = useSignedInSession();
  const teams = useApiResource((signal) => api.getCareTeams(signal), [api]);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);

  async function run(action: () => Promise<unknown>, done: string) {
    setError(null);
    setMessage(null);
    try {
      await action();
      setMessage(done);
      // The list is a read model: it shows the change once projected, typically well within a second.
      window.setTimeout(teams.reload, 700);
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <section aria-labelledby="admin-heading" className="admin">
      <div className="page-head">
        <h1 id="admin-heading">Care teams</h1>
      </div>
      <div aria-live="polite" data-testid="admin-status">
        {message && <p className="success">{message}</p>}
      </div>
      <ProblemMessage error={error} testId="admin-error" />

      <div className="admin__forms">
        <CreateTeamForm onCreate={(name) => run(() => api.createCareTeam(name), `Care team ${name} created.`)} />
        <CreateClinicianForm
          onCreate={(username, password, displayName) =>
            run(() => api.createClinician({ username, password, displayName }), `Clinician ${username} created.`)
          }
        />
      </div>

      <ProblemMessage error={teams.error} />
      {teams.loading && !teams.data ? (
        <Loading label="Loading care teams…" />
      ) : (
        <ul className="admin__teams" data-testid="care-team-list">
          {teams.data?.items.map((team) => (
            <TeamCard
              key={team.careTeamId}
              team={team}
              onChange={(change, member, done) => run(() => api.changeCareTeamMember(team.careTeamId, change, member), done)}
            />
          ))}
        </ul>
      )}

      <AuditTrail />
    </section>
  );
}

function CreateTeamForm({ onCreate }: { onCreate: (name: string) => Promise<void> }) {
  const [name, setName] = useState('');
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (name.trim()) await onCreate(name.trim());
    setName('');
  }
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="new-team-heading">
      <h2 id="new-team-heading">New care team</h2>
      <div className="field">
        <label htmlFor="new-team-name">Team name</label>
        <input id="new-team-name" value={name} onChange={(e) => setName(e.target.value)} data-testid="new-team-name" required maxLength={100} />
      </div>
      <button type="submit" className="button button--primary" data-testid="new-team-submit">
        Create team
      </button>
    </form>
  );
}

function CreateClinicianForm({ onCreate }: { onCreate: (username: string, password: string, displayName: string) => Promise<void> }) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  async function submit(event: FormEvent) {
    event.preventDefault();
    await onCreate(username.trim(), password, displayName.trim());
    setPassword('');
  }
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="new-clinician-heading">
      <h2 id="new-clinician-heading">New clinician account</h2>
      <div className="field">
        <label htmlFor="new-clinician-username">Username</label>
        <input id="new-clinician-username" value={username} onChange={(e) => setUsername(e.target.value)} data-testid="new-clinician-username" required />
      </div>
      <div className="field">
        <label htmlFor="new-clinician-name">Display name</label>
        <input id="new-clinician-name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} data-testid="new-clinician-name" required />
      </div>
      <div className="field">
        <label htmlFor="new-clinician-password">Initial password</label>
        <input
          id="new-clinician-password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          data-testid="new-clinician-password"
          required
          minLength={8}
        />
      </div>
      <button type="submit" className="button button--primary" data-testid="new-clinician-submit">
        Create clinician
      </button>
    </form>
  );
}

type MemberChange = (change: 'POST' | 'DELETE', member: { clinicianId: string } | { patientId: string }, done: string) => Promise<void>;

function TeamCard({ team, onChange }: { team: CareTeam; onChange: MemberChange }) {
  const [clinician, setClinician] = useState('');
  const [patient, setPatient] = useState('');
  const id = team.careTeamId;
  return (
    <li className="card admin__team" data-testid="care-team" data-team-name={team.name} data-team-id={id}>
      <h2>{team.name}</h2>
      <h3>Clinicians</h3>
      <ul className="admin__members" data-testid="team-clinicians">
        {team.clinicians.map((c) => (
          <li key={c}>
            {c}{' '}
            <button type="button" className="button button--small" onClick={() => onChange('DELETE', { clinicianId: c }, `${c} removed from ${team.name}.`)}>
              Remove {c}
            </button>
          </li>
        ))}
      </ul>
      <form
        className="button-row"
        onSubmit={(e) => {
          e.preventDefault();
          void onChange('POST', { clinicianId: clinician.trim() }, `${clinician.trim()} added to ${team.name}.`).then(() => setClinician(''));
        }}
      >
        <label htmlFor={`add-clinician-${id}`}>Add clinician (username)</label>
        <input id={`add-clinician-${id}`} value={clinician} onChange={(e) => setClinician(e.target.value)} data-testid="add-clinician" required />
        <button type="submit" className="button button--small" data-testid="add-clinician-submit">
          Add clinician
        </button>
      </form>
      <h3>Patients ({team.patients.length})</h3>
      <ul className="admin__members" data-testid="team-patients">
        {team.patients.slice(0, 50).map((p) => (
          <li key={p}>
            <code>{p}</code>{' '}
            <button type="button" className="button button--small" onClick={() => onChange('DELETE', { patientId: p }, `Patient removed from ${team.name}.`)}>
              Remove patient
            </button>
          </li>
        ))}
      </ul>
      <form
        className="button-row"
        onSubmit={(e) => {
          e.preventDefault();
          void onChange('POST', { patientId: patient.trim() }, `Patient added to ${team.name}.`).then(() => setPatient(''));
        }}
      >
        <label htmlFor={`add-patient-${id}`}>Add patient (id)</label>
        <input id={`add-patient-${id}`} value={patient} onChange={(e) => setPatient(e.target.value)} data-testid="add-patient" required />
        <button type="submit" className="button button--small" data-testid="add-patient-submit">
          Add patient
        </button>
      </form>
    </li>
  );
}

function AuditTrail() {
  const { api } = useSignedInSession();
  const [patientId, setPatientId] = useState('');
  const [records, setRecords] = useState<AuditRecord[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      setRecords((await api.getAudit({ patientId: patientId.trim(), limit: 100 })).items);
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <section className="card" aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit trail of a patient</h2>
      <form className="button-row" onSubmit={submit}>
        <label htmlFor="audit-patient">Patient id</label>
        <input id="audit-patient" value={patientId} onChange={(e) => setPatientId(e.target.value)} data-testid="audit-patient" required />
        <button type="submit" className="button button--small" data-testid="audit-submit">
          Show trail
        </button>
      </form>
      <ProblemMessage error={error} testId="audit-error" />
      {records && (
        <div className="table-wrap">
          <table className="table" data-testid="audit-table">
            <caption className="muted">Newest first: who was given, or refused, this patient&apos;s data.</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Items</th>
                <th scope="col">Outcome</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {records.map((r) => (
                <tr key={r.recordId} data-testid="audit-row" data-outcome={r.outcome} data-actor={r.actor}>
                  <td>{formatDateTime(r.accessedAt)}</td>
                  <td>
                    {r.actor} ({r.actorRole})
                  </td>
                  <td>{r.action}</td>
                  <td>{r.count}</td>
                  <td>{r.outcome}</td>
                  <td>{r.clientAddress ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
