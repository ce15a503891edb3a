// Typed calls to every HealthFlow endpoint the web apps use; URLs are relative so the gateway/ALB serves them.
import { ApiError, createHttpClient, withQuery, type HttpClient, type HttpClientOptions } from './http';
import type {
  Alert,
  AuditRecord,
  CareTeam,
  AlertStatus,
  CheckInStatus,
  FhirBundle,
  LoginRequest,
  LoginResponse,
  MonitoringPlanRequest,
  MonitoringPlanView,
  NotificationSettings,
  Observation,
  ObservationAccepted,
  ObservationRequest,
  Page,
  PatientSummary,
  RegisterRequest,
  RegisterResponse,
  Severity,
  Worklist,
} from './types';

export interface AlertQuery {
  status?: AlertStatus | 'all';
  severity?: Severity | '';
  patientId?: string;
  limit?: number;
  cursor?: string | null;
}

export interface ObservationQuery {
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string | null;
}

const segment = encodeURIComponent;

export function createApi(options: HttpClientOptions) {
  const http: HttpClient = createHttpClient(options);
  return {
    register: (request: RegisterRequest) =>
      http<RegisterResponse>('POST', '/api/auth/register', { body: request, authenticated: false }),

    login: (request: LoginRequest) =>
      http<LoginResponse>('POST', '/api/auth/login', { body: request, authenticated: false }),

    /** The idempotency key stays the same across retries of one check-in, so a retry appends nothing twice. */
    submitObservation: (request: ObservationRequest, idempotencyKey: string, signal?: AbortSignal) =>
      http<ObservationAccepted>('POST', '/api/observations', {
        body: request,
        headers: { 'Idempotency-Key': idempotencyKey },
        signal,
      }),

    getObservations: (patientId: string, query: ObservationQuery = {}, signal?: AbortSignal) =>
      http<Page<Observation>>('GET', `/api/patients/${segment(patientId)}/observations`, { query: { ...query }, signal }),

    getPatientAlerts: (patientId: string, query: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
      http<Page<Alert>>('GET', `/api/patients/${segment(patientId)}/alerts`, { query: { ...query }, signal }),

    getAlerts: (query: AlertQuery = {}, signal?: AbortSignal) =>
      http<Page<Alert>>('GET', '/api/alerts', { query: { ...query }, signal }),

    /** One row per care-team patient with open alerts; with `patientId`, that patient's row alone (or none). */
    getWorklist: (query: { patientId?: string; limit?: number } = {}, signal?: AbortSignal) =>
      http<Worklist>('GET', '/api/worklist', { query: { ...query }, signal }),

    acknowledgeAlert: (alertId: string, note: string) =>
      http<void>('POST', `/api/alerts/${segment(alertId)}/acknowledge`, { body: note ? { note } : {} }),

    getPatients: (query: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
      http<Page<PatientSummary>>('GET', '/api/patients', { query: { ...query }, signal }),

    getPatient: (patientId: string, signal?: AbortSignal) =>
      http<PatientSummary>('GET', `/api/patients/${segment(patientId)}`, { signal }),

    /** The plan in force, or null while none was set (the API's 404: the default rules apply). */
    getMonitoringPlan: (patientId: string, signal?: AbortSignal) =>
      http<MonitoringPlanView>('GET', `/api/patients/${segment(patientId)}/monitoring-plan`, { signal }).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }),

    /** When the next check-in is due and whether one is overdue; null while the plan sets no schedule (the API's 404). */
    getCheckInStatus: (patientId: string, signal?: AbortSignal) =>
      http<CheckInStatus>('GET', `/api/patients/${segment(patientId)}/check-in-status`, { signal }).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }),

    /**
     * Replaces the patient's plan. `expectedVersion` is the version the clinician edited (0: none yet), sent as
     * If-Match, so a plan someone else set meanwhile answers 412 (`currentVersion`) instead of being overwritten.
     */
    setMonitoringPlan: (patientId: string, request: MonitoringPlanRequest, expectedVersion: number) =>
      http<MonitoringPlanView>('PUT', `/api/patients/${segment(patientId)}/monitoring-plan`, {
        body: request,
        headers: { 'If-Match': `"${expectedVersion}"` },
      }),

    getCareTeams: (signal?: AbortSignal) => http<{ items: CareTeam[] }>('GET', '/api/care-teams', { signal }),

    /** The signed-in clinician's own notification settings (never saved: no address, no events, not on call). */
    getNotificationSettings: (signal?: AbortSignal) =>
      http<NotificationSettings>('GET', '/api/clinicians/me/notification-settings', { signal }),

    /** Replaces them whole; a 400 names the field (email, events, onCall). */
    setNotificationSettings: (settings: NotificationSettings) =>
      http<NotificationSettings>('PUT', '/api/clinicians/me/notification-settings', { body: settings }),

    createCareTeam: (name: string) => http<{ careTeamId: string }>('POST', '/api/care-teams', { body: { name } }),

    /** Adds (POST) or removes (DELETE) a clinician, by username, or a patient, by id. */
    changeCareTeamMember: (careTeamId: string, change: 'POST' | 'DELETE', member: { clinicianId: string } | { patientId: string }) =>
      http<void>(change, `/api/care-teams/${segment(careTeamId)}/${'clinicianId' in member ? 'clinicians' : 'patients'}`, { body: member }),

    createClinician: (request: RegisterRequest) => http<{ clinicianId: string }>('POST', '/api/auth/clinicians', { body: request }),

    getAudit: (query: { patientId?: string; actor?: string; limit?: number; cursor?: string | null }, signal?: AbortSignal) =>
      http<Page<AuditRecord>>('GET', '/api/audit', { query: { ...query }, signal }),

    /** The patient, every check-in's Observations and every alert's Flag, as one FHIR R4 Bundle. */
    getFhirBundle: (patientId: string, signal?: AbortSignal) =>
      http<FhirBundle>('GET', `/fhir/r4/Patient/${segment(patientId)}/$everything`, {
        headers: { Accept: 'application/fhir+json' },
        signal,
      }),

    /** A 30-second, single-use ticket that opens the alert stream once. */
    getStreamTicket: () => http<StreamTicket>('POST', '/api/alerts/stream-ticket'),
  };
}

export type HealthflowApi = ReturnType<typeof createApi>;

export interface StreamTicket {
  ticket: string;
  expiresIn: number;
}

/**
 * The SSE URL for the clinician inbox. EventSource cannot send headers, so a short-lived, single-use ticket
 * travels in the query string; the access token never goes into a URL, where proxies would log it.
 */
export function alertStreamUrl(ticket: string, lastEventId?: string | null): string {
  // The browser sends Last-Event-ID only on its own reconnects to the same URL; a new ticket is a new URL.
  return withQuery('/api/alerts/stream', { ticket, lastEventId });
}
