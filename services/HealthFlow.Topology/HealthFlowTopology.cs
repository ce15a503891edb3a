
namespace HealthFlow.Topology;

// The one definition of every AWS resource HealthFlow uses. Local provisioning
// (`healthflow provision`) and the CDK stack both build from this, and a test
// checks that they agree. No other file names a table, queue, bus or rule.

public enum KeyType { String, Number }

public sealed record KeyAttribute(string Name, KeyType Type);

public sealed record GlobalIndex(string Name, KeyAttribute PartitionKey, KeyAttribute? SortKey = null);

public sealed record TableDefinition(
    string Name,
    KeyAttribute PartitionKey,
    KeyAttribute? SortKey,
    IReadOnlyList<GlobalIndex> Indexes,
    string? TimeToLiveAttribute = null);

public sealed record QueueDefinition(
    string Name,
    string DeadLetterQueueName,
    int MaxReceiveCount,
    TimeSpan VisibilityTimeout,
    TimeSpan MessageRetention);

/// <summary>
/// What EventBridge does with an event it cannot deliver to a rule's target: retry, within these bounds, then
/// put it in the dead-letter queue, so a delivery that fails after PutEvents succeeded is kept, not lost.
/// </summary>
public sealed record DeliveryPolicy(string DeadLetterQueueName, int MaximumRetryAttempts, TimeSpan MaximumEventAge);

public sealed record RuleDefinition(string Name, string EventBusName, IReadOnlyList<string> DetailTypes, QueueDefinition Target)
{
    /// <summary>Every rule target shares one delivery policy and its DLQ.</summary>
    public DeliveryPolicy Delivery => HealthFlowTopology.Delivery;

    /// <summary>The EventBridge pattern: any HealthFlow source, one of the rule's detail types.</summary>
    public string EventPattern =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["source"] = new object[] { new Dictionary<string, string> { ["prefix"] = HealthFlowTopology.SourcePrefix } },
            ["detail-type"] = DetailTypes,
        });
}

public static class HealthFlowTopology
{
    public const string EventBusName = "healthflow";
    public const string SourcePrefix = "healthflow.";
    public const int MaxReceiveCount = 5;

    /// <summary>
    /// EventBridge's own defaults, written out (185 attempts over 24 h): a target queue that is briefly unavailable
    /// loses nothing; one that is gone sends the event to the DLQ, where an alarm and an operator find it.
    /// </summary>
    public static readonly DeliveryPolicy Delivery = new("event-delivery-dlq", MaximumRetryAttempts: 185, MaximumEventAge: TimeSpan.FromHours(24));

    public static class Tables
    {
        /// <summary>Event store: one item per commit. See EventStore/DynamoEventStore.cs for the item layout.</summary>
        public static readonly TableDefinition Events = new(
            "events",
            new KeyAttribute("streamId", KeyType.String),
            new KeyAttribute("version", KeyType.Number),
            [
                // Sparse: only commits not yet published carry `pending`.
                new GlobalIndex(Indexes.Outbox, new KeyAttribute("pending", KeyType.String), new KeyAttribute("committedAt", KeyType.String)),
            ]);

        /// <summary>Credentials and roles; written by auth-api only.</summary>
        public static readonly TableDefinition Users = new(
            "users",
            new KeyAttribute("username", KeyType.String),
            null,
            []);

        /// <summary>
        /// Failed logins per account (auth-api only), shared by every auth-api task so the backoff holds
        /// however many run. Items expire by TTL once an account has been quiet for a while.
        /// </summary>
        public static readonly TableDefinition LoginThrottle = new(
            "login-throttle",
            new KeyAttribute("account", KeyType.String),
            null,
            [],
            TimeToLiveAttribute: "expiresAt");

        /// <summary>
        /// The stream tickets query-api has redeemed, one item per ticket (`ticketId`, its jti), shared by every
        /// query-api task so a ticket opens one stream however many run. Items expire by TTL after the ticket does.
        /// </summary>
        public static readonly TableDefinition StreamTickets = new(
            "stream-tickets",
            new KeyAttribute("ticketId", KeyType.String),
            null,
            [],
            TimeToLiveAttribute: "expiresAt");

        /// <summary>
        /// Time-limited ownership, e.g. of an outbox shard by one relay, so that N instances never
        /// republish one commit N times: a handful of items, rewritten every sweep. Also which leg carries
        /// each delayed-message chain (DelayedMessageChains): one item per deadline beyond 15 minutes, until it is decided.
        /// </summary>
        public static readonly TableDefinition Leases = new(
            "leases",
            new KeyAttribute("name", KeyType.String),
            null,
            []);

        /// <summary>Read model: one item per patient.</summary>
        public static readonly TableDefinition Patients = new(
            "patients",
            new KeyAttribute("patientId", KeyType.String),
            null,
            [
                // Constant partition `listKey` = "patient" lets clinicians page through patients without a Scan.
                new GlobalIndex(Indexes.PatientsByRegistration, new KeyAttribute("listKey", KeyType.String), new KeyAttribute("registeredAt", KeyType.String)),
            ]);

        /// <summary>Read model: a patient's observations, sorted by `sk` = measuredAt#observationId.</summary>
        public static readonly TableDefinition Observations = new(
            "observations",
            new KeyAttribute("patientId", KeyType.String),
            new KeyAttribute("sk", KeyType.String),
            [
                new GlobalIndex(Indexes.ObservationsById, new KeyAttribute("observationId", KeyType.String)),
            ]);

        /// <summary>Read model: one item per alert, the patient's name denormalised onto it.</summary>
        public static readonly TableDefinition Alerts = new(
            "alerts",
            new KeyAttribute("alertId", KeyType.String),
            null,
            [
                // `raisedKey` = raisedAt#alertId, so newest-first paging is stable.
                new GlobalIndex(Indexes.AlertsByStatus, new KeyAttribute("status", KeyType.String), new KeyAttribute("raisedKey", KeyType.String)),
                new GlobalIndex(Indexes.AlertsByPatient, new KeyAttribute("patientId", KeyType.String), new KeyAttribute("raisedKey", KeyType.String)),
                // Constant partition `feed` = "alerts"; `updatedKey` = updatedAt#alertId. Each query-api instance tails it for SSE.
                new GlobalIndex(Indexes.AlertsByUpdate, new KeyAttribute("feed", KeyType.String), new KeyAttribute("updatedKey", KeyType.String)),
            ]);

        /// <summary>
        /// Read model: care teams and their members. Key teamId + member (`team`, `clinician#{username}`,
        /// `patient#{id}`); each member item is a last-writer-wins register (active, changeKey), so events
        /// delivered out of order still converge. See ReadModels/CareTeamReadModel.cs.
        /// </summary>
        public static readonly TableDefinition CareTeams = new(
            "care-teams",
            new KeyAttribute("teamId", KeyType.String),
            new KeyAttribute("member", KeyType.String),
            [
                // Member → teams: a clinician's teams (clinician → patients), a patient's, and every team (`team`).
                new GlobalIndex(Indexes.CareTeamsByMember, new KeyAttribute("member", KeyType.String), new KeyAttribute("teamId", KeyType.String)),
            ]);

        /// <summary>
        /// The audit trail: one item per record, put once (attribute_not_exists) and never updated or deleted:
        /// no service holds UpdateItem or DeleteItem on it (HealthFlowAccess, checked by a CDK test).
        /// </summary>
        public static readonly TableDefinition Audit = new(
            "audit",
            new KeyAttribute("recordId", KeyType.String),
            null,
            [
                // `accessedKey` = accessedAt#recordId: newest-first paging by patient or by actor.
                new GlobalIndex(Indexes.AuditByPatient, new KeyAttribute("patientId", KeyType.String), new KeyAttribute("accessedKey", KeyType.String)),
                new GlobalIndex(Indexes.AuditByActor, new KeyAttribute("actor", KeyType.String), new KeyAttribute("accessedKey", KeyType.String)),
            ]);

        /// <summary>
        /// Each clinician's notification settings (email address, the events they want, on call or not): one item per
        /// clinician, written by command-api (the clinician's own PUT) and read by notifier. See
        /// ReadModels/NotificationSettingsStore.cs.
        /// </summary>
        public static readonly TableDefinition NotificationSettings = new(
            "notification-settings",
            new KeyAttribute("clinician", KeyType.String),
            null,
            []);

        /// <summary>
        /// notifier's ledger: one item per (alert event, recipient, channel), put as an intent before the message is
        /// sent and updated with the outcome, so a redelivered event sends nothing twice. Written by notifier only;
        /// see Notifier/NotificationLedger.cs.
        /// </summary>
        public static readonly TableDefinition Notifications = new(
            "notifications",
            new KeyAttribute("notificationId", KeyType.String),
            null,
            []);

        public static IReadOnlyList<TableDefinition> All { get; } = [Events, Users, LoginThrottle, StreamTickets, Leases, Patients, Observations, Alerts, CareTeams, Audit, NotificationSettings, Notifications];
    }

    public static class Indexes
    {
        public const string Outbox = "outbox";
        public const string PatientsByRegistration = "by-registration";
        public const string ObservationsById = "by-observation-id";
        public const string AlertsByStatus = "by-status";
        public const string AlertsByPatient = "by-patient";
        public const string AlertsByUpdate = "by-update";
        public const string CareTeamsByMember = "by-member";
        public const string AuditByPatient = "by-patient";
        public const string AuditByActor = "by-actor";
    }

    public static class Queues
    {
        public static readonly QueueDefinition AlertEvaluation = Queue("alert-evaluation");
        public static readonly QueueDefinition PatientProjection = Queue("patient-projection");
        public static readonly QueueDefinition ObservationProjection = Queue("observation-projection");
        public static readonly QueueDefinition AlertProjection = Queue("alert-projection");
        public static readonly QueueDefinition CareTeamProjection = Queue("care-team-projection");
        public static readonly QueueDefinition AuditProjection = Queue("audit-projection");

        /// <summary>
        /// Escalation deadlines as delayed messages (DelaySeconds ≤ 900, re-sent for longer deadlines), sent and
        /// consumed by alert-worker. No rule feeds it: a deadline in SQS survives the worker being down.
        /// </summary>
        public static readonly QueueDefinition AlertEscalation = Queue("alert-escalation");

        /// <summary>
        /// Check-in schedules, consumed by alert-worker: MonitoringPlanSet (routed by a rule) starts a plan's chain of
        /// window deadlines, and each deadline is a delayed message alert-worker sends itself (DelaySeconds ≤ 900,
        /// re-sent for a later deadline), like alert-escalation's: a deadline in SQS survives the worker being down.
        /// </summary>
        public static readonly QueueDefinition CheckInDeadlines = Queue("check-in-deadlines");

        /// <summary>Alert events that may page someone (raised, escalated), consumed by notifier only.</summary>
        public static readonly QueueDefinition Notifications = Queue("notifications");

        public static IReadOnlyList<QueueDefinition> All { get; } = [AlertEvaluation, PatientProjection, ObservationProjection, AlertProjection, AlertEscalation, CareTeamProjection, AuditProjection, CheckInDeadlines, Notifications];

        /// <summary>SQS's longest per-message delay.</summary>
        public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(900);

        private static QueueDefinition Queue(string name) => new(
            name,
            name + "-dlq",
            MaxReceiveCount,
            VisibilityTimeout: TimeSpan.FromSeconds(30),
            MessageRetention: TimeSpan.FromDays(4));
    }

    public static class Rules
    {
        public static readonly RuleDefinition ObservationsToAlertEvaluation =
            new("observations-to-alert-evaluation", EventBusName, ["ObservationSubmitted"], Queues.AlertEvaluation);
        public static readonly RuleDefinition PatientsToProjection =
            new("patients-to-projection", EventBusName, ["PatientRegistered", "MonitoringPlanSet"], Queues.PatientProjection);
        public static readonly RuleDefinition ObservationsToProjection =
            new("observations-to-projection", EventBusName, ["ObservationSubmitted"], Queues.ObservationProjection);
        public static readonly RuleDefinition AlertsToProjection =
            new("alerts-to-projection", EventBusName, ["AlertRaised", "AlertAcknowledged", "AlertEscalated"], Queues.AlertProjection);

        public static readonly RuleDefinition CareTeamsToProjection =
            new("care-teams-to-projection", EventBusName, Domain.Events.EventTypes.CareTeam, Queues.CareTeamProjection);
        public static readonly RuleDefinition AuditToProjection =
            new("audit-to-projection", EventBusName, ["PatientDataAccessed"], Queues.AuditProjection);

        /// <summary>A new plan re-plans the patient's check-in deadlines: alert-worker sends its first one.</summary>
        public static readonly RuleDefinition MonitoringPlansToCheckInDeadlines =
            new("monitoring-plans-to-check-in-deadlines", EventBusName, [Domain.Events.EventTypes.MonitoringPlanSet], Queues.CheckInDeadlines);

        /// <summary>notifier decides per event whom it pages (a high or missed-check-in alert, an escalation); the rule routes both types.</summary>
        public static readonly RuleDefinition AlertsToNotifications =
            new("alerts-to-notifications", EventBusName, [Domain.Events.EventTypes.AlertRaised, Domain.Events.EventTypes.AlertEscalated], Queues.Notifications);

        public static IReadOnlyList<RuleDefinition> All { get; } =
            [ObservationsToAlertEvaluation, PatientsToProjection, ObservationsToProjection, AlertsToProjection, CareTeamsToProjection, AuditToProjection, MonitoringPlansToCheckInDeadlines, AlertsToNotifications];
    }
}
