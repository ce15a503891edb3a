// Renders the whole patient app at a route, as the browser would, for component tests.
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { SessionProvider } from '@healthflow/shared';
import { App } from '../App';

export function renderApp(route = '/') {
  return render(
    <MemoryRouter initialEntries={[route]}>
      <SessionProvider role="patient">
        <App />
      </SessionProvider>
    </MemoryRouter>,
  );
}
