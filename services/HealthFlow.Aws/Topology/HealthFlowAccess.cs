using HealthFlow.Domain;
using Tables = HealthFlow.Aws.Topology.HealthFlowTopology.Tables;
using Queues = HealthFlow.Aws.Topology.HealthFlowTopology.Queues;
using Indexes = HealthFlow.Aws.Topology.HealthFlowTopology.Indexes;

namespace HealthFlow.Aws.Topology;

/// <summary>
/// The one declaration of each service's AWS access (DESIGN.md sections 9 and 13). The CDK turns every
/// grant into one statement of the service's task-role policy, and a CDK test proves the template holds
/// exactly these; LocalAws refuses, locally, whatever is not listed here.
/// </summary>
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
        .. Appender(StreamId.PatientPrefix),
    ]);

    public static readonly ServiceAccess CommandApi = new(GatewayRoutes.CommandApi,
    [
        // Check-ins, acknowledgements, care teams (an admin's commands), and the audit records of what it answers.
        .. Appender(StreamId.ObservationPrefix, StreamId.AlertPrefix, StreamId.CareTeamPrefix, StreamId.AuditPrefix),
        // Who may see whom: the care-team read model, for acknowledgements and the admin's team list.
        .. Reader(Tables.CareTeams),
        // Whether a patient an admin assigns to a team exists (registered: patient-{id} has a commit). Read only.
        new(AccessResource.Table(Tables.Events), ["dynamodb:Query"], LeadingKeyPrefixes: [StreamId.PatientPrefix]),
    ]);

    public static readonly ServiceAccess QueryApi = new(GatewayRoutes.QueryApi,
    [
        .. ReadModels.SelectMany(Reader),
        // Admins read the audit trail; every answer carrying patient data appends its records (audit- streams only).
        .. Reader(Tables.Audit),
        .. Appender(StreamId.AuditPrefix),
    ]);

    public static readonly ServiceAccess AlertWorker = new("alert-worker",
    [
        .. Consumer(Queues.AlertEvaluation),
        // Escalation deadlines: alert-worker sends them to itself as delayed messages, and consumes them.
        .. Consumer(Queues.AlertEscalation),
        new(AccessResource.Queue(Queues.AlertEscalation.Name), ["sqs:SendMessage"]),
        .. Appender(StreamId.AlertPrefix),
    ]);

    public static readonly ServiceAccess Projections = new("projections",
    [
        .. Consumer(Queues.PatientProjection),
        .. Consumer(Queues.ObservationProjection),
        .. Consumer(Queues.AlertProjection),
        .. Consumer(Queues.CareTeamProjection),
        .. Consumer(Queues.AuditProjection),
        .. ReadModels.Select(table => new AccessGrant(AccessResource.Table(table), WriteReadModelItems)),
        // Append-only: a record is put once (attribute_not_exists) and never updated or deleted, by anyone.
        new(AccessResource.Table(Tables.Audit), ["dynamodb:PutItem"]),
        // A deliberate read: AlertProjection falls back to PatientRegistered (patient-) when the patient row is
        // not projected yet, and to an alert's earlier events (alert-) when its acknowledgement comes first.
        // Failing those messages instead would delay, and after five receives dead-letter, a clinician's alert.
        new(AccessResource.Table(Tables.Events), ["dynamodb:Query"], LeadingKeyPrefixes: [StreamId.PatientPrefix, StreamId.AlertPrefix]),
    ]);

    public static IReadOnlyList<ServiceAccess> All { get; } = [AuthApi, CommandApi, QueryApi, AlertWorker, Projections];

    public static ServiceAccess For(string service) =>
        All.SingleOrDefault(a => a.Service == service) ?? throw new ArgumentException($"No access is declared for {service}.", nameof(service));

    /// <summary>
    /// An event-store writer: appends (conditional PutItem) and reads back (Query, and GetItem after a retried
    /// put) only its own streams; clears or parks any commit's outbox mark, and nothing else, because its outbox relay
    /// sweeps every shard of the shared outbox index; takes relay shards in `leases`; publishes on the bus.
    /// </summary>
    private static AccessGrant[] Appender(params string[] streamPrefixes) =>
    [
        new(AccessResource.Table(Tables.Events), ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"], LeadingKeyPrefixes: streamPrefixes),
        new(AccessResource.Table(Tables.Events), ["dynamodb:UpdateItem"],
            Attributes: [Tables.Events.PartitionKey.Name, Tables.Events.SortKey!.Name, OutboxAttribute, OutboxParkedAttribute]),
        new(AccessResource.IndexOf(Tables.Events, Indexes.Outbox), ["dynamodb:Query"]),
        new(AccessResource.Table(Tables.Leases), ["dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
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
