// The inbox's flat alert list: first page over HTTP, then every new or changed alert over SSE.
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import {
  ApiError,
  LoadMore,
  Loading,
  ProblemMessage,
  alertStatuses,
  capitalise,
  severities,
  severityLabels,
  useSignedInSession,
  type Alert,
  type AlertStatus,
  type Severity,
} from '@healthflow/shared';
import { AlertRow } from './AlertRow';
import { HighAlertBanner, beep, loadSoundPreference, newAlertWindowMs, setSoundPreference, useSoundUnlock } from './highAlertSignal';
import { initialInbox, inboxReducer, needsAttention, type InboxFilter } from './inboxState';
import { StreamStatus, useAlertStream } from './useAlertStream';

const pageSize = 50;
/** How long a new alert's row flashes. */
const flashMs = 8000;

/** Who acknowledged an alert, from a 409 problem's `acknowledgedBy` and `acknowledgedAt`; null when it does not say. */
function acknowledgedBy(error: ApiError): { by: string; at: string } | null {
  const { acknowledgedBy: by, acknowledgedAt: at }: Record<string, unknown> = { ...error.problem };
  return typeof by === 'string' && typeof at === 'string' ? { by, at } : null;
}

export function AlertListView() {
  const { api, session } = useSignedInSession();
  const [state, dispatch] = useReducer(inboxReducer, initialInbox);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [ackMessage, setAckMessage] = useState<{ kind: 'info' | 'error'; error?: unknown; text?: string } | null>(null);
  const [flashing, setFlashing] = useState<Record<string, true>>({});
  const [newHigh, setNewHigh] = useState<Alert | null>(null);
  const [soundOn, setSoundOn] = useState(loadSoundPreference);
  const seen = useRef(new Set<string>());
  /** Alerts known to be escalated already, so an escalation sounds once, not on every later update. */
  const escalated = useRef(new Set<string>());
  const filterRef = useRef(state.filter);
  filterRef.current = state.filter;
  const listRef = useRef<HTMLUListElement>(null);
  const statusRef = useRef<HTMLDivElement>(null);
  /** The alert last acknowledged and its list position, while its row may still leave the list (the "Open" filter). */
  const acknowledged = useRef<{ alertId: string; index: number } | null>(null);

  // An acknowledged alert leaves the "Open" list, and focus would fall to the page: it goes to the alert that took
  // its place, or to the status line when the list is now empty. Once the clinician has moved on, nothing moves it.
  useEffect(() => {
    const last = acknowledged.current;
    if (!last) return;
    const focus = document.activeElement;
    const onThePage = !focus || focus === document.body;
    if (state.alerts.some((a) => a.alertId === last.alertId)) {
      const inItsRow = focus?.closest(`[data-alert-id="${CSS.escape(last.alertId)}"]`) != null;
      if (!inItsRow && !onThePage) acknowledged.current = null;
      return;
    }
    acknowledged.current = null;
    if (!onThePage) return;
    const rows = listRef.current?.children;
    const next = rows && rows.length > 0 ? (rows[Math.min(last.index, rows.length - 1)] as HTMLElement) : statusRef.current;
    next?.focus();
  }, [state.alerts]);

  const fetchPage = useCallback(
    async (mode: 'replace' | 'append' | 'merge', cursor: string | null = null) => {
      const filter = filterRef.current;
      const page = await api.getAlerts({ status: filter.status, severity: filter.severity, limit: pageSize, cursor });
      // A reply for a filter the clinician has already left would list the wrong alerts.
      if (filterRef.current !== filter) return;
      page.items.forEach((a) => {
        seen.current.add(a.alertId);
        if (a.escalated) escalated.current.add(a.alertId);
      });
      dispatch({ type: 'pageLoaded', items: page.items, nextCursor: page.nextCursor ?? null, mode });
    },
    [api],
  );

  useEffect(() => {
    let current = true;
    setLoading(true);
    setLoadError(null);
    fetchPage('replace').then(
      () => current && setLoading(false),
      (error: unknown) => {
        if (!current) return;
        setLoadError(error);
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [fetchPage, state.filter]);

  const onAlert = useCallback((alert: Alert) => {
    const isNew = !seen.current.has(alert.alertId);
    seen.current.add(alert.alertId);
    const newlyEscalated = needsAttention(alert) && !escalated.current.has(alert.alertId);
    if (alert.escalated) escalated.current.add(alert.alertId);
    dispatch({ type: 'alertStreamed', alert });
    if (newlyEscalated) {
      // Nobody acknowledged it in time: flash it at the top of the list and sound the (optional) alarm.
      setFlashing((f) => ({ ...f, [alert.alertId]: true }));
      window.setTimeout(() => setFlashing(({ [alert.alertId]: _, ...rest }) => rest), flashMs);
      beep();
      return;
    }
    const recent = Date.now() - new Date(alert.raisedAt).getTime() < newAlertWindowMs;
    if (isNew && recent && alert.status === 'open') {
      setFlashing((f) => ({ ...f, [alert.alertId]: true }));
      window.setTimeout(() => setFlashing(({ [alert.alertId]: _, ...rest }) => rest), flashMs);
      if (alert.severity === 'high') {
        setNewHigh(alert);
        beep();
      }
    }
  }, []);

  const streamStatus = useAlertStream(session.accessToken, api.getStreamTicket, {
    onAlert,
    // What was raised before the stream first opened, or while it was down too long to resume: a resumed stream replays instead.
    onOpen: () => void fetchPage('merge').catch(() => undefined),
    // One authenticated call tells an expired session (401 signs out) from a server that is just down.
    onRefused: () => void api.getAlerts({ limit: 1 }).catch(() => undefined),
  });

  useSoundUnlock(soundOn);

  function changeFilter(next: Partial<InboxFilter>) {
    dispatch({ type: 'filterChanged', filter: { ...state.filter, ...next } });
  }

  async function loadMore() {
    setLoadingMore(true);
    try {
      await fetchPage('append', state.nextCursor);
    } catch (error) {
      setLoadError(error);
    } finally {
      setLoadingMore(false);
    }
  }

  async function acknowledge(alert: Alert, note: string) {
    acknowledged.current = { alertId: alert.alertId, index: state.alerts.findIndex((a) => a.alertId === alert.alertId) };
    setAckMessage(null);
    dispatch({ type: 'acknowledgeSent', alertId: alert.alertId, by: session.username, at: new Date().toISOString(), note });
    try {
      await api.acknowledgeAlert(alert.alertId, note);
      dispatch({ type: 'acknowledgeConfirmed', alertId: alert.alertId });
      setAckMessage({ kind: 'info', text: `Alert for ${alert.patientName} acknowledged.` });
    } catch (error) {
      const other = error instanceof ApiError && error.status === 409 ? acknowledgedBy(error) : null;
      if (other) {
        // Someone else got there first, and the server says who: show their acknowledgement, not ours.
        dispatch({ type: 'acknowledgedByOther', alertId: alert.alertId, ...other });
        setAckMessage({ kind: 'info', text: `The alert for ${alert.patientName} was already acknowledged by ${other.by}.` });
      } else if (error instanceof ApiError && error.status === 409) {
        // A conflict that does not say who acknowledged: assume nothing, show the alert as the server has it.
        dispatch({ type: 'acknowledgeFailed', alertId: alert.alertId });
        setAckMessage({ kind: 'error', error });
        void fetchPage('merge').catch(() => undefined);
      } else {
        dispatch({ type: 'acknowledgeFailed', alertId: alert.alertId });
        setAckMessage({ kind: 'error', error });
      }
    }
  }

  function toggleSound(enabled: boolean) {
    setSoundPreference(enabled);
    setSoundOn(enabled);
  }

  // The banner stays until dismissed or until someone acknowledges that alert: a high alert must not be missable.
  const banner = newHigh && state.known[newHigh.alertId]?.status !== 'acknowledged' ? newHigh : null;

  return (
    <>
      <StreamStatus status={streamStatus} />

      {banner && <HighAlertBanner alert={banner} onDismiss={() => setNewHigh(null)} />}

      <div className="inbox__toolbar card">
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select
            id="filter-status"
            value={state.filter.status}
            onChange={(e) => changeFilter({ status: e.target.value as AlertStatus | 'all' })}
            data-testid="filter-status"
          >
            {alertStatuses.map((s) => (
              <option key={s} value={s}>
                {capitalise(s)}
              </option>
            ))}
            <option value="all">All</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-severity">Severity</label>
          <select
            id="filter-severity"
            value={state.filter.severity}
            onChange={(e) => changeFilter({ severity: e.target.value as Severity | '' })}
            data-testid="filter-severity"
          >
            <option value="">All severities</option>
            {severities.map((s) => (
              <option key={s} value={s}>
                {severityLabels[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field field--inline inbox__sound">
          <input id="sound-toggle" type="checkbox" checked={soundOn} onChange={(e) => toggleSound(e.target.checked)} data-testid="sound-toggle" />
          <label htmlFor="sound-toggle">Sound for new high and escalated alerts</label>
        </div>
      </div>

      <div aria-live="polite" data-testid="ack-status" ref={statusRef} tabIndex={-1}>
        {ackMessage?.kind === 'info' && <p className="success">{ackMessage.text}</p>}
      </div>
      {ackMessage?.kind === 'error' && <ProblemMessage error={ackMessage.error} testId="ack-error" />}
      <ProblemMessage error={loadError} />

      {loading && state.alerts.length === 0 ? (
        <Loading label="Loading alerts…" />
      ) : state.alerts.length === 0 ? (
        <p className="empty" data-testid="inbox-empty">
          No {state.filter.status === 'all' ? '' : `${state.filter.status} `}alerts
          {state.filter.severity ? ` of ${severityLabels[state.filter.severity].toLowerCase()} severity` : ''}.
        </p>
      ) : (
        <ul ref={listRef} className="alert-history" data-testid="alert-list" aria-label="Alerts, escalated first, then newest first">
          {state.alerts.map((alert) => (
            <AlertRow
              key={alert.alertId}
              alert={alert}
              flashing={Boolean(flashing[alert.alertId])}
              acknowledging={alert.alertId in state.pending}
              onAcknowledge={acknowledge}
            />
          ))}
        </ul>
      )}
      <LoadMore hasMore={state.nextCursor !== null} loading={loadingMore} onClick={loadMore} label="Load older alerts" />
    </>
  );
}
