// Subscribes to the alert stream over Server-Sent Events; no polling. The browser resumes a dropped
// connection itself (sending Last-Event-ID); when the server refuses outright, we reconnect with backoff.
import { useEffect, useRef, useState } from 'react';
import { alertStreamUrl, type Alert } from '@healthflow/shared';

export type StreamState = 'connecting' | 'live' | 'reconnecting';

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

export function useAlertStream(accessToken: string, handlers: AlertStreamHandlers): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;

  useEffect(() => {
    let source: EventSource | null = null;
    let retryTimer: number | undefined;
    let failures = 0;

    const receive = (event: MessageEvent<string>) => {
      try {
        const data: unknown = JSON.parse(event.data);
        if (isAlert(data)) handlersRef.current.onAlert(data);
      } catch {
        // A keep-alive or malformed event carries no alert; the next good one still applies.
      }
    };

    const connect = () => {
      setState(failures === 0 ? 'connecting' : 'reconnecting');
      source = new EventSource(alertStreamUrl(accessToken));
      source.onopen = () => {
        failures = 0;
        setState('live');
        handlersRef.current.onOpen();
      };
      source.onmessage = receive;
      // Typed events are accepted too, so the server may name them without breaking the inbox.
      source.addEventListener('alert', receive as EventListener);
      source.onerror = () => {
        if (source?.readyState === EventSource.CONNECTING) {
          setState('reconnecting');
          return;
        }
        source?.close();
        failures += 1;
        setState('reconnecting');
        handlersRef.current.onRefused();
        const delay = Math.min(maxBackoffMs, 1000 * 2 ** Math.min(failures - 1, 5));
        retryTimer = window.setTimeout(connect, delay);
      };
    };

    connect();
    return () => {
      window.clearTimeout(retryTimer);
      source?.close();
    };
  }, [accessToken]);

  return state;
}
