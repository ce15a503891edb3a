using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Topology;
using System.Globalization;
using HealthFlow.ReadModels;

namespace HealthFlow.Notifier;

/// <summary>What <see cref="NotificationLedger.ClaimAsync"/> found.</summary>
public abstract record ClaimOutcome
{
    private ClaimOutcome() { }

    /// <summary>This delivery holds the intent until <paramref name="Until"/>: it sends, then records the outcome.</summary>
    public sealed record Claimed(DateTimeOffset Until) : ClaimOutcome;

    /// <summary>Sent already (a redelivered or duplicated event): nothing more to send.</summary>
    public sealed record AlreadySent : ClaimOutcome;

    /// <summary>Another delivery holds a live claim (it may be sending now): try again once it has passed.</summary>
    public sealed record HeldElsewhere(DateTimeOffset Until) : ClaimOutcome;
}

/// <summary>
/// The `notifications` table, notifier's ledger of intents and outcomes. Item layout:
/// <code>
/// notificationId  S  key: {alertId}#{event}#{recipient}#{channel} (NotifiableEvent.KeyFor), event `raised` or `escalated-{level}`
/// status          S  pending (claimed, outcome not recorded), sent, failed (the server refused; retried)
/// claimedUntil    N  Unix milliseconds: the claim of the delivery sending it; 0 once failed
/// alertId, kind, recipient, channel  S  what it is about, for an operator
/// claimedAt, sentAt  S  ISO 8601
/// messageId       S  the message's Message-ID (the same for every attempt of one key)
/// error           S  why the last attempt failed
/// </code>
/// A claim is one conditional PutItem: it lands when no item exists, or when the one there is not sent and its claim has
/// passed. So a redelivery finds `sent` and sends nothing; a concurrent copy finds a live claim and waits; an intent
/// whose sender died between claim and outcome is taken over after <see cref="NotificationOptions.ClaimFor"/>.
/// </summary>
public class NotificationLedger(IAmazonDynamoDB dynamo, TimeProvider timeProvider)
{
    private static readonly string TableName = HealthFlowTopology.Tables.Notifications.Name;

    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";

    public async Task<ClaimOutcome> ClaimAsync(NotificationIntent intent, TimeSpan claimFor, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var until = now + claimFor;
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = TableName,
                Item = new()
                {
                    ["notificationId"] = S(intent.Key),
                    ["status"] = S(Pending),
                    ["claimedUntil"] = N(until.ToUnixTimeMilliseconds()),
                    ["claimedAt"] = S(SortableTime.Format(now)),
                    ["alertId"] = S(intent.AlertId.ToString("D")),
                    ["kind"] = S(intent.Kind),
                    ["recipient"] = S(intent.Recipient),
                    ["channel"] = S(intent.Channel),
                    ["messageId"] = S(intent.MessageId),
                },
                ConditionExpression = "attribute_not_exists(notificationId) OR (#status <> :sent AND claimedUntil < :now)",
                ExpressionAttributeNames = new() { ["#status"] = "status" },
                ExpressionAttributeValues = new() { [":sent"] = S(Sent), [":now"] = N(now.ToUnixTimeMilliseconds()) },
            }, cancellationToken);
            return new ClaimOutcome.Claimed(until);
        }
        catch (ConditionalCheckFailedException)
        {
            var item = (await dynamo.GetItemAsync(new GetItemRequest
            {
                TableName = TableName,
                Key = new() { ["notificationId"] = S(intent.Key) },
                ConsistentRead = true,
            }, cancellationToken)).Item ?? [];
            return item.GetValueOrDefault("status")?.S == Sent
                ? new ClaimOutcome.AlreadySent()
                : new ClaimOutcome.HeldElsewhere(DateTimeOffset.FromUnixTimeMilliseconds(long.TryParse(item.GetValueOrDefault("claimedUntil")?.N, CultureInfo.InvariantCulture, out var heldUntil) ? heldUntil : 0));
        }
    }

    /// <summary>The server accepted the message. Virtual: a test plants a fault here to open the window this write closes.</summary>
    public virtual Task RecordSentAsync(NotificationIntent intent, CancellationToken cancellationToken) =>
        dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = new() { ["notificationId"] = S(intent.Key) },
            UpdateExpression = "SET #status = :sent, sentAt = :at REMOVE #error",
            ExpressionAttributeNames = new() { ["#status"] = "status", ["#error"] = "error" },
            ExpressionAttributeValues = new() { [":sent"] = S(Sent), [":at"] = S(SortableTime.Format(timeProvider.GetUtcNow())) },
        }, cancellationToken);

    /// <summary>The server refused or could not be reached: nothing was sent, so the claim is given up at once for the retry.</summary>
    public Task RecordFailedAsync(NotificationIntent intent, string error, CancellationToken cancellationToken) =>
        dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = new() { ["notificationId"] = S(intent.Key) },
            UpdateExpression = "SET #status = :failed, #error = :error, claimedUntil = :zero",
            ConditionExpression = "#status <> :sent",
            ExpressionAttributeNames = new() { ["#status"] = "status", ["#error"] = "error" },
            ExpressionAttributeValues = new() { [":failed"] = S(Failed), [":sent"] = S(Sent), [":error"] = S(error.Length > 500 ? error[..500] : error), [":zero"] = N(0) },
        }, cancellationToken);

    /// <summary>The status of one notification (null: none), for tests and operators.</summary>
    public async Task<string?> StatusAsync(string key, CancellationToken cancellationToken) =>
        (await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            Key = new() { ["notificationId"] = S(key) },
            ConsistentRead = true,
        }, cancellationToken)).Item?.GetValueOrDefault("status")?.S;

    private static AttributeValue S(string value) => new() { S = value };

    private static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };
}
