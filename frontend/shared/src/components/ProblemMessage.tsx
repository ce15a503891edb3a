// Shows why a request failed: the problem+json title, its detail, and every field error the API named.
import { ApiError, NetworkError } from '../http';

export interface ProblemMessageProps {
  error: unknown;
  /** Labels for field keys (e.g. heartRate → "Heart rate"); unknown keys are shown as sent. */
  fieldLabels?: Record<string, string>;
  testId?: string;
}

export function describeError(error: unknown): { title: string; detail?: string; fields: [string, string[]][] } {
  if (error instanceof ApiError) {
    return {
      title: error.problem.title ?? error.message,
      detail: error.problem.detail,
      fields: Object.entries(error.fieldErrors),
    };
  }
  if (error instanceof NetworkError) return { title: error.message, fields: [] };
  if (error instanceof Error) return { title: error.message, fields: [] };
  return { title: 'Something went wrong.', fields: [] };
}

export function ProblemMessage({ error, fieldLabels = {}, testId = 'error-message' }: ProblemMessageProps) {
  if (!error) return null;
  const { title, detail, fields } = describeError(error);
  return (
    <div className="problem" role="alert" data-testid={testId}>
      <p className="problem__title">{title}</p>
      {detail && <p className="problem__detail">{detail}</p>}
      {fields.length > 0 && (
        <ul className="problem__fields">
          {fields.map(([field, messages]) => (
            <li key={field}>
              <strong>{fieldLabels[field] ?? field}:</strong> {messages.join(' ')}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="loading__spinner" aria-hidden="true" />
      {label}
    </p>
  );
}
