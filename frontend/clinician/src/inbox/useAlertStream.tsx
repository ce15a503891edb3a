// Subscribes to the alert stream over Server-Sent Events; no polling. Each connection opens with a fresh
// single-use ticket (the browser's own reconnect would reuse a spent one), so a dropped connection is
// reopened here with a new ticket, and a refused one with backoff.
import { useEffect, useRef, useState } from 'react';
import { alertStreamUrl, type Alert, type StreamTicket } from '@healthflow/shared';

export type StreamState = 'connecting' | 'live' | 'reconnecting';

const streamLabels: Record<StreamState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

/** The stream's state, shown beside whichever inbox view holds the stream. */
export function StreamStatus({ state }: { state: StreamState }) {
  return (
    <span className={`stream stream--${state}`} data-testid="stream-status" data-state={state} role="status">
      <span className="stream__dot" aria-hidden="true" />
      {streamLabels[state]}
    </span>
  );
}

export interface AlertStreamHandlers {
  onAlert: (alert: Alert) => void;
  /** The stream (re)opened: anything raised while it was not connected must be fetched once. */
  onOpen: () => void;
  /** The server refused the stream; the caller checks the session (a 401 on a normal call signs out). */
  onRefused: () => void;
}

const maxBackoffMs = 30_000;

function isAlert(value: unknown): value is Alert {
  return typeof value === 'object' && value !== null && typeof (value as Alert).alertId === 'string';
}

export function useAlertStream(
  accessToken: string,
  getTicket: () => Promise<StreamTicket>,
  handlers: AlertStreamHandlers,
): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  const getTicketRef = useRef(getTicket);
  getTicketRef.current = getTicket;

  useEffect(() => {
    let source: EventSource | null = null;
    let retryTimer: number | undefined;
    let failures = 0;
    let stopped = false;

    const receive = (event: MessageEvent<string>) => {
      try {
        const data: unknown = JSON.parse(event.data);
        if (isAlert(data)) handlersRef.current.onAlert(data);
      } catch {
        // A keep-alive or malformed event carries no alert; the next good one still applies.
      }
    };

    const retryLater = () => {
      failures += 1;
      setState('reconnecting');
      handlersRef.current.onRefused();
      const delay = Math.min(maxBackoffMs, 1000 * 2 ** Math.min(failures - 1, 5));
      retryTimer = window.setTimeout(() => void connect(), delay);
    };

    const connect = async () => {
      setState(failures === 0 ? 'connecting' : 'reconnecting');
      let ticket: StreamTicket;
      try {
        ticket = await getTicketRef.current();
      } catch {
        if (!stopped) retryLater();
        return;
      }
      if (stopped) return;
      source = new EventSource(alertStreamUrl(ticket.ticket));
      source.onopen = () => {
        failures = 0;
        setState('live');
        handlersRef.current.onOpen();
      };
      source.onmessage = receive;
      // Typed events are accepted too, so the server may name them without breaking the inbox.
      source.addEventListener('alert', receive as EventListener);
      // The server could not resume from our Last-Event-ID (too old): reload the list instead.
      source.addEventListener('reset', () => handlersRef.current.onOpen());
      source.onerror = () => {
        const dropped = source?.readyState === EventSource.CONNECTING;
        source?.close();
        if (dropped && failures === 0) {
          // The connection dropped after it was live: reopen at once with a new ticket.
          failures = 1;
          void connect();
          return;
        }
        retryLater();
      };
    };

    void connect();
    return () => {
      stopped = true;
      window.clearTimeout(retryTimer);
      source?.close();
    };
  }, [accessToken]);

  return state;
}
