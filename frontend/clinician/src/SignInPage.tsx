// Clinicians sign in here; accounts are seeded by an administrator (locally: clinician1 / demo).
import { LoginForm, RedirectWhenSignedIn } from '@healthflow/shared';

export function SignInPage() {
  return (
    <RedirectWhenSignedIn>
      <div className="form--narrow auth-page">
        <LoginForm footer={<p className="muted auth-page__switch">Clinician accounts are created by an administrator.</p>} />
      </div>
    </RedirectWhenSignedIn>
  );
}
