using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Domain.Events;
using HealthFlow.Topology;
using static HealthFlow.ReadModels.DynamoItems;

namespace HealthFlow.ReadModels;

/// <summary>One audit record as admins read it.</summary>
public sealed record AuditRecordView(
    Guid RecordId,
    string Actor,
    string ActorRole,
    Guid? PatientId,
    string Action,
    IReadOnlyList<string> ResourceIds,
    int Count,
    string Outcome,
    string? ClientAddress,
    DateTimeOffset AccessedAt,
    string? CorrelationId,
    IReadOnlyDictionary<string, int>? ResourceTypes = null,
    int ResourceIdsOmitted = 0,
    string? Query = null);

/// <summary>Which records to list: by patient or by actor (at least one), optionally within [from, to].</summary>
public sealed record AuditQuery(Guid? PatientId, string? Actor, DateTimeOffset? From, DateTimeOffset? To, int Limit, string? Cursor);

/// <summary>
/// The `audit` table: the append-only trail. Item layout:
/// <code>
/// recordId     S  key (the record's UUIDv7): a put is conditional on it not existing, so a redelivery adds nothing
/// patientId    S  partition of `by-patient` (absent when a denied request named no patient)
/// actor        S  username; partition of `by-actor`; actorRole S
/// accessedAt   S  SortableTime; accessedKey S = accessedAt#recordId: sort key of both indexes
/// action       S  "GET /api/patients/{patientId}"; resourceIds L of S; count N; outcome S allowed | denied
/// clientAddress S, correlationId S, query S  when known
/// resourceTypes M (type → N), resourceIdsOmitted N  when the ids did not all fit into the record
/// </code>
/// Nothing here updates or deletes: there is no code for it, and no service is granted it (HealthFlowAccess).
/// </summary>
public sealed class AuditReadModel(IAmazonDynamoDB dynamo)
{
    private static readonly TableDefinition Table = HealthFlowTopology.Tables.Audit;
    private static readonly string[] ByPatientKey = ["recordId", "patientId", "accessedKey"];
    private static readonly string[] ByActorKey = ["recordId", "actor", "accessedKey"];

    /// <returns>False when the record is stored already (a redelivery).</returns>
    public async Task<bool> AppendAsync(PatientDataAccessed record, CancellationToken cancellationToken)
    {
        var accessedAt = SortableTime.Format(record.AccessedAt);
        var item = new Dictionary<string, AttributeValue>
        {
            ["recordId"] = S(record.RecordId.ToString()),
            ["actor"] = S(record.Actor),
            ["actorRole"] = S(record.ActorRole),
            ["accessedAt"] = S(accessedAt),
            ["accessedKey"] = S($"{accessedAt}#{record.RecordId:D}"),
            ["action"] = S(record.Action),
            ["resourceIds"] = StringList(record.ResourceIds),
            ["count"] = N(record.Count),
            ["outcome"] = S(record.Outcome),
        };
        item.SetIfPresent("patientId", record.PatientId?.ToString());
        item.SetIfPresent("clientAddress", record.ClientAddress);
        item.SetIfPresent("correlationId", record.CorrelationId);
        item.SetIfPresent("query", record.Query);
        if (record.ResourceIdsOmitted > 0)
        {
            item["resourceIdsOmitted"] = N(record.ResourceIdsOmitted);
        }

        if (record.ResourceTypes is { Count: > 0 } types)
        {
            item["resourceTypes"] = new AttributeValue { M = types.ToDictionary(t => t.Key, t => N(t.Value)) };
        }

        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = Table.Name,
                Item = item,
                ConditionExpression = "attribute_not_exists(recordId)",
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>Records newest first, by patient (and actor, as a filter) or by actor, within the time range.</summary>
    /// <exception cref="InvalidCursorException"/>
    public Task<Page<AuditRecordView>> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        var byPatient = query.PatientId is not null;
        var (index, partition, value, key) = byPatient
            ? (HealthFlowTopology.Indexes.AuditByPatient, "patientId", query.PatientId!.Value.ToString(), ByPatientKey)
            : (HealthFlowTopology.Indexes.AuditByActor, "actor", query.Actor!, ByActorKey);
        var lanes = new Dictionary<string, IReadOnlyCollection<string>> { [PageCursor.SingleLane] = key };

        return dynamo.QueryPageAsync(
            () =>
            {
                var values = new Dictionary<string, AttributeValue>
                {
                    [":partition"] = S(value),
                    // accessedKey = accessedAt#recordId: '#' sorts before every digit, '~' after everything used.
                    [":from"] = S(query.From is { } from ? SortableTime.Format(from) : "0"),
                    [":to"] = S((query.To is { } to ? SortableTime.Format(to) : "9999") + "~"),
                };
                var request = new QueryRequest
                {
                    TableName = Table.Name,
                    IndexName = index,
                    KeyConditionExpression = "#partition = :partition AND accessedKey BETWEEN :from AND :to",
                    ExpressionAttributeNames = new() { ["#partition"] = partition },
                    ExpressionAttributeValues = values,
                    ScanIndexForward = false,
                    Limit = query.Limit + 1,
                };
                if (byPatient && query.Actor is { } actor)
                {
                    request.FilterExpression = "actor = :actor";
                    values[":actor"] = S(actor);
                }

                return request;
            },
            PageCursor.Decode(query.Cursor, lanes, PageCursor.Pin(partition, value)),
            key,
            query.Limit,
            Map,
            cancellationToken);
    }

    private static AuditRecordView Map(Dictionary<string, AttributeValue> item) => new(
        item.GetGuid("recordId"),
        item.GetString("actor"),
        item.GetString("actorRole"),
        item.GetOptionalString("patientId") is { } patient ? Guid.Parse(patient) : null,
        item.GetString("action"),
        item.GetStringList("resourceIds"),
        item.GetOptionalInt("count") ?? 0,
        item.GetString("outcome"),
        item.GetOptionalString("clientAddress"),
        item.GetTime("accessedAt"),
        item.GetOptionalString("correlationId"),
        item.TryGetValue("resourceTypes", out var types) && types.M is { Count: > 0 } map
            ? map.ToDictionary(t => t.Key, t => int.Parse(t.Value.N, System.Globalization.CultureInfo.InvariantCulture))
            : null,
        item.GetOptionalInt("resourceIdsOmitted") ?? 0,
        item.GetOptionalString("query"));
}
