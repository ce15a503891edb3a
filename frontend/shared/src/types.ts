// The shapes of the HealthFlow HTTP API (the README's "The API, by example" and each API's OpenAPI document), as the web apps see them.

export type Role = 'patient' | 'clinician' | 'admin';

export interface LoginRequest {
  username: string;
  password: string;
}

export interface RegisterRequest {
  username: string;
  password: string;
  displayName: string;
}

export interface LoginResponse {
  accessToken: string;
  tokenType: string;
  /** Seconds until the token expires. */
  expiresIn: number;
  role: Role;
  patientId?: string | null;
  displayName: string;
}

export interface RegisterResponse {
  patientId: string;
}

export const consciousnessLevels = ['alert', 'confusion', 'voice', 'pain', 'unresponsive'] as const;
export type Consciousness = (typeof consciousnessLevels)[number];

/** The body of POST /api/observations; every measurement is optional but at least one is sent. */
export interface ObservationRequest {
  score?: number;
  heartRate?: number;
  respiratoryRate?: number;
  oxygenSaturation?: number;
  onSupplementalOxygen?: boolean;
  systolicBp?: number;
  diastolicBp?: number;
  temperature?: number;
  consciousness?: Consciousness;
  measuredAt?: string;
  note?: string;
}

export interface ObservationAccepted {
  observationId: string;
}

export interface Observation {
  observationId: string;
  measuredAt: string;
  score?: number | null;
  heartRate?: number | null;
  respiratoryRate?: number | null;
  oxygenSaturation?: number | null;
  onSupplementalOxygen?: boolean | null;
  systolicBp?: number | null;
  diastolicBp?: number | null;
  temperature?: number | null;
  consciousness?: Consciousness | null;
  note?: string | null;
}

export const severities = ['high', 'medium', 'low-medium'] as const;
export type Severity = (typeof severities)[number];

export const alertStatuses = ['open', 'acknowledged'] as const;
export type AlertStatus = (typeof alertStatuses)[number];

export interface Alert {
  alertId: string;
  patientId: string;
  patientName: string;
  /** The check-in that raised the alert; null for a missed check-in (rule `check-in-missed`), which has none. */
  observationId: string | null;
  severity: Severity;
  rule: string;
  /** Every rule that fired for the check-in, the most severe first (`rule` is the first). */
  rules: string[];
  reasons: string[];
  score?: number | null;
  news2?: number | null;
  /** NEWS2 was computed from some parameters only; the reasons say which were missing. */
  partial?: boolean;
  status: AlertStatus;
  raisedAt: string;
  acknowledgedAt?: string | null;
  acknowledgedBy?: string | null;
  acknowledgementNote?: string | null;
  /** Nobody acknowledged the alert by its severity's deadline (the escalation policy); set once, never unset. */
  escalated?: boolean;
  escalatedAt?: string | null;
  escalationLevel?: number | null;
  /** A missed check-in's window due time (rule `check-in-missed`); absent on every other alert. */
  missedDueAt?: string | null;
}

/** One patient in GET /api/worklist: what their open alerts add up to. */
export interface WorklistRow {
  patientId: string;
  patientName: string;
  highestSeverity: Severity;
  openAlerts: number;
  escalated: boolean;
  /** The NEWS2 totals of the patient's newest two alerts that carry one, open or not. */
  latestNews2?: number | null;
  previousNews2?: number | null;
  news2Trend?: 'up' | 'down' | 'same' | null;
  oldestOpenRaisedAt: string;
  /** Open alerts of the rule `check-in-missed`. */
  missedCheckIns: number;
}

/** GET /api/worklist: rows most urgent first; `complete` is false when the server's read bound left open alerts out. */
export interface Worklist {
  items: WorklistRow[];
  totalPatients: number;
  complete: boolean;
}

export interface PatientSummary {
  patientId: string;
  username: string;
  displayName: string;
  registeredAt: string;
}

/** A cursor-paged reply: pass nextCursor back as `cursor` for the next page; null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

/** RFC 7807 problem details, with ASP.NET Core's `errors` map for validation problems. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Record<string, string[]>;
  /** A 412 on a monitoring plan: the version in force, which the If-Match did not name. */
  currentVersion?: number;
}

/** A care team (GET /api/care-teams): an admin sees every team, a clinician their own. */
export interface CareTeam {
  careTeamId: string;
  name: string;
  clinicians: string[];
  patients: string[];
}

/** What a clinician is emailed about: only while on call; an escalation reaches every on-call clinician whatever they chose. */
export type NotificationKind = 'high-alert' | 'escalation' | 'missed-check-in';

export interface NotificationSettings {
  email: string;
  events: NotificationKind[];
  onCall: boolean;
}

/** One record of the audit trail (GET /api/audit, admins only). */
export interface AuditRecord {
  recordId: string;
  actor: string;
  actorRole: string;
  patientId: string | null;
  action: string;
  resourceIds: string[];
  count: number;
  outcome: 'allowed' | 'denied';
  clientAddress: string | null;
  accessedAt: string;
}

/** A FHIR R4 Bundle, kept as the server sent it (the web apps only pass it on). */
export interface FhirBundle {
  resourceType: 'Bundle';
  type: string;
  entry?: { fullUrl?: string; resource?: { resourceType: string; id?: string } }[];
}

/** A vital sign with personal bounds in a monitoring plan: the check-in's field names. */
export const planVitalSigns = ['heartRate', 'respiratoryRate', 'oxygenSaturation', 'systolicBp', 'temperature'] as const;
export type PlanVitalSign = (typeof planVitalSigns)[number];

/** When the patient is asked to check in: every `everyHours` hours or at the local `timesOfDay` ("HH:mm"), in `timeZone` (IANA). */
export interface CheckInSchedule {
  everyHours?: number | null;
  timesOfDay?: string[] | null;
  timeZone: string;
  graceMinutes?: number;
}

/** NEWS2's SpO2 scale: 1, or 2 with the prescribed target range (the server fills in 88–92 when left out). */
export interface SpO2Scale {
  scale: 1 | 2;
  targetLow?: number | null;
  targetHigh?: number | null;
}

/** A value strictly below `low` or strictly above `high` raises an alert of `severity`. */
export interface VitalBound {
  low?: number | null;
  high?: number | null;
  severity: Severity;
}

export type PersonalThresholds = Partial<Record<PlanVitalSign, VitalBound | null>> & { scoreThreshold?: number | null };

/** A monitoring plan; a part left out keeps the defaults (no schedule, scale 1, the global alert rules). */
export interface MonitoringPlan {
  schedule?: CheckInSchedule | null;
  spO2Scale?: SpO2Scale | null;
  thresholds?: PersonalThresholds | null;
}

/** The body of PUT /api/patients/{id}/monitoring-plan. */
export interface MonitoringPlanRequest extends MonitoringPlan {
  reason: string;
}

/** GET /api/patients/{id}/monitoring-plan, and the PUT's answer: the plan in force and who set it, when and why. */
/**
 * GET /api/patients/{id}/check-in-status: the window the next check-in counts for (`dueAt`, accepted late until
 * `graceEndsAt`), whether a check-in is overdue (`overdueDueAt` names the due time that passed), and the latest
 * check-in, as the server judged them at `asOf`. Times are instants; `timeZone` is the plan's, to show them in.
 */
export interface CheckInStatus {
  patientId: string;
  planVersion: number;
  timeZone: string;
  dueAt: string;
  graceEndsAt: string;
  overdue: boolean;
  overdueDueAt?: string | null;
  lastCheckInAt?: string | null;
  asOf: string;
}

export interface MonitoringPlanView {
  patientId: string;
  version: number;
  plan: MonitoringPlan;
  setBy: string;
  reason: string;
  setAt: string;
}
