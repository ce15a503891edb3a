import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { SessionProvider } from '@healthflow/shared';
import '@healthflow/shared/styles.css';
import './clinician.css';
import { App } from './App';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter basename={import.meta.env.BASE_URL.replace(/\/$/, '')}>
      <SessionProvider role="clinician">
        <App />
      </SessionProvider>
    </BrowserRouter>
  </StrictMode>,
);
