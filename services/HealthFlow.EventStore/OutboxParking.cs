using System.Globalization;
using System.Runtime.CompilerServices;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Domain;
using HealthFlow.Topology;

namespace HealthFlow.EventStore;

/// <summary>A commit the outbox relay set aside: it could not be published, and waits for an operator.</summary>
public sealed record ParkedCommit(string StreamId, long Version, DateTimeOffset CommittedAt, string Reason, IReadOnlyList<string> EventTypes);

/// <summary>How `healthflow outbox replay` ended.</summary>
public abstract record ReplayOutcome
{
    private ReplayOutcome()
    {
    }

    /// <summary>Published; the commit left the outbox.</summary>
    public sealed record Replayed(int Events) : ReplayOutcome;

    /// <summary>No such commit, or it is not parked (published already, or still the relay's).</summary>
    public sealed record NotParked : ReplayOutcome;

    /// <summary>The bus refused it again; it stays parked.</summary>
    public sealed record StillRefused(string Reason) : ReplayOutcome;
}

/// <summary>
/// The outbox's set-aside commits: the relay parks a commit by moving its `pending` mark to the outbox index's
/// `parked` partition, which no relay sweeps, with the reason in `parked`. Listing reads that partition; a replay
/// publishes the commit and removes both attributes.
/// </summary>
public sealed class OutboxParking(IAmazonDynamoDB dynamo, IEventPublisher publisher)
{
    private const int MaxReasonLength = 1_000;

    /// <summary>Moves a commit still pending to the parked partition. False when it was no longer pending (published meanwhile).</summary>
    internal static async Task<bool> ParkAsync(
        IAmazonDynamoDB dynamo, string streamId, long version, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var text = $"{CommitItems.FormatTime(now)} {reason}";
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = CommitItems.Table,
                Key = CommitItems.Key(streamId, version),
                UpdateExpression = "SET #pending = :parked, #parked = :reason",
                // Only a commit still in the outbox: one whose mark was removed meanwhile was published.
                ConditionExpression = "attribute_exists(#pending) AND #pending <> :parked",
                ExpressionAttributeNames = new() { ["#pending"] = CommitItems.Pending, ["#parked"] = CommitItems.Parked },
                ExpressionAttributeValues = new()
                {
                    [":parked"] = new AttributeValue { S = CommitItems.ParkedShard },
                    [":reason"] = new AttributeValue { S = text.Length > MaxReasonLength ? text[..MaxReasonLength] : text },
                },
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>Every parked commit, oldest first.</summary>
    public async IAsyncEnumerable<ParkedCommit> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new QueryRequest
        {
            TableName = CommitItems.Table,
            IndexName = HealthFlowTopology.Indexes.Outbox,
            KeyConditionExpression = "#pending = :parked",
            ExpressionAttributeNames = new() { ["#pending"] = CommitItems.Pending },
            ExpressionAttributeValues = new() { [":parked"] = new AttributeValue { S = CommitItems.ParkedShard } },
        };
        do
        {
            var page = await dynamo.QueryAsync(request, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
            {
                yield return new ParkedCommit(
                    item[CommitItems.StreamId].S,
                    CommitItems.VersionOf(item),
                    DateTimeOffset.Parse(item[CommitItems.CommittedAt].S, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                    item.TryGetValue(CommitItems.Parked, out var reason) ? reason.S : string.Empty,
                    [.. item[CommitItems.Events].L.Select(e => e.M["type"].S)]);
            }

            request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } ? page.LastEvaluatedKey : null;
        }
        while (request.ExclusiveStartKey is not null);
    }

    /// <summary>Publishes a parked commit (after the cause is fixed) and takes it out of the outbox; refused again, it stays parked.</summary>
    public async Task<ReplayOutcome> ReplayAsync(string streamId, long version, CancellationToken cancellationToken = default)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = CommitItems.Table,
            Key = CommitItems.Key(streamId, version),
            ConsistentRead = true,
        }, cancellationToken).ConfigureAwait(false);
        if (response.Item is not { Count: > 0 } item
            || !item.TryGetValue(CommitItems.Pending, out var pending) || pending.S != CommitItems.ParkedShard)
        {
            return new ReplayOutcome.NotParked();
        }

        IReadOnlyList<EventEnvelope> envelopes = [.. CommitItems.ToEnvelopes(item)];
        var outcome = (await publisher.PublishCommitsAsync([envelopes], cancellationToken).ConfigureAwait(false))[0];
        if (outcome is not CommitPublishOutcome.Published)
        {
            var reason = outcome switch
            {
                CommitPublishOutcome.Unpublishable u => u.Reason,
                CommitPublishOutcome.EntryFailed f => f.Reason,
                CommitPublishOutcome.BusUnavailable b => b.Reason,
                _ => outcome.ToString(),
            };
            return new ReplayOutcome.StillRefused(reason);
        }

        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = CommitItems.Table,
                Key = CommitItems.Key(streamId, version),
                UpdateExpression = "REMOVE #pending, #parked",
                ConditionExpression = "#pending = :parked",
                ExpressionAttributeNames = new() { ["#pending"] = CommitItems.Pending, ["#parked"] = CommitItems.Parked },
                ExpressionAttributeValues = new() { [":parked"] = new AttributeValue { S = CommitItems.ParkedShard } },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            // Replayed by someone else at the same time: published either way.
        }

        return new ReplayOutcome.Replayed(envelopes.Count);
    }
}
