using System.Diagnostics;
using System.Text;
using Amazon.SQS;
using Amazon.SQS.Model;
using SqsQueue = HealthFlow.LocalAws.Sqs.SqsQueue;
using SqsQueueStore = HealthFlow.LocalAws.Sqs.SqsQueueStore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthFlow.LocalAws.Tests;

[Collection(LocalAwsCollection.Name)]
public sealed class SqsConformanceTests(LocalAwsFixture aws)
{
    private AmazonSQSClient Sqs => aws.Sqs;

    private async Task<string> CreateQueueAsync(string prefix, Dictionary<string, string>? attributes = null) =>
        (await Sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = LocalAwsFixture.UniqueName(prefix), Attributes = attributes })).QueueUrl;

    private async Task<Dictionary<string, string>> AttributesAsync(string queueUrl) =>
        (await Sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = queueUrl, AttributeNames = ["All"] })).Attributes;

    [Fact]
    public async Task Queue_url_and_arn_follow_the_AWS_shape()
    {
        var name = LocalAwsFixture.UniqueName("shape");
        var url = (await Sqs.CreateQueueAsync(name)).QueueUrl;

        Assert.Equal($"{aws.Server.ServiceUrl}/000000000000/{name}", url);
        Assert.Equal(url, (await Sqs.GetQueueUrlAsync(name)).QueueUrl);
        var attributes = await AttributesAsync(url);
        Assert.Equal($"arn:aws:sqs:us-east-1:000000000000:{name}", attributes["QueueArn"]);
        Assert.Equal("30", attributes["VisibilityTimeout"]);
        Assert.Equal("0", attributes["ApproximateNumberOfMessages"]);
        Assert.True(long.Parse(attributes["CreatedTimestamp"]) > 1_600_000_000);
    }

    [Fact]
    public async Task CreateQueue_is_idempotent_but_rejects_different_attributes()
    {
        var name = LocalAwsFixture.UniqueName("idem");
        var first = await Sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name, Attributes = new() { ["VisibilityTimeout"] = "45" } });
        var second = await Sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name, Attributes = new() { ["VisibilityTimeout"] = "45" } });

        Assert.Equal(first.QueueUrl, second.QueueUrl);
        await Assert.ThrowsAsync<QueueNameExistsException>(() =>
            Sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name, Attributes = new() { ["VisibilityTimeout"] = "60" } }));
    }

    [Fact]
    public async Task Unknown_queue_raises_QueueDoesNotExistException()
    {
        await Assert.ThrowsAsync<QueueDoesNotExistException>(() => Sqs.GetQueueUrlAsync("no-such-queue"));
        var error = await Assert.ThrowsAsync<QueueDoesNotExistException>(() =>
            Sqs.SendMessageAsync($"{aws.Server.ServiceUrl}/000000000000/no-such-queue", "hello"));
        Assert.Equal("AWS.SimpleQueueService.NonExistentQueue", error.ErrorCode);
    }

    [Fact]
    public async Task Empty_long_poll_returns_no_messages_after_the_wait_time()
    {
        var url = await CreateQueueAsync("empty");
        var clock = Stopwatch.StartNew();

        var response = await Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 1 });

        Assert.True(response.Messages is null or { Count: 0 });
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Long_poll_returns_as_soon_as_a_message_arrives()
    {
        var url = await CreateQueueAsync("longpoll");
        var queue = QueueFor(url);
        var clock = Stopwatch.StartNew();
        var receive = Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 10 });
        await Wait.UntilAsync(() => queue.Waiters > 0, TimeSpan.FromSeconds(5), "the receive is parked");

        await Sqs.SendMessageAsync(url, "wake up");
        var response = await receive;

        Assert.Equal("wake up", Assert.Single(response.Messages).Body);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"The long poll took {clock.Elapsed}; it should end when the message arrives, not after 10 s.");
    }

    [Fact]
    public async Task Message_reappears_after_its_visibility_timeout_with_a_higher_receive_count()
    {
        var url = await CreateQueueAsync("visibility");
        await Sqs.SendMessageAsync(url, "retry me");

        var first = Assert.Single((await Receive(url, visibilityTimeout: 1)).Messages);
        Assert.Equal("1", first.Attributes["ApproximateReceiveCount"]);
        var hidden = await Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url });
        Assert.True(hidden.Messages is null or { Count: 0 });

        var second = Assert.Single((await Receive(url, wait: 5)).Messages);
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal("2", second.Attributes["ApproximateReceiveCount"]);
        Assert.Equal(first.Attributes["ApproximateFirstReceiveTimestamp"], second.Attributes["ApproximateFirstReceiveTimestamp"]);
        Assert.Equal(first.Attributes["SentTimestamp"], second.Attributes["SentTimestamp"]);

        // The first receipt handle is stale now: deleting with it must not delete the redelivered message.
        await Sqs.DeleteMessageAsync(url, first.ReceiptHandle);
        Assert.Equal("1", (await AttributesAsync(url))["ApproximateNumberOfMessagesNotVisible"]);

        await Sqs.DeleteMessageAsync(url, second.ReceiptHandle);
        var attributes = await AttributesAsync(url);
        Assert.Equal("0", attributes["ApproximateNumberOfMessages"]);
        Assert.Equal("0", attributes["ApproximateNumberOfMessagesNotVisible"]);
    }

    [Fact]
    public async Task Parked_long_poll_receives_a_message_as_soon_as_its_visibility_expires()
    {
        var url = await CreateQueueAsync("parked");
        await Sqs.SendMessageAsync(url, "unfinished");
        var first = Assert.Single((await Receive(url, visibilityTimeout: 1)).Messages);
        var clock = Stopwatch.StartNew();

        var redelivered = Assert.Single((await Receive(url, wait: 10)).Messages);

        Assert.Equal(first.MessageId, redelivered.MessageId);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"The redelivery took {clock.Elapsed}; the message was due after 1 s.");
    }

    [Fact]
    public async Task Message_moves_to_the_dead_letter_queue_after_maxReceiveCount_receives()
    {
        var dlqUrl = await CreateQueueAsync("dlq");
        var dlqArn = (await AttributesAsync(dlqUrl))["QueueArn"];
        var url = await CreateQueueAsync("source", new()
        {
            ["RedrivePolicy"] = $$"""{"deadLetterTargetArn":"{{dlqArn}}","maxReceiveCount":"2"}""",
        });
        var sent = await Sqs.SendMessageAsync(url, "poison");

        // VisibilityTimeout 0 hands the message straight back, like a consumer failing twice.
        Assert.Equal("1", Assert.Single((await Receive(url, visibilityTimeout: 0)).Messages).Attributes["ApproximateReceiveCount"]);
        Assert.Equal("2", Assert.Single((await Receive(url, visibilityTimeout: 0)).Messages).Attributes["ApproximateReceiveCount"]);
        var third = await Receive(url, visibilityTimeout: 0);

        Assert.True(third.Messages is null or { Count: 0 });
        var deadLetter = Assert.Single((await Receive(dlqUrl)).Messages);
        Assert.Equal(sent.MessageId, deadLetter.MessageId);
        Assert.Equal("poison", deadLetter.Body);
        Assert.Contains(dlqArn, (await AttributesAsync(url))["RedrivePolicy"]);
    }

    [Fact]
    public async Task Message_attributes_round_trip_with_the_digests_the_SDK_verifies()
    {
        var url = await CreateQueueAsync("attributes");
        var binary = new byte[] { 0, 1, 2, 250, 255 };
        var sent = await Sqs.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = url,
            MessageBody = "with attributes ✓",
            MessageAttributes = new()
            {
                ["hf.traceparent"] = new MessageAttributeValue { DataType = "String", StringValue = "00-abc-def-01" },
                ["attempt"] = new MessageAttributeValue { DataType = "Number", StringValue = "3" },
                ["blob"] = new MessageAttributeValue { DataType = "Binary.gzip", BinaryValue = new MemoryStream(binary) },
            },
        });
        // The SDK has already checked MD5OfMessageBody and MD5OfMessageAttributes; a wrong digest throws.
        Assert.NotNull(sent.MD5OfMessageAttributes);

        var received = Assert.Single((await Sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = url,
            MessageAttributeNames = ["All"],
            VisibilityTimeout = 0,
        })).Messages);
        Assert.Equal(sent.MD5OfMessageAttributes, received.MD5OfMessageAttributes);
        Assert.Equal("00-abc-def-01", received.MessageAttributes["hf.traceparent"].StringValue);
        Assert.Equal("3", received.MessageAttributes["attempt"].StringValue);
        Assert.Equal("Binary.gzip", received.MessageAttributes["blob"].DataType);
        Assert.Equal(binary, received.MessageAttributes["blob"].BinaryValue.ToArray());

        // Selecting a subset returns only those attributes, with the digest of that subset.
        var subset = Assert.Single((await Sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = url,
            MessageAttributeNames = ["hf.*", "attempt"],
        })).Messages);
        Assert.Equal(["attempt", "hf.traceparent"], subset.MessageAttributes.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Batches_send_and_delete_with_per_entry_results()
    {
        var url = await CreateQueueAsync("batch");
        var sent = await Sqs.SendMessageBatchAsync(url, [.. Enumerable.Range(0, 10).Select(i => new SendMessageBatchRequestEntry($"m{i}", $"body {i}"))]);
        Assert.Equal(10, sent.Successful.Count);
        Assert.True(sent.Failed is null or { Count: 0 });

        var received = new List<Message>();
        while (received.Count < 10)
            received.AddRange((await Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 })).Messages ?? []);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"body {i}").Order(), received.Select(m => m.Body).Order());

        var deleted = await Sqs.DeleteMessageBatchAsync(url,
        [
            .. received.Skip(1).Select((m, i) => new DeleteMessageBatchRequestEntry($"d{i}", m.ReceiptHandle)),
            new DeleteMessageBatchRequestEntry("bad", "not-a-receipt-handle"),
        ]);
        Assert.Equal(9, deleted.Successful.Count);
        var failure = Assert.Single(deleted.Failed);
        Assert.Equal("bad", failure.Id);
        Assert.Equal("ReceiptHandleIsInvalid", failure.Code);
        Assert.Equal("1", (await AttributesAsync(url))["ApproximateNumberOfMessagesNotVisible"]);
    }

    [Fact]
    public async Task Batch_with_repeated_ids_is_rejected()
    {
        var url = await CreateQueueAsync("batchids");

        await Assert.ThrowsAsync<BatchEntryIdsNotDistinctException>(() =>
            Sqs.SendMessageBatchAsync(url, [new("same", "a"), new("same", "b")]));
    }

    [Fact]
    public async Task ChangeMessageVisibility_to_zero_makes_the_message_receivable_at_once()
    {
        var url = await CreateQueueAsync("changevis");
        await Sqs.SendMessageAsync(url, "again");
        var first = Assert.Single((await Receive(url, visibilityTimeout: 300)).Messages);

        await Sqs.ChangeMessageVisibilityAsync(url, first.ReceiptHandle, 0);
        var again = Assert.Single((await Receive(url)).Messages);

        Assert.Equal(first.MessageId, again.MessageId);
        var batch = await Sqs.ChangeMessageVisibilityBatchAsync(url,
            [new ChangeMessageVisibilityBatchRequestEntry("ok", again.ReceiptHandle) { VisibilityTimeout = 60 },
             new ChangeMessageVisibilityBatchRequestEntry("stale", first.ReceiptHandle) { VisibilityTimeout = 60 }]);
        Assert.Equal("ok", Assert.Single(batch.Successful).Id);
        Assert.Equal("stale", Assert.Single(batch.Failed).Id);
    }

    [Fact]
    public async Task Receive_rejects_more_than_ten_messages()
    {
        var url = await CreateQueueAsync("max");

        var error = await Assert.ThrowsAnyAsync<AmazonSQSException>(() =>
            Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 11 }));
        Assert.Equal("InvalidParameterValue", error.ErrorCode);
    }

    [Fact]
    public async Task Purge_list_and_delete_manage_queues()
    {
        var prefix = LocalAwsFixture.UniqueName("mgmt");
        var a = (await Sqs.CreateQueueAsync(prefix + "-a")).QueueUrl;
        var b = (await Sqs.CreateQueueAsync(prefix + "-b")).QueueUrl;
        await Sqs.SendMessageAsync(a, "x");

        await Sqs.PurgeQueueAsync(a);
        Assert.Equal("0", (await AttributesAsync(a))["ApproximateNumberOfMessages"]);
        Assert.Equal([a, b], (await Sqs.ListQueuesAsync(prefix)).QueueUrls.Order());

        await Sqs.DeleteQueueAsync(b);
        Assert.Equal([a], (await Sqs.ListQueuesAsync(prefix)).QueueUrls);
        await Assert.ThrowsAsync<QueueDoesNotExistException>(() => Sqs.GetQueueUrlAsync(prefix + "-b"));
    }

    [Fact]
    public async Task SetQueueAttributes_changes_the_default_visibility_timeout()
    {
        var url = await CreateQueueAsync("setattr");

        await Sqs.SetQueueAttributesAsync(url, new() { ["VisibilityTimeout"] = "0", ["ReceiveMessageWaitTimeSeconds"] = "1" });
        await Sqs.SendMessageAsync(url, "twice");
        await Receive(url);
        var again = Assert.Single((await Receive(url)).Messages);

        Assert.Equal("2", again.Attributes["ApproximateReceiveCount"]);
        var error = await Assert.ThrowsAsync<InvalidAttributeValueException>(() =>
            Sqs.SetQueueAttributesAsync(url, new() { ["VisibilityTimeout"] = "-1" }));
        Assert.Contains("VisibilityTimeout", error.Message);
    }

    [Fact]
    public async Task Delayed_message_becomes_visible_after_its_delay()
    {
        var url = await CreateQueueAsync("delay");
        await Sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = url, MessageBody = "later", DelaySeconds = 1 });
        Assert.Equal("1", (await AttributesAsync(url))["ApproximateNumberOfMessagesDelayed"]);

        var clock = Stopwatch.StartNew();
        var message = Assert.Single((await Receive(url, wait: 10)).Messages);

        Assert.Equal("later", message.Body);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"The delayed message took {clock.Elapsed}; it was due after 1 s.");
    }

    private Task<ReceiveMessageResponse> Receive(string url, int? visibilityTimeout = null, int wait = 0) =>
        Sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = url,
            VisibilityTimeout = visibilityTimeout,
            WaitTimeSeconds = wait,
            MessageSystemAttributeNames = ["All"],
        });

    private SqsQueue QueueFor(string url)
    {
        Assert.True(aws.Server.Services.GetRequiredService<SqsQueueStore>().TryGet(url[(url.LastIndexOf('/') + 1)..], out var queue));
        return queue;
    }
}
