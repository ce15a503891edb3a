import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { AppShell, Loading, RequireSession, useSession } from '@healthflow/shared';
import { AdminPage } from './admin/AdminPage';
import { InboxPage } from './inbox/InboxPage';
import { PatientListPage } from './patients/PatientListPage';
import { NotificationSettingsPage } from './settings/NotificationSettingsPage';
import { SignInPage } from './SignInPage';

// The charting library is most of the bundle; load it only when a patient is opened.
const PatientDetailPage = lazy(() => import('./patients/PatientDetailPage').then((m) => ({ default: m.PatientDetailPage })));

const nav = [
  { to: '/', label: 'Alert inbox', testId: 'nav-inbox' },
  { to: '/patients', label: 'Patients', testId: 'nav-patients' },
  { to: '/notifications', label: 'Notifications', testId: 'nav-notifications' },
];

// Admins see no clinical data: their app is the care-team and audit page.
const adminNav = [{ to: '/', label: 'Care teams', testId: 'nav-admin' }];

export function App() {
  const { session } = useSession();
  const admin = session?.role === 'admin';
  return (
    <Routes>
      <Route element={<AppShell appName={admin ? 'Admin' : 'Clinician'} nav={admin ? adminNav : nav} />}>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route element={<RequireSession />}>
          <Route path="/" element={admin ? <AdminPage /> : <InboxPage />} />
          <Route path="/patients" element={<PatientListPage />} />
          <Route path="/notifications" element={<NotificationSettingsPage />} />
          <Route
            path="/patients/:patientId"
            element={
              <Suspense fallback={<Loading />}>
                <PatientDetailPage />
              </Suspense>
            }
          />
        </Route>
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
  );
}
