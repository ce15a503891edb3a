// The daily check-in: symptom score plus optional vital signs, validated inline before anything is sent.
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, ProblemMessage, consciousnessLevels, type ObservationAccepted } from '@healthflow/shared';
import { checkInLabels, checkInLimits, emptyCheckIn, validateCheckIn, type CheckInErrors, type CheckInField, type CheckInFormValues } from './checkInRules';
import { useCheckInOutbox } from './useCheckInOutbox';
import { WaitingCheckIns } from './WaitingCheckIns';

const consciousnessLabels: Record<(typeof consciousnessLevels)[number], string> = {
  alert: 'Alert, as usual',
  confusion: 'New confusion',
  voice: 'Responds only to voice',
  pain: 'Responds only to pain',
  unresponsive: 'Unresponsive',
};

const fieldOrder: CheckInField[] = [
  'score',
  'heartRate',
  'respiratoryRate',
  'oxygenSaturation',
  'onSupplementalOxygen',
  'systolicBp',
  'diastolicBp',
  'temperature',
  'consciousness',
  'measuredAt',
  'note',
];

const testIds: Record<CheckInField, string> = {
  score: 'checkin-score',
  heartRate: 'checkin-heart-rate',
  respiratoryRate: 'checkin-respiratory-rate',
  oxygenSaturation: 'checkin-oxygen-saturation',
  onSupplementalOxygen: 'checkin-supplemental-oxygen',
  systolicBp: 'checkin-systolic-bp',
  diastolicBp: 'checkin-diastolic-bp',
  temperature: 'checkin-temperature',
  consciousness: 'checkin-consciousness',
  measuredAt: 'checkin-measured-at',
  note: 'checkin-note',
};

/** Server field errors (camelCase keys) shown next to the matching inputs, first message each. */
function serverFieldErrors(error: unknown): CheckInErrors {
  if (!(error instanceof ApiError)) return {};
  const errors: CheckInErrors = {};
  for (const [key, messages] of Object.entries(error.fieldErrors)) {
    if ((fieldOrder as string[]).includes(key) && messages.length > 0) errors[key as CheckInField] = messages[0];
  }
  return errors;
}

interface NumberFieldProps {
  field: Exclude<CheckInField, 'onSupplementalOxygen' | 'consciousness' | 'measuredAt' | 'note'>;
  hint: ReactNode;
  unit?: string;
  decimal?: boolean;
  values: CheckInFormValues;
  errors: CheckInErrors;
  onChange: (field: CheckInField, value: string) => void;
}

function NumberField({ field, hint, unit, decimal, values, errors, onChange }: NumberFieldProps) {
  const id = `checkin-${field}`;
  const error = errors[field];
  return (
    <div className="field">
      <label htmlFor={id}>
        {checkInLabels[field]}
        {unit && <span className="muted"> ({unit})</span>}
      </label>
      <input
        id={id}
        name={field}
        type="text"
        inputMode={decimal ? 'decimal' : 'numeric'}
        autoComplete="off"
        value={values[field]}
        onChange={(e) => onChange(field, e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        data-testid={testIds[field]}
      />
      <p className="field__hint" id={`${id}-hint`}>
        {hint}
      </p>
      {error && (
        <p className="field__error" id={`${id}-error`} data-testid={`checkin-error-${field}`}>
          {error}
        </p>
      )}
    </div>
  );
}

export function CheckInForm({ onSubmitted }: { onSubmitted: (accepted: ObservationAccepted) => void }) {
  // Each check-in is queued on this device with its own Idempotency-Key before the first attempt, and retried from
  // there until the server answers: a lost reply, a reload or a dead link neither loses it nor sends it twice.
  const outbox = useCheckInOutbox();
  const [values, setValues] = useState<CheckInFormValues>(emptyCheckIn);
  const [errors, setErrors] = useState<CheckInErrors>({});
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  function change(field: CheckInField, value: string | boolean) {
    setValues((current) => ({ ...current, [field]: value }));
    if (errors[field]) setErrors((current) => ({ ...current, [field]: undefined }));
  }

  function focusFirstError(found: CheckInErrors) {
    const first = fieldOrder.find((field) => found[field]);
    if (first) formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const { errors: found, request } = validateCheckIn(values);
    setErrors(found);
    if (!request) {
      setSubmitError(null);
      focusFirstError(found);
      return;
    }

    setBusy(true);
    setSubmitError(null);
    try {
      const delivery = await outbox.submit(request);
      if (delivery.kind === 'refused') {
        // The server's last word on these values: they stay in the form to correct.
        const fromServer = serverFieldErrors(delivery.error);
        setErrors(fromServer);
        setSubmitError(delivery.error);
        focusFirstError(fromServer);
        return;
      }
      // Sent, or safely queued on this device (WaitingCheckIns says so): either way this form is done.
      setValues(emptyCheckIn);
      if (delivery.kind === 'accepted') onSubmitted(delivery.accepted);
    } catch (failure) {
      // The device could not even queue it (storage full or blocked): nothing was kept, so the values stay.
      setSubmitError(failure);
    } finally {
      setBusy(false);
    }
  }

  const errorCount = Object.values(errors).filter(Boolean).length;
  const bind = { values, errors, onChange: change };
  const consciousnessError = errors.consciousness;
  const measuredAtError = errors.measuredAt;
  const noteError = errors.note;

  return (
    <form ref={formRef} className="card form" onSubmit={submit} noValidate aria-labelledby="checkin-heading" data-testid="checkin-form">
      <h1 id="checkin-heading">Daily check-in</h1>
      <p className="muted">Tell your care team how you are. Only the symptom score is required; add any readings you have taken.</p>

      {errorCount > 0 && !submitError && (
        <p className="problem" role="alert" data-testid="checkin-error-summary">
          Please correct {errorCount === 1 ? 'the highlighted field' : `the ${errorCount} highlighted fields`}. Nothing was sent.
        </p>
      )}
      <ProblemMessage error={submitError} fieldLabels={checkInLabels} testId="checkin-submit-error" />
      <WaitingCheckIns outbox={outbox} />

      <NumberField
        field="score"
        hint="1 means you feel well, 10 means you feel very unwell."
        {...bind}
      />

      <fieldset>
        <legend>Vital signs (optional)</legend>
        <div className="field-grid">
          <NumberField field="heartRate" unit="beats/min" hint={`${checkInLimits.heartRate.min}–${checkInLimits.heartRate.max}`} {...bind} />
          <NumberField
            field="respiratoryRate"
            unit="breaths/min"
            hint={`${checkInLimits.respiratoryRate.min}–${checkInLimits.respiratoryRate.max}`}
            {...bind}
          />
          <NumberField
            field="oxygenSaturation"
            unit="%"
            hint={`${checkInLimits.oxygenSaturation.min}–${checkInLimits.oxygenSaturation.max}`}
            {...bind}
          />
          <NumberField field="temperature" unit="°C" decimal hint={`${checkInLimits.temperature.min}–${checkInLimits.temperature.max}, e.g. 37.2`} {...bind} />
          <NumberField field="systolicBp" unit="mmHg" hint={`Upper number, ${checkInLimits.systolicBp.min}–${checkInLimits.systolicBp.max}`} {...bind} />
          <NumberField field="diastolicBp" unit="mmHg" hint={`Lower number, ${checkInLimits.diastolicBp.min}–${checkInLimits.diastolicBp.max}`} {...bind} />
        </div>

        <div className="field field--inline">
          <input
            id="checkin-onSupplementalOxygen"
            name="onSupplementalOxygen"
            type="checkbox"
            checked={values.onSupplementalOxygen}
            onChange={(e) => change('onSupplementalOxygen', e.target.checked)}
            data-testid={testIds.onSupplementalOxygen}
          />
          <label htmlFor="checkin-onSupplementalOxygen">I am using supplemental oxygen</label>
        </div>

        <div className="field">
          <label htmlFor="checkin-consciousness">{checkInLabels.consciousness}</label>
          <select
            id="checkin-consciousness"
            name="consciousness"
            value={values.consciousness}
            onChange={(e) => change('consciousness', e.target.value)}
            aria-invalid={consciousnessError ? true : undefined}
            aria-describedby={consciousnessError ? 'checkin-consciousness-error' : undefined}
            data-testid={testIds.consciousness}
          >
            <option value="">Not recorded</option>
            {consciousnessLevels.map((level) => (
              <option key={level} value={level}>
                {consciousnessLabels[level]}
              </option>
            ))}
          </select>
          {consciousnessError && (
            <p className="field__error" id="checkin-consciousness-error" data-testid="checkin-error-consciousness">
              {consciousnessError}
            </p>
          )}
        </div>
      </fieldset>

      <div className="field">
        <label htmlFor="checkin-measuredAt">{checkInLabels.measuredAt}</label>
        <input
          id="checkin-measuredAt"
          name="measuredAt"
          type="datetime-local"
          value={values.measuredAt}
          onChange={(e) => change('measuredAt', e.target.value)}
          aria-invalid={measuredAtError ? true : undefined}
          aria-describedby={`checkin-measuredAt-hint${measuredAtError ? ' checkin-measuredAt-error' : ''}`}
          data-testid={testIds.measuredAt}
        />
        <p className="field__hint" id="checkin-measuredAt-hint">
          Leave empty if you measured just now.
        </p>
        {measuredAtError && (
          <p className="field__error" id="checkin-measuredAt-error" data-testid="checkin-error-measuredAt">
            {measuredAtError}
          </p>
        )}
      </div>

      <div className="field">
        <label htmlFor="checkin-note">{checkInLabels.note}</label>
        <textarea
          id="checkin-note"
          name="note"
          maxLength={checkInLimits.noteMaxLength}
          value={values.note}
          onChange={(e) => change('note', e.target.value)}
          aria-invalid={noteError ? true : undefined}
          aria-describedby={`checkin-note-hint${noteError ? ' checkin-note-error' : ''}`}
          data-testid={testIds.note}
        />
        <p className="field__hint" id="checkin-note-hint">
          {values.note.length}/{checkInLimits.noteMaxLength} characters
        </p>
        {noteError && (
          <p className="field__error" id="checkin-note-error" data-testid="checkin-error-note">
            {noteError}
          </p>
        )}
      </div>

      <div className="button-row">
        <button type="submit" className="button button--primary" disabled={busy} data-testid="checkin-submit">
          {busy ? 'Sending…' : 'Send check-in'}
        </button>
      </div>
    </form>
  );
}
