// The clinician's own notification settings: where alerts are emailed, which ones, and whether they are on call.
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, ProblemMessage, useApiResource, useSignedInSession, type NotificationKind, type NotificationSettings } from '@healthflow/shared';

const kinds: { kind: NotificationKind; label: string }[] = [
  { kind: 'high-alert', label: 'High alerts' },
  { kind: 'missed-check-in', label: 'Missed check-ins' },
  { kind: 'escalation', label: 'Escalations' },
];

const fieldLabels = { email: 'Email address', events: 'Events', onCall: 'On call' };

export function NotificationSettingsPage() {
  const { api } = useSignedInSession();
  const saved = useApiResource((signal) => api.getNotificationSettings(signal), [api]);
  const [form, setForm] = useState<NotificationSettings | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [status, setStatus] = useState<'idle' | 'saving' | 'saved'>('idle');

  useEffect(() => {
    if (saved.data) setForm(saved.data);
  }, [saved.data]);

  if (saved.error) return <ProblemMessage error={saved.error} />;
  if (!form) return null;

  const toggle = (kind: NotificationKind) =>
    setForm({ ...form, events: form.events.includes(kind) ? form.events.filter((k) => k !== kind) : [...form.events, kind] });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setStatus('saving');
    setFailure(null);
    try {
      setForm(await api.setNotificationSettings(form));
      setStatus('saved');
    } catch (error) {
      setFailure(error);
      setStatus('idle');
    }
  };

  const emailError = failure instanceof ApiError ? failure.fieldErrors.email?.join(' ') : undefined;
  return (
    <section className="notification-settings">
      <h1>Notifications</h1>
      <p className="muted">
        While you are on call, alerts of your care teams' patients are emailed to you. The email names the care team and
        the kind of alert and links here; the patient's details are shown only after you sign in. An escalation reaches
        every on-call clinician, whatever you choose below.
      </p>
      <form onSubmit={submit} data-testid="notification-settings-form">
        <label>
          Email address
          <input
            type="email"
            value={form.email}
            aria-invalid={emailError ? true : undefined}
            onChange={(e) => setForm({ ...form, email: e.target.value })}
          />
        </label>
        <fieldset>
          <legend>Email me about</legend>
          {kinds.map(({ kind, label }) => (
            <label key={kind}>
              <input type="checkbox" checked={form.events.includes(kind)} onChange={() => toggle(kind)} /> {label}
            </label>
          ))}
        </fieldset>
        <label>
          <input type="checkbox" checked={form.onCall} onChange={(e) => setForm({ ...form, onCall: e.target.checked })} /> I am on call
        </label>
        <button type="submit" disabled={status === 'saving'}>
          Save
        </button>
        {status === 'saved' && (
          <p role="status" data-testid="notification-settings-saved">
            Saved.
          </p>
        )}
      </form>
      <ProblemMessage error={failure} fieldLabels={fieldLabels} />
    </section>
  );
}
