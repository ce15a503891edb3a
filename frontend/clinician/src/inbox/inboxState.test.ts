import { describe, expect, it } from 'vitest';
import { anAlert } from '../testing/alerts';
import { inboxReducer, initialInbox, mergeAlert, type InboxState } from './inboxState';

const loaded = (state: InboxState, ...items: ReturnType<typeof anAlert>[]) =>
  inboxReducer(state, { type: 'pageLoaded', items, nextCursor: null, mode: 'replace' });

describe('the inbox state', () => {
  it('lists alerts newest first', () => {
    const older = anAlert({ raisedAt: '2026-11-20T10:00:00Z' });
    const newer = anAlert({ raisedAt: '2026-11-20T11:00:00Z' });
    expect(loaded(initialInbox, older, newer).alerts.map((a) => a.alertId)).toEqual([newer.alertId, older.alertId]);
  });

  it('puts an escalated open alert above newer ones, and back in date order once acknowledged', () => {
    const older = anAlert({ raisedAt: '2026-11-20T10:00:00Z', severity: 'high' });
    const newer = anAlert({ raisedAt: '2026-11-20T11:00:00Z' });
    const escalated = { ...older, escalated: true, escalatedAt: '2026-11-20T10:15:00Z', escalationLevel: 1 };
    const state = inboxReducer(loaded(initialInbox, older, newer), { type: 'alertStreamed', alert: escalated });
    expect(state.alerts.map((a) => a.alertId)).toEqual([older.alertId, newer.alertId]);

    const all = inboxReducer(state, { type: 'filterChanged', filter: { status: 'all', severity: '' } });
    const acknowledged = inboxReducer(all, { type: 'alertStreamed', alert: { ...escalated, status: 'acknowledged', acknowledgedBy: 'clinician1' } });
    expect(acknowledged.alerts.map((a) => a.alertId)).toEqual([newer.alertId, older.alertId]);
  });

  it('never un-escalates an alert for an older copy that predates the escalation', () => {
    const alert = anAlert({ severity: 'high' });
    const escalated = { ...alert, escalated: true, escalatedAt: '2026-11-20T10:15:00Z', escalationLevel: 1 };
    expect(mergeAlert(escalated, alert)).toMatchObject({ escalated: true, escalatedAt: '2026-11-20T10:15:00Z', escalationLevel: 1 });
    // Both one-way changes survive together.
    const acknowledgedBefore = { ...alert, status: 'acknowledged' as const, acknowledgedBy: 'clinician1' };
    expect(mergeAlert(acknowledgedBefore, escalated)).toMatchObject({ status: 'acknowledged', escalated: true });
  });

  it('adds a streamed alert to the top of the open view', () => {
    const first = anAlert({ raisedAt: '2026-11-20T10:00:00Z' });
    const streamed = anAlert({ raisedAt: '2026-11-20T12:00:00Z', severity: 'high' });
    const state = inboxReducer(loaded(initialInbox, first), { type: 'alertStreamed', alert: streamed });
    expect(state.alerts[0]).toEqual(streamed);
  });

  it('takes an acknowledged alert out of the open view and into the acknowledged one', () => {
    const alert = anAlert();
    const acknowledged = { ...alert, status: 'acknowledged' as const, acknowledgedBy: 'clinician1', acknowledgedAt: '2026-11-20T12:05:00Z' };
    const open = inboxReducer(loaded(initialInbox, alert), { type: 'alertStreamed', alert: acknowledged });
    expect(open.alerts).toEqual([]);
    const ackView = inboxReducer(open, { type: 'filterChanged', filter: { status: 'acknowledged', severity: '' } });
    expect(ackView.alerts).toEqual([acknowledged]);
  });

  it('never lets a stale open copy undo an acknowledgement', () => {
    const alert = anAlert();
    const acknowledged = { ...alert, status: 'acknowledged' as const, acknowledgedBy: 'clinician1' };
    expect(mergeAlert(acknowledged, alert)).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'clinician1' });

    const all = inboxReducer(initialInbox, { type: 'filterChanged', filter: { status: 'all', severity: '' } });
    const afterStream = inboxReducer(loaded(all, alert), { type: 'alertStreamed', alert: acknowledged });
    const afterStalePage = loaded(afterStream, alert);
    expect(afterStalePage.alerts[0].status).toBe('acknowledged');
  });

  it('keeps a just-acknowledged alert in the acknowledged view while the read model catches up', () => {
    const alert = anAlert();
    let state = loaded(initialInbox, alert);
    state = inboxReducer(state, { type: 'acknowledgeSent', alertId: alert.alertId, by: 'clinician1', at: '2026-11-20T12:00:00Z' });
    state = inboxReducer(state, { type: 'filterChanged', filter: { status: 'acknowledged', severity: '' } });
    state = loaded(state);
    expect(state.alerts.map((a) => a.alertId)).toEqual([alert.alertId]);
  });

  it('restores an alert whose acknowledgement failed', () => {
    const alert = anAlert();
    let state = loaded(initialInbox, alert);
    state = inboxReducer(state, { type: 'acknowledgeSent', alertId: alert.alertId, by: 'clinician1', at: '2026-11-20T12:00:00Z' });
    expect(state.alerts).toEqual([]);
    state = inboxReducer(state, { type: 'acknowledgeFailed', alertId: alert.alertId });
    expect(state.alerts).toEqual([alert]);
  });

  it('lets a server copy that arrives while an acknowledgement is in flight win once the server refuses it', () => {
    const alert = anAlert({ severity: 'high' });
    let state = loaded(initialInbox, alert);
    state = inboxReducer(state, { type: 'acknowledgeSent', alertId: alert.alertId, by: 'clinician1', at: '2026-11-20T12:00:00Z' });
    const escalated = { ...alert, escalated: true, escalatedAt: '2026-11-20T12:00:01Z', escalationLevel: 1 };
    state = inboxReducer(state, { type: 'alertStreamed', alert: escalated });
    // Still shown as ours while the answer is awaited...
    expect(state.known[alert.alertId]).toMatchObject({ status: 'acknowledged', escalated: true });

    state = inboxReducer(state, { type: 'acknowledgeFailed', alertId: alert.alertId });
    // ...and the server's newest copy, not the one from before the request, once it is refused.
    expect(state.alerts).toEqual([escalated]);
  });

  it('applies the acknowledgement the server names on a 409 to its newest copy of the alert', () => {
    const alert = anAlert({ severity: 'high' });
    let state = inboxReducer(initialInbox, { type: 'filterChanged', filter: { status: 'all', severity: '' } });
    state = loaded(state, alert);
    state = inboxReducer(state, { type: 'acknowledgeSent', alertId: alert.alertId, by: 'clinician1', at: '2026-11-20T12:00:00Z', note: 'mine' });
    state = inboxReducer(state, { type: 'acknowledgedByOther', alertId: alert.alertId, by: 'clinician2', at: '2026-11-20T11:59:00Z' });
    expect(state.alerts[0]).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'clinician2', acknowledgedAt: '2026-11-20T11:59:00Z', acknowledgementNote: null });
    expect(state.pending).toEqual({});
  });

  it('filters by severity', () => {
    const high = anAlert({ severity: 'high' });
    const medium = anAlert({ severity: 'medium' });
    const state = inboxReducer(loaded(initialInbox, high, medium), { type: 'filterChanged', filter: { status: 'open', severity: 'high' } });
    expect(state.alerts).toEqual([high]);
  });
});
