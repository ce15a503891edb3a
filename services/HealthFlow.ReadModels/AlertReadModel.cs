using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Topology;
using static HealthFlow.ReadModels.AlertItems;
using static HealthFlow.ReadModels.DynamoItems;

namespace HealthFlow.ReadModels;

public static class AlertStatuses
{
    public const string Open = "open";
    public const string Acknowledged = "acknowledged";

    /// <summary>Query value only: both statuses.</summary>
    public const string All = "all";

    public static readonly IReadOnlyList<string> QueryValues = [Open, Acknowledged, All];
}

/// <summary>
/// An alert as clinicians see it, the patient's name denormalised by the projection. <see cref="PlanVersion"/> is the
/// version of the patient's monitoring plan the check-in was judged by (null: the default rules). A missed check-in
/// (rule <c>check-in-missed</c>) has no <see cref="ObservationId"/> and names its window's <see cref="MissedDueAt"/>.
/// </summary>
public sealed record AlertView(
    Guid AlertId,
    Guid PatientId,
    string PatientName,
    Guid? ObservationId,
    string Severity,
    string Rule,
    IReadOnlyList<string> Rules,
    IReadOnlyList<string> Reasons,
    int? Score,
    int? News2,
    bool Partial,
    string Status,
    DateTimeOffset RaisedAt,
    DateTimeOffset? AcknowledgedAt,
    string? AcknowledgedBy,
    string? AcknowledgementNote,
    bool Escalated = false,
    DateTimeOffset? EscalatedAt = null,
    int? EscalationLevel = null,
    int? PlanVersion = null,
    DateTimeOffset? MissedDueAt = null) : IPatientRecord
{
    Guid IPatientRecord.ResourceId => AlertId;
}

/// <summary>An alert as it appeared in the update feed: its position (`updatedKey`) and read-model version.</summary>
public sealed record AlertChange(string UpdatedKey, long Version, AlertView Alert);

/// <summary>
/// Which alerts to list. Status is open, acknowledged or all. <paramref name="Patients"/> limits the list to a
/// caller's scope (a clinician's care-team patients); null lists every patient's.
/// </summary>
public sealed record AlertQuery(string Status, Guid? PatientId, string? Severity, int Limit, string? Cursor, IReadOnlySet<Guid>? Patients = null);

/// <summary>
/// Alerts read up to a bound: <paramref name="Complete"/> is false when the bound ended the reading before the data did.
/// </summary>
public sealed record BoundedAlertRead(IReadOnlyList<AlertView> Alerts, bool Complete);

/// <summary>
/// What clinicians read from `alerts` (layout in AlertItems): one alert, a page of alerts from the GSIs, and the
/// `by-update` feed that live streams tail.
/// </summary>
public sealed class AlertReadModel(IAmazonDynamoDB dynamo)
{
    private const string OpenLane = AlertStatuses.Open;
    private const string AcknowledgedLane = AlertStatuses.Acknowledged;

    private static readonly Dictionary<string, IReadOnlyCollection<string>> StatusLanes = new()
    {
        [PageCursor.SingleLane] = ByStatusKey,
    };

    private static readonly Dictionary<string, IReadOnlyCollection<string>> PatientLanes = new()
    {
        [PageCursor.SingleLane] = ByPatientKey,
    };

    private static readonly Dictionary<string, IReadOnlyCollection<string>> MergedStatusLanes = new()
    {
        [OpenLane] = ByStatusKey,
        [AcknowledgedLane] = ByStatusKey,
    };

    private static readonly Dictionary<string, IReadOnlyDictionary<string, string>> MergedStatusPartitions = new()
    {
        [OpenLane] = new Dictionary<string, string> { ["status"] = AlertStatuses.Open },
        [AcknowledgedLane] = new Dictionary<string, string> { ["status"] = AlertStatuses.Acknowledged },
    };

    public async Task<AlertView?> GetAsync(Guid alertId, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = Table.Name,
            Key = Key(alertId),
        }, cancellationToken);
        return response.Item is { Count: > 0 } item ? ToView(item) : null;
    }

    /// <summary>Alerts newest first (by raisedAt), from the GSIs only: no Scan, one query per page and lane.</summary>
    /// <exception cref="InvalidCursorException"/>
    public Task<Page<AlertView>> ListAsync(AlertQuery query, CancellationToken cancellationToken)
    {
        var severity = query.Severity;
        if (query.PatientId is { } asked && query.Patients is { } scope && !scope.Contains(asked))
        {
            // Another team's patient reads as one with no alerts, without reading theirs (nor a cursor into them).
            PageCursor.Decode(query.Cursor, PatientLanes, PageCursor.Pin("patientId", asked.ToString()));
            return Task.FromResult(new Page<AlertView>([], null));
        }

        Func<Dictionary<string, AttributeValue>, bool>? include = null;
        if (query.Patients is { } patients)
        {
            // Scoped, the severity is checked here rather than by DynamoDB, so every item read is seen and a capped
            // page can go on from between two of them (ScopedPosition) instead of from another team's alert.
            var wanted = severity;
            include = item => patients.Contains(item.GetGuid("patientId")) && (wanted is null || item.GetString("severity") == wanted);
            if (query.PatientId is null)
            {
                severity = null;
            }
        }
        // A scope skips items after the read: ask DynamoDB for fuller pages, so the page cap is rarely what ends a page.
        var readLimit = include is null ? query.Limit : Math.Max(query.Limit, DynamoQueries.ScopedPageSize);
        if (query.PatientId is { } patientId)
        {
            return dynamo.QueryPageAsync(
                () => ByPatientRequest(patientId, query.Status, severity, readLimit),
                PageCursor.Decode(query.Cursor, PatientLanes, PageCursor.Pin("patientId", patientId.ToString())),
                ByPatientKey,
                query.Limit,
                ToView,
                cancellationToken,
                include);
        }

        if (query.Status != AlertStatuses.All)
        {
            return dynamo.QueryPageAsync(
                () => ByStatusRequest(query.Status, severity, readLimit),
                PageCursor.Decode(query.Cursor, StatusLanes, PageCursor.Pin("status", query.Status)),
                ByStatusKey,
                query.Limit,
                ToView,
                cancellationToken,
                include);
        }

        // Both statuses: merge the two by-status partitions, each already newest first.
        return dynamo.QueryMergedPageAsync(
            [
                (OpenLane, () => ByStatusRequest(AlertStatuses.Open, severity, readLimit)),
                (AcknowledgedLane, () => ByStatusRequest(AlertStatuses.Acknowledged, severity, readLimit)),
            ],
            PageCursor.Decode(query.Cursor, MergedStatusLanes, MergedStatusPartitions),
            ByStatusKey,
            "raisedKey",
            query.Limit,
            ToView,
            include,
            cancellationToken);
    }

    /// <summary>
    /// Every patient's open alerts, oldest first (the `open` partition of `by-status`), at most <paramref name="maxRead"/>
    /// of them read, in scope or not; <paramref name="include"/> keeps a caller's patients. Oldest first, so what a
    /// bound leaves out is the most recently raised, never the alerts that have waited longest.
    /// </summary>
    public async Task<BoundedAlertRead> ReadOpenAsync(int maxRead, Func<Guid, bool> include, CancellationToken cancellationToken)
    {
        var (items, complete) = await ReadBoundedAsync(ByStatusRequest(AlertStatuses.Open, severity: null, limit: 0, newestFirst: false), maxRead, cancellationToken);
        return new BoundedAlertRead([.. items.Where(item => include(item.GetGuid("patientId"))).Select(ToView)], complete);
    }

    /// <summary>One patient's alerts of every status, newest first (`by-patient`), at most <paramref name="maxRead"/> of them.</summary>
    public async Task<BoundedAlertRead> ReadNewestOfPatientAsync(Guid patientId, int maxRead, CancellationToken cancellationToken)
    {
        var (items, complete) = await ReadBoundedAsync(ByPatientRequest(patientId, AlertStatuses.All, severity: null, limit: 0), maxRead, cancellationToken);
        return new BoundedAlertRead([.. items.Select(ToView)], complete);
    }

    /// <summary>Alert changes after a position of the update feed, oldest first (the SSE tail).</summary>
    public async Task<IReadOnlyList<AlertChange>> ReadFeedAsync(string afterUpdatedKey, int limit, CancellationToken cancellationToken)
    {
        var response = await dynamo.QueryAsync(new QueryRequest
        {
            TableName = Table.Name,
            IndexName = HealthFlowTopology.Indexes.AlertsByUpdate,
            KeyConditionExpression = "feed = :feed AND updatedKey > :after",
            ExpressionAttributeValues = new()
            {
                [":feed"] = S(FeedValue),
                [":after"] = S(afterUpdatedKey),
            },
            ScanIndexForward = true,
            Limit = limit,
        }, cancellationToken);
        return [.. (response.Items ?? []).Select(item => new AlertChange(
            item.GetString("updatedKey"),
            item.GetOptionalLong("lastVersion") ?? 0,
            ToView(item)))];
    }

    // The page size of a bounded read: DynamoDB's pages stay this small however large the bound.
    private const int BoundedReadPageSize = 100;

    /// <summary>Reads pages of <paramref name="request"/> until the data or <paramref name="maxRead"/> items run out.</summary>
    private async Task<(List<Dictionary<string, AttributeValue>> Items, bool Complete)> ReadBoundedAsync(
        QueryRequest request, int maxRead, CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            request.Limit = Math.Min(BoundedReadPageSize, maxRead - items.Count);
            request.ExclusiveStartKey = startKey;
            var response = await dynamo.QueryAsync(request, cancellationToken);
            items.AddRange(response.Items ?? []);
            startKey = response.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (startKey is not null && items.Count < maxRead);

        return (items, startKey is null);
    }

    private static QueryRequest ByStatusRequest(string status, string? severity, int limit, bool newestFirst = true)
    {
        var request = new QueryRequest
        {
            TableName = Table.Name,
            IndexName = HealthFlowTopology.Indexes.AlertsByStatus,
            KeyConditionExpression = "#status = :status",
            ExpressionAttributeNames = new() { ["#status"] = "status" },
            ExpressionAttributeValues = new() { [":status"] = S(status) },
            ScanIndexForward = !newestFirst,
            Limit = limit + 1,
        };
        if (severity is not null)
        {
            request.FilterExpression = "severity = :severity";
            request.ExpressionAttributeValues[":severity"] = S(severity);
        }

        return request;
    }

    private static QueryRequest ByPatientRequest(Guid patientId, string status, string? severity, int limit)
    {
        var filters = new List<string>();
        var names = new Dictionary<string, string>();
        var values = new Dictionary<string, AttributeValue> { [":patient"] = S(patientId.ToString()) };
        if (status != AlertStatuses.All)
        {
            filters.Add("#status = :status");
            names["#status"] = "status";
            values[":status"] = S(status);
        }

        if (severity is not null)
        {
            filters.Add("severity = :severity");
            values[":severity"] = S(severity);
        }

        return new QueryRequest
        {
            TableName = Table.Name,
            IndexName = HealthFlowTopology.Indexes.AlertsByPatient,
            KeyConditionExpression = "patientId = :patient",
            FilterExpression = filters.Count > 0 ? string.Join(" AND ", filters) : null,
            ExpressionAttributeNames = names.Count > 0 ? names : null,
            ExpressionAttributeValues = values,
            ScanIndexForward = false,
            Limit = limit + 1,
        };
    }
}
