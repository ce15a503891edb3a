import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { callsTo, jsonResponse, seedSession, stubFetch } from '@healthflow/shared/testing';
import type { Alert, WorklistRow } from '@healthflow/shared';
import { anAlert } from '../testing/alerts';
import { MockEventSource } from '../testing/MockEventSource';
import { renderApp } from '../testing/renderApp';
import { setSoundPreference } from '../inbox/highAlertSignal';
import { FakeAudioContext } from '../testing/FakeAudioContext';
import { byUrgency } from './worklistFormat';

function aRow(overrides: Partial<WorklistRow> = {}): WorklistRow {
  return {
    patientId: 'patient-x',
    patientName: 'Patient X',
    highestSeverity: 'medium',
    openAlerts: 1,
    escalated: false,
    latestNews2: null,
    previousNews2: null,
    news2Trend: null,
    oldestOpenRaisedAt: new Date(Date.now() - 30 * 60_000).toISOString(),
    missedCheckIns: 0,
    ...overrides,
  };
}

interface Server {
  rows: WorklistRow[];
  alerts: Record<string, Alert[]>;
  acknowledge?: (alertId: string) => Response;
}

/** query-api and command-api as the worklist uses them, answering from `server`, which a test changes as the server would. */
function worklistApi(server: Server) {
  let tickets = 0;
  return stubFetch((url, init) => {
    if (url === '/api/alerts/stream-ticket' && init.method === 'POST') return jsonResponse({ ticket: `ticket-${++tickets}`, expiresIn: 30 });
    const ack = /^\/api\/alerts\/([^/]+)\/acknowledge$/.exec(url);
    if (ack && init.method === 'POST') return server.acknowledge?.(decodeURIComponent(ack[1])) ?? new Response(null, { status: 202 });
    const parsed = new URL(url, 'http://x');
    if (parsed.pathname === '/api/worklist') {
      const patientId = parsed.searchParams.get('patientId');
      const items = patientId ? server.rows.filter((r) => r.patientId === patientId) : [...server.rows].sort(byUrgency);
      return jsonResponse({ items, totalPatients: items.length, complete: true });
    }
    if (parsed.pathname === '/api/alerts') {
      return jsonResponse({ items: server.alerts[parsed.searchParams.get('patientId') ?? ''] ?? [], nextCursor: null });
    }
    if (parsed.pathname === '/api/care-teams') return jsonResponse({ items: [] });
    return undefined;
  });
}

const rows = () => screen.queryAllByTestId('worklist-row');
const rowOf = (patientId: string) => rows().find((r) => r.dataset.patientId === patientId)!;

async function renderWorklist(route = '/') {
  renderApp(route);
  await waitFor(() => expect(MockEventSource.instances).toHaveLength(1));
  act(() => MockEventSource.latest().open());
  await waitFor(() => expect(screen.getByTestId('stream-status')).toHaveAttribute('data-state', 'live'));
}

describe('the worklist', () => {
  beforeEach(() => {
    seedSession({ role: 'clinician', patientId: null, username: 'clinician1', displayName: 'Dr Demo' });
    MockEventSource.install();
    FakeAudioContext.install();
  });

  it('is the inbox by default, one row per patient in the order the server gives, each with its counts and NEWS2 trend', async () => {
    const fetchMock = worklistApi({
      rows: [
        aRow({ patientId: 'ada', patientName: 'Ada', highestSeverity: 'medium', openAlerts: 1, oldestOpenRaisedAt: new Date(Date.now() - 3 * 3_600_000).toISOString() }),
        aRow({
          patientId: 'bob',
          patientName: 'Bob',
          highestSeverity: 'high',
          openAlerts: 3,
          escalated: true,
          latestNews2: 9,
          previousNews2: 5,
          news2Trend: 'up',
          oldestOpenRaisedAt: new Date(Date.now() - (2 * 60 + 5) * 60_000).toISOString(),
          missedCheckIns: 2,
        }),
      ],
      alerts: {},
    });
    await renderWorklist();

    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(rows().map((r) => within(r).getByTestId('worklist-patient').textContent)).toEqual(['Bob', 'Ada']);
    const bob = rowOf('bob');
    expect(within(bob).getByTestId('severity-badge')).toHaveTextContent('High');
    expect(within(bob).getByTestId('escalated-badge')).toBeInTheDocument();
    expect(within(bob).getByTestId('worklist-open-count')).toHaveTextContent('3 open alerts');
    expect(within(bob).getByTestId('worklist-news2')).toHaveTextContent('NEWS2 9 ↑ (rising from 5)');
    expect(within(bob).getByTestId('worklist-waited')).toHaveTextContent('oldest waiting 2 h 5 min');
    expect(within(bob).getByTestId('worklist-missed')).toHaveTextContent('2 missed check-ins');
    const ada = rowOf('ada');
    expect(within(ada).queryByTestId('worklist-missed')).toBeNull();
    expect(within(ada).queryByTestId('escalated-badge')).toBeNull();
    expect(within(ada).getByTestId('worklist-news2')).toHaveTextContent('NEWS2 not recorded');
    expect(screen.getByTestId('view-worklist')).toHaveAttribute('aria-current', 'page');
    expect(callsTo(fetchMock, '/api/worklist')[0][0]).toBe('/api/worklist?limit=100');
  });

  it('expands a row, by keyboard, to the patient\'s open alerts as alert cards', async () => {
    const alerts = [anAlert({ patientId: 'ada', patientName: 'Ada', reasons: ['score 9 > 7'] }), anAlert({ patientId: 'ada', patientName: 'Ada' })];
    worklistApi({ rows: [aRow({ patientId: 'ada', patientName: 'Ada', openAlerts: 2 })], alerts: { ada: alerts } });
    await renderWorklist();
    const toggle = await screen.findByRole('button', { name: 'Show alerts for Ada' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');

    toggle.focus();
    await userEvent.keyboard('{Enter}');

    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const list = await screen.findByTestId('worklist-alerts');
    expect(within(list).getAllByTestId('alert-row').map((r) => r.dataset.alertId)).toEqual(alerts.map((a) => a.alertId));
    expect(document.getElementById(toggle.getAttribute('aria-controls')!)).toContainElement(list);

    await userEvent.keyboard(' ');
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByTestId('worklist-alerts')).toBeNull();
  });

  it('acknowledges all with one command per alert, shows a failure on its own alert, and keeps the row for it', async () => {
    const alerts = [0, 1, 2].map(() => anAlert({ patientId: 'ada', patientName: 'Ada' }));
    const failing = alerts[1].alertId;
    const server: Server = {
      rows: [aRow({ patientId: 'ada', patientName: 'Ada', openAlerts: 3 })],
      alerts: { ada: alerts },
      acknowledge: (alertId) =>
        alertId === failing ? jsonResponse({ title: 'Service unavailable', status: 503 }, 503) : new Response(null, { status: 202 }),
    };
    const fetchMock = worklistApi(server);
    await renderWorklist();

    await userEvent.click(await screen.findByRole('button', { name: /^Acknowledge all/ }));

    await waitFor(() => expect(within(rowOf('ada')).getByTestId('worklist-open-count')).toHaveTextContent('1 open alert'));
    const acknowledgements = callsTo(fetchMock, '/api/alerts/', 'POST').map(([url]) => String(url)).filter((url) => url.endsWith('/acknowledge'));
    expect(acknowledgements.sort()).toEqual(alerts.map((a) => `/api/alerts/${a.alertId}/acknowledge`).sort());
    const cards = within(rowOf('ada')).getAllByTestId('alert-row');
    const failed = cards.find((c) => c.dataset.alertId === failing)!;
    expect(within(failed).getByTestId('ack-error')).toHaveTextContent('Service unavailable');
    expect(failed).toHaveAttribute('data-status', 'open');
    expect(cards.filter((c) => c.dataset.status === 'acknowledged')).toHaveLength(2);
    expect(cards.filter((c) => within(c).queryByTestId('ack-error'))).toHaveLength(1);
    expect(screen.getByTestId('worklist-status')).toHaveTextContent('2 of 3 alerts for Ada acknowledged; 1 failed.');
  });

  it('takes a row out when every acknowledgement succeeds, and moves focus to the next row, then to the heading', async () => {
    worklistApi({
      rows: [
        aRow({ patientId: 'ada', patientName: 'Ada', highestSeverity: 'high', openAlerts: 2 }),
        aRow({ patientId: 'bob', patientName: 'Bob', openAlerts: 1 }),
      ],
      alerts: {
        ada: [anAlert({ patientId: 'ada', patientName: 'Ada' }), anAlert({ patientId: 'ada', patientName: 'Ada' })],
        bob: [anAlert({ patientId: 'bob', patientName: 'Bob' })],
      },
    });
    await renderWorklist();
    await waitFor(() => expect(rows()).toHaveLength(2));

    within(rowOf('ada')).getByTestId('worklist-ack-all').focus();
    await userEvent.keyboard('{Enter}');

    await waitFor(() => expect(rows().map((r) => r.dataset.patientId)).toEqual(['bob']));
    expect(within(rowOf('bob')).getByTestId('worklist-expand')).toHaveFocus();
    expect(screen.getByTestId('worklist-status')).toHaveTextContent('2 alerts for Ada acknowledged.');

    await userEvent.tab();
    expect(within(rowOf('bob')).getByTestId('worklist-ack-all')).toHaveFocus();
    await userEvent.keyboard('{Enter}');

    await screen.findByTestId('worklist-empty');
    expect(screen.getByRole('heading', { name: 'Worklist' })).toHaveFocus();
  });

  it('refreshes only the changed patient\'s row from the stream, once for a burst of changes', async () => {
    const server: Server = { rows: [aRow({ patientId: 'ada', patientName: 'Ada', openAlerts: 1 })], alerts: {} };
    const fetchMock = worklistApi(server);
    await renderWorklist();
    await waitFor(() => expect(rows()).toHaveLength(1));
    const fullReads = callsTo(fetchMock, '/api/worklist?limit').length;

    server.rows = [
      aRow({ patientId: 'ada', patientName: 'Ada', openAlerts: 1 }),
      aRow({ patientId: 'cy', patientName: 'Cy', highestSeverity: 'high', openAlerts: 2 }),
    ];
    act(() => {
      MockEventSource.latest().emit(anAlert({ patientId: 'cy', patientName: 'Cy', severity: 'high' }), { event: 'alert' });
      MockEventSource.latest().emit(anAlert({ patientId: 'cy', patientName: 'Cy', severity: 'high' }), { event: 'alert' });
    });

    await waitFor(() => expect(rows().map((r) => r.dataset.patientId)).toEqual(['cy', 'ada']));
    expect(callsTo(fetchMock, '/api/worklist?patientId=cy')).toHaveLength(1);
    expect(callsTo(fetchMock, '/api/worklist?limit')).toHaveLength(fullReads);

    server.rows = [aRow({ patientId: 'ada', patientName: 'Ada', openAlerts: 1 })];
    act(() => MockEventSource.latest().emit(anAlert({ patientId: 'cy', patientName: 'Cy', status: 'acknowledged' }), { event: 'alert' }));
    await waitFor(() => expect(rows().map((r) => r.dataset.patientId)).toEqual(['ada']));
  });

  it('signals a new high alert from the stream with a banner and a beep, as the list of alerts does, until it is acknowledged', async () => {
    worklistApi({ rows: [], alerts: {} });
    // The clinician switched sound on (in the list of alerts, a gesture that lets the page play audio).
    setSoundPreference(true);
    await renderWorklist();
    await screen.findByTestId('worklist-empty');
    const high = anAlert({ patientId: 'dee', patientName: 'Dee', severity: 'high', news2: 9, raisedAt: new Date().toISOString() });

    act(() => MockEventSource.latest().emit(high, { event: 'alert' }));

    expect(await screen.findByTestId('new-high-alert-banner')).toHaveTextContent('New high alert: Dee · NEWS2 9');
    expect(FakeAudioContext.beeps()).toBe(1);
    act(() => MockEventSource.latest().emit({ ...high, escalated: true }, { event: 'alert' }));
    expect(FakeAudioContext.beeps()).toBe(2);
    act(() => MockEventSource.latest().emit({ ...high, escalated: true, status: 'acknowledged' }, { event: 'alert' }));
    await waitFor(() => expect(screen.queryByTestId('new-high-alert-banner')).toBeNull());
    expect(FakeAudioContext.beeps()).toBe(2);
  });

  it('shows a new high alert but stays silent once sound has been switched off', async () => {
    worklistApi({ rows: [], alerts: {} });
    setSoundPreference(true);
    setSoundPreference(false);
    await renderWorklist();
    await screen.findByTestId('worklist-empty');
    const high = anAlert({ patientId: 'eve', patientName: 'Eve', severity: 'high', raisedAt: new Date().toISOString() });

    act(() => MockEventSource.latest().emit(high, { event: 'alert' }));

    expect(await screen.findByTestId('new-high-alert-banner')).toHaveTextContent('New high alert: Eve');
    expect(FakeAudioContext.beeps()).toBe(0);
  });

  it('keeps the flat alert list one click away, remembered in the URL', async () => {
    worklistApi({ rows: [], alerts: {} });
    await renderWorklist();
    await screen.findByTestId('worklist-empty');

    await userEvent.click(screen.getByTestId('view-alerts'));

    expect(await screen.findByTestId('inbox-empty')).toBeInTheDocument();
    expect(screen.getByTestId('view-alerts')).toHaveAttribute('aria-current', 'page');
    expect(screen.queryByTestId('worklist-empty')).toBeNull();
  });
});
