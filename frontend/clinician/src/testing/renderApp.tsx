// Renders the whole clinician app at a route for component tests.
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { SessionProvider } from '@healthflow/shared';
import { App } from '../App';
import { alertsStoppedNotice } from '../sessionNotice';

export function renderApp(route = '/') {
  return render(
    <MemoryRouter initialEntries={[route]}>
      <SessionProvider role="clinician" alsoFor={['admin']} expiredNotice={alertsStoppedNotice}>
        <App />
      </SessionProvider>
    </MemoryRouter>,
  );
}
