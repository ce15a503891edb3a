using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using static HealthFlow.ReadModels.DynamoItems;

namespace HealthFlow.ReadModels;

/// <summary>
/// Keeps an alert's position in the `by-update` feed honest when its projection write lands late.
/// </summary>
/// <remarks>
/// The projection stamps updatedAt just before it writes. A write that lands late (a slow or retried request)
/// shows up behind positions the SSE tails have already passed, and a tail that only rereads a short window
/// would never send it. So a write that took longer than <see cref="LandingDeadline"/> is stamped again once it
/// has landed, until a stamp lands in time. Every change is then visible within LandingDeadline of its
/// position, and a tail that rereads a window of at least twice that never skips one
/// (AlertStreamOptions.LookbackMilliseconds checks it on start).
/// </remarks>
public sealed class AlertFeedStamps(IAmazonDynamoDB dynamo, TimeProvider timeProvider, ILogger<AlertFeedStamps> logger)
{
    /// <summary>How long after its stamp a feed write may land.</summary>
    public static readonly TimeSpan LandingDeadline = TimeSpan.FromSeconds(1);

    private const int MaxRestamps = 5;

    /// <summary>
    /// Call after a projection write of <paramref name="version"/> that started at <paramref name="writeStarted"/>
    /// (a <see cref="TimeProvider.GetTimestamp"/> taken before the item was stamped). Restamps while late.
    /// </summary>
    /// <exception cref="TimeoutException">No stamp landed in time after several tries: the message is retried.</exception>
    public async Task EnsureLandedInTimeAsync(Guid alertId, long version, long writeStarted, CancellationToken cancellationToken)
    {
        var took = timeProvider.GetElapsedTime(writeStarted);
        for (var restamps = 0; took > LandingDeadline; restamps++)
        {
            if (restamps == MaxRestamps)
            {
                throw new TimeoutException($"Alert {alertId} v{version}: no feed stamp landed within {LandingDeadline.TotalMilliseconds} ms after {MaxRestamps} tries.");
            }

            logger.LogWarning(
                "Alert {AlertId} v{Version} landed {TookMs} ms after its feed stamp; stamping it again so live feeds see it.",
                alertId, version, (long)took.TotalMilliseconds);
            var started = timeProvider.GetTimestamp();
            if (!await RestampAsync(alertId, version, cancellationToken))
            {
                return; // A newer version has landed since, with a stamp of its own.
            }

            took = timeProvider.GetElapsedTime(started);
        }
    }

    /// <summary>
    /// Moves the item to the head of the feed if it still holds <paramref name="version"/>. A redelivered message
    /// calls this too: its first delivery may have landed late and died before it could restamp.
    /// </summary>
    /// <returns>False when the item holds another version (or none): there is nothing of this version to show.</returns>
    public async Task<bool> RestampAsync(Guid alertId, long version, CancellationToken cancellationToken)
    {
        var updatedAt = timeProvider.GetUtcNow();
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = AlertItems.Table.Name,
                Key = AlertItems.Key(alertId),
                UpdateExpression = "SET updatedAt = :updatedAt, updatedKey = :updatedKey",
                ConditionExpression = "lastVersion = :version",
                ExpressionAttributeValues = new()
                {
                    [":updatedAt"] = S(SortableTime.Format(updatedAt)),
                    [":updatedKey"] = S(AlertItems.UpdatedKey(updatedAt, alertId)),
                    [":version"] = N(version),
                },
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }
}
