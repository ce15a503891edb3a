import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { callsTo, jsonResponse, requestBody, seedSession, stubFetch } from '@healthflow/shared/testing';
import { sessionStorageKey, type Alert } from '@healthflow/shared';
import { anAlert } from '../testing/alerts';
import { MockEventSource } from '../testing/MockEventSource';
import { renderApp } from '../testing/renderApp';
import { FakeAudioContext } from '../testing/FakeAudioContext';

let ticketsIssued = 0;

/** auth-api's stream tickets: a new one for each call, as the server would. */
function streamTickets(url: string, init: RequestInit) {
  if (url !== '/api/alerts/stream-ticket' || init.method !== 'POST') return undefined;
  ticketsIssued += 1;
  return jsonResponse({ ticket: `ticket-${ticketsIssued}`, expiresIn: 30 });
}

function alertsApi(pages: Record<string, Alert[]>, acknowledge: (alertId: string) => Response | Promise<Response> = () => new Response(null, { status: 202 })) {
  return stubFetch(streamTickets, (url, init) => {
    const ack = /^\/api\/alerts\/([^/]+)\/acknowledge$/.exec(url);
    if (ack && init.method === 'POST') return acknowledge(decodeURIComponent(ack[1]));
    if (url.startsWith('/api/alerts?')) {
      const status = new URL(url, 'http://x').searchParams.get('status') ?? 'open';
      return jsonResponse({ items: pages[status] ?? [], nextCursor: null });
    }
    return undefined;
  });
}

const rows = () => screen.queryAllByTestId('alert-row');

/** The flat alert list: the inbox's second view (the worklist is the default, WorklistView.test.tsx). */
async function renderInbox() {
  renderApp('/?view=alerts');
  await waitFor(() => expect(MockEventSource.instances).toHaveLength(1));
  act(() => MockEventSource.latest().open());
  await waitFor(() => expect(screen.getByTestId('stream-status')).toHaveAttribute('data-state', 'live'));
}

describe('the alert inbox, as the list of alerts', () => {
  beforeEach(() => {
    seedSession({ role: 'clinician', patientId: null, username: 'clinician1', displayName: 'Dr Demo' });
    MockEventSource.install();
    FakeAudioContext.install();
  });

  it('lists the open alerts from the API, newest first, with the patient name', async () => {
    const older = anAlert({ patientName: 'Ada Older', raisedAt: '2026-11-20T09:00:00Z' });
    const newer = anAlert({ patientName: 'Bob Newer', raisedAt: '2026-11-20T10:00:00Z' });
    const fetchMock = alertsApi({ open: [older, newer] });
    await renderInbox();

    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(rows().map((r) => within(r).getByTestId('alert-patient').textContent)).toEqual(['Bob Newer', 'Ada Older']);
    expect(callsTo(fetchMock, '/api/alerts?')[0][0]).toBe('/api/alerts?status=open&limit=50');
  });

  it('subscribes with a single-use ticket in the query string, never the access token', async () => {
    const fetchMock = alertsApi({});
    await renderInbox();
    expect(MockEventSource.latest().url).toMatch(/^\/api\/alerts\/stream\?ticket=ticket-\d+$/);
    expect(MockEventSource.latest().url).not.toContain('test-token');
    expect(callsTo(fetchMock, '/api/alerts/stream-ticket', 'POST')).toHaveLength(1);
  });

  it('reopens a dropped stream with a new ticket, because a ticket opens the stream once', async () => {
    alertsApi({});
    await renderInbox();
    const first = MockEventSource.latest();

    act(() => first.drop());

    await waitFor(() => expect(MockEventSource.instances).toHaveLength(2));
    expect(MockEventSource.latest().url).not.toBe(first.url);
    expect(first.readyState).toBe(MockEventSource.CLOSED);
  });

  it('colours each alert by severity', async () => {
    alertsApi({
      open: [anAlert({ severity: 'high' }), anAlert({ severity: 'medium' }), anAlert({ severity: 'low-medium' })],
    });
    await renderInbox();

    await waitFor(() => expect(rows()).toHaveLength(3));
    const badges = screen.getAllByTestId('severity-badge');
    expect(badges.map((b) => b.className)).toEqual(
      expect.arrayContaining([expect.stringContaining('severity--high'), expect.stringContaining('severity--medium'), expect.stringContaining('severity--low-medium')]),
    );
    const high = rows().find((r) => r.dataset.severity === 'high')!;
    expect(high).toHaveClass('severity-edge--high');
    expect(within(high).getByTestId('severity-badge')).toHaveTextContent('High');
  });

  it('shows a streamed alert at once without reloading, and flashes a new high one', async () => {
    const fetchMock = alertsApi({ open: [anAlert({ raisedAt: '2026-11-20T09:00:00Z' })] });
    await renderInbox();
    await waitFor(() => expect(rows()).toHaveLength(1));
    const requestsBefore = fetchMock.mock.calls.length;

    const live = anAlert({ severity: 'high', patientName: 'Cara Critical', news2: 9, rule: 'news2', raisedAt: new Date().toISOString() });
    act(() => MockEventSource.latest().emit(live, { id: '42' }));

    expect(rows()).toHaveLength(2);
    expect(rows()[0]).toHaveAttribute('data-alert-id', live.alertId);
    expect(rows()[0]).toHaveClass('inbox__row--flash');
    expect(screen.getByTestId('new-high-alert-banner')).toHaveTextContent('New high alert: Cara Critical');
    expect(fetchMock.mock.calls.length).toBe(requestsBefore);
  });

  it('badges an alert escalated over the stream, moves it to the top, and sounds once', async () => {
    const waiting = anAlert({ severity: 'high', patientName: 'Ezra Escalated', raisedAt: '2026-11-20T09:00:00Z' });
    const newer = anAlert({ patientName: 'Nina Newer', raisedAt: '2026-11-20T10:00:00Z' });
    alertsApi({ open: [waiting, newer] });
    await renderInbox();
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(rows()[0]).toHaveAttribute('data-alert-id', newer.alertId);
    expect(screen.queryByTestId('escalated-badge')).not.toBeInTheDocument();
    await userEvent.click(screen.getByTestId('sound-toggle'));

    const escalated = { ...waiting, escalated: true, escalatedAt: '2026-11-20T09:15:02Z', escalationLevel: 1 };
    act(() => MockEventSource.latest().emit(escalated));

    expect(rows()[0]).toHaveAttribute('data-alert-id', waiting.alertId);
    expect(rows()[0]).toHaveAttribute('data-escalated', 'true');
    expect(within(rows()[0]).getByTestId('escalated-badge')).toHaveTextContent('Escalated');
    expect(within(rows()[0]).getByTestId('alert-escalated-at')).toHaveTextContent('escalated');
    expect(rows()[0]).toHaveClass('inbox__row--flash');
    expect(FakeAudioContext.beeps()).toBe(1);

    // A later update of the same escalated alert (a replay, a reconnect) is not a new escalation.
    act(() => MockEventSource.latest().emit(escalated));
    expect(FakeAudioContext.beeps()).toBe(1);
  });

  it('makes no sound for an escalation once the clinician has switched sound off again', async () => {
    const waiting = anAlert({ severity: 'high', patientName: 'Quinn Quiet', raisedAt: '2026-11-20T09:00:00Z' });
    alertsApi({ open: [waiting] });
    await renderInbox();
    await waitFor(() => expect(rows()).toHaveLength(1));
    // On, then off: the audio context the first click allowed stays running, and must still stay silent.
    await userEvent.click(screen.getByTestId('sound-toggle'));
    await userEvent.click(screen.getByTestId('sound-toggle'));
    expect(screen.getByTestId('sound-toggle')).not.toBeChecked();

    act(() => MockEventSource.latest().emit({ ...waiting, escalated: true, escalatedAt: '2026-11-20T09:15:02Z', escalationLevel: 1 }));

    expect(within(rows()[0]).getByTestId('escalated-badge')).toBeInTheDocument();
    expect(FakeAudioContext.beeps()).toBe(0);
  });

  it('keeps the high-alert banner until that alert is acknowledged', async () => {
    alertsApi({});
    await renderInbox();
    const live = anAlert({ severity: 'high', patientName: 'Hal High', raisedAt: new Date().toISOString() });
    act(() => MockEventSource.latest().emit(live));
    expect(screen.getByTestId('new-high-alert-banner')).toHaveTextContent('Hal High');

    act(() => MockEventSource.latest().emit({ ...live, status: 'acknowledged', acknowledgedBy: 'clinician2' }));

    expect(screen.queryByTestId('new-high-alert-banner')).not.toBeInTheDocument();
  });

  it('does not flash an old alert replayed by the stream', async () => {
    alertsApi({});
    await renderInbox();
    act(() => MockEventSource.latest().emit(anAlert({ severity: 'high', raisedAt: '2020-01-01T00:00:00Z' })));
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).not.toHaveClass('inbox__row--flash');
    expect(screen.queryByTestId('new-high-alert-banner')).not.toBeInTheDocument();
  });

  it('accepts alerts sent as named "alert" events too', async () => {
    alertsApi({});
    await renderInbox();
    act(() => MockEventSource.latest().emit(anAlert({ patientName: 'Named Event' }), { event: 'alert' }));
    expect(screen.getByText('Named Event')).toBeVisible();
  });

  it('moves an alert to acknowledged when the stream says another clinician acknowledged it', async () => {
    const alert = anAlert({ patientName: 'Dan Done' });
    alertsApi({ open: [alert], all: [alert] });
    const user = userEvent.setup({ delay: null });
    await renderInbox();
    await user.selectOptions(screen.getByLabelText('Status'), 'all');
    await waitFor(() => expect(rows()).toHaveLength(1));

    act(() =>
      MockEventSource.latest().emit({ ...alert, status: 'acknowledged', acknowledgedBy: 'clinician2', acknowledgedAt: new Date().toISOString() }),
    );

    expect(rows()[0]).toHaveAttribute('data-status', 'acknowledged');
    expect(within(rows()[0]).getByTestId('status-badge')).toHaveTextContent('Acknowledged');
    expect(within(rows()[0]).getByTestId('alert-acknowledged-by')).toHaveTextContent('by clinician2');
  });

  it('acknowledges with a note, optimistically, and keeps it acknowledged when the stream confirms', async () => {
    const alert = anAlert({ patientName: 'Eve Example' });
    const fetchMock = alertsApi({ open: [alert], acknowledged: [] });
    const user = userEvent.setup({ delay: null });
    await renderInbox();
    await waitFor(() => expect(rows()).toHaveLength(1));

    await user.click(screen.getByRole('button', { name: 'Acknowledge alert for Eve Example' }));
    await user.type(screen.getByLabelText(/acknowledgement note/i), 'Called the patient');
    await user.click(screen.getByRole('button', { name: 'Confirm acknowledgement' }));

    expect(await screen.findByText('Alert for Eve Example acknowledged.')).toBeVisible();
    expect(rows()).toHaveLength(0);
    const [[, init]] = callsTo(fetchMock, `/api/alerts/${alert.alertId}/acknowledge`, 'POST');
    expect(requestBody(init)).toEqual({ note: 'Called the patient' });

    act(() => MockEventSource.latest().emit({ ...alert, status: 'acknowledged', acknowledgedBy: 'clinician1', acknowledgedAt: new Date().toISOString() }));
    await user.selectOptions(screen.getByLabelText('Status'), 'acknowledged');
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(rows()[0]).toHaveAttribute('data-status', 'acknowledged');
  });

  it('backs out of the note with Escape and puts focus back on Acknowledge', async () => {
    alertsApi({ open: [anAlert({ patientName: 'Eve Example' })] });
    const user = userEvent.setup({ delay: null });
    await renderInbox();
    await waitFor(() => expect(rows()).toHaveLength(1));

    await user.click(screen.getByRole('button', { name: 'Acknowledge alert for Eve Example' }));
    expect(screen.getByLabelText(/acknowledgement note/i)).toHaveFocus();
    await user.keyboard('{Escape}');

    expect(screen.queryByTestId('ack-form')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Acknowledge alert for Eve Example' })).toHaveFocus();
  });

  it('moves focus to the alert that takes the acknowledged one’s place, not to the page', async () => {
    const first = anAlert({ patientName: 'Ada First', raisedAt: '2026-11-20T10:00:00Z' });
    const second = anAlert({ patientName: 'Bob Second', raisedAt: '2026-11-20T09:00:00Z' });
    alertsApi({ open: [first, second] });
    const user = userEvent.setup({ delay: null });
    await renderInbox();
    await waitFor(() => expect(rows()).toHaveLength(2));

    await user.click(screen.getByRole('button', { name: 'Acknowledge alert for Ada First' }));
    await user.click(screen.getByRole('button', { name: 'Confirm acknowledgement' }));

    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(rows()[0]).toHaveFocus();
    expect(within(rows()[0]).getByTestId('alert-patient')).toHaveTextContent('Bob Second');
  });

  it('moves focus to the status line when the last open alert is acknowledged', async () => {
    alertsApi({ open: [anAlert({ patientName: 'Eve Example' })] });
    const user = userEvent.setup({ delay: null });
    await renderInbox();
    await waitFor(() => expect(rows()).toHaveLength(1));

    await user.click(screen.getByRole('button', { name: 'Acknowledge alert for Eve Example' }));
    await user.click(screen.getByRole('button', { name: 'Confirm acknowledgement' }));

    expect(await screen.findByText('Alert for Eve Example acknowledged.')).toBeVisible();
    expect(screen.getByTestId('ack-status')).toHaveFocus();
  });

  it('shows who acknowledged first when the server answers 409 naming them', async () => {
    const alert = anAlert({ patientName: 'Fay Faster' });
    alertsApi({ open: [alert] }, () =>
      jsonResponse({ title: 'Already acknowledged', status: 409, acknowledgedBy: 'clinician2', acknowledgedAt: '2026-11-20T12:01:00Z' }, 409),
    );
    const user = userEvent.setup({ delay: null });
    await renderInbox();
    await waitFor(() => expect(rows()).toHaveLength(1));

    await user.click(screen.getByRole('button', { name: 'Acknowledge alert for Fay Faster' }));
    await user.click(screen.getByRole('button', { name: 'Confirm acknowledgement' }));

    expect(await screen.findByText('The alert for Fay Faster was already acknowledged by clinician2.')).toBeVisible();
    expect(rows()).toHaveLength(0);
    await user.selectOptions(screen.getByLabelText('Status'), 'all');
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(within(rows()[0]).getByTestId('alert-acknowledged-by')).toHaveTextContent('by clinician2');
  });

  it('does not take a 409 that names nobody for an acknowledgement: the alert stays open and a later escalation shows', async () => {
    const alert = anAlert({ patientName: 'Hal Hurried', severity: 'high' });
    const fetchMock = alertsApi({ open: [alert] }, () => jsonResponse({ title: 'Conflict', status: 409 }, 409));
    const user = userEvent.setup({ delay: null });
    await renderInbox();
    await waitFor(() => expect(rows()).toHaveLength(1));
    const pageLoads = callsTo(fetchMock, '/api/alerts?').length;

    await user.click(screen.getByRole('button', { name: 'Acknowledge alert for Hal Hurried' }));
    await user.click(screen.getByRole('button', { name: 'Confirm acknowledgement' }));

    expect(await screen.findByTestId('ack-error')).toHaveTextContent('Conflict');
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).toHaveAttribute('data-status', 'open');
    // It asks the server again rather than assuming.
    await waitFor(() => expect(callsTo(fetchMock, '/api/alerts?').length).toBeGreaterThan(pageLoads));

    act(() => MockEventSource.latest().emit({ ...alert, escalated: true, escalatedAt: new Date().toISOString(), escalationLevel: 1 }));
    await waitFor(() => expect(rows()[0]).toHaveAttribute('data-escalated', 'true'));
    expect(rows()[0]).toHaveAttribute('data-status', 'open');
  });

  it('shows an escalation that arrived while an acknowledgement was in flight once the acknowledgement fails', async () => {
    const alert = anAlert({ patientName: 'Ida Inflight', severity: 'high' });
    let answer: (response: Response) => void = () => undefined;
    alertsApi({ open: [alert] }, () => new Promise<Response>((resolve) => (answer = resolve)));
    const user = userEvent.setup({ delay: null });
    await renderInbox();
    await waitFor(() => expect(rows()).toHaveLength(1));

    await user.click(screen.getByRole('button', { name: 'Acknowledge alert for Ida Inflight' }));
    await user.click(screen.getByRole('button', { name: 'Confirm acknowledgement' }));
    await waitFor(() => expect(rows()).toHaveLength(0));
    act(() => MockEventSource.latest().emit({ ...alert, escalated: true, escalatedAt: new Date().toISOString(), escalationLevel: 1 }));
    await act(async () => answer(jsonResponse({ title: 'Service unavailable', status: 503 }, 503)));

    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(rows()[0]).toHaveAttribute('data-status', 'open');
    expect(rows()[0]).toHaveAttribute('data-escalated', 'true');
  });

  it('puts the alert back and shows the problem when acknowledging fails', async () => {
    const alert = anAlert({ patientName: 'Gus Gone' });
    alertsApi({ open: [alert] }, () => jsonResponse({ title: 'Alert not found.', status: 404 }, 404));
    const user = userEvent.setup({ delay: null });
    await renderInbox();
    await waitFor(() => expect(rows()).toHaveLength(1));

    await user.click(screen.getByRole('button', { name: 'Acknowledge alert for Gus Gone' }));
    await user.click(screen.getByRole('button', { name: 'Confirm acknowledgement' }));

    expect(await screen.findByTestId('ack-error')).toHaveTextContent('Alert not found.');
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).toHaveAttribute('data-status', 'open');
  });

  it('asks the API again for the filtered list when the severity filter changes', async () => {
    const fetchMock = alertsApi({ open: [anAlert({ severity: 'high' }), anAlert({ severity: 'medium' })] });
    const user = userEvent.setup({ delay: null });
    await renderInbox();
    await waitFor(() => expect(rows()).toHaveLength(2));

    await user.selectOptions(screen.getByLabelText('Severity'), 'high');

    expect(rows().every((r) => r.dataset.severity === 'high')).toBe(true);
    await waitFor(() => expect(callsTo(fetchMock, '/api/alerts?status=open&severity=high')).toHaveLength(1));
  });
});

describe('an expired clinician session', () => {
  beforeEach(() => {
    seedSession({ role: 'clinician', patientId: null, username: 'clinician1', displayName: 'Dr Demo' });
    MockEventSource.install();
  });

  it('returns to sign in with a message when the API answers 401', async () => {
    stubFetch(() => jsonResponse({ title: 'Unauthorized' }, 401));
    renderApp('/');

    expect(await screen.findByRole('alert')).toHaveTextContent('Signed out: your session ended, so alerts stopped.');
    expect(sessionStorage.getItem(sessionStorageKey('clinician'))).toBeNull();
    expect(MockEventSource.instances.every((source) => source.readyState === MockEventSource.CLOSED)).toBe(true);
  });

  it('checks the session when the stream is refused, and signs out on 401', async () => {
    let expired = false;
    stubFetch(
      () => (expired ? jsonResponse({ title: 'Unauthorized' }, 401) : undefined),
      streamTickets,
      (url) => (url.startsWith('/api/alerts?') ? jsonResponse({ items: [] }) : undefined),
    );
    await renderInbox();
    await screen.findByTestId('inbox-empty');

    expired = true;
    act(() => MockEventSource.latest().refuse());

    expect(await screen.findByTestId('session-notice')).toHaveTextContent('alerts stopped');
  });

  it('warns five minutes ahead when the session will end, with the time it ends', async () => {
    sessionStorage.clear();
    const { expiresAt } = seedSession({ role: 'clinician', patientId: null, username: 'clinician1', displayName: 'Dr Demo' }, 4 * 60_000);
    alertsApi({ open: [] });
    await renderInbox();

    const warning = await screen.findByTestId('session-ending');
    expect(warning).toHaveTextContent(/^Your session ends at .+\. Log out and sign in again/);
    expect(within(warning).getByText(/./, { selector: 'time' })).toHaveAttribute('dateTime', new Date(expiresAt).toISOString());
  });

  it('says nothing of the session’s end while more than five minutes remain', async () => {
    sessionStorage.clear();
    seedSession({ role: 'clinician', patientId: null, username: 'clinician1', displayName: 'Dr Demo' }, 6 * 60_000);
    alertsApi({ open: [] });
    await renderInbox();

    await screen.findByTestId('inbox-empty');
    expect(screen.queryByTestId('session-ending')).not.toBeInTheDocument();
  });
});
