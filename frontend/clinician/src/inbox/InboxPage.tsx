// The clinician's inbox: the triage worklist (one row per patient) by default, or the flat list of alerts. The view
// is in the URL (`?view=alerts`), so a reload, a link or the back button keeps it.
import { Link, useSearchParams } from 'react-router-dom';
import { MyCareTeams } from '../teams/MyCareTeams';
import { WorklistView } from '../worklist/WorklistView';
import { AlertListView } from './AlertListView';

export type InboxView = 'worklist' | 'alerts';

const views: { view: InboxView; label: string }[] = [
  { view: 'worklist', label: 'Worklist' },
  { view: 'alerts', label: 'All alerts' },
];

export function InboxPage() {
  const [params] = useSearchParams();
  const current: InboxView = params.get('view') === 'alerts' ? 'alerts' : 'worklist';

  return (
    <section aria-labelledby="inbox-heading" className="inbox">
      <div className="page-head">
        <h1 id="inbox-heading">Alert inbox</h1>
        <nav aria-label="Inbox view" className="inbox__views">
          {views.map(({ view, label }) => (
            <Link
              key={view}
              to={view === 'worklist' ? '?view=worklist' : '?view=alerts'}
              className={`button button--small${view === current ? ' button--primary' : ''}`}
              aria-current={view === current ? 'page' : undefined}
              data-testid={`view-${view}`}
            >
              {label}
            </Link>
          ))}
        </nav>
      </div>

      <MyCareTeams />

      {current === 'alerts' ? <AlertListView /> : <WorklistView />}
    </section>
  );
}
