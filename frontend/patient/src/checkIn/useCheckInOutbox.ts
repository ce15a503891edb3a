// Sends the patient's queued check-ins (checkInOutbox): at once, after a reload or sign-in, when the browser says it
// is back online, and again with a growing pause while any still waits.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useSignedInSession, type ApiError, type ObservationAccepted, type ObservationRequest } from '@healthflow/shared';
import { checkInOutbox, type Delivery, type PendingCheckIn } from './checkInOutbox';
import { newIdempotencyKey } from './idempotencyKey';

/** 5 s, 10 s, 20 s, 40 s, then every minute: soon after a blip, without hammering a server that is down. */
export function retryDelayMs(attempts: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 60_000);
}

export interface CheckInOutbox {
  /** Waiting to be sent, oldest first. */
  pending: PendingCheckIn[];
  /** A queued check-in the server has since taken, for "sent" feedback. */
  lastSent: { pending: PendingCheckIn; accepted: ObservationAccepted } | null;
  /** A queued check-in the server has since refused for good (it has left the outbox). */
  lastRefused: { pending: PendingCheckIn; error: ApiError } | null;
  /** Queues one check-in and makes the first attempt. */
  submit: (request: ObservationRequest) => Promise<Delivery>;
}

export function useCheckInOutbox(): CheckInOutbox {
  const { api, session } = useSignedInSession();
  const patientId = session.patientId ?? '';
  const [pending, setPending] = useState<PendingCheckIn[]>([]);
  const [lastSent, setLastSent] = useState<CheckInOutbox['lastSent']>(null);
  const [lastRefused, setLastRefused] = useState<CheckInOutbox['lastRefused']>(null);
  const flushing = useRef(false);

  const refresh = useCallback(async () => setPending(await checkInOutbox.list(patientId)), [patientId]);

  const flush = useCallback(async () => {
    if (flushing.current || !patientId) return;
    flushing.current = true;
    try {
      // Oldest first, and stop at the first that gets no answer: the link is still down for the rest too.
      for (const item of await checkInOutbox.list(patientId)) {
        const result = await checkInOutbox.deliver(api, item);
        if (result.kind === 'waiting') break;
        if (result.kind === 'accepted') setLastSent({ pending: item, accepted: result.accepted });
        if (result.kind === 'refused') setLastRefused({ pending: item, error: result.error });
      }
    } finally {
      flushing.current = false;
      await refresh();
    }
  }, [api, patientId, refresh]);

  useEffect(() => {
    void flush();
    const online = () => void flush();
    window.addEventListener('online', online);
    return () => window.removeEventListener('online', online);
  }, [flush]);

  const oldest = pending[0];
  useEffect(() => {
    if (!oldest) return;
    const timer = window.setTimeout(() => void flush(), retryDelayMs(oldest.attempts));
    return () => window.clearTimeout(timer);
  }, [oldest, flush]);

  const submit = useCallback(
    async (request: ObservationRequest) => {
      const item = await checkInOutbox.add(patientId, request, newIdempotencyKey());
      const result = await checkInOutbox.deliver(api, item);
      await refresh();
      return result;
    },
    [api, patientId, refresh],
  );

  return { pending, lastSent, lastRefused, submit };
}
