import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { AppShell, Loading, RequireSession } from '@healthflow/shared';
import { InboxPage } from './inbox/InboxPage';
import { PatientListPage } from './patients/PatientListPage';
import { SignInPage } from './SignInPage';

// The charting library is most of the bundle; load it only when a patient is opened.
const PatientDetailPage = lazy(() => import('./patients/PatientDetailPage').then((m) => ({ default: m.PatientDetailPage })));

const nav = [
  { to: '/', label: 'Alert inbox', testId: 'nav-inbox' },
  { to: '/patients', label: 'Patients', testId: 'nav-patients' },
];

export function App() {
  return (
    <Routes>
      <Route element={<AppShell appName="Clinician" nav={nav} />}>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route element={<RequireSession />}>
          <Route path="/" element={<InboxPage />} />
          <Route path="/patients" element={<PatientListPage />} />
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
