using System.Globalization;
using System.Text.Json;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace HealthFlow.Cli.Redrive;

/// <summary>A message found in a dead-letter queue.</summary>
/// <param name="Summary">The EventBridge detail-type and event id when the body is an EventBridge event, else the start of the body.</param>
public sealed record DeadLetter(string MessageId, int ReceiveCount, DateTimeOffset? SentAt, string Summary);

public sealed record RedriveResult(string Queue, string DeadLetterQueue, bool DryRun, IReadOnlyList<DeadLetter> Messages, int Moved, int Failed);

/// <summary>
/// Moves messages from a dead-letter queue back to its source queue: receive, send, and delete only
/// what the source queue accepted, so a failure leaves a message in the DLQ rather than losing it.
/// </summary>
public sealed class DeadLetterRedriver(IAmazonSQS sqs)
{
    // Long enough to send a batch back; a message we fail to move reappears in the DLQ after it.
    private const int ReceiveVisibilitySeconds = 30;

    public async Task<RedriveResult> RedriveAsync(
        string queueName, string deadLetterQueueName, bool dryRun, int? maxMessages, CancellationToken cancellationToken)
    {
        var deadLetterUrl = (await sqs.GetQueueUrlAsync(deadLetterQueueName, cancellationToken)).QueueUrl;
        var queueUrl = (await sqs.GetQueueUrlAsync(queueName, cancellationToken)).QueueUrl;
        var seen = new List<DeadLetter>();
        var held = new List<Message>();
        int moved = 0, failed = 0;

        while (maxMessages is null || seen.Count < maxMessages)
        {
            var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = deadLetterUrl,
                MaxNumberOfMessages = Math.Min(10, (maxMessages ?? int.MaxValue) - seen.Count),
                WaitTimeSeconds = 1,
                VisibilityTimeout = ReceiveVisibilitySeconds,
                MessageAttributeNames = ["All"],
                MessageSystemAttributeNames = ["All"],
            }, cancellationToken);
            if (received.Messages is not { Count: > 0 } messages)
            {
                break;
            }

            seen.AddRange(messages.Select(Describe));
            if (dryRun)
            {
                // Held invisible until the listing is complete, so none is listed twice.
                held.AddRange(messages);
                continue;
            }

            var (sent, notSent) = await SendAsync(queueUrl, messages, cancellationToken);
            failed += notSent;
            if (sent.Count > 0)
            {
                var deleted = await sqs.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
                {
                    QueueUrl = deadLetterUrl,
                    Entries = [.. sent.Select((m, i) => new DeleteMessageBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), m.ReceiptHandle))],
                }, cancellationToken);
                // A copy that could not be deleted will be redriven again: at least once, as everywhere else.
                moved += sent.Count;
                failed += deleted.Failed?.Count ?? 0;
            }
        }

        if (held.Count > 0)
        {
            await ReleaseAsync(deadLetterUrl, held, cancellationToken);
        }

        return new RedriveResult(queueName, deadLetterQueueName, dryRun, seen, moved, failed);
    }

    private async Task<(List<Message> Sent, int Failed)> SendAsync(string queueUrl, List<Message> messages, CancellationToken cancellationToken)
    {
        var response = await sqs.SendMessageBatchAsync(new SendMessageBatchRequest
        {
            QueueUrl = queueUrl,
            Entries = [.. messages.Select((m, i) => new SendMessageBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), m.Body)
            {
                MessageAttributes = m.MessageAttributes is { Count: > 0 } attributes ? attributes : null,
            })],
        }, cancellationToken);
        var sent = (response.Successful ?? []).Select(s => messages[int.Parse(s.Id, CultureInfo.InvariantCulture)]).ToList();
        return (sent, response.Failed?.Count ?? 0);
    }

    private async Task ReleaseAsync(string queueUrl, List<Message> messages, CancellationToken cancellationToken)
    {
        foreach (var chunk in messages.Chunk(10))
        {
            await sqs.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest
            {
                QueueUrl = queueUrl,
                Entries = [.. chunk.Select((m, i) => new ChangeMessageVisibilityBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), m.ReceiptHandle) { VisibilityTimeout = 0 })],
            }, cancellationToken);
        }
    }

    private static DeadLetter Describe(Message message)
    {
        var attributes = message.Attributes ?? [];
        var receiveCount = attributes.TryGetValue("ApproximateReceiveCount", out var count) && int.TryParse(count, CultureInfo.InvariantCulture, out var n) ? n : 0;
        DateTimeOffset? sentAt = attributes.TryGetValue("SentTimestamp", out var sent) && long.TryParse(sent, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
        return new DeadLetter(message.MessageId, receiveCount, sentAt, Summarize(message.Body));
    }

    private static string Summarize(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("detail-type", out var type)
                && root.TryGetProperty("detail", out var detail)
                && detail.ValueKind == JsonValueKind.Object)
            {
                var eventId = detail.TryGetProperty("eventId", out var id) ? id.ToString() : "?";
                var stream = detail.TryGetProperty("streamId", out var s) ? s.ToString() : "?";
                var version = detail.TryGetProperty("version", out var v) ? v.ToString() : "?";
                return $"{type.GetString()} {eventId} ({stream}@{version})";
            }
        }
        catch (JsonException)
        {
            // Not JSON: show the raw start of the body below.
        }

        return body.Length <= 80 ? body : body[..80] + "…";
    }
}
