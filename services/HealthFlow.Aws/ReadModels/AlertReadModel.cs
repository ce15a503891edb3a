using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Aws.Topology;
using HealthFlow.Domain.Events;
using static HealthFlow.Aws.ReadModels.DynamoItems;

namespace HealthFlow.Aws.ReadModels;

public static class AlertStatuses
{
    public const string Open = "open";
    public const string Acknowledged = "acknowledged";

    /// <summary>Query value only: both statuses.</summary>
    public const string All = "all";

    public static readonly IReadOnlyList<string> QueryValues = [Open, Acknowledged, All];
}

/// <summary>An alert as clinicians see it, the patient's name denormalised by the projection.</summary>
public sealed record AlertView(
    Guid AlertId,
    Guid PatientId,
    string PatientName,
    Guid ObservationId,
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
    int? EscalationLevel = null);

/// <summary>An alert as it appeared in the update feed: its position (`updatedKey`) and read-model version.</summary>
public sealed record AlertChange(string UpdatedKey, long Version, AlertView Alert);

/// <summary>Which alerts to list. Status is open, acknowledged or all.</summary>
public sealed record AlertQuery(string Status, Guid? PatientId, string? Severity, int Limit, string? Cursor);

/// <summary>What became of an acknowledgement or an escalation written to the alert's item.</summary>
public enum AcknowledgementApplied { Applied, Duplicate, AlertNotProjectedYet }

/// <summary>
/// The `alerts` table. Item layout:
/// <code>
/// alertId        S  key
/// patientId      S  partition of `by-patient`; patientName S (denormalised display name)
/// observationId, severity, rule  S; reasons L of S; score, news2 N when set; partial BOOL
/// status         S  open | acknowledged: partition of `by-status`
/// raisedAt       S  SortableTime; raisedKey S = raisedAt#alertId: sort key of `by-status` and `by-patient`
/// acknowledgedAt S, acknowledgedBy S, acknowledgementNote S  once acknowledged
/// escalatedAt S, escalationLevel N  once escalated (AlertEscalated); absent means not escalated
/// feed           S  always "alerts": the single partition of `by-update`
/// updatedAt      S  when the projection last wrote the item; updatedKey S = updatedAt#alertId: sort key of `by-update`
/// streamId S, lastVersion N  the last event of alert-{id} applied (idempotency checkpoint)
/// </code>
/// </summary>
public sealed class AlertReadModel(IAmazonDynamoDB dynamo, TimeProvider timeProvider)
{
    public const string FeedValue = "alerts";
    private const string OpenLane = AlertStatuses.Open;
    private const string AcknowledgedLane = AlertStatuses.Acknowledged;
    private static readonly TableDefinition Table = HealthFlowTopology.Tables.Alerts;
    private static readonly string[] ByStatusKey = ["alertId", "status", "raisedKey"];
    private static readonly string[] ByPatientKey = ["alertId", "patientId", "raisedKey"];

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

    public static string UpdatedKey(DateTimeOffset updatedAt, Guid alertId) => $"{SortableTime.Format(updatedAt)}#{alertId:D}";

    /// <returns>False when skipped as a duplicate.</returns>
    public Task<bool> ApplyRaisedAsync(AlertRaised raised, string patientName, string streamId, long version, CancellationToken cancellationToken)
    {
        var raisedAt = SortableTime.Format(raised.RaisedAt);
        var updatedAt = timeProvider.GetUtcNow();
        var item = new Dictionary<string, AttributeValue>
        {
            ["alertId"] = S(raised.AlertId.ToString()),
            ["patientId"] = S(raised.PatientId.ToString()),
            ["patientName"] = S(patientName),
            ["observationId"] = S(raised.ObservationId.ToString()),
            ["severity"] = S(raised.Severity),
            ["rule"] = S(raised.Rule),
            ["rules"] = StringList(raised.AllRules),
            ["reasons"] = StringList(raised.Reasons),
            ["partial"] = Bool(raised.Partial),
            ["status"] = S(AlertStatuses.Open),
            ["raisedAt"] = S(raisedAt),
            ["raisedKey"] = S($"{raisedAt}#{raised.AlertId:D}"),
            ["feed"] = S(FeedValue),
            ["updatedAt"] = S(SortableTime.Format(updatedAt)),
            ["updatedKey"] = S(UpdatedKey(updatedAt, raised.AlertId)),
            ["streamId"] = S(streamId),
            ["lastVersion"] = N(version),
        };
        item.SetIfPresent("score", raised.Score);
        item.SetIfPresent("news2", raised.News2);
        return ReadModelWrites.PutIfNewerAsync(dynamo, Table.Name, "alertId", item, version, cancellationToken);
    }

    public async Task<AcknowledgementApplied> ApplyAcknowledgedAsync(
        AlertAcknowledged acknowledged, long version, CancellationToken cancellationToken)
    {
        var updatedAt = timeProvider.GetUtcNow();
        var values = new Dictionary<string, AttributeValue>
        {
            [":acknowledged"] = S(AlertStatuses.Acknowledged),
            [":at"] = S(SortableTime.Format(acknowledged.AcknowledgedAt)),
            [":by"] = S(acknowledged.AcknowledgedBy),
            [":updatedAt"] = S(SortableTime.Format(updatedAt)),
            [":updatedKey"] = S(UpdatedKey(updatedAt, acknowledged.AlertId)),
            [":version"] = N(version),
        };
        var update = "SET #status = :acknowledged, acknowledgedAt = :at, acknowledgedBy = :by, "
            + "updatedAt = :updatedAt, updatedKey = :updatedKey, lastVersion = :version";
        if (acknowledged.Note is { } note)
        {
            values[":note"] = S(note);
            update += ", acknowledgementNote = :note";
        }

        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = Table.Name,
                Key = new() { ["alertId"] = S(acknowledged.AlertId.ToString()) },
                UpdateExpression = update,
                // The item must exist: an acknowledgement alone has no severity, patient name... to show.
                ConditionExpression = "attribute_exists(alertId) AND lastVersion < :version",
                ExpressionAttributeNames = new() { ["#status"] = "status" },
                ExpressionAttributeValues = values,
            }, cancellationToken);
            return AcknowledgementApplied.Applied;
        }
        catch (ConditionalCheckFailedException)
        {
            return await ExistsAsync(acknowledged.AlertId, cancellationToken)
                ? AcknowledgementApplied.Duplicate
                : AcknowledgementApplied.AlertNotProjectedYet;
        }
    }

    /// <summary>
    /// Marks the alert escalated. Escalation is set once (attribute_not_exists(escalatedAt)), whatever the order
    /// in which the stream's events arrive: normally lastVersion moves on to the escalation's version, so the feed
    /// sees a new version; if a later event (the acknowledgement) was applied first, the flag is still set and
    /// lastVersion, already past it, is left alone.
    /// </summary>
    public async Task<AcknowledgementApplied> ApplyEscalatedAsync(AlertEscalated escalated, long version, CancellationToken cancellationToken)
    {
        var updatedAt = timeProvider.GetUtcNow();
        var values = new Dictionary<string, AttributeValue>
        {
            [":at"] = S(SortableTime.Format(escalated.EscalatedAt)),
            [":level"] = N(escalated.Level),
            [":updatedAt"] = S(SortableTime.Format(updatedAt)),
            [":updatedKey"] = S(UpdatedKey(updatedAt, escalated.AlertId)),
        };
        const string escalate = "SET escalatedAt = :at, escalationLevel = :level, updatedAt = :updatedAt, updatedKey = :updatedKey";
        var key = new Dictionary<string, AttributeValue> { ["alertId"] = S(escalated.AlertId.ToString()) };
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = Table.Name,
                Key = key,
                UpdateExpression = escalate + ", lastVersion = :version",
                ConditionExpression = "attribute_exists(alertId) AND attribute_not_exists(escalatedAt) AND lastVersion < :version",
                ExpressionAttributeValues = new(values) { [":version"] = N(version) },
            }, cancellationToken);
            return AcknowledgementApplied.Applied;
        }
        catch (ConditionalCheckFailedException)
        {
        }

        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = Table.Name,
                Key = key,
                UpdateExpression = escalate,
                ConditionExpression = "attribute_exists(alertId) AND attribute_not_exists(escalatedAt)",
                ExpressionAttributeValues = values,
            }, cancellationToken);
            return AcknowledgementApplied.Applied;
        }
        catch (ConditionalCheckFailedException)
        {
            return await ExistsAsync(escalated.AlertId, cancellationToken)
                ? AcknowledgementApplied.Duplicate
                : AcknowledgementApplied.AlertNotProjectedYet;
        }
    }

    public async Task<AlertView?> GetAsync(Guid alertId, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = Table.Name,
            Key = new() { ["alertId"] = S(alertId.ToString()) },
        }, cancellationToken);
        return response.Item is { Count: > 0 } item ? Map(item) : null;
    }

    /// <summary>Alerts newest first (by raisedAt), from the GSIs only: no Scan, one query per page and lane.</summary>
    /// <exception cref="InvalidCursorException"/>
    public Task<Page<AlertView>> ListAsync(AlertQuery query, CancellationToken cancellationToken)
    {
        var severity = query.Severity;
        if (query.PatientId is { } patientId)
        {
            return dynamo.QueryPageAsync(
                () => ByPatientRequest(patientId, query.Status, severity, query.Limit),
                PageCursor.Decode(query.Cursor, PatientLanes, PageCursor.Pin("patientId", patientId.ToString())),
                ByPatientKey,
                query.Limit,
                Map,
                cancellationToken);
        }

        if (query.Status != AlertStatuses.All)
        {
            return dynamo.QueryPageAsync(
                () => ByStatusRequest(query.Status, severity, query.Limit),
                PageCursor.Decode(query.Cursor, StatusLanes, PageCursor.Pin("status", query.Status)),
                ByStatusKey,
                query.Limit,
                Map,
                cancellationToken);
        }

        // Both statuses: merge the two by-status partitions, each already newest first.
        return MergeByRaisedKeyAsync(
            [
                (OpenLane, () => ByStatusRequest(AlertStatuses.Open, severity, query.Limit)),
                (AcknowledgedLane, () => ByStatusRequest(AlertStatuses.Acknowledged, severity, query.Limit)),
            ],
            PageCursor.Decode(query.Cursor, MergedStatusLanes, MergedStatusPartitions),
            query.Limit,
            cancellationToken);
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
            Map(item)))];
    }

    private async Task<bool> ExistsAsync(Guid alertId, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = Table.Name,
            Key = new() { ["alertId"] = S(alertId.ToString()) },
            ProjectionExpression = "alertId",
            ConsistentRead = true,
        }, cancellationToken);
        return response.Item is { Count: > 0 };
    }

    private static QueryRequest ByStatusRequest(string status, string? severity, int limit)
    {
        var request = new QueryRequest
        {
            TableName = Table.Name,
            IndexName = HealthFlowTopology.Indexes.AlertsByStatus,
            KeyConditionExpression = "#status = :status",
            ExpressionAttributeNames = new() { ["#status"] = "status" },
            ExpressionAttributeValues = new() { [":status"] = S(status) },
            ScanIndexForward = false,
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

    private async Task<Page<AlertView>> MergeByRaisedKeyAsync(
        IReadOnlyList<(string Lane, Func<QueryRequest> CreateRequest)> lanes,
        PageCursor cursor,
        int limit,
        CancellationToken cancellationToken)
    {
        var states = new List<MergeLane>(lanes.Count);
        try
        {
            foreach (var (lane, createRequest) in lanes)
            {
                var state = new MergeLane(lane, cursor.StartKey(lane));
                if (!cursor.IsExhausted(lane))
                {
                    state.Items = dynamo.QueryItemsAsync(createRequest, state.StartKey, state.Progress, cancellationToken).GetAsyncEnumerator(cancellationToken);
                    await state.AdvanceAsync();
                }

                states.Add(state);
            }

            var taken = new List<Dictionary<string, AttributeValue>>(limit);
            // A lane cut short by the page cap has no known head, so nothing can be ordered after it: stop there.
            while (taken.Count < limit && states.All(s => s.Progress.StoppedAt is null))
            {
                var next = states
                    .Where(s => s.Head is not null)
                    .MaxBy(s => s.Head!.GetString("raisedKey"), StringComparer.Ordinal);
                if (next is null)
                {
                    break;
                }

                taken.Add(next.Head!);
                next.LastTaken = next.Head;
                await next.AdvanceAsync();
            }

            string? nextCursor = null;
            if (states.Any(s => s.Head is not null || s.Progress.StoppedAt is not null))
            {
                var positions = new Dictionary<string, Dictionary<string, AttributeValue>?>();
                foreach (var state in states)
                {
                    if (state.Progress.StoppedAt is { } stoppedAt)
                    {
                        positions[state.Lane] = stoppedAt.KeyOf(ByStatusKey);
                    }
                    else if (state.Head is null)
                    {
                        positions[state.Lane] = null;
                    }
                    else if ((state.LastTaken?.KeyOf(ByStatusKey) ?? state.StartKey) is { } position)
                    {
                        positions[state.Lane] = position;
                    }
                }

                nextCursor = PageCursor.Encode(positions);
            }

            return new Page<AlertView>([.. taken.Select(Map)], nextCursor);
        }
        finally
        {
            foreach (var state in states)
            {
                if (state.Items is not null)
                {
                    await state.Items.DisposeAsync();
                }
            }
        }
    }

    private sealed class MergeLane(string lane, Dictionary<string, AttributeValue>? startKey)
    {
        public string Lane { get; } = lane;

        public Dictionary<string, AttributeValue>? StartKey { get; } = startKey;

        public IAsyncEnumerator<Dictionary<string, AttributeValue>>? Items { get; set; }

        public Dictionary<string, AttributeValue>? Head { get; private set; }

        public Dictionary<string, AttributeValue>? LastTaken { get; set; }

        public QueryProgress Progress { get; } = new();

        public async Task AdvanceAsync() =>
            Head = Items is not null && await Items.MoveNextAsync() ? Items.Current : null;
    }

    private static AlertView Map(Dictionary<string, AttributeValue> item) => new(
        item.GetGuid("alertId"),
        item.GetGuid("patientId"),
        item.GetString("patientName"),
        item.GetGuid("observationId"),
        item.GetString("severity"),
        item.GetString("rule"),
        item.ContainsKey("rules") ? item.GetStringList("rules") : [item.GetString("rule")],
        item.GetStringList("reasons"),
        item.GetOptionalInt("score"),
        item.GetOptionalInt("news2"),
        item.GetOptionalBool("partial") ?? false,
        item.GetString("status"),
        item.GetTime("raisedAt"),
        item.GetOptionalTime("acknowledgedAt"),
        item.GetOptionalString("acknowledgedBy"),
        item.GetOptionalString("acknowledgementNote"),
        item.ContainsKey("escalatedAt"),
        item.GetOptionalTime("escalatedAt"),
        item.GetOptionalInt("escalationLevel"));
}
