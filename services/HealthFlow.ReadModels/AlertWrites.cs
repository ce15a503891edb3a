using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Domain.Events;
using static HealthFlow.ReadModels.AlertItems;
using static HealthFlow.ReadModels.DynamoItems;

namespace HealthFlow.ReadModels;

/// <summary>What became of an acknowledgement or an escalation written to the alert's item.</summary>
public enum AcknowledgementApplied { Applied, Duplicate, AlertNotProjectedYet }

/// <summary>
/// The alert projection's writes to `alerts` (layout in AlertItems). Each write stamps updatedAt/updatedKey, so
/// the item moves to the head of the `by-update` feed, and is conditional on lastVersion (ReadModelWrites).
/// </summary>
public sealed class AlertWrites(IAmazonDynamoDB dynamo, TimeProvider timeProvider)
{
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
            ["severity"] = S(raised.Severity),
            ["rule"] = S(raised.Rule),
            ["rules"] = StringList(raised.AllRules),
            ["reasons"] = StringList(raised.Reasons),
            ["partial"] = Bool(raised.Partial),
            ["status"] = S(AlertStatuses.Open),
            ["raisedAt"] = S(raisedAt),
            ["raisedKey"] = S(RaisedKey(raisedAt, raised.AlertId)),
            ["feed"] = S(FeedValue),
            ["updatedAt"] = S(SortableTime.Format(updatedAt)),
            ["updatedKey"] = S(UpdatedKey(updatedAt, raised.AlertId)),
            ["streamId"] = S(streamId),
            ["lastVersion"] = N(version),
        };
        item.SetIfPresent("score", raised.Score);
        item.SetIfPresent("news2", raised.News2);
        item.SetIfPresent("planVersion", raised.PlanVersion);
        item.SetIfPresent("observationId", raised.ObservationId?.ToString());
        item.SetIfPresent("missedDueAt", raised.MissedDueAt is { } dueAt ? SortableTime.Format(dueAt) : null);
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
                Key = Key(acknowledged.AlertId),
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
            return await NotAppliedAsync(acknowledged.AlertId, cancellationToken);
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
        var key = Key(escalated.AlertId);
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
            return await NotAppliedAsync(escalated.AlertId, cancellationToken);
        }
    }

    // A conditional write was refused: a duplicate if the alert's item exists, else its AlertRaised is not projected yet.
    private async Task<AcknowledgementApplied> NotAppliedAsync(Guid alertId, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = Table.Name,
            Key = Key(alertId),
            ProjectionExpression = "alertId",
            ConsistentRead = true,
        }, cancellationToken);
        return response.Item is { Count: > 0 } ? AcknowledgementApplied.Duplicate : AcknowledgementApplied.AlertNotProjectedYet;
    }
}
