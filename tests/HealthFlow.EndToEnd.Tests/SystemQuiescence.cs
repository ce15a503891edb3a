using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// "Nothing more will happen": every work queue is empty and has nothing in flight.
/// Appends publish before the API answers, and a worker publishes what it appends
/// before deleting its message, so once the queues drain in pipeline order the
/// read models hold everything that will ever come of the requests made so far.
/// This lets a test assert that something did NOT happen without sleeping.
/// </summary>
public sealed class SystemQuiescence(Uri awsEndpoint) : IDisposable
{
    // Upstream first: alert evaluation feeds the alert projection.
    private static readonly string[] QueuesInPipelineOrder =
        ["alert-evaluation", "patient-projection", "observation-projection", "alert-projection"];

    private readonly AmazonSQSClient _sqs = new(
        new BasicAWSCredentials("test", "test"),
        new AmazonSQSConfig { ServiceURL = awsEndpoint.ToString(), AuthenticationRegion = "us-east-1" });

    public async Task WaitAsync(TimeSpan? timeout = null)
    {
        await Eventually.UntilAsync(async () =>
        {
            foreach (var queue in QueuesInPipelineOrder)
            {
                if (!await IsDrainedAsync(queue))
                {
                    return false;
                }
            }

            return true;
        }, "every work queue to drain", timeout ?? TimeSpan.FromSeconds(30));
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

    public void Dispose() => _sqs.Dispose();
}
