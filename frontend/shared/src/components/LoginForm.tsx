// The sign-in form both apps use; it refuses a user whose role the app does not serve.
import { useState, type FormEvent, type ReactNode } from 'react';
import { useSession } from '../SessionContext';
import { ProblemMessage } from './ProblemMessage';

export interface LoginFormProps {
  /** Shown under the form, e.g. a link to registration. */
  footer?: ReactNode;
  /** Pre-filled username, e.g. right after registering. */
  initialUsername?: string;
}

const roleNames = { patient: 'patients', clinician: 'clinicians', admin: 'admins' } as const;

export function LoginForm({ footer, initialUsername = '' }: LoginFormProps) {
  const { api, role, roles, notice, signIn } = useSession();
  const [username, setUsername] = useState(initialUsername);
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ username?: boolean; password?: boolean }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const nextMissing = { username: !username.trim(), password: !password };
    setMissing(nextMissing);
    if (nextMissing.username || nextMissing.password) return;

    setBusy(true);
    setError(null);
    try {
      const response = await api.login({ username: username.trim(), password });
      if (!roles.includes(response.role)) {
        setError(new Error(`This app is for ${roleNames[role]}. Please use the ${response.role} app.`));
        return;
      }
      signIn(response, username.trim());
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="login-heading" data-testid="login-form">
      <h1 id="login-heading">Sign in</h1>
      {notice && (
        // Only a forced sign-out leaves a notice (expiry, a refused token): announced at once, and it stays.
        <p className="notice notice--urgent" role="alert" data-testid="session-notice">
          {notice}
        </p>
      )}
      <div className="field">
        <label htmlFor="login-username">Username</label>
        <input
          id="login-username"
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          aria-invalid={missing.username || undefined}
          aria-describedby={missing.username ? 'login-username-error' : undefined}
          data-testid="login-username"
          // The sign-in page holds nothing but this form, under its heading: starting in its first field skips nothing.
          // eslint-disable-next-line jsx-a11y/no-autofocus
          autoFocus
        />
        {missing.username && (
          <p className="field__error" id="login-username-error">
            Enter your username.
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={missing.password || undefined}
          aria-describedby={missing.password ? 'login-password-error' : undefined}
          data-testid="login-password"
        />
        {missing.password && (
          <p className="field__error" id="login-password-error">
            Enter your password.
          </p>
        )}
      </div>
      <ProblemMessage error={error} testId="login-error" />
      <button type="submit" className="button button--primary" disabled={busy} data-testid="login-submit">
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      {footer}
    </form>
  );
}
