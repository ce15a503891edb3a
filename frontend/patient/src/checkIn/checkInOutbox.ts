// Check-ins the server has not answered yet, kept in IndexedDB with their Idempotency-Key until it has: a patient on
// a weak link, or who reloads, signs out or closes the tab mid-send, loses nothing and sends nothing twice. Each is
// stamped with the time of its first attempt, so a check-in sent an hour late still says when it was measured.
import { createStore, del, set, values } from 'idb-keyval';
import { ApiError, type HealthflowApi, type ObservationAccepted, type ObservationRequest } from '@healthflow/shared';

export interface PendingCheckIn {
  idempotencyKey: string;
  /** Whose check-in it is: only that patient's session sends it (a shared phone, another sign-in). */
  patientId: string;
  request: ObservationRequest;
  queuedAt: string;
  attempts: number;
}

/** What one attempt came to: the server took it, refused it for good, or has not answered (it stays queued). */
export type Delivery =
  | { kind: 'accepted'; accepted: ObservationAccepted }
  | { kind: 'refused'; error: ApiError }
  | { kind: 'waiting'; error: unknown };

/** How long one attempt may take before it counts as unanswered; a weak link must not show "Sending…" for ever. */
export const attemptTimeoutMs = 15_000;

/** The outbox's IndexedDB store (exported for tests, which empty it before each). */
export const checkInOutboxStore = createStore('healthflow-patient', 'check-in-outbox');
const store = checkInOutboxStore;

export const checkInOutbox = {
  async add(patientId: string, request: ObservationRequest, idempotencyKey: string, now = new Date()): Promise<PendingCheckIn> {
    const pending: PendingCheckIn = {
      idempotencyKey,
      patientId,
      // A blank "Measured at" means now: now is the first attempt, not whichever attempt gets through.
      request: { ...request, measuredAt: request.measuredAt ?? now.toISOString() },
      queuedAt: now.toISOString(),
      attempts: 0,
    };
    await set(idempotencyKey, pending, store);
    return pending;
  },

  async list(patientId: string): Promise<PendingCheckIn[]> {
    const all = await values<PendingCheckIn>(store);
    return all.filter((p) => p.patientId === patientId).sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  },

  /** One attempt; the entry leaves the outbox once the server has answered 202 or refused it with a 4xx. */
  async deliver(api: HealthflowApi, pending: PendingCheckIn): Promise<Delivery> {
    await set(pending.idempotencyKey, { ...pending, attempts: pending.attempts + 1 }, store);
    try {
      const accepted = await api.submitObservation(pending.request, pending.idempotencyKey, AbortSignal.timeout(attemptTimeoutMs));
      await del(pending.idempotencyKey, store);
      return { kind: 'accepted', accepted };
    } catch (error) {
      if (error instanceof ApiError && isFinal(error.status)) {
        await del(pending.idempotencyKey, store);
        return { kind: 'refused', error };
      }
      return { kind: 'waiting', error };
    }
  },
};

// 4xx is the server's last word on these values, except a timeout (408) and a rate limit (429), which pass.
// 401 is final too: the session is gone, and the sign-in page is shown; the check-in waits for the next sign-in.
function isFinal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429;
}
