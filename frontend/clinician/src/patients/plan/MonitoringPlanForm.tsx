// Edits the patient's monitoring plan: PUT with If-Match of the version shown, the API's field errors next to their
// inputs, and a 412 (someone else set a plan meanwhile) answered with an offer to reload it.
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  ApiError,
  ProblemMessage,
  capitalise,
  planVitalSignLabels,
  planVitalSigns,
  planVitalSignUnits,
  severities,
  useSignedInSession,
  type MonitoringPlanView,
  type PlanVitalSign,
  type Severity,
} from '@healthflow/shared';
import { formValuesFrom, inputId, planErrorsFrom, toRequest, type PlanErrors, type PlanFormValues, type ScheduleKind } from './planForm';

export interface MonitoringPlanFormProps {
  patientId: string;
  /** The plan shown (null: none yet); its version goes in If-Match. */
  current: MonitoringPlanView | null;
  onSaved: (saved: MonitoringPlanView) => void;
  onCancel: () => void;
  /** Fetches the plan in force, at least `version`, after a 412. */
  onReload: (version: number) => void;
}

/** Labels of the API's field keys, for the problem summary above the form. */
const fieldLabels: Record<string, string> = {
  'schedule.everyHours': 'Hours between check-ins',
  'schedule.timesOfDay': 'Times of day',
  'schedule.timeZone': 'Time zone',
  'schedule.graceMinutes': 'Grace',
  'spO2Scale.scale': 'SpO₂ scale',
  'spO2Scale.targetLow': 'SpO₂ target, lowest',
  'spO2Scale.targetHigh': 'SpO₂ target, highest',
  'thresholds.scoreThreshold': 'Symptom score threshold',
  reason: 'Reason',
  ...Object.fromEntries(
    planVitalSigns.flatMap((sign) => [
      [`thresholds.${sign}`, planVitalSignLabels[sign]],
      [`thresholds.${sign}.low`, `${planVitalSignLabels[sign]}, alert below`],
      [`thresholds.${sign}.high`, `${planVitalSignLabels[sign]}, alert above`],
      [`thresholds.${sign}.severity`, `${planVitalSignLabels[sign]}, severity`],
    ]),
  ),
};

interface FieldProps {
  field: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  children: (describedBy: string | undefined, invalid: true | undefined) => ReactNode;
}

/** A label, an input (the children) and its hint and error, tied together by id. */
function Field({ field, label, hint, error, children }: FieldProps) {
  const id = inputId(field);
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(describedBy, error ? true : undefined)}
      {hint && (
        <p className="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field__error" id={`${id}-error`} data-testid={`plan-error-${field}`}>
          {error}
        </p>
      )}
    </div>
  );
}

export function MonitoringPlanForm({ patientId, current, onSaved, onCancel, onReload }: MonitoringPlanFormProps) {
  const { api } = useSignedInSession();
  const [values, setValues] = useState<PlanFormValues>(() => formValuesFrom(current?.plan));
  const [errors, setErrors] = useState<PlanErrors>({});
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  function set<K extends keyof PlanFormValues>(key: K, value: PlanFormValues[K]) {
    setValues((v) => ({ ...v, [key]: value }));
  }

  function setBound(sign: PlanVitalSign, part: 'low' | 'high' | 'severity', value: string) {
    setValues((v) => ({ ...v, bounds: { ...v.bounds, [sign]: { ...v.bounds[sign], [part]: value } } }));
  }

  // Set with the errors, so focus moves once they are rendered: to the first invalid input in the form's order.
  const [errorFocusRequests, setErrorFocusRequests] = useState(0);
  useEffect(() => {
    if (errorFocusRequests > 0) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errorFocusRequests]);

  function showErrors(found: PlanErrors) {
    setErrors(found);
    if (Object.keys(found).length > 0) setErrorFocusRequests((n) => n + 1);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const { request, errors: found } = toRequest(values);
    showErrors(found);
    setSubmitError(null);
    setConflict(null);
    if (!request) return;

    setBusy(true);
    try {
      onSaved(await api.setMonitoringPlan(patientId, request, current?.version ?? 0));
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 412) {
        setConflict(failure.problem.currentVersion ?? (current?.version ?? 0) + 1);
      } else {
        showErrors(failure instanceof ApiError ? planErrorsFrom(failure.fieldErrors) : {});
        setSubmitError(failure);
      }
    } finally {
      setBusy(false);
    }
  }

  /** A one-line text input for `field`; numbers are typed as text too, so what the clinician typed stays as typed. */
  const text = (field: string, value: string, onChange: (value: string) => void, inputMode?: 'numeric' | 'decimal') =>
    function TextInput(describedBy: string | undefined, invalid: true | undefined) {
      return (
        <input
          id={inputId(field)}
          type="text"
          inputMode={inputMode}
          autoComplete="off"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          data-testid={inputId(field)}
        />
      );
    };
  const number = (field: string, value: string, onChange: (value: string) => void, decimal = false) =>
    text(field, value, onChange, decimal ? 'decimal' : 'numeric');

  const scheduleKinds: [ScheduleKind, string][] = [
    ['none', 'No schedule'],
    ['interval', 'Every few hours'],
    ['times', 'At set times of day'],
  ];

  return (
    <form ref={formRef} className="plan-form" onSubmit={submit} noValidate aria-labelledby="plan-form-heading" data-testid="plan-form">
      <h3 id="plan-form-heading">{current ? `Change plan version ${current.version}` : 'Set a monitoring plan'}</h3>

      {conflict !== null && (
        <div className="problem" role="alert" data-testid="plan-conflict">
          <p className="problem__title">The plan changed while you were editing it.</p>
          <p className="problem__detail">
            Someone else saved version {conflict}. Reload it to see the plan in force, then make your change again; nothing
            of yours was saved.
          </p>
          <button type="button" className="button" onClick={() => onReload(conflict)} data-testid="plan-reload">
            Reload the plan
          </button>
        </div>
      )}
      <ProblemMessage error={submitError} fieldLabels={fieldLabels} testId="plan-save-error" />

      <fieldset>
        <legend>Check-in schedule</legend>
        <div className="plan-form__choices" role="radiogroup" aria-label="Schedule kind">
          {scheduleKinds.map(([kind, label]) => (
            <label key={kind} className="field--inline">
              <input
                type="radio"
                name="scheduleKind"
                value={kind}
                checked={values.scheduleKind === kind}
                onChange={() => set('scheduleKind', kind)}
                data-testid={`plan-schedule-${kind}`}
              />
              {label}
            </label>
          ))}
        </div>
        {values.scheduleKind === 'interval' && (
          <Field field="schedule.everyHours" label="Hours between check-ins" hint="1 to 168" error={errors['schedule.everyHours']}>
            {number('schedule.everyHours', values.everyHours, (v) => set('everyHours', v))}
          </Field>
        )}
        {values.scheduleKind === 'times' && (
          <Field field="schedule.timesOfDay" label="Times of day" hint="24-hour HH:mm, separated by commas, e.g. 08:00, 20:00" error={errors['schedule.timesOfDay']}>
            {text('schedule.timesOfDay', values.timesOfDay, (v) => set('timesOfDay', v))}
          </Field>
        )}
        {values.scheduleKind !== 'none' && (
          <div className="field-grid">
            <Field field="schedule.timeZone" label="Time zone" hint="The patient's, as IANA names it, e.g. Europe/London" error={errors['schedule.timeZone']}>
              {text('schedule.timeZone', values.timeZone, (v) => set('timeZone', v))}
            </Field>
            <Field field="schedule.graceMinutes" label="Grace (minutes)" hint="How late a check-in may be before it counts as missed" error={errors['schedule.graceMinutes']}>
              {number('schedule.graceMinutes', values.graceMinutes, (v) => set('graceMinutes', v))}
            </Field>
          </div>
        )}
      </fieldset>

      <fieldset>
        <legend>NEWS2 SpO₂ scale</legend>
        <div className="plan-form__choices" role="radiogroup" aria-label="SpO₂ scale">
          <label className="field--inline">
            <input type="radio" name="scale" value="1" checked={values.scale === '1'} onChange={() => set('scale', '1')} data-testid="plan-scale-1" />
            Scale 1 (default)
          </label>
          <label className="field--inline">
            <input type="radio" name="scale" value="2" checked={values.scale === '2'} onChange={() => set('scale', '2')} data-testid="plan-scale-2" />
            Scale 2 (hypercapnic respiratory failure)
          </label>
        </div>
        {values.scale === '2' && (
          <div className="field-grid">
            <Field field="spO2Scale.targetLow" label="Target SpO₂, lowest (%)" error={errors['spO2Scale.targetLow']}>
              {number('spO2Scale.targetLow', values.targetLow, (v) => set('targetLow', v))}
            </Field>
            <Field field="spO2Scale.targetHigh" label="Target SpO₂, highest (%)" error={errors['spO2Scale.targetHigh']}>
              {number('spO2Scale.targetHigh', values.targetHigh, (v) => set('targetHigh', v))}
            </Field>
          </div>
        )}
      </fieldset>

      <fieldset>
        <legend>Personal alert thresholds</legend>
        <p className="muted">A value equal to a bound is fine: "alert below 55" alerts at 54. Leave both empty for the usual rules.</p>
        {planVitalSigns.map((sign) => {
          // Each sign has an "Alert below": its name in the label tells them apart out of context too.
          const signName = planVitalSignLabels[sign];
          return (
            <fieldset key={sign} className="plan-form__bound">
              <legend>
                {planVitalSignLabels[sign]} ({planVitalSignUnits[sign]})
              </legend>
              <div className="field-grid">
                <Field field={`thresholds.${sign}.low`} label={<>Alert below{' '}<span className="visually-hidden">({signName})</span></>} error={errors[`thresholds.${sign}.low`]}>
                  {number(`thresholds.${sign}.low`, values.bounds[sign].low, (v) => setBound(sign, 'low', v), sign === 'temperature')}
                </Field>
                <Field field={`thresholds.${sign}.high`} label={<>Alert above{' '}<span className="visually-hidden">({signName})</span></>} error={errors[`thresholds.${sign}.high`]}>
                  {number(`thresholds.${sign}.high`, values.bounds[sign].high, (v) => setBound(sign, 'high', v), sign === 'temperature')}
                </Field>
                <Field field={`thresholds.${sign}.severity`} label={<>Severity{' '}<span className="visually-hidden">({signName})</span></>} error={errors[`thresholds.${sign}.severity`]}>
                  {(describedBy, invalid) => (
                    <select
                      id={inputId(`thresholds.${sign}.severity`)}
                      value={values.bounds[sign].severity}
                      onChange={(e) => setBound(sign, 'severity', e.target.value as Severity)}
                      aria-invalid={invalid}
                      aria-describedby={describedBy}
                      data-testid={inputId(`thresholds.${sign}.severity`)}
                    >
                      {severities.map((severity) => (
                        <option key={severity} value={severity}>
                          {capitalise(severity)}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
              </div>
            </fieldset>
          );
        })}
        <Field field="thresholds.scoreThreshold" label="Symptom score threshold" hint="0 to 10: a score above it raises an alert; empty for the usual rule" error={errors['thresholds.scoreThreshold']}>
          {number('thresholds.scoreThreshold', values.scoreThreshold, (v) => set('scoreThreshold', v))}
        </Field>
      </fieldset>

      <Field field="reason" label="Reason for this plan (required)" hint="Kept with the plan, e.g. COPD with CO₂ retention" error={errors.reason}>
        {(describedBy, invalid) => (
          <textarea
            id={inputId('reason')}
            maxLength={500}
            required
            value={values.reason}
            onChange={(e) => set('reason', e.target.value)}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            data-testid={inputId('reason')}
          />
        )}
      </Field>

      <div className="button-row">
        <button type="submit" className="button button--primary" disabled={busy} data-testid="plan-save">
          {busy ? 'Saving…' : 'Save plan'}
        </button>
        <button type="button" className="button" onClick={onCancel} data-testid="plan-cancel">
          Cancel
        </button>
      </div>
    </form>
  );
}
