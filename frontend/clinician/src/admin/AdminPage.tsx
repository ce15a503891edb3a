// For admins: care teams and their members, new clinician accounts, and a patient's audit trail.
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Loading, ProblemMessage, ScrollRegion, formatDateTime, useApiResource, useSignedInSession, type AuditRecord, type CareTeam } from '@healthflow/shared';

/** What the care-team list must show once a change is projected, and how many reloads have not shown it yet. */
interface AwaitedChange {
  shows: (teams: CareTeam[]) => boolean;
  reloads: number;
}

// The list is a read model: it shows a change once projected, usually within a second. It is read again, sooner
// then less often, until it shows what the command did: about 12 s in all, after which the page says so.
const maxReloads = 15;
const reloadDelay = (reloads: number) => Math.min(100 * 2 ** reloads, 1_000);

export function AdminPage() {
  const { api } = useSignedInSession();
  const teams = useApiResource((signal) => api.getCareTeams(signal), [api]);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [awaited, setAwaited] = useState<AwaitedChange | null>(null);
  const { data, loading, reload } = teams;

  useEffect(() => {
    if (!awaited || loading || !data) return;
    if (awaited.shows(data.items)) {
      setAwaited(null);
      return;
    }
    if (awaited.reloads >= maxReloads) {
      setAwaited(null);
      setMessage((done) => `${done ?? 'Saved.'} The list below has not caught up yet; reload the page in a moment.`);
      return;
    }
    const timer = window.setTimeout(() => {
      setAwaited((current) => current && { ...current, reloads: current.reloads + 1 });
      reload();
    }, reloadDelay(awaited.reloads));
    return () => window.clearTimeout(timer);
  }, [awaited, data, loading, reload]);

  /** Runs one command; true when the server took it, so a form clears its inputs only then. */
  async function run(action: () => Promise<unknown>, done: string, shows: (teams: CareTeam[]) => boolean): Promise<boolean> {
    setError(null);
    setMessage(null);
    try {
      await action();
      setMessage(done);
      setAwaited({ shows, reloads: 0 });
      return true;
    } catch (failure) {
      setError(failure);
      return false;
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
        <CreateTeamForm
          onCreate={(name) => run(() => api.createCareTeam(name), `Care team ${name} created.`, (items) => items.some((t) => t.name === name))}
        />
        <CreateClinicianForm
          onCreate={(username, password, displayName) =>
            // A new account is in no team: nothing on this page changes.
            run(() => api.createClinician({ username, password, displayName }), `Clinician ${username} created.`, () => true)
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
              onChange={(change, member, done) =>
                run(() => api.changeCareTeamMember(team.careTeamId, change, member), done, (items) =>
                  items.some((t) => t.careTeamId === team.careTeamId && isMember(t, member) === (change === 'POST')),
                )
              }
            />
          ))}
        </ul>
      )}

      <AuditTrail />
    </section>
  );
}

type Member = { clinicianId: string } | { patientId: string };

function isMember(team: CareTeam, member: Member): boolean {
  return 'clinicianId' in member ? team.clinicians.includes(member.clinicianId) : team.patients.includes(member.patientId);
}

// Each form keeps what was typed until the server has taken it: a refused request leaves it there to correct.
function CreateTeamForm({ onCreate }: { onCreate: (name: string) => Promise<boolean> }) {
  const [name, setName] = useState('');
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (name.trim() && (await onCreate(name.trim()))) setName('');
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

function CreateClinicianForm({ onCreate }: { onCreate: (username: string, password: string, displayName: string) => Promise<boolean> }) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await onCreate(username.trim(), password, displayName.trim())) {
      setUsername('');
      setDisplayName('');
      setPassword('');
    }
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

type MemberChange = (change: 'POST' | 'DELETE', member: Member, done: string) => Promise<boolean>;

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
            <RemoveButton what={c} team={team.name} onConfirm={() => onChange('DELETE', { clinicianId: c }, `${c} removed from ${team.name}.`)} />
          </li>
        ))}
      </ul>
      <form
        className="button-row"
        onSubmit={(e) => {
          e.preventDefault();
          void onChange('POST', { clinicianId: clinician.trim() }, `${clinician.trim()} added to ${team.name}.`).then((taken) => taken && setClinician(''));
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
            <RemoveButton what={`patient ${p}`} team={team.name} onConfirm={() => onChange('DELETE', { patientId: p }, `Patient removed from ${team.name}.`)} />
          </li>
        ))}
      </ul>
      <form
        className="button-row"
        onSubmit={(e) => {
          e.preventDefault();
          void onChange('POST', { patientId: patient.trim() }, `Patient added to ${team.name}.`).then((taken) => taken && setPatient(''));
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

/**
 * Removing someone from a care team takes their access (or their care) away at once, so it asks first: a second,
 * explicit button, with Cancel and Escape to back out; focus moves to the question and back to Remove.
 */
function RemoveButton({ what, team, onConfirm }: { what: string; team: string; onConfirm: () => Promise<boolean> }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const removeRef = useRef<HTMLButtonElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);

  useEffect(() => {
    if (asking) confirmRef.current?.focus();
    else if (wasAsking.current) removeRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  const backOutOnEscape = (e: KeyboardEvent) => {
    if (e.key === 'Escape') setAsking(false);
  };

  if (!asking) {
    return (
      <button ref={removeRef} type="button" className="button button--small" onClick={() => setAsking(true)}>
        Remove {what}
      </button>
    );
  }

  return (
    <span
      role="group"
      aria-label={`Remove ${what} from ${team}?`}
      className="button-row"
    >
      <span>Remove {what} from {team}?</span>
      <button
        ref={confirmRef}
        type="button"
        className="button button--small button--danger"
        disabled={busy}
        onKeyDown={backOutOnEscape}
        onClick={async () => {
          setBusy(true);
          const taken = await onConfirm();
          setBusy(false);
          if (!taken) setAsking(false);
        }}
      >
        Yes, remove
      </button>
      <button type="button" className="button button--small" onKeyDown={backOutOnEscape} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
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
        <ScrollRegion label="Audit trail">
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
        </ScrollRegion>
      )}
    </section>
  );
}
