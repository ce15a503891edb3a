import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { callsTo, jsonResponse, requestBody, seedSession, stubFetch } from '@healthflow/shared/testing';
import type { CareTeam } from '@healthflow/shared';
import { renderApp } from '../testing/renderApp';

/** command-api and query-api as the admin page uses them; the list catches up with a change only after `lag` reads, as a read model does. */
function careTeamsApi(server: { teams: CareTeam[]; lag: number; refuse?: string }) {
  let pending: (() => void) | null = null;
  let readsSinceChange = 0;
  const project = (change: () => void) => {
    pending = change;
    readsSinceChange = 0;
  };
  return stubFetch((url, init) => {
    const method = init.method ?? 'GET';
    if (url === '/api/care-teams' && method === 'GET') {
      if (pending && ++readsSinceChange > server.lag) {
        pending();
        pending = null;
      }
      return jsonResponse({ items: server.teams });
    }
    if (url === '/api/care-teams' && method === 'POST') {
      const { name } = requestBody(init) as { name: string };
      if (server.refuse) return jsonResponse({ title: server.refuse, status: 409 }, 409);
      project(() => server.teams.push({ careTeamId: `team-${name}`, name, clinicians: [], patients: [] }));
      return jsonResponse({ careTeamId: `team-${name}` }, 201);
    }
    const member = /^\/api\/care-teams\/([^/]+)\/clinicians$/.exec(url);
    if (member && method === 'DELETE') {
      const { clinicianId } = requestBody(init) as { clinicianId: string };
      project(() => {
        const team = server.teams.find((t) => t.careTeamId === member[1])!;
        team.clinicians = team.clinicians.filter((c) => c !== clinicianId);
      });
      return new Response(null, { status: 204 });
    }
    return undefined;
  });
}

const ward = (): CareTeam => ({ careTeamId: 'ward-1', name: 'Ward 1', clinicians: ['clinician1', 'clinician2'], patients: [] });

describe('the admin page', () => {
  beforeEach(() => {
    sessionStorage.clear();
    seedSession({ role: 'admin', username: 'admin1', patientId: null });
  });

  it('reads the list again until a new team shows, then clears the form', async () => {
    const fetch = careTeamsApi({ teams: [ward()], lag: 2 });
    renderApp('/');
    await userEvent.type(await screen.findByTestId('new-team-name'), 'Night shift');
    await userEvent.click(screen.getByTestId('new-team-submit'));

    expect(await screen.findByText('Care team Night shift created.')).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId('care-team').map((t) => t.dataset.teamName)).toEqual(['Ward 1', 'Night shift']));
    expect(screen.getByTestId('new-team-name')).toHaveValue('');
    expect(callsTo(fetch, '/api/care-teams', 'GET').length).toBeGreaterThanOrEqual(3);
  });

  it('keeps what was typed when the server refuses it, and shows why', async () => {
    careTeamsApi({ teams: [ward()], lag: 0, refuse: 'A care team with that name exists.' });
    renderApp('/');
    await userEvent.type(await screen.findByTestId('new-team-name'), 'Ward 1');
    await userEvent.click(screen.getByTestId('new-team-submit'));

    expect(await screen.findByTestId('admin-error')).toHaveTextContent('A care team with that name exists.');
    expect(screen.getByTestId('new-team-name')).toHaveValue('Ward 1');
  });

  it('asks before removing a clinician, and Escape or Cancel backs out without a request', async () => {
    const fetch = careTeamsApi({ teams: [ward()], lag: 0 });
    renderApp('/');
    const team = await screen.findByTestId('care-team');

    await userEvent.click(within(team).getByRole('button', { name: 'Remove clinician2' }));
    const question = within(team).getByRole('group', { name: 'Remove clinician2 from Ward 1?' });
    expect(within(question).getByRole('button', { name: 'Yes, remove' })).toHaveFocus();
    await userEvent.keyboard('{Escape}');
    expect(within(team).getByRole('button', { name: 'Remove clinician2' })).toHaveFocus();

    await userEvent.click(within(team).getByRole('button', { name: 'Remove clinician2' }));
    await userEvent.click(within(team).getByRole('button', { name: 'Cancel' }));
    expect(callsTo(fetch, '/api/care-teams/ward-1/clinicians', 'DELETE')).toHaveLength(0);

    await userEvent.click(within(team).getByRole('button', { name: 'Remove clinician2' }));
    await userEvent.click(within(team).getByRole('button', { name: 'Yes, remove' }));
    await waitFor(() => expect(within(screen.getByTestId('team-clinicians')).queryByText(/clinician2/)).not.toBeInTheDocument());
    expect(callsTo(fetch, '/api/care-teams/ward-1/clinicians', 'DELETE')).toHaveLength(1);
    expect(screen.getByText('clinician2 removed from Ward 1.')).toBeInTheDocument();
  });
});
