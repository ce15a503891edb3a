// The inbox as pure state transitions: page loads, stream updates and optimistic acknowledgements all merge
// through one rule, so whichever arrives first, an alert the server acknowledged never shows as open again. An
// optimistic acknowledgement is only shown, never taken for the server's word: the server's copies keep arriving
// underneath it, and whatever the server answers is applied to the newest of them.
import type { Alert, AlertStatus, Severity } from '@healthflow/shared';

export interface InboxFilter {
  status: AlertStatus | 'all';
  severity: Severity | '';
}

export interface InboxState {
  filter: InboxFilter;
  /** The alerts shown: escalated open ones first, then newest first. */
  alerts: Alert[];
  /** The newest version this client knows of every alert it has seen, whatever the filter. */
  known: Record<string, Alert>;
  /**
   * Acknowledgements sent and not yet answered: the server's newest copy of the alert underneath the optimistic one
   * (updated by every later page or stream copy), which is what the answer is applied to.
   */
  pending: Record<string, Alert>;
  nextCursor: string | null;
}

export type InboxAction =
  | { type: 'filterChanged'; filter: InboxFilter }
  /** `mode: 'replace'` for a fresh first page, 'append' for the next page, 'merge' to catch up after (re)connecting. */
  | { type: 'pageLoaded'; items: Alert[]; nextCursor: string | null; mode: 'replace' | 'append' | 'merge' }
  | { type: 'alertStreamed'; alert: Alert }
  | { type: 'acknowledgeSent'; alertId: string; by: string; at: string; note?: string }
  | { type: 'acknowledgeConfirmed'; alertId: string }
  /** The server refused (409) because someone else acknowledged the alert: who and when, as it said. */
  | { type: 'acknowledgedByOther'; alertId: string; by: string; at: string }
  | { type: 'acknowledgeFailed'; alertId: string };

export const initialInbox: InboxState = {
  filter: { status: 'open', severity: '' },
  alerts: [],
  known: {},
  pending: {},
  nextCursor: null,
};

/**
 * Acknowledgement and escalation are one-way on the server: an older copy (a lagging read model, a replayed event)
 * cannot undo either. `known` must therefore hold only what the server said: an optimistic acknowledgement
 * merged in here would hide the server's later copies of a still open alert.
 */
export function mergeAlert(known: Alert | undefined, incoming: Alert): Alert {
  if (!known) return incoming;
  let merged = incoming;
  if (known.status === 'acknowledged' && incoming.status === 'open') {
    merged = {
      ...merged,
      status: 'acknowledged',
      acknowledgedAt: known.acknowledgedAt,
      acknowledgedBy: known.acknowledgedBy,
      acknowledgementNote: known.acknowledgementNote,
    };
  }
  if (known.escalated && !incoming.escalated) {
    merged = { ...merged, escalated: true, escalatedAt: known.escalatedAt, escalationLevel: known.escalationLevel };
  }
  return merged;
}

/** An open alert nobody acknowledged by its deadline: it goes to the top of the inbox. */
export function needsAttention(alert: Alert): boolean {
  return alert.status === 'open' && Boolean(alert.escalated);
}

export function matchesFilter(alert: Alert, filter: InboxFilter): boolean {
  return (filter.status === 'all' || alert.status === filter.status) && (!filter.severity || alert.severity === filter.severity);
}

/** Escalated open alerts first, then newest first. */
function inboxOrder(a: Alert, b: Alert): number {
  return Number(needsAttention(b)) - Number(needsAttention(a)) || b.raisedAt.localeCompare(a.raisedAt) || b.alertId.localeCompare(a.alertId);
}

/** The optimistic copy shown while an acknowledgement is in flight: the server's copy, acknowledged by us. */
function acknowledgedOptimistically(server: Alert, shown: Alert): Alert {
  if (server.status === 'acknowledged') return server;
  return {
    ...server,
    status: 'acknowledged',
    acknowledgedAt: shown.acknowledgedAt,
    acknowledgedBy: shown.acknowledgedBy,
    acknowledgementNote: shown.acknowledgementNote,
  };
}

/** Takes in the server's copies; an alert with an acknowledgement in flight keeps showing it, over the newer copy. */
function remember(state: Pick<InboxState, 'known' | 'pending'>, alerts: Alert[]): Pick<InboxState, 'known' | 'pending'> {
  const known = { ...state.known };
  const pending = { ...state.pending };
  for (const alert of alerts) {
    const base = pending[alert.alertId];
    if (!base) {
      known[alert.alertId] = mergeAlert(known[alert.alertId], alert);
      continue;
    }
    const server = mergeAlert(base, alert);
    if (server.status === 'acknowledged') {
      // The server's own word on the acknowledgement: the request's answer adds nothing to it.
      known[alert.alertId] = server;
      delete pending[alert.alertId];
    } else {
      pending[alert.alertId] = server;
      known[alert.alertId] = acknowledgedOptimistically(server, known[alert.alertId]);
    }
  }
  return { known, pending };
}

/** Re-derives the shown list: every listed alert at its newest known version, filtered and sorted. */
function view(ids: Iterable<string>, known: Record<string, Alert>, filter: InboxFilter): Alert[] {
  const unique = new Set(ids);
  return [...unique]
    .map((id) => known[id])
    .filter((alert): alert is Alert => alert !== undefined && matchesFilter(alert, filter))
    .sort(inboxOrder);
}

const ids = (alerts: Alert[]) => alerts.map((a) => a.alertId);

/**
 * The known alerts a fresh first page should still show: the read model lags the stream, so an alert
 * acknowledged a moment ago may not be listed under "acknowledged" yet. Only those inside the page's
 * time window are kept, so paging stays contiguous.
 */
function knownInWindow(known: Record<string, Alert>, page: Alert[], nextCursor: string | null): string[] {
  if (nextCursor === null || page.length === 0) return Object.keys(known);
  const oldest = page.reduce((min, a) => (a.raisedAt < min ? a.raisedAt : min), page[0].raisedAt);
  return Object.values(known)
    .filter((a) => a.raisedAt >= oldest)
    .map((a) => a.alertId);
}

export function inboxReducer(state: InboxState, action: InboxAction): InboxState {
  switch (action.type) {
    case 'filterChanged':
      // Show what is already known at once; the page load that follows fills in the rest.
      return { ...state, filter: action.filter, alerts: view(Object.keys(state.known), state.known, action.filter), nextCursor: null };

    case 'pageLoaded': {
      const { known, pending } = remember(state, action.items);
      const listed =
        action.mode === 'replace'
          ? [...ids(action.items), ...knownInWindow(known, action.items, action.nextCursor)]
          : [...ids(state.alerts), ...ids(action.items)];
      const nextCursor = action.mode === 'merge' ? state.nextCursor : action.nextCursor;
      return { ...state, known, pending, alerts: view(listed, known, state.filter), nextCursor };
    }

    case 'alertStreamed': {
      const { known, pending } = remember(state, [action.alert]);
      return { ...state, known, pending, alerts: view([...ids(state.alerts), action.alert.alertId], known, state.filter) };
    }

    case 'acknowledgeSent': {
      const before = state.known[action.alertId];
      if (!before || before.status === 'acknowledged') return state;
      const optimistic: Alert = {
        ...before,
        status: 'acknowledged',
        acknowledgedAt: action.at,
        acknowledgedBy: action.by,
        acknowledgementNote: action.note || null,
      };
      const known = { ...state.known, [action.alertId]: optimistic };
      return {
        ...state,
        known,
        pending: { ...state.pending, [action.alertId]: before },
        alerts: view(ids(state.alerts), known, state.filter),
      };
    }

    case 'acknowledgeConfirmed': {
      if (!(action.alertId in state.pending)) return state;
      const pending = { ...state.pending };
      delete pending[action.alertId];
      return { ...state, pending };
    }

    case 'acknowledgedByOther': {
      const server = state.pending[action.alertId];
      if (!server) return state;
      const pending = { ...state.pending };
      delete pending[action.alertId];
      const acknowledged: Alert =
        server.status === 'acknowledged'
          ? server
          : { ...server, status: 'acknowledged', acknowledgedBy: action.by, acknowledgedAt: action.at, acknowledgementNote: null };
      const known = { ...state.known, [action.alertId]: acknowledged };
      return { ...state, known, pending, alerts: view([...ids(state.alerts), action.alertId], known, state.filter) };
    }

    case 'acknowledgeFailed': {
      const server = state.pending[action.alertId];
      if (!server) return state;
      const pending = { ...state.pending };
      delete pending[action.alertId];
      const known = { ...state.known, [action.alertId]: server };
      // The row may have left an "open" view optimistically; bring it back.
      return { ...state, known, pending, alerts: view([...ids(state.alerts), action.alertId], known, state.filter) };
    }
  }
}
