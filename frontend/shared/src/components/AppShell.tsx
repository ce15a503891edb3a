// The page frame: app name, navigation, who is signed in, and the sign-out button.
import type { ReactNode } from 'react';
import { NavLink, Navigate, Outlet, useLocation } from 'react-router-dom';
import { useSession } from '../SessionContext';
import { formatTime } from '../format';

export interface NavItem {
  to: string;
  label: string;
  testId: string;
}

export interface AppShellProps {
  appName: string;
  nav: NavItem[];
  children?: ReactNode;
}

export function AppShell({ appName, nav, children }: AppShellProps) {
  const { session, endingSoon, signOut } = useSession();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="shell__header">
        <div className="shell__brand">
          <span className="shell__logo" aria-hidden="true">
            ♥
          </span>
          HealthFlow <span className="shell__app">{appName}</span>
        </div>
        {session && (
          <>
            <nav className="shell__nav" aria-label="Main">
              {nav.map((item) => (
                <NavLink key={item.to} to={item.to} end={item.to === '/'} data-testid={item.testId}>
                  {item.label}
                </NavLink>
              ))}
            </nav>
            <div className="shell__user">
              <span data-testid="signed-in-user">{session.displayName}</span>
              <button type="button" className="button button--ghost" onClick={() => signOut()} data-testid="logout">
                Log out
              </button>
            </div>
          </>
        )}
      </header>
      {session && endingSoon && (
        <div className="notice notice--urgent shell__session-warning" role="status" data-testid="session-ending">
          Your session ends at <time dateTime={new Date(session.expiresAt).toISOString()}>{formatTime(session.expiresAt)}</time>.
          Log out and sign in again before then to carry on without interruption.
        </div>
      )}
      <main id="main" className="shell__main" tabIndex={-1}>
        {children ?? <Outlet />}
      </main>
    </div>
  );
}

/** Routes inside it need a session; without one the user is sent to sign in, then brought back. */
export function RequireSession({ signInPath = '/sign-in' }: { signInPath?: string }) {
  const { session } = useSession();
  const location = useLocation();
  if (!session) return <Navigate to={signInPath} replace state={{ from: location.pathname }} />;
  return <Outlet />;
}

/** For the sign-in page: once signed in, go back where the user was heading. */
export function RedirectWhenSignedIn({ children, home = '/' }: { children: ReactNode; home?: string }) {
  const { session } = useSession();
  const location = useLocation();
  if (session) {
    const from = (location.state as { from?: string } | null)?.from;
    return <Navigate to={from ?? home} replace />;
  }
  return <>{children}</>;
}
