import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { AppShell, Loading, RequireSession } from '@healthflow/shared';
import { CheckInPage } from './checkIn/CheckInPage';
import { MyAlertsPage } from './pages/MyAlertsPage';
import { RegisterPage } from './pages/RegisterPage';
import { SignInPage } from './pages/SignInPage';

// The charting library is most of the bundle; load it only when the history is opened.
const HistoryPage = lazy(() => import('./pages/HistoryPage').then((m) => ({ default: m.HistoryPage })));

const nav = [
  { to: '/', label: 'Check in', testId: 'nav-checkin' },
  { to: '/history', label: 'My history', testId: 'nav-history' },
  { to: '/alerts', label: 'My alerts', testId: 'nav-alerts' },
];

export function App() {
  return (
    <Routes>
      <Route element={<AppShell appName="Patient" nav={nav} />}>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route path="/register" element={<RegisterPage />} />
        <Route element={<RequireSession />}>
          <Route path="/" element={<CheckInPage />} />
          <Route
            path="/history"
            element={
              <Suspense fallback={<Loading />}>
                <HistoryPage />
              </Suspense>
            }
          />
          <Route path="/alerts" element={<MyAlertsPage />} />
        </Route>
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
  );
}
