import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { SessionProvider } from '@healthflow/shared';
import '@healthflow/shared/styles.css';
import './clinician.css';
import { App } from './App';
import { alertsStoppedNotice } from './sessionNotice';

// Admins sign in here too: they manage care teams and read the audit trail (AdminPage).
const adminsToo = ['admin'] as const;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter basename={import.meta.env.BASE_URL.replace(/\/$/, '')}>
      <SessionProvider role="clinician" alsoFor={adminsToo} expiredNotice={alertsStoppedNotice}>
        <App />
      </SessionProvider>
    </BrowserRouter>
  </StrictMode>,
);
