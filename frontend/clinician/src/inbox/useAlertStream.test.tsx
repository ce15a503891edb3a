import { act, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamTicket } from '@healthflow/shared';
import { anAlert } from '../testing/alerts';
import { MockEventSource } from '../testing/MockEventSource';
import { StreamStatus, useAlertStream, type AlertStreamHandlers } from './useAlertStream';

const heartbeatMs = 1000;
const startedAt = new Date('2026-12-07T09:41:00Z');

let tickets = 0;
const getTicket = () => Promise.resolve<StreamTicket>({ ticket: `ticket-${++tickets}`, expiresIn: 30 });

function Inbox({ handlers }: { handlers: AlertStreamHandlers }) {
  return <StreamStatus status={useAlertStream('token', getTicket, handlers, { heartbeatMs })} />;
}

function renderStream() {
  const handlers = { onAlert: vi.fn(), onOpen: vi.fn(), onRefused: vi.fn() };
  render(<Inbox handlers={handlers} />);
  return handlers;
}

/** Lets the ticket's promise settle and the clock run, as the browser would. */
const elapse = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));
const state = () => screen.getByTestId('stream-status').dataset.state;
const banner = () => screen.queryByTestId('stream-down-banner');
const hhmm = (at: Date) => new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(at);

async function openLive() {
  await elapse(0);
  act(() => MockEventSource.latest().open());
  expect(state()).toBe('live');
}

describe('the alert stream', () => {
  beforeEach(() => {
    tickets = 0;
    vi.useFakeTimers({ now: startedAt });
    MockEventSource.install();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('stays live while heartbeats arrive, however long no alert does', async () => {
    renderStream();
    await openLive();

    for (let beat = 0; beat < 10; beat++) {
      await elapse(heartbeatMs);
      act(() => MockEventSource.latest().emit({ serverTime: new Date().toISOString() }, { event: 'heartbeat' }));
    }

    expect(state()).toBe('live');
    expect(banner()).toBeNull();
    expect(MockEventSource.instances).toHaveLength(1);
  });

  it('declares a silent stream not live after two and a half heartbeats, then reopens it with a new ticket and the last event id', async () => {
    const handlers = renderStream();
    await openLive();
    const alert = anAlert();
    act(() => MockEventSource.latest().emit(alert, { event: 'alert', id: '2026-12-07T09:41:00.5Z#a1' }));
    expect(handlers.onAlert).toHaveBeenCalledWith(alert);

    await elapse(heartbeatMs * 2.5);

    expect(state()).toBe('offline');
    expect(screen.getByRole('status')).toHaveTextContent(`Not receiving alerts since ${hhmm(startedAt)}`);
    expect(MockEventSource.instances[0].readyState).toBe(MockEventSource.CLOSED);

    // The first retry waits a second (then backs off); it resumes where the dead stream stopped.
    await elapse(1000);
    expect(MockEventSource.instances).toHaveLength(2);
    const reopened = new URL(MockEventSource.latest().url, 'http://x');
    expect(reopened.searchParams.get('ticket')).toBe('ticket-2');
    expect(reopened.searchParams.get('lastEventId')).toBe('2026-12-07T09:41:00.5Z#a1');

    act(() => MockEventSource.latest().open());
    expect(state()).toBe('live');
    expect(banner()).toBeNull();
    // The server replays what was missed: no page is fetched to catch up, only on the first open without a position.
    expect(handlers.onOpen).toHaveBeenCalledTimes(1);
  });

  it('backs off while reconnecting keeps failing, and still says since when nothing arrived', async () => {
    renderStream();
    await openLive();
    await elapse(heartbeatMs * 2.5);
    await elapse(1000);
    // The second connection never opens: it too is declared dead, and the next try waits longer.
    await elapse(heartbeatMs * 2.5);
    expect(MockEventSource.instances).toHaveLength(2);
    await elapse(1999);
    expect(MockEventSource.instances).toHaveLength(2);
    await elapse(1);
    expect(MockEventSource.instances).toHaveLength(3);
    expect(state()).toBe('offline');
    expect(banner()).toHaveTextContent(`Not receiving alerts since ${hhmm(startedAt)}`);
  });

  it('reconnects at once, resuming from the last event, when the browser comes back online', async () => {
    renderStream();
    await openLive();
    act(() => MockEventSource.latest().emit(anAlert(), { event: 'alert', id: 'k-7' }));

    act(() => {
      window.dispatchEvent(new Event('offline'));
    });
    expect(state()).toBe('offline');
    expect(banner()).not.toBeNull();
    expect(MockEventSource.latest().readyState).toBe(MockEventSource.CLOSED);

    act(() => {
      window.dispatchEvent(new Event('online'));
    });
    await elapse(0);

    expect(MockEventSource.instances).toHaveLength(2);
    expect(new URL(MockEventSource.latest().url, 'http://x').searchParams.get('lastEventId')).toBe('k-7');
    act(() => MockEventSource.latest().open());
    expect(state()).toBe('live');
  });

  it('reopens a connection the server dropped at once, and shows it reconnecting meanwhile', async () => {
    renderStream();
    await openLive();
    act(() => MockEventSource.latest().emit(anAlert(), { event: 'alert', id: 'k-9' }));

    act(() => MockEventSource.latest().drop());

    expect(state()).toBe('reconnecting');
    expect(banner()).toHaveTextContent('Reconnecting');
    await elapse(0);
    expect(MockEventSource.instances).toHaveLength(2);
    expect(new URL(MockEventSource.latest().url, 'http://x').searchParams.get('lastEventId')).toBe('k-9');
  });
});
