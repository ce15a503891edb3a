using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.Topology;

namespace HealthFlow.Cli.Chaos;

/// <summary>
/// "Nothing more will happen": the outbox holds no unpublished commit, and every work queue is
/// empty and has nothing in flight. A commit is either published or still marked in the outbox
/// (the relay publishes it later), and a worker publishes what it appends before deleting its
/// message; so once the outbox is empty before and after the queues drain in pipeline order, the
/// read models hold everything that will ever come of the requests made so far.
/// This lets a test assert that something did NOT happen without sleeping, and the chaos checker read the stores
/// only once nothing more will change them.
/// </summary>
public sealed class SystemQuiescence(Uri awsEndpoint) : IDisposable
{
    // Every work queue of the topology, upstream first: the alert worker's queues feed the alert projection.
    // Read from the topology, so a queue added there is waited for here. Delayed escalation deadlines are not
    // waiting work until they are due; WaitForEscalationDeadlinesAsync waits for those.
    private static readonly string[] QueuesInPipelineOrder =
    [
        .. HealthFlowTopology.Queues.All
            .OrderBy(q => q == HealthFlowTopology.Queues.AlertEvaluation || q == HealthFlowTopology.Queues.AlertEscalation
                || q == HealthFlowTopology.Queues.CheckInDeadlines ? 0 : 1)
            .Select(q => q.Name),
    ];

    private readonly AmazonDynamoDBClient _dynamo = new(
        new BasicAWSCredentials("test", "test"),
        new AmazonDynamoDBConfig { ServiceURL = awsEndpoint.ToString(), AuthenticationRegion = "us-east-1" });

    private readonly AmazonSQSClient _sqs = new(
        new BasicAWSCredentials("test", "test"),
        new AmazonSQSConfig { ServiceURL = awsEndpoint.ToString(), AuthenticationRegion = "us-east-1" });

    public Task WaitAsync(TimeSpan? timeout = null) => WaitAsync([], timeout);

    /// <summary>
    /// As <see cref="WaitAsync(TimeSpan?)"/>, leaving out queues whose consumer a test stopped on purpose (their
    /// messages wait, as they would for a crashed worker, and would never drain meanwhile).
    /// </summary>
    public async Task WaitAsync(IReadOnlyCollection<string> stoppedQueues, TimeSpan? timeout = null)
    {
        await UntilAsync(async () =>
        {
            if (!await IsOutboxEmptyAsync())
            {
                return false;
            }

            foreach (var queue in QueuesInPipelineOrder.Except(stoppedQueues))
            {
                if (!await IsDrainedAsync(queue))
                {
                    return false;
                }
            }

            return await IsOutboxEmptyAsync();
        }, "the outbox and every work queue to drain", timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Every escalation deadline sent so far has been consumed (none delayed, waiting, in flight or dead-lettered),
    /// and then everything that came of them is projected. Call it after the deadline of interest has passed:
    /// its message, delayed until then, is gone only once alert-worker has decided on it.
    /// </summary>
    public async Task WaitForEscalationDeadlinesAsync(TimeSpan? timeout = null)
    {
        var queue = HealthFlowTopology.Queues.AlertEscalation;
        await UntilAsync(async () =>
        {
            var pending = await CountsAsync(queue.Name);
            var deadLetters = await CountsAsync(queue.DeadLetterQueueName);
            return pending.Total == 0 && deadLetters.Total == 0;
        }, "every escalation deadline to be consumed", timeout ?? TimeSpan.FromSeconds(60));
        await WaitAsync(timeout);
    }

    private async Task<(int Visible, int InFlight, int Delayed, int Total)> CountsAsync(string queue)
    {
        var url = (await _sqs.GetQueueUrlAsync(queue)).QueueUrl;
        var attributes = await _sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = url,
            AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
        });
        int visible = attributes.ApproximateNumberOfMessages, inFlight = attributes.ApproximateNumberOfMessagesNotVisible, delayed = attributes.ApproximateNumberOfMessagesDelayed;
        return (visible, inFlight, delayed, visible + inFlight + delayed);
    }

    private async Task<bool> IsDrainedAsync(string queue)
    {
        var url = (await _sqs.GetQueueUrlAsync(queue)).QueueUrl;
        var attributes = await _sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = url,
            AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        });
        return attributes.ApproximateNumberOfMessages == 0 && attributes.ApproximateNumberOfMessagesNotVisible == 0;
    }

    private async Task<bool> IsOutboxEmptyAsync()
    {
        var pending = await _dynamo.ScanAsync(new ScanRequest
        {
            TableName = HealthFlowTopology.Tables.Events.Name,
            IndexName = HealthFlowTopology.Indexes.Outbox,
            Select = Select.COUNT,
            ConsistentRead = false,
        });
        return pending.Count == 0 && pending.LastEvaluatedKey is not { Count: > 0 };
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(25);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    public void Dispose()
    {
        _sqs.Dispose();
        _dynamo.Dispose();
    }
}
