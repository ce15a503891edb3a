using System.Text.Json;
using Amazon.SQS.Model;
using HealthFlow.Aws.Tests.Infrastructure;
using HealthFlow.Cli.Redrive;
using HealthFlow.Topology;

namespace HealthFlow.Aws.Tests.Cli;

/// <summary>`healthflow redrive` against LocalAws: dead letters go back to their queue, and a dry run moves nothing.</summary>
public sealed class RedriveTests(LocalAwsFixture aws) : IClassFixture<LocalAwsFixture>
{
    private DeadLetterRedriver Redriver => new(aws.Sqs);

    [Fact]
    public async Task Redrive_moves_every_dead_letter_back_to_its_queue()
    {
        var queue = await CreateQueueAsync();
        var bodies = Enumerable.Range(0, 23).Select(_ => EventBody(Guid.NewGuid())).ToList();
        foreach (var body in bodies)
        {
            await aws.Sqs.SendMessageAsync(queue.DeadLetterUrl, body);
        }

        var result = await Redriver.RedriveAsync(queue.Definition.Name, queue.Definition.DeadLetterQueueName, dryRun: false, maxMessages: null, CancellationToken.None);

        Assert.Equal(23, result.Moved);
        Assert.Equal(0, result.Failed);
        Assert.Equal(0, await aws.MessagesInAsync(queue.DeadLetterUrl));
        Assert.Equal(bodies.Order(), (await DrainAsync(queue.Url)).Order());
    }

    [Fact]
    public async Task Dry_run_lists_the_dead_letters_and_leaves_them_in_place()
    {
        var queue = await CreateQueueAsync();
        var eventIds = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();
        foreach (var eventId in eventIds)
        {
            await aws.Sqs.SendMessageAsync(queue.DeadLetterUrl, EventBody(eventId));
        }

        var result = await Redriver.RedriveAsync(queue.Definition.Name, queue.Definition.DeadLetterQueueName, dryRun: true, maxMessages: null, CancellationToken.None);

        Assert.Equal(0, result.Moved);
        Assert.Equal(3, result.Messages.Count);
        AssertNonEmpty.All(eventIds, id => Assert.Contains(result.Messages, m => m.Summary.StartsWith($"ObservationSubmitted {id}", StringComparison.Ordinal)));
        Assert.Equal(3, await VisibleMessagesAsync(queue.DeadLetterUrl));
        Assert.Equal(0, await aws.MessagesInAsync(queue.Url));
    }

    [Fact]
    public async Task A_message_dead_lettered_after_five_receives_is_back_in_its_queue_after_redrive()
    {
        var queue = await CreateQueueAsync();
        var body = EventBody(Guid.NewGuid());
        await aws.Sqs.SendMessageAsync(queue.Url, body);
        // A consumer that fails every time: receives, never deletes.
        for (var receive = 0; receive < HealthFlowTopology.MaxReceiveCount; receive++)
        {
            var received = await aws.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queue.Url, VisibilityTimeout = 0, WaitTimeSeconds = 1 });
            Assert.Single(received.Messages ?? []);
        }

        await Eventually.HoldsAsync(async () =>
        {
            await aws.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queue.Url, VisibilityTimeout = 0 });
            return await aws.MessagesInAsync(queue.DeadLetterUrl) == 1;
        }, TimeSpan.FromSeconds(10), "the message is dead-lettered");

        var result = await Redriver.RedriveAsync(queue.Definition.Name, queue.Definition.DeadLetterQueueName, dryRun: false, maxMessages: null, CancellationToken.None);

        Assert.Equal(1, result.Moved);
        // Five failed deliveries, then redrive's own receive from the DLQ.
        Assert.Equal(HealthFlowTopology.MaxReceiveCount + 1, Assert.Single(result.Messages).ReceiveCount);
        Assert.Equal([body], await DrainAsync(queue.Url));
    }

    [Fact]
    public async Task Redrive_stops_at_the_maximum_it_was_given()
    {
        var queue = await CreateQueueAsync();
        for (var i = 0; i < 12; i++)
        {
            await aws.Sqs.SendMessageAsync(queue.DeadLetterUrl, EventBody(Guid.NewGuid()));
        }

        var result = await Redriver.RedriveAsync(queue.Definition.Name, queue.Definition.DeadLetterQueueName, dryRun: false, maxMessages: 5, CancellationToken.None);

        Assert.Equal(5, result.Moved);
        Assert.Equal(7, await aws.MessagesInAsync(queue.DeadLetterUrl));
        Assert.Equal(5, await aws.MessagesInAsync(queue.Url));
    }

    private async Task<TestQueue> CreateQueueAsync()
    {
        var name = $"t-redrive-{Guid.NewGuid():N}";
        var definition = new QueueDefinition(name, name + "-dlq", HealthFlowTopology.MaxReceiveCount, TimeSpan.FromSeconds(30), TimeSpan.FromHours(1));
        var provisioned = await aws.Provisioner.EnsureQueueAsync(definition);
        var deadLetterUrl = (await aws.Sqs.GetQueueUrlAsync(definition.DeadLetterQueueName)).QueueUrl;
        return new TestQueue(definition, provisioned.Url, deadLetterUrl);
    }

    private static string EventBody(Guid eventId) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["version"] = "0",
        ["detail-type"] = "ObservationSubmitted",
        ["source"] = "healthflow.command-api",
        ["detail"] = new { eventId, streamId = $"patient-{Guid.NewGuid():D}", version = 2, type = "ObservationSubmitted" },
    });

    private async Task<List<string>> DrainAsync(string queueUrl)
    {
        var bodies = new List<string>();
        while (true)
        {
            var received = await aws.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 });
            if (received.Messages is not { Count: > 0 } messages)
            {
                return bodies;
            }

            foreach (var message in messages)
            {
                bodies.Add(message.Body);
                await aws.Sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle);
            }
        }
    }

    private async Task<int> VisibleMessagesAsync(string queueUrl) =>
        (await aws.Sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = queueUrl, AttributeNames = ["ApproximateNumberOfMessages"] }))
            .ApproximateNumberOfMessages;
}
