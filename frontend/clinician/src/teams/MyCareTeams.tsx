// The clinician's own care teams: whose patients they see, everywhere in this app.
import { ProblemMessage, useApiResource, useSignedInSession } from '@healthflow/shared';

export function MyCareTeams() {
  const { api } = useSignedInSession();
  const teams = useApiResource((signal) => api.getCareTeams(signal), [api]);
  if (teams.error) return <ProblemMessage error={teams.error} />;
  if (!teams.data) return null;
  return (
    <p className="muted care-teams" data-testid="my-care-teams">
      {teams.data.items.length === 0
        ? 'You are in no care team yet, so you see no patients. An administrator adds you to one.'
        : `Your care teams: ${teams.data.items.map((t) => t.name).join(', ')}. You see their patients only.`}
    </p>
  );
}
