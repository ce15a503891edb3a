using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.Topology;
using Microsoft.Extensions.Logging;

namespace HealthFlow.Messaging;

/// <summary>A queue as the consumer found it at start: its URL and the visibility timeout it really has.</summary>
internal sealed record SqsQueue(QueueDefinition Definition, string Url, TimeSpan VisibilityTimeout)
{
    public string Name => Definition.Name;

    /// <summary>Waits politely while provisioning (or the endpoint itself) is still starting.</summary>
    public static async Task<SqsQueue> ResolveAsync(IAmazonSQS sqs, QueueDefinition definition, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        var attempt = 0;
        string url;
        while (true)
        {
            try
            {
                url = (await sqs.GetQueueUrlAsync(definition.Name, cancellationToken).ConfigureAwait(false)).QueueUrl;
                break;
            }
            catch (Exception ex) when (ex is QueueDoesNotExistException or AmazonSQSException { StatusCode: >= System.Net.HttpStatusCode.InternalServerError } or HttpRequestException)
            {
                if (attempt++ % 10 == 0)
                    logger.LogInformation("Queue {Queue} is not available yet ({Reason}); waiting", definition.Name, ex.Message);
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }

        var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = url,
            AttributeNames = ["VisibilityTimeout"],
        }, cancellationToken).ConfigureAwait(false);
        var visibility = attributes.VisibilityTimeout is { } seconds and > 0 ? TimeSpan.FromSeconds(seconds) : definition.VisibilityTimeout;
        return new SqsQueue(definition, url, visibility);
    }
}
