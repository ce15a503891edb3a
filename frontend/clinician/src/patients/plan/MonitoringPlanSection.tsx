// The patient's monitoring plan on their page: the plan in force in plain clinical words, and its edit form.
import { useEffect, useRef, useState } from 'react';
import {
  Loading,
  ProblemMessage,
  describeSchedule,
  describeSpO2Scale,
  describeThresholds,
  formatDateTime,
  useApiResource,
  useSignedInSession,
  type HealthflowApi,
  type MonitoringPlanView,
} from '@healthflow/shared';
import { MonitoringPlanForm } from './MonitoringPlanForm';

const reloadAttempts = 10;
const reloadPauseMs = 500;

/**
 * The read model follows the event a moment later, so right after a 412 the GET may still answer the older version:
 * ask again, briefly, until it has the version the 412 named.
 */
async function loadAtLeast(api: HealthflowApi, patientId: string, version: number): Promise<MonitoringPlanView | null> {
  let plan: MonitoringPlanView | null = null;
  for (let attempt = 1; attempt <= reloadAttempts; attempt++) {
    plan = await api.getMonitoringPlan(patientId);
    if ((plan?.version ?? 0) >= version) return plan;
    await new Promise((resolve) => setTimeout(resolve, reloadPauseMs));
  }
  return plan;
}

/** The newer of two copies: a saved plan is shown at once, though the GET may not have caught up with it yet. */
function newer(a: MonitoringPlanView | null | undefined, b: MonitoringPlanView | null): MonitoringPlanView | null {
  if (!a) return b;
  if (!b) return a;
  return b.version > a.version ? b : a;
}

export function PlanSummary({ view }: { view: MonitoringPlanView }) {
  const { schedule, spO2Scale, thresholds } = view.plan;
  const lines = describeThresholds(thresholds);
  return (
    <div data-testid="plan-summary">
      <p className="muted" data-testid="plan-provenance">
        Version <span data-testid="plan-version">{view.version}</span>, set by {view.setBy} on {formatDateTime(view.setAt)}. Reason:{' '}
        <q data-testid="plan-reason">{view.reason}</q>
      </p>
      <ul className="plan-summary">
        <li data-testid="plan-schedule">{schedule ? describeSchedule(schedule) : 'No check-in schedule'}</li>
        <li data-testid="plan-spo2">{describeSpO2Scale(spO2Scale)}</li>
      </ul>
      <h3 className="detail__subheading">Personal alert thresholds</h3>
      {lines.length > 0 ? (
        <ul className="plan-summary" data-testid="plan-thresholds">
          {lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ) : (
        <p data-testid="plan-thresholds-none">None: the usual alert rules apply.</p>
      )}
    </div>
  );
}

export function MonitoringPlanSection({ patientId }: { patientId: string }) {
  const { api } = useSignedInSession();
  const loaded = useApiResource((signal) => api.getMonitoringPlan(patientId, signal), [api, patientId]);
  const [latest, setLatest] = useState<MonitoringPlanView | null>(null);
  const [editing, setEditing] = useState(false);
  const [status, setStatus] = useState('');
  const [reloadError, setReloadError] = useState<unknown>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  const current = newer(loaded.data, latest);

  useEffect(() => {
    // Back from the form, the keyboard continues where it went in.
    if (wasEditing.current && !editing) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  async function reload(version: number) {
    setReloadError(null);
    try {
      const fresh = await loadAtLeast(api, patientId, version);
      // A newer version gives the form a new key: it starts again from the plan in force, with its version for If-Match.
      setLatest(fresh);
      setStatus(
        (fresh?.version ?? 0) >= version
          ? `Plan version ${fresh?.version} loaded. Make your change again.`
          : 'The new plan could not be read yet. Try reloading again in a moment.',
      );
    } catch (failure) {
      setReloadError(failure);
    }
  }

  return (
    <div className="card" data-testid="monitoring-plan">
      <h2 id="monitoring-plan-heading">Monitoring plan</h2>
      <ProblemMessage error={loaded.error ?? reloadError} />
      <p role="status" className="plan-status" data-testid="plan-status">
        {status}
      </p>
      {loaded.loading && !latest ? (
        <Loading label="Loading monitoring plan…" />
      ) : (
        !loaded.error && (
          <>
            {current ? (
              <PlanSummary view={current} />
            ) : (
              <p data-testid="plan-none">No plan yet: no check-in schedule, SpO₂ scale 1, and the usual alert rules.</p>
            )}
            {editing ? (
              <MonitoringPlanForm
                key={current?.version ?? 0}
                patientId={patientId}
                current={current}
                onSaved={(saved) => {
                  setLatest(saved);
                  setStatus(`Plan version ${saved.version} saved.`);
                  setEditing(false);
                }}
                onCancel={() => setEditing(false)}
                onReload={(version) => void reload(version)}
              />
            ) : (
              <button
                ref={editButton}
                type="button"
                className="button"
                onClick={() => {
                  setStatus('');
                  setEditing(true);
                }}
                data-testid="plan-edit"
              >
                {current ? 'Change plan' : 'Set a plan'}
              </button>
            )}
          </>
        )
      )}
    </div>
  );
}
