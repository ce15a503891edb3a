using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.EventStore;
using Microsoft.Extensions.Logging;

namespace HealthFlow.Messaging;

/// <summary>
/// Acknowledges handled messages: whatever succeeded meanwhile goes into one DeleteMessageBatch
/// (up to 10), without waiting for more.
/// </summary>
internal sealed class BatchedDeletes(SqsQueue queue, IAmazonSQS sqs, ILogger logger)
{
    private readonly Channel<(Message Message, ActivityContext Trace)> _handled =
        Channel.CreateUnbounded<(Message, ActivityContext)>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(Message message, ActivityContext trace) => _handled.Writer.TryWrite((message, trace));

    /// <summary>No more messages will come; <see cref="RunAsync"/> ends once it deleted what it has.</summary>
    public void Complete() => _handled.Writer.TryComplete();

    public async Task RunAsync(CancellationToken abort)
    {
        var reader = _handled.Reader;
        var batch = new List<(Message Message, ActivityContext Trace)>(10);
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < 10 && reader.TryRead(out var handled))
                batch.Add(handled);

            // The delete acknowledges the first message's processing, so it belongs in that trace;
            // the other messages' traces are linked.
            var traced = batch.Where(b => b.Trace != default).Select(b => b.Trace).ToList();
            using var activity = traced.Count == 0 ? null : HealthFlowTelemetry.ActivitySource.StartActivity(
                $"settle {queue.Name}", ActivityKind.Internal, traced[0], links: traced.Skip(1).Select(t => new ActivityLink(t)));
            activity?.SetTag("messaging.batch.message_count", batch.Count);
            try
            {
                // Entry ids are batch positions: a redelivered message can sit in one batch twice under the same MessageId.
                var response = await sqs.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
                {
                    QueueUrl = queue.Url,
                    Entries = batch.Select((b, i) => new DeleteMessageBatchRequestEntry
                    {
                        Id = i.ToString(CultureInfo.InvariantCulture),
                        ReceiptHandle = b.Message.ReceiptHandle,
                    }).ToList(),
                }, abort).ConfigureAwait(false);
                foreach (var failed in response.Failed ?? [])
                {
                    var messageId = int.TryParse(failed.Id, CultureInfo.InvariantCulture, out var index) && index < batch.Count ? batch[index].Message.MessageId : failed.Id;
                    logger.LogWarning("Deleting message {MessageId} from {Queue} failed ({Code}: {Reason}); it will be delivered again",
                        messageId, queue.Name, failed.Code, failed.Message);
                }
            }
            catch (Exception ex)
            {
                // Consumers are idempotent: an undeleted message is only a duplicate delivery later.
                logger.LogWarning(ex, "Deleting {Count} handled messages from {Queue} failed; they will be delivered again", batch.Count, queue.Name);
            }
        }
    }
}
