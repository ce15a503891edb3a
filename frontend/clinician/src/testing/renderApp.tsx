// Renders the whole clinician app at a route for component tests.
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { SessionProvider } from '@healthflow/shared';
import { App } from '../App';

export function renderApp(route = '/') {
  return render(
    <MemoryRouter initialEntries={[route]}>
      <SessionProvider role="clinician" alsoFor={['admin']}>
        <App />
      </SessionProvider>
    </MemoryRouter>,
  );
}
