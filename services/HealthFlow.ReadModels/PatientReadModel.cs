using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Domain.Events;
using HealthFlow.Topology;
using static HealthFlow.ReadModels.DynamoItems;

namespace HealthFlow.ReadModels;

/// <summary>A patient as clinicians list them.</summary>
public sealed record PatientView(Guid PatientId, string Username, string DisplayName, DateTimeOffset RegisteredAt) : IPatientRecord
{
    Guid IPatientRecord.ResourceId => PatientId;
}

/// <summary>
/// The `patients` table. Item layout:
/// <code>
/// patientId     S  key
/// username      S  login name
/// displayName   S
/// registeredAt  S  SortableTime; sort key of `by-registration`
/// listKey       S  always "patient": the single partition of `by-registration`
/// streamId      S  source stream; lastVersion N: the last event applied (idempotency checkpoint)
/// </code>
/// </summary>
public sealed class PatientReadModel(IAmazonDynamoDB dynamo)
{
    public const string ListKeyValue = "patient";
    private static readonly TableDefinition Table = HealthFlowTopology.Tables.Patients;
    private static readonly string[] ByRegistrationKey = ["patientId", "listKey", "registeredAt"];

    public static IReadOnlyDictionary<string, IReadOnlyCollection<string>> CursorLanes { get; } =
        new Dictionary<string, IReadOnlyCollection<string>> { [PageCursor.SingleLane] = ByRegistrationKey };

    /// <summary>Writes the patient unless this or a later event of the stream was applied already.</summary>
    /// <returns>False when skipped as a duplicate.</returns>
    public async Task<bool> ApplyRegisteredAsync(PatientRegistered registered, string streamId, long version, CancellationToken cancellationToken)
    {
        var registeredAt = SortableTime.Format(registered.RegisteredAt);
        var item = new Dictionary<string, AttributeValue>
        {
            ["patientId"] = S(registered.PatientId.ToString()),
            ["username"] = S(registered.Username),
            ["displayName"] = S(registered.DisplayName),
            ["registeredAt"] = S(registeredAt),
            ["listKey"] = S(ListKeyValue),
            ["streamId"] = S(streamId),
            ["lastVersion"] = N(version),
        };
        return await ReadModelWrites.PutIfNewerAsync(dynamo, Table.Name, "patientId", item, version, cancellationToken);
    }

    public async Task<PatientView?> GetAsync(Guid patientId, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = Table.Name,
            Key = new() { ["patientId"] = S(patientId.ToString()) },
        }, cancellationToken);
        return response.Item is { Count: > 0 } item ? Map(item) : null;
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

    private static PatientView Map(Dictionary<string, AttributeValue> item) => new(
        item.GetGuid("patientId"),
        item.GetString("username"),
        item.GetString("displayName"),
        item.GetTime("registeredAt"));
}
