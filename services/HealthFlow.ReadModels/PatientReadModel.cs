using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Monitoring;
using HealthFlow.Topology;
using static HealthFlow.ReadModels.DynamoItems;

namespace HealthFlow.ReadModels;

/// <summary>A patient as clinicians list them.</summary>
public sealed record PatientView(Guid PatientId, string Username, string DisplayName, DateTimeOffset RegisteredAt) : IPatientRecord
{
    Guid IPatientRecord.ResourceId => PatientId;
}

/// <summary>The patient's monitoring plan in force now, as a clinician reads it (and as command-api answers a PUT).</summary>
public sealed record MonitoringPlanView(Guid PatientId, int Version, MonitoringPlan Plan, string SetBy, string Reason, DateTimeOffset SetAt) : IPatientRecord
{
    Guid IPatientRecord.ResourceId => PatientId;

    public static MonitoringPlanView From(MonitoringPlanSet set) => new(set.PatientId, set.Version, set.Plan, set.SetBy, set.Reason, set.SetAt);

    /// <summary>A plan version as an HTTP entity tag, <c>"3"</c>: the ETag of both endpoints, and what If-Match takes back.</summary>
    public static string ETagOf(int version) => $"\"{version.ToString(System.Globalization.CultureInfo.InvariantCulture)}\"";
}

/// <summary>The plan in force, and the SubmittedAt of the patient's latest check-in (null: none projected yet).</summary>
public sealed record PlanAndLastCheckIn(MonitoringPlanView Plan, DateTimeOffset? LastCheckInAt);

/// <summary>
/// The `patients` table. Item layout:
/// <code>
/// patientId     S  key
/// username      S  login name
/// displayName   S
/// registeredAt  S  SortableTime; sort key of `by-registration`
/// listKey       S  always "patient": the single partition of `by-registration`
/// streamId      S  source stream; lastVersion N: the last PatientRegistered applied (idempotency checkpoint)
/// planVersion   N  the current MonitoringPlanSet's plan version (its own checkpoint: plans and the registration
///                  may arrive in either order, and neither overwrites the other's attributes)
/// plan          S  that plan as JSON (DomainJson, the event's `plan`)
/// planSetBy     S  planReason S  planSetAt S (SortableTime)
/// lastCheckInAt S  SortableTime: the latest SubmittedAt of the patient's check-ins (ObservationSubmitted), which
///                  check-in windows judge; it only moves forward, so it is its own checkpoint
/// </code>
/// An item a plan or a check-in reached before the registration holds only the key and those attributes: it is no
/// patient yet (GetAsync answers null) and not in `by-registration` (no listKey) until PatientRegistered is applied.
/// </summary>
public sealed class PatientReadModel(IAmazonDynamoDB dynamo)
{
    public const string ListKeyValue = "patient";
    private static readonly TableDefinition Table = HealthFlowTopology.Tables.Patients;
    private static readonly string[] ByRegistrationKey = ["patientId", "listKey", "registeredAt"];

    public static IReadOnlyDictionary<string, IReadOnlyCollection<string>> CursorLanes { get; } =
        new Dictionary<string, IReadOnlyCollection<string>> { [PageCursor.SingleLane] = ByRegistrationKey };

    /// <summary>Writes the patient unless this or a later registration of the stream was applied already; a plan already on the item stays.</summary>
    /// <returns>False when skipped as a duplicate.</returns>
    public Task<bool> ApplyRegisteredAsync(PatientRegistered registered, string streamId, long version, CancellationToken cancellationToken) =>
        ReadModelWrites.UpdateIfNewerAsync(
            dynamo,
            Table.Name,
            PatientKey(registered.PatientId),
            "lastVersion",
            version,
            new Dictionary<string, AttributeValue>
            {
                ["username"] = S(registered.Username),
                ["displayName"] = S(registered.DisplayName),
                ["registeredAt"] = S(SortableTime.Format(registered.RegisteredAt)),
                ["listKey"] = S(ListKeyValue),
                ["streamId"] = S(streamId),
            },
            cancellationToken);

    /// <summary>Puts the plan on the patient's item unless this or a later plan version is there already.</summary>
    /// <returns>False when skipped as a duplicate or an older plan.</returns>
    public Task<bool> ApplyPlanSetAsync(MonitoringPlanSet set, CancellationToken cancellationToken) =>
        ReadModelWrites.UpdateIfNewerAsync(
            dynamo,
            Table.Name,
            PatientKey(set.PatientId),
            "planVersion",
            set.Version,
            new Dictionary<string, AttributeValue>
            {
                ["plan"] = S(JsonSerializer.Serialize(set.Plan, DomainJson.Options)),
                ["planSetBy"] = S(set.SetBy),
                ["planReason"] = S(set.Reason),
                ["planSetAt"] = S(SortableTime.Format(set.SetAt)),
            },
            cancellationToken);

    /// <summary>
    /// Moves the patient's latest check-in time forward to this check-in's SubmittedAt; an earlier or equal one (a
    /// redelivery, a check-in delivered out of order) changes nothing.
    /// </summary>
    /// <returns>False when skipped as not later.</returns>
    public async Task<bool> ApplyCheckInAsync(ObservationSubmitted submitted, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = Table.Name,
                Key = PatientKey(submitted.PatientId),
                UpdateExpression = "SET lastCheckInAt = :at",
                // SortableTime strings order as the instants do.
                ConditionExpression = "attribute_not_exists(lastCheckInAt) OR lastCheckInAt < :at",
                ExpressionAttributeValues = new() { [":at"] = S(SortableTime.Format(submitted.SubmittedAt)) },
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>The plan in force, as projected; null when none was set (the patient is on the defaults) or no such patient.</summary>
    public async Task<MonitoringPlanView?> GetPlanAsync(Guid patientId, CancellationToken cancellationToken) =>
        (await GetPlanAndLastCheckInAsync(patientId, cancellationToken))?.Plan;

    /// <summary>The plan in force and the latest check-in's SubmittedAt, in one read; null when no plan was set.</summary>
    public async Task<PlanAndLastCheckIn?> GetPlanAndLastCheckInAsync(Guid patientId, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = Table.Name,
            Key = PatientKey(patientId),
            ProjectionExpression = "planVersion, #plan, planSetBy, planReason, planSetAt, lastCheckInAt",
            ExpressionAttributeNames = new() { ["#plan"] = "plan" },
        }, cancellationToken);
        return response.Item is { Count: > 0 } item && item.GetOptionalInt("planVersion") is { } version
            ? new PlanAndLastCheckIn(
                new MonitoringPlanView(
                    patientId,
                    version,
                    JsonSerializer.Deserialize<MonitoringPlan>(item.GetString("plan"), DomainJson.Options) ?? MonitoringPlan.Defaults,
                    item.GetString("planSetBy"),
                    item.GetString("planReason"),
                    item.GetTime("planSetAt")),
                item.GetOptionalTime("lastCheckInAt"))
            : null;
    }

    public async Task<PatientView?> GetAsync(Guid patientId, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = Table.Name,
            Key = new() { ["patientId"] = S(patientId.ToString()) },
        }, cancellationToken);
        return response.Item is { Count: > 0 } item && item.ContainsKey("username") ? Map(item) : null;
    }

    /// <summary>The display name by key, read strongly consistent (the alert projection denormalises it).</summary>
    public async Task<string?> GetDisplayNameAsync(Guid patientId, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = Table.Name,
            Key = new() { ["patientId"] = S(patientId.ToString()) },
            ProjectionExpression = "displayName",
            ConsistentRead = true,
        }, cancellationToken);
        return response.Item?.GetOptionalString("displayName");
    }

    /// <summary>Patients, most recently registered first; only those in <paramref name="patients"/> when given.</summary>
    /// <exception cref="InvalidCursorException"/>
    public Task<Page<PatientView>> ListAsync(int limit, string? cursor, CancellationToken cancellationToken, IReadOnlySet<Guid>? patients = null) =>
        dynamo.QueryPageAsync(
            () => new QueryRequest
            {
                TableName = Table.Name,
                IndexName = HealthFlowTopology.Indexes.PatientsByRegistration,
                KeyConditionExpression = "listKey = :list",
                ExpressionAttributeValues = new() { [":list"] = S(ListKeyValue) },
                ScanIndexForward = false,
                // A scope skips items after the read: fuller pages, so the page cap rarely ends a page early.
                Limit = (patients is null ? limit : Math.Max(limit, DynamoQueries.ScopedPageSize)) + 1,
            },
            PageCursor.Decode(cursor, CursorLanes, PageCursor.Pin("listKey", ListKeyValue)),
            ByRegistrationKey,
            limit,
            Map,
            cancellationToken,
            patients is null ? null : item => patients.Contains(item.GetGuid("patientId")));

    private static Dictionary<string, AttributeValue> PatientKey(Guid patientId) => new() { ["patientId"] = S(patientId.ToString()) };

    private static PatientView Map(Dictionary<string, AttributeValue> item) => new(
        item.GetGuid("patientId"),
        item.GetString("username"),
        item.GetString("displayName"),
        item.GetTime("registeredAt"));
}
