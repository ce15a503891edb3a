// Subscribes to the alert stream over Server-Sent Events; no polling. Each connection opens with a fresh
// single-use ticket (the browser's own reconnect would reuse a spent one), so a dropped connection is
// reopened here with a new ticket and the id of the last event seen, from which the server replays every change.
// "Live" is claimed only while events or heartbeats arrive: a connection that falls silent is declared dead.
import { useEffect, useRef, useState } from 'react';
import { alertStreamUrl, type Alert, type StreamTicket } from '@healthflow/shared';

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** Where the stream stands; `since` is when alerts stopped arriving (null while connecting for the first time or live). */
export interface AlertStreamStatus {
  state: StreamState;
  since: number | null;
}

const streamLabels: Record<StreamState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Not live',
};

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** The stream's state beside whichever inbox view holds it, and while it is down, a banner nobody can miss. */
export function StreamStatus({ status }: { status: AlertStreamStatus }) {
  const { state, since } = status;
  return (
    <>
      <span className={`stream stream--${state}`} data-testid="stream-status" data-state={state}>
        <span className="stream__dot" aria-hidden="true" />
        {streamLabels[state]}
      </span>
      <div role="status" aria-live="polite" data-testid="stream-down">
        {since !== null && (
          <p className="stream-down" data-testid="stream-down-banner">
            Not receiving alerts since {clock.format(since)}. {state === 'reconnecting' ? 'Reconnecting…' : 'Retrying; new alerts will appear here.'}
          </p>
        )}
      </div>
    </>
  );
}

export interface AlertStreamHandlers {
  onAlert: (alert: Alert) => void;
  /**
   * The stream opened without a position to resume from (the first time, or after nothing was received), or the
   * server could not resume (`reset`): anything raised meanwhile must be fetched once.
   */
  onOpen: () => void;
  /** The server refused the stream; the caller checks the session (a 401 on a normal call signs out). */
  onRefused: () => void;
}

export interface AlertStreamOptions {
  /** The server's heartbeat interval (query-api's AlertStream:HeartbeatSeconds). */
  heartbeatMs?: number;
}

const maxBackoffMs = 30_000;
/** Silence for this many heartbeat intervals means the connection is dead, whatever the socket says. */
const silentHeartbeats = 2.5;

function isAlert(value: unknown): value is Alert {
  return typeof value === 'object' && value !== null && typeof (value as Alert).alertId === 'string';
}

export function useAlertStream(
  accessToken: string,
  getTicket: () => Promise<StreamTicket>,
  handlers: AlertStreamHandlers,
  { heartbeatMs = 15_000 }: AlertStreamOptions = {},
): AlertStreamStatus {
  const [status, setStatus] = useState<AlertStreamStatus>({ state: 'connecting', since: null });
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  const getTicketRef = useRef(getTicket);
  getTicketRef.current = getTicket;
  /** Outlives a renewed token: the new connection resumes where the old one stopped. */
  const lastEventId = useRef<string | null>(null);

  useEffect(() => {
    let source: EventSource | null = null;
    let retryTimer: number | undefined;
    let watchdog: number | undefined;
    let failures = 0;
    let stopped = false;
    /** Only the newest connection attempt may open a stream: an earlier one still fetching its ticket gives way. */
    let attempt = 0;
    /** When the last event or heartbeat arrived; while never live, when this connection attempt began. */
    let lastHeard = Date.now();
    let live = false;

    const down = (state: 'reconnecting' | 'offline') => {
      live = false;
      setStatus({ state, since: lastHeard });
    };

    const armWatchdog = () => {
      window.clearTimeout(watchdog);
      watchdog = window.setTimeout(() => {
        // Silent past every heartbeat it should have sent: a dead connection the socket has not noticed.
        source?.close();
        source = null;
        retryLater();
      }, heartbeatMs * silentHeartbeats);
    };

    const heard = () => {
      lastHeard = Date.now();
      armWatchdog();
      if (!live) {
        live = true;
        failures = 0;
        setStatus({ state: 'live', since: null });
      }
    };

    const receive = (event: MessageEvent<string>) => {
      heard();
      if (event.lastEventId) lastEventId.current = event.lastEventId;
      try {
        const data: unknown = JSON.parse(event.data);
        if (isAlert(data)) handlersRef.current.onAlert(data);
      } catch {
        // A malformed event carries no alert; the next good one still applies.
      }
    };

    const retryLater = (refused = false) => {
      window.clearTimeout(watchdog);
      window.clearTimeout(retryTimer);
      failures += 1;
      down('offline');
      if (refused) handlersRef.current.onRefused();
      const delay = Math.min(maxBackoffMs, 1000 * 2 ** Math.min(failures - 1, 5));
      retryTimer = window.setTimeout(() => void connect(), delay);
    };

    const connect = async () => {
      const mine = ++attempt;
      let ticket: StreamTicket;
      try {
        ticket = await getTicketRef.current();
      } catch {
        if (!stopped && mine === attempt) retryLater(true);
        return;
      }
      if (stopped || mine !== attempt) return;
      const resumeFrom = lastEventId.current;
      const opened = new EventSource(alertStreamUrl(ticket.ticket, resumeFrom));
      source = opened;
      // A connection that never opens nor errors is as dead as one that falls silent.
      armWatchdog();
      opened.onopen = () => {
        heard();
        // Resuming, the server replays every change since our last event (or says `reset`); without a position, fetch.
        if (resumeFrom === null) handlersRef.current.onOpen();
      };
      opened.onmessage = receive;
      opened.addEventListener('alert', receive as EventListener);
      opened.addEventListener('heartbeat', heard);
      // The server could not resume from our last event id (too old): reload the list instead.
      opened.addEventListener('reset', () => {
        heard();
        handlersRef.current.onOpen();
      });
      opened.onerror = () => {
        if (source !== opened) return;
        const dropped = opened.readyState === EventSource.CONNECTING;
        opened.close();
        source = null;
        if (dropped && live) {
          // The connection dropped after it was live: reopen at once with a new ticket.
          window.clearTimeout(watchdog);
          down('reconnecting');
          failures = 1;
          void connect();
          return;
        }
        retryLater(true);
      };
    };

    const reconnectNow = () => {
      // The network is back: waiting out the backoff would only leave the clinician without alerts longer.
      if (live || stopped) return;
      window.clearTimeout(retryTimer);
      source?.close();
      source = null;
      void connect();
    };

    const wentOffline = () => {
      // The browser knows no connection can carry alerts now; say so at once rather than after the watchdog.
      source?.close();
      source = null;
      retryLater();
    };

    window.addEventListener('online', reconnectNow);
    window.addEventListener('offline', wentOffline);
    void connect();
    return () => {
      stopped = true;
      window.removeEventListener('online', reconnectNow);
      window.removeEventListener('offline', wentOffline);
      window.clearTimeout(retryTimer);
      window.clearTimeout(watchdog);
      source?.close();
    };
  }, [accessToken, heartbeatMs]);

  return status;
}
