using HealthFlow.Domain;
using Tables = HealthFlow.Topology.HealthFlowTopology.Tables;
using Queues = HealthFlow.Topology.HealthFlowTopology.Queues;
using Indexes = HealthFlow.Topology.HealthFlowTopology.Indexes;

namespace HealthFlow.Topology;

/// <summary>
/// The one declaration of each service's AWS access. The CDK turns every grant into one statement of the service's
/// task-role policy, and a CDK test proves the template holds exactly these; LocalAws refuses, locally, whatever is
/// not listed here, conditions included.
/// </summary>
/// <remarks>
/// Read as an attacker holding one task role: a grant allows what its action allows on its resource, unless a
/// condition narrows it (see <see cref="AccessGrant"/>). So every write on the event store is held to the writer's
/// own streams (LeadingKeys), an outbox-mark update to the `pending` and `parked` attributes (Attributes), and no write hands back
/// the item it touched (ReturnValues NONE). The outbox index leads with the shard, not the stream, so LeadingKeys
/// cannot keep a relay to its own commits there: a Query on it may return keys and counts only (Attributes and
/// Select), and the relay reads each of its own commits from the table.
/// What IAM cannot express, and rests on the services' code alone:
/// <list type="bullet">
/// <item>A request's ConditionExpression. IAM cannot require `attribute_not_exists`, so a role that may PutItem a
/// stream may also overwrite a commit of that stream, `audit-` commits and `audit` records included; an
/// UpdateItem may create a stub item (key and `pending` only) in its own streams. Append-only is the code's
/// promise there, and the tables' point-in-time recovery the remedy.</item>
/// <item>SET or REMOVE: the outbox-mark update may set `pending` (a republish, which consumers absorb) or park a
/// commit as well as remove its mark, on its own streams only.</item>
/// <item>ReturnValuesOnConditionCheckFailure has no condition key: a failed conditional write may hand back the
/// item, which LeadingKeys keeps to items the role may read anyway (or, for `audit`, records projections receive
/// as events in the first place).</item>
/// </list>
/// The `audit-` streams are appended by PutItem, and their outbox mark removed by the same UpdateItem as any
/// other commit's (their relay would republish them forever otherwise); no role holds DeleteItem on `events`, and
/// none holds UpdateItem or DeleteItem on the `audit` table.
/// </remarks>
public static class HealthFlowAccess
{
    private static readonly string[] ReadItems = ["dynamodb:GetItem", "dynamodb:Query"];
    private static readonly string[] WriteReadModelItems = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"];
    private static readonly string[] Consume = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl", "sqs:GetQueueAttributes"];

    /// <summary>The dead-letter gauge reads a DLQ's depth: metadata only, no receive, no delete.</summary>
    private static readonly string[] ReadQueueDepth = ["sqs:GetQueueUrl", "sqs:GetQueueAttributes"];

    private static readonly TableDefinition[] ReadModels = [Tables.Patients, Tables.Observations, Tables.Alerts, Tables.CareTeams];

    public static readonly ServiceAccess AuthApi = new(GatewayRoutes.AuthApi,
    [
        new(AccessResource.Table(Tables.Users), ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]),
        // The failed-login counters every auth-api task shares (LoginThrottleStore).
        new(AccessResource.Table(Tables.LoginThrottle), ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
        .. Appender(GatewayRoutes.AuthApi, StreamId.PatientPrefix),
    ]);

    public static readonly ServiceAccess CommandApi = new(GatewayRoutes.CommandApi,
    [
        // Check-ins, acknowledgements, care teams (an admin's commands), monitoring plans (MonitoringPlanSet on the
        // patient's stream, which also tells whether a patient an admin assigns to a team exists), and the audit
        // records of what it answers.
        .. Appender(GatewayRoutes.CommandApi, StreamId.ObservationPrefix, StreamId.AlertPrefix, StreamId.CareTeamPrefix, StreamId.PatientPrefix, StreamId.AuditPrefix),
        // Who may see whom: the care-team read model, for acknowledgements, plans and the admin's team list.
        .. Reader(Tables.CareTeams),
        // Each clinician's own notification settings (GET/PUT /api/clinicians/me/notification-settings); no write hands anything back.
        new(AccessResource.Table(Tables.NotificationSettings), ["dynamodb:GetItem"]),
        new(AccessResource.Table(Tables.NotificationSettings), ["dynamodb:PutItem"], ReturnValues: [AccessGrant.NoReturnValues]),
    ]);

    public static readonly ServiceAccess QueryApi = new(GatewayRoutes.QueryApi,
    [
        .. ReadModels.SelectMany(Reader),
        // Admins read the audit trail; every answer carrying patient data appends its records (audit- streams only).
        .. Reader(Tables.Audit),
        .. Appender(GatewayRoutes.QueryApi, StreamId.AuditPrefix),
        // A stream ticket's one use, recorded by a conditional put every query-api task sees (StreamTicketLedger).
        new(AccessResource.Table(Tables.StreamTickets), ["dynamodb:PutItem"], ReturnValues: [AccessGrant.NoReturnValues]),
    ]);

    public static readonly ServiceAccess AlertWorker = new(AlertWorkerService,
    [
        .. Consumer(Queues.AlertEvaluation),
        // Escalation deadlines: alert-worker sends them to itself as delayed messages, and consumes them.
        .. Consumer(Queues.AlertEscalation),
        new(AccessResource.Queue(Queues.AlertEscalation.Name), ["sqs:SendMessage"]),
        // Check-in schedules: plans arrive by rule; window deadlines are delayed messages alert-worker sends itself.
        .. Consumer(Queues.CheckInDeadlines),
        new(AccessResource.Queue(Queues.CheckInDeadlines.Name), ["sqs:SendMessage"]),
        // Which leg of a deadline chain (an alert's, a schedule's) carries it on (DelayedMessageChains): its own `chain/` items only.
        new(AccessResource.Table(Tables.Leases), ["dynamodb:UpdateItem", "dynamodb:DeleteItem"],
            LeadingKeyPrefixes: [DelayedMessageChainPrefix],
            Attributes: [Tables.Leases.PartitionKey.Name, "leg"],
            ReturnValues: [AccessGrant.NoReturnValues]),
        // Alerts, and the check-in schedule bookkeeping (schedule-{patientId}): alert-worker is its only writer and reader.
        .. Appender(AlertWorkerService, StreamId.AlertPrefix, StreamId.SchedulePrefix),
        // The patient's monitoring plans, to judge a check-in by the plan in force when it was submitted: one Query
        // of patient-{id} per check-in. Read only.
        new(AccessResource.Table(Tables.Events), ["dynamodb:Query"], LeadingKeyPrefixes: [StreamId.PatientPrefix]),
    ]);

    public static readonly ServiceAccess Projections = new("projections",
    [
        .. Consumer(Queues.PatientProjection),
        .. Consumer(Queues.ObservationProjection),
        .. Consumer(Queues.AlertProjection),
        .. Consumer(Queues.CareTeamProjection),
        .. Consumer(Queues.AuditProjection),
        .. ReadModels.Select(table => new AccessGrant(AccessResource.Table(table), WriteReadModelItems)),
        // Append-only: a record is put once (attribute_not_exists, which IAM cannot require) and never updated or
        // deleted, by anyone; the put hands nothing back.
        new(AccessResource.Table(Tables.Audit), ["dynamodb:PutItem"], ReturnValues: [AccessGrant.NoReturnValues]),
        // A deliberate read: AlertProjection falls back to PatientRegistered (patient-) when the patient row is
        // not projected yet, and to an alert's earlier events (alert-) when its acknowledgement comes first.
        // Failing those messages instead would delay, and after five receives dead-letter, a clinician's alert.
        new(AccessResource.Table(Tables.Events), ["dynamodb:Query"], LeadingKeyPrefixes: [StreamId.PatientPrefix, StreamId.AlertPrefix]),
    ]);

    /// <summary>
    /// The only service that sends email, and so the only holder of the SMTP secret (docs/adr/0008): it reads who is on
    /// call (care teams, settings), keeps its ledger of intents and outcomes, and appends the audit record of each
    /// message sent; it reads no patient, observation or alert table, so a message it writes cannot carry health data.
    /// </summary>
    public static readonly ServiceAccess Notifier = new(NotifierService,
    [
        .. Consumer(Queues.Notifications),
        .. Reader(Tables.CareTeams),
        new(AccessResource.Table(Tables.NotificationSettings), ["dynamodb:GetItem"]),
        new(AccessResource.Table(Tables.Notifications), ["dynamodb:GetItem"]),
        new(AccessResource.Table(Tables.Notifications), ["dynamodb:PutItem", "dynamodb:UpdateItem"], ReturnValues: [AccessGrant.NoReturnValues]),
        .. Appender(NotifierService, StreamId.AuditPrefix),
    ]);

    public static IReadOnlyList<ServiceAccess> All { get; } = [AuthApi, CommandApi, QueryApi, AlertWorker, Projections, Notifier];

    /// <summary>What a relay may read of the outbox index: the keys of the table and of the index, nothing of a commit's events.</summary>
    public static IReadOnlyList<string> OutboxIndexAttributes =>
        [Tables.Events.PartitionKey.Name, Tables.Events.SortKey!.Name, OutboxAttribute, Tables.Events.Indexes.Single(i => i.Name == Indexes.Outbox).SortKey!.Name];

    /// <summary>Where alert-worker's deadline chains are named in `leases` (DelayedMessageChains).</summary>
    public const string DelayedMessageChainPrefix = "chain/";

    /// <summary>The service name alert-worker signs and is deployed as.</summary>
    public const string AlertWorkerService = "alert-worker";

    /// <summary>The service name notifier signs and is deployed as.</summary>
    public const string NotifierService = "notifier";

    /// <summary>A lease item's attributes besides its key `name` (Leases). A property, not a field: the grants above use it while fields are still being initialised.</summary>
    public static IReadOnlyList<string> LeaseAttributes => ["owner", "leaseUntil"];

    /// <summary>Where a service's relay leases are named (`outbox/command-api/shard-2`): no other service may take or give them up.</summary>
    public static string RelayLeasePrefix(string service) => $"outbox/{service}/";

    /// <summary>
    /// The declared access of a service, by its name (`command-api`) or its application name (`HealthFlow.Command.Api`);
    /// null for a process that is none of them (the operator CLI, a test host).
    /// </summary>
    public static ServiceAccess? Find(string serviceOrApplicationName)
    {
        static string Normalized(string name)
        {
            var lower = name.Trim().ToLowerInvariant();
            lower = lower.StartsWith("healthflow.", StringComparison.Ordinal) ? lower["healthflow.".Length..] : lower;
            return lower.Replace(".", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        }

        var wanted = Normalized(serviceOrApplicationName);
        return All.SingleOrDefault(a => Normalized(a.Service) == wanted);
    }

    /// <summary>The stream prefixes a service appends to (and whose outbox marks it removes); empty for a non-appender.</summary>
    public static IReadOnlyList<string> StreamsAppendedBy(ServiceAccess access) =>
        access.Grants.FirstOrDefault(g => g.Resource == AccessResource.Table(Tables.Events) && g.Actions.Contains("dynamodb:PutItem"))?.LeadingKeyPrefixes ?? [];

    public static ServiceAccess For(string service) =>
        All.SingleOrDefault(a => a.Service == service) ?? throw new ArgumentException($"No access is declared for {service}.", nameof(service));

    /// <summary>
    /// An event-store writer: appends (conditional PutItem) and reads back (Query, and GetItem after a retried put)
    /// only its own streams; removes or parks (with its reason) the outbox mark of its own commits, and changes
    /// nothing else of them; relays its own commits (<see cref="StreamsAppendedBy"/>) under its own relay leases in
    /// `leases`; publishes on the bus.
    /// </summary>
    private static AccessGrant[] Appender(string service, params string[] streamPrefixes) =>
    [
        new(AccessResource.Table(Tables.Events), ["dynamodb:PutItem"], LeadingKeyPrefixes: streamPrefixes, ReturnValues: [AccessGrant.NoReturnValues]),
        new(AccessResource.Table(Tables.Events), ["dynamodb:GetItem", "dynamodb:Query"], LeadingKeyPrefixes: streamPrefixes),
        new(AccessResource.Table(Tables.Events), ["dynamodb:UpdateItem"],
            LeadingKeyPrefixes: streamPrefixes,
            Attributes: [Tables.Events.PartitionKey.Name, Tables.Events.SortKey!.Name, OutboxAttribute, OutboxParkedAttribute],
            ReturnValues: [AccessGrant.NoReturnValues]),
        new(AccessResource.IndexOf(Tables.Events, Indexes.Outbox), ["dynamodb:Query"],
            Attributes: OutboxIndexAttributes, Select: ["SPECIFIC_ATTRIBUTES", "COUNT"]),
        new(AccessResource.Table(Tables.Leases), ["dynamodb:UpdateItem", "dynamodb:DeleteItem"],
            LeadingKeyPrefixes: [RelayLeasePrefix(service)],
            Attributes: [Tables.Leases.PartitionKey.Name, .. LeaseAttributes],
            ReturnValues: [AccessGrant.NoReturnValues]),
        new(AccessResource.Bus(HealthFlowTopology.EventBusName), ["events:PutEvents"]),
    ];

    /// <summary>A reader of a table: GetItem and Query on it, Query on each of its indexes.</summary>
    private static AccessGrant[] Reader(TableDefinition table) =>
    [
        new(AccessResource.Table(table), ReadItems),
        .. table.Indexes.Select(index => new AccessGrant(AccessResource.IndexOf(table, index.Name), ["dynamodb:Query"])),
    ];

    /// <summary>An SQS consumer: its work queue, and the depth of that queue's DLQ.</summary>
    private static AccessGrant[] Consumer(QueueDefinition queue) =>
    [
        new(AccessResource.Queue(queue.Name), Consume),
        new(AccessResource.Queue(queue.DeadLetterQueueName), ReadQueueDepth),
    ];

    /// <summary>The sparse outbox attribute (the outbox index's partition key) that a relay removes once a commit is published.</summary>
    public static string OutboxAttribute => Tables.Events.Indexes.Single(i => i.Name == Indexes.Outbox).PartitionKey.Name;

    /// <summary>Why a relay parked a commit it can never publish (with the outbox attribute set to `parked`).</summary>
    public const string OutboxParkedAttribute = "parked";
}
