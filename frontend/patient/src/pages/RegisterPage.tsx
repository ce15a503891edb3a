// Self-registration for patients; on success the patient is signed in straight away.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { ApiError, ProblemMessage, RedirectWhenSignedIn, useSession } from '@healthflow/shared';

type Field = 'username' | 'displayName' | 'password' | 'confirmPassword';
type Errors = Partial<Record<Field, string>>;

const labels: Record<Field, string> = {
  username: 'Username',
  displayName: 'Your name',
  password: 'Password',
  confirmPassword: 'Confirm password',
};

// The same limits as RegistrationLimits in HealthFlow.Domain (the API lower-cases the username).
const usernamePattern = /^[A-Za-z0-9._-]{3,32}$/;
const password = { min: 8, max: 128 };
const displayNameMaxLength = 100;

function validate(values: Record<Field, string>): Errors {
  const errors: Errors = {};
  if (!usernamePattern.test(values.username.trim())) {
    errors.username = "Use 3 to 32 letters, digits, '.', '_' or '-'.";
  }
  const name = values.displayName.trim();
  if (!name) errors.displayName = 'Enter your name as your care team should see it.';
  else if (name.length > displayNameMaxLength) errors.displayName = `Keep your name to ${displayNameMaxLength} characters or fewer.`;
  if (values.password.length < password.min || values.password.length > password.max) {
    errors.password = `Use ${password.min} to ${password.max} characters.`;
  }
  if (values.confirmPassword !== values.password) errors.confirmPassword = 'The passwords do not match.';
  return errors;
}

export function RegisterPage() {
  const { api, signIn } = useSession();
  const [values, setValues] = useState<Record<Field, string>>({ username: '', displayName: '', password: '', confirmPassword: '' });
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validate(values);
    setErrors(found);
    if (Object.keys(found).length > 0) return;

    setBusy(true);
    setFailure(null);
    const username = values.username.trim();
    try {
      await api.register({ username, password: values.password, displayName: values.displayName.trim() });
      signIn(await api.login({ username, password: values.password }), username);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        setErrors({ username: 'That username is taken. Choose another.' });
      } else {
        if (error instanceof ApiError) {
          const fromServer: Errors = {};
          for (const [key, messages] of Object.entries(error.fieldErrors)) {
            if (key in labels) fromServer[key as Field] = messages[0];
          }
          setErrors(fromServer);
        }
        setFailure(error);
      }
    } finally {
      setBusy(false);
    }
  }

  function field(name: Field, type: string, autoComplete: string) {
    const id = `register-${name}`;
    const error = errors[name];
    return (
      <div className="field">
        <label htmlFor={id}>{labels[name]}</label>
        <input
          id={id}
          name={name}
          type={type}
          autoComplete={autoComplete}
          value={values[name]}
          onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          data-testid={id}
        />
        {error && (
          <p className="field__error" id={`${id}-error`}>
            {error}
          </p>
        )}
      </div>
    );
  }

  return (
    <RedirectWhenSignedIn>
      <div className="form--narrow auth-page">
        <form className="card form" onSubmit={submit} noValidate aria-labelledby="register-heading" data-testid="register-form">
          <h1 id="register-heading">Create your account</h1>
          {field('username', 'text', 'username')}
          {field('displayName', 'text', 'name')}
          {field('password', 'password', 'new-password')}
          {field('confirmPassword', 'password', 'new-password')}
          <ProblemMessage error={failure} fieldLabels={labels} testId="register-error" />
          <button type="submit" className="button button--primary" disabled={busy} data-testid="register-submit">
            {busy ? 'Creating account…' : 'Create account'}
          </button>
          <p className="auth-page__switch">
            Already registered? <Link to="/sign-in">Sign in</Link>
          </p>
        </form>
      </div>
    </RedirectWhenSignedIn>
  );
}
