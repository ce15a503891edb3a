// The triage worklist: one row per patient with open alerts, most urgent first. Each alert stays its own record;
// a row expands to them and "Acknowledge all" sends one acknowledgement per alert, each answered on its own.
// Live through the inbox's SSE stream: a change re-fetches only its patient's row, debounced; nothing polls.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, Loading, ProblemMessage, useSignedInSession, type Alert, type WorklistRow } from '@healthflow/shared';
import { HighAlertBanner, beep, loadSoundPreference, newAlertWindowMs, useSoundUnlock } from '../inbox/highAlertSignal';
import { StreamStatus, useAlertStream } from '../inbox/useAlertStream';
import { WorklistItem, type PatientAlerts } from './WorklistItem';
import { byUrgency, plural } from './worklistFormat';

const rowLimit = 100;
/** Changes arriving together (an acknowledge-all, a burst of check-ins) refresh each row once. */
export const refreshDebounceMs = 300;
/** How long a row acknowledged here ignores the server's older view of it while the acknowledgements are projected. */
const acknowledgementGraceMs = 10_000;
/** The waits shown are re-read this often; no request is made. */
const clockTickMs = 30_000;

interface WorklistState {
  rows: WorklistRow[];
  totalPatients: number;
  complete: boolean;
}

/** A 409 that names who acknowledged: the alert is no longer open, which is what acknowledging wanted. */
function acknowledgedElsewhere(error: unknown): { by: string; at: string } | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  const { acknowledgedBy: by, acknowledgedAt: at }: Record<string, unknown> = { ...error.problem };
  return typeof by === 'string' && typeof at === 'string' ? { by, at } : null;
}

export function WorklistView() {
  const { api, session } = useSignedInSession();
  const [worklist, setWorklist] = useState<WorklistState | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [expanded, setExpanded] = useState<Record<string, true>>({});
  const [alerts, setAlerts] = useState<Record<string, PatientAlerts>>({});
  const [problems, setProblems] = useState<Record<string, unknown>>({});
  const [pending, setPending] = useState<Record<string, true>>({});
  const [busy, setBusy] = useState<Record<string, true>>({});
  const [announcement, setAnnouncement] = useState('');
  const [now, setNow] = useState(() => Date.now());
  const [newHigh, setNewHigh] = useState<Alert | null>(null);
  /** Alerts the stream has brought, and those known escalated: a new high alert and an escalation are signalled once. */
  const streamed = useRef(new Set<string>());
  const escalated = useRef(new Set<string>());
  const headingRef = useRef<HTMLHeadingElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const focusAfterRemoval = useRef<string | null | undefined>(undefined);
  const dirty = useRef(new Set<string>());
  const debounce = useRef<number | undefined>(undefined);
  /** Alerts acknowledged here whose acknowledgement the stream has not brought back yet, by patient. */
  const awaiting = useRef(new Map<string, { alertIds: Set<string>; until: number }>());

  // The sound switch is in the list of alerts; a clinician who turned it on hears the worklist's signals too.
  useSoundUnlock(loadSoundPreference());

  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), clockTickMs);
    return () => window.clearInterval(timer);
  }, []);

  const held = useCallback((patientId: string) => {
    const wait = awaiting.current.get(patientId);
    if (!wait) return false;
    if (wait.alertIds.size > 0 && Date.now() < wait.until) return true;
    awaiting.current.delete(patientId);
    return false;
  }, []);

  /** Takes a row out; if focus was in it (or was lost with its disabled button), it goes to the next row or the heading. */
  const removeRow = useCallback((patientId: string) => {
    setWorklist((current) => {
      if (!current) return current;
      const index = current.rows.findIndex((r) => r.patientId === patientId);
      if (index < 0) return current;
      const element = listRef.current?.querySelector(`[data-patient-id="${CSS.escape(patientId)}"]`);
      const active = document.activeElement;
      if (!active || active === document.body || element?.contains(active)) {
        const next = current.rows[index + 1] ?? current.rows[index - 1];
        focusAfterRemoval.current = next ? next.patientId : null;
      }
      const rows = current.rows.filter((r) => r.patientId !== patientId);
      return { ...current, rows, totalPatients: Math.max(rows.length, current.totalPatients - 1) };
    });
  }, []);

  const upsertRow = useCallback((row: WorklistRow) => {
    setWorklist((current) => {
      if (!current) return current;
      const known = current.rows.some((r) => r.patientId === row.patientId);
      const rows = [...current.rows.filter((r) => r.patientId !== row.patientId), row].sort(byUrgency);
      return { ...current, rows, totalPatients: current.totalPatients + (known ? 0 : 1) };
    });
  }, []);

  useEffect(() => {
    if (focusAfterRemoval.current === undefined) return;
    const target = focusAfterRemoval.current;
    focusAfterRemoval.current = undefined;
    const next = target
      ? listRef.current?.querySelector<HTMLElement>(`[data-patient-id="${CSS.escape(target)}"] [data-testid="worklist-expand"]`)
      : null;
    (next ?? headingRef.current)?.focus();
  }, [worklist]);

  const reloadAll = useCallback(async () => {
    try {
      const page = await api.getWorklist({ limit: rowLimit });
      setLoadError(null);
      setWorklist((current) => {
        // A row acknowledged here stays as it is until the stream confirms: this page may predate the acknowledgements.
        const kept = page.items.filter((r) => !held(r.patientId));
        const local = current?.rows.filter((r) => held(r.patientId)) ?? [];
        return { rows: [...kept, ...local].sort(byUrgency), totalPatients: page.totalPatients, complete: page.complete };
      });
    } catch (error) {
      setLoadError(error);
    }
  }, [api, held]);

  const refreshRow = useCallback(
    async (patientId: string) => {
      if (held(patientId)) return;
      try {
        const page = await api.getWorklist({ patientId });
        const row = page.items[0];
        if (row) upsertRow(row);
        else removeRow(patientId);
      } catch {
        // The row stays as it was; the next change or reconnect refreshes it.
      }
    },
    [api, held, removeRow, upsertRow],
  );

  useEffect(() => {
    void reloadAll();
  }, [reloadAll]);

  useEffect(() => () => window.clearTimeout(debounce.current), []);

  /** What the list of alerts signals, signalled here too: a new recent high alert (banner and beep), an escalation (beep). */
  const signal = useCallback((alert: Alert) => {
    const isNew = !streamed.current.has(alert.alertId);
    streamed.current.add(alert.alertId);
    const open = alert.status === 'open';
    const newlyEscalated = open && Boolean(alert.escalated) && !escalated.current.has(alert.alertId);
    if (alert.escalated) escalated.current.add(alert.alertId);
    const recent = Date.now() - Date.parse(alert.raisedAt) < newAlertWindowMs;
    // First seen already escalated is not news of a new alert, only of its escalation.
    if (isNew && open && recent && alert.severity === 'high' && !alert.escalated) {
      setNewHigh(alert);
      beep();
    } else if (newlyEscalated) {
      beep();
    }
    if (!open) setNewHigh((shown) => (shown?.alertId === alert.alertId ? null : shown));
  }, []);

  const onAlert = useCallback(
    (alert: Alert) => {
      signal(alert);
      const wait = awaiting.current.get(alert.patientId);
      if (wait && alert.status === 'acknowledged') wait.alertIds.delete(alert.alertId);
      setAlerts((current) => {
        const known = current[alert.patientId];
        if (!known?.items) return current;
        const exists = known.items.some((a) => a.alertId === alert.alertId);
        if (!exists && alert.status !== 'open') return current;
        const items = exists ? known.items.map((a) => (a.alertId === alert.alertId ? alert : a)) : [alert, ...known.items];
        return { ...current, [alert.patientId]: { ...known, items } };
      });
      dirty.current.add(alert.patientId);
      window.clearTimeout(debounce.current);
      debounce.current = window.setTimeout(() => {
        const patients = [...dirty.current];
        dirty.current.clear();
        patients.forEach((patientId) => void refreshRow(patientId));
      }, refreshDebounceMs);
    },
    [refreshRow, signal],
  );

  const streamStatus = useAlertStream(session.accessToken, api.getStreamTicket, {
    onAlert,
    // What changed before the stream first opened, or while it was down too long to resume: a resumed stream replays instead.
    onOpen: () => void reloadAll(),
    onRefused: () => void api.getWorklist({ limit: 1 }).catch(() => undefined),
  });

  const loadAlerts = useCallback(
    async (patientId: string): Promise<Alert[] | null> => {
      setAlerts((current) => ({ ...current, [patientId]: { ...current[patientId], loading: true, error: null } }));
      try {
        const page = await api.getAlerts({ status: 'open', patientId, limit: 100 });
        setAlerts((current) => ({ ...current, [patientId]: { items: page.items, loading: false, error: null } }));
        return page.items;
      } catch (error) {
        setAlerts((current) => ({ ...current, [patientId]: { ...current[patientId], loading: false, error } }));
        return null;
      }
    },
    [api],
  );

  function toggle(patientId: string) {
    const open = !expanded[patientId];
    setExpanded(({ [patientId]: _, ...rest }) => (open ? { ...rest, [patientId]: true } : rest));
    if (open && !alerts[patientId]?.items) void loadAlerts(patientId);
  }

  /** One acknowledgement, answered on its own: true when the alert is no longer open. */
  async function acknowledgeOne(alert: Alert, note: string): Promise<boolean> {
    setPending((p) => ({ ...p, [alert.alertId]: true }));
    setProblems(({ [alert.alertId]: _, ...rest }) => rest);
    const markAcknowledged = (by: string, at: string) =>
      setAlerts((current) => {
        const known = current[alert.patientId];
        if (!known?.items) return current;
        const items = known.items.map((a) =>
          a.alertId === alert.alertId ? { ...a, status: 'acknowledged' as const, acknowledgedBy: by, acknowledgedAt: at, acknowledgementNote: note || null } : a,
        );
        return { ...current, [alert.patientId]: { ...known, items } };
      });
    try {
      await api.acknowledgeAlert(alert.alertId, note);
      markAcknowledged(session.username, new Date().toISOString());
      return true;
    } catch (error) {
      const other = acknowledgedElsewhere(error);
      if (other) {
        markAcknowledged(other.by, other.at);
        return true;
      }
      setProblems((p) => ({ ...p, [alert.alertId]: error }));
      return false;
    } finally {
      setPending(({ [alert.alertId]: _, ...rest }) => rest);
    }
  }

  function awaitStream(patientId: string, alertIds: string[]) {
    const wait = awaiting.current.get(patientId) ?? { alertIds: new Set<string>(), until: 0 };
    alertIds.forEach((id) => wait.alertIds.add(id));
    wait.until = Date.now() + acknowledgementGraceMs;
    awaiting.current.set(patientId, wait);
  }

  /** Counts acknowledged alerts out of their row at once; the stream's copies of them then refresh it from the server. */
  function countOut(patientId: string, alertIds: string[]): number {
    awaitStream(patientId, alertIds);
    const row = worklist?.rows.find((r) => r.patientId === patientId);
    const left = Math.max(0, (row?.openAlerts ?? 0) - alertIds.length);
    setWorklist((current) =>
      current && { ...current, rows: current.rows.map((r) => (r.patientId === patientId ? { ...r, openAlerts: left } : r)) },
    );
    return left;
  }

  async function acknowledge(alert: Alert, note: string) {
    if (!(await acknowledgeOne(alert, note))) return;
    setAnnouncement(`Alert for ${alert.patientName} acknowledged.`);
    if (countOut(alert.patientId, [alert.alertId]) === 0) removeRow(alert.patientId);
  }

  async function acknowledgeAll(row: WorklistRow) {
    setBusy((b) => ({ ...b, [row.patientId]: true }));
    setAnnouncement('');
    try {
      const items = alerts[row.patientId]?.items ?? (await loadAlerts(row.patientId));
      if (!items) {
        setExpanded((e) => ({ ...e, [row.patientId]: true }));
        return;
      }
      const open = items.filter((a) => a.status === 'open');
      const results = await Promise.all(open.map((alert) => acknowledgeOne(alert, '')));
      const done = open.filter((_, i) => results[i]);
      countOut(row.patientId, done.map((a) => a.alertId));
      if (done.length === open.length) {
        setAnnouncement(`${plural(done.length, 'alert')} for ${row.patientName} acknowledged.`);
        removeRow(row.patientId);
        return;
      }
      // Some failed: the row stays, open on its alerts, each failure shown on its alert.
      setExpanded((e) => ({ ...e, [row.patientId]: true }));
      setAnnouncement(`${done.length} of ${open.length} alerts for ${row.patientName} acknowledged; ${open.length - done.length} failed.`);
    } finally {
      setBusy(({ [row.patientId]: _, ...rest }) => rest);
    }
  }

  const rows = worklist?.rows ?? [];
  return (
    <>
      <StreamStatus status={streamStatus} />
      {newHigh && <HighAlertBanner alert={newHigh} onDismiss={() => setNewHigh(null)} />}
      <div className="worklist__head">
        <h2 id="worklist-heading" ref={headingRef} tabIndex={-1}>
          Worklist
        </h2>
        {worklist && (
          <p className="muted" data-testid="worklist-count">
            {worklist.totalPatients > rows.length
              ? `Showing ${rows.length} of ${plural(worklist.totalPatients, 'patient')} with open alerts`
              : `${plural(rows.length, 'patient')} with open alerts`}
          </p>
        )}
      </div>
      <div aria-live="polite" className="visually-hidden" data-testid="worklist-status">
        {announcement}
      </div>
      {worklist && !worklist.complete && (
        <p className="notice" data-testid="worklist-incomplete">
          Not every open alert could be read: these rows are from the alerts that have waited longest. Newer ones are
          under All alerts.
        </p>
      )}
      <ProblemMessage error={loadError} />

      {!worklist ? (
        !loadError && <Loading label="Loading the worklist…" />
      ) : rows.length === 0 ? (
        <p className="empty" data-testid="worklist-empty">
          No patient has an open alert.
        </p>
      ) : (
        <ul className="worklist" aria-labelledby="worklist-heading" data-testid="worklist" ref={listRef}>
          {rows.map((row) => (
            <WorklistItem
              key={row.patientId}
              row={row}
              now={now}
              expanded={Boolean(expanded[row.patientId])}
              alerts={alerts[row.patientId]}
              busy={Boolean(busy[row.patientId])}
              pending={pending}
              problems={problems}
              onToggle={() => toggle(row.patientId)}
              onAcknowledgeAll={() => void acknowledgeAll(row)}
              onAcknowledge={(alert, note) => void acknowledge(alert, note)}
            />
          ))}
        </ul>
      )}
    </>
  );
}
