// Patients sign in here, or follow the link to register.
import { Link, useLocation } from 'react-router-dom';
import { LoginForm, RedirectWhenSignedIn } from '@healthflow/shared';

export function SignInPage() {
  const location = useLocation();
  const registered = (location.state as { registeredUsername?: string } | null)?.registeredUsername;
  return (
    <RedirectWhenSignedIn>
      <div className="form--narrow auth-page">
        <LoginForm
          initialUsername={registered}
          footer={
            <p className="auth-page__switch">
              New to HealthFlow? <Link to="/register" data-testid="register-link">Create an account</Link>
            </p>
          }
        />
      </div>
    </RedirectWhenSignedIn>
  );
}
