using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.SQS.Model;

namespace HealthFlow.LocalAws.Tests;

/// <summary>
/// What a developer does first with a queue or a DLQ, done with Debian's aws-cli 2.9.19 (SQS query
/// protocol) against LocalAws, asserting on the CLI's JSON output. Each CLI run starts Python (about a
/// second), so these have their own LocalAws and run alongside the other collections.
/// </summary>
[Collection(AwsCliCollection.Name)]
public sealed class AwsCliConformanceTests(LocalAwsFixture aws)
{
    private Task<CliResult> Sqs(params string[] arguments) => AwsCli.RunAsync(aws.Server.ServiceUrl, ["sqs", .. arguments]);

    private async Task<string> CreateQueueAsync(string name, params string[] more) =>
        (await Sqs(["create-queue", "--queue-name", name, .. more])).Json.GetProperty("QueueUrl").GetString()!;

    private async Task<JsonElement> AttributesAsync(string queueUrl) =>
        (await Sqs("get-queue-attributes", "--queue-url", queueUrl, "--attribute-names", "All")).Json.GetProperty("Attributes");

    [AwsCliFact]
    public async Task Cli_creates_finds_and_lists_queues()
    {
        var prefix = LocalAwsFixture.UniqueName("cli-list");
        var first = await CreateQueueAsync(prefix + "-a", "--attributes", "VisibilityTimeout=45");
        var second = await CreateQueueAsync(prefix + "-b");

        Assert.Equal($"{aws.Server.ServiceUrl}/000000000000/{prefix}-a", first);
        Assert.Equal(second, (await Sqs("get-queue-url", "--queue-name", prefix + "-b")).Json.GetProperty("QueueUrl").GetString());
        var listed = (await Sqs("list-queues", "--queue-name-prefix", prefix)).Json.GetProperty("QueueUrls");
        Assert.Equal([first, second], listed.EnumerateArray().Select(u => u.GetString()!));
        var attributes = await AttributesAsync(first);
        Assert.Equal("45", attributes.GetProperty("VisibilityTimeout").GetString());
        Assert.Equal($"arn:aws:sqs:us-east-1:000000000000:{prefix}-a", attributes.GetProperty("QueueArn").GetString());
    }

    [AwsCliFact]
    public async Task Cli_sends_and_receives_message_attributes_with_the_digests_the_SDK_verifies()
    {
        var url = await CreateQueueAsync(LocalAwsFixture.UniqueName("cli-attrs"));
        const string body = "vitals <&> \"ok\" ✓\r\nline two";
        var attributes = """
            {"traceparent":{"DataType":"String","StringValue":"00-abc-def-01"},
             "attempt":{"DataType":"Number","StringValue":"3"},
             "blob":{"DataType":"Binary.gzip","BinaryValue":"AAEC+v8="}}
            """;

        var sent = (await Sqs("send-message", "--queue-url", url, "--message-body", body, "--message-attributes", attributes)).Json;
        var received = Assert.Single((await Sqs("receive-message", "--queue-url", url, "--visibility-timeout", "0",
            "--attribute-names", "All", "--message-attribute-names", "All")).Json.GetProperty("Messages").EnumerateArray());

        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body))), sent.GetProperty("MD5OfMessageBody").GetString());
        Assert.Equal(body, received.GetProperty("Body").GetString());
        Assert.Equal(sent.GetProperty("MessageId").GetString(), received.GetProperty("MessageId").GetString());
        Assert.Equal(sent.GetProperty("MD5OfMessageBody").GetString(), received.GetProperty("MD5OfBody").GetString());
        Assert.Equal(sent.GetProperty("MD5OfMessageAttributes").GetString(), received.GetProperty("MD5OfMessageAttributes").GetString());
        var messageAttributes = received.GetProperty("MessageAttributes");
        Assert.Equal("00-abc-def-01", messageAttributes.GetProperty("traceparent").GetProperty("StringValue").GetString());
        Assert.Equal("Number", messageAttributes.GetProperty("attempt").GetProperty("DataType").GetString());
        Assert.Equal("AAEC+v8=", messageAttributes.GetProperty("blob").GetProperty("BinaryValue").GetString());
        Assert.Equal("1", received.GetProperty("Attributes").GetProperty("ApproximateReceiveCount").GetString());

        // The CLI does not check SQS digests; the .NET SDK does (a wrong one throws), over the JSON protocol.
        var viaSdk = Assert.Single((await aws.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MessageAttributeNames = ["All"] })).Messages);
        Assert.Equal(sent.GetProperty("MD5OfMessageAttributes").GetString(), viaSdk.MD5OfMessageAttributes);
        Assert.Equal(new byte[] { 0, 1, 2, 250, 255 }, viaSdk.MessageAttributes["blob"].BinaryValue.ToArray());
    }

    [AwsCliFact]
    public async Task Cli_deletes_a_received_message_and_changes_visibility()
    {
        var url = await CreateQueueAsync(LocalAwsFixture.UniqueName("cli-delete"));
        await Sqs("send-message", "--queue-url", url, "--message-body", "done");
        var received = Assert.Single((await Sqs("receive-message", "--queue-url", url)).Json.GetProperty("Messages").EnumerateArray());
        var handle = received.GetProperty("ReceiptHandle").GetString()!;

        await Sqs("change-message-visibility", "--queue-url", url, "--receipt-handle", handle, "--visibility-timeout", "120");
        await Sqs("delete-message", "--queue-url", url, "--receipt-handle", handle);

        var attributes = await AttributesAsync(url);
        Assert.Equal("0", attributes.GetProperty("ApproximateNumberOfMessages").GetString());
        Assert.Equal("0", attributes.GetProperty("ApproximateNumberOfMessagesNotVisible").GetString());
        Assert.Equal(JsonValueKind.Undefined, (await Sqs("receive-message", "--queue-url", url)).Json.ValueKind);
    }

    [AwsCliFact]
    public async Task Cli_sends_and_deletes_in_batches_with_per_entry_results()
    {
        var url = await CreateQueueAsync(LocalAwsFixture.UniqueName("cli-batch"));
        var sent = (await Sqs("send-message-batch", "--queue-url", url, "--entries",
            """[{"Id":"a","MessageBody":"one"},{"Id":"b","MessageBody":"two","MessageAttributes":{"k":{"DataType":"String","StringValue":"v"}}}]""")).Json;
        Assert.Equal(["a", "b"], sent.GetProperty("Successful").EnumerateArray().Select(e => e.GetProperty("Id").GetString()!).Order());

        var messages = (await Sqs("receive-message", "--queue-url", url, "--max-number-of-messages", "10")).Json.GetProperty("Messages").EnumerateArray().ToList();
        Assert.Equal(["one", "two"], messages.Select(m => m.GetProperty("Body").GetString()!).Order());
        var entries = JsonSerializer.Serialize(messages.Select((m, i) => new Dictionary<string, string> { ["Id"] = $"d{i}", ["ReceiptHandle"] = m.GetProperty("ReceiptHandle").GetString()! })
            .Append(new Dictionary<string, string> { ["Id"] = "bad", ["ReceiptHandle"] = "not-a-receipt-handle" }));
        var deleted = (await Sqs("delete-message-batch", "--queue-url", url, "--entries", entries)).Json;

        Assert.Equal(2, deleted.GetProperty("Successful").GetArrayLength());
        var failure = Assert.Single(deleted.GetProperty("Failed").EnumerateArray());
        Assert.Equal("bad", failure.GetProperty("Id").GetString());
        Assert.Equal("ReceiptHandleIsInvalid", failure.GetProperty("Code").GetString());
        Assert.True(failure.GetProperty("SenderFault").GetBoolean());
    }

    [AwsCliFact]
    public async Task Cli_purges_a_queue()
    {
        var url = await CreateQueueAsync(LocalAwsFixture.UniqueName("cli-purge"));
        await Sqs("send-message", "--queue-url", url, "--message-body", "stale");
        await Sqs("send-message", "--queue-url", url, "--message-body", "staler");
        Assert.Equal("2", (await AttributesAsync(url)).GetProperty("ApproximateNumberOfMessages").GetString());

        await Sqs("purge-queue", "--queue-url", url);

        Assert.Equal("0", (await AttributesAsync(url)).GetProperty("ApproximateNumberOfMessages").GetString());
    }

    [AwsCliFact]
    public async Task Cli_redrive_policy_moves_a_poison_message_to_the_dead_letter_queue()
    {
        var dlqUrl = await CreateQueueAsync(LocalAwsFixture.UniqueName("cli-dlq"));
        var dlqArn = (await AttributesAsync(dlqUrl)).GetProperty("QueueArn").GetString()!;
        var redrive = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["RedrivePolicy"] = JsonSerializer.Serialize(new { deadLetterTargetArn = dlqArn, maxReceiveCount = "2" }),
        });
        var url = await CreateQueueAsync(LocalAwsFixture.UniqueName("cli-source"), "--attributes", redrive);
        var sent = (await Sqs("send-message", "--queue-url", url, "--message-body", "poison")).Json;

        // A visibility timeout of 0 hands the message straight back, like a consumer failing twice.
        for (int receive = 1; receive <= 2; receive++)
        {
            var message = Assert.Single((await Sqs("receive-message", "--queue-url", url, "--visibility-timeout", "0", "--attribute-names", "ApproximateReceiveCount"))
                .Json.GetProperty("Messages").EnumerateArray());
            Assert.Equal($"{receive}", message.GetProperty("Attributes").GetProperty("ApproximateReceiveCount").GetString());
        }

        Assert.Equal(JsonValueKind.Undefined, (await Sqs("receive-message", "--queue-url", url)).Json.ValueKind);
        var dead = Assert.Single((await Sqs("receive-message", "--queue-url", dlqUrl)).Json.GetProperty("Messages").EnumerateArray());
        Assert.Equal(sent.GetProperty("MessageId").GetString(), dead.GetProperty("MessageId").GetString());
        Assert.Equal("poison", dead.GetProperty("Body").GetString());
        var sources = (await Sqs("list-dead-letter-source-queues", "--queue-url", dlqUrl)).Json.GetProperty("queueUrls");
        Assert.Equal([url], sources.EnumerateArray().Select(u => u.GetString()!));
    }

    [AwsCliFact]
    public async Task Cli_reports_a_missing_queue_with_the_query_protocol_error_code()
    {
        var result = await Sqs("get-queue-url", "--queue-name", "no-such-queue");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("(AWS.SimpleQueueService.NonExistentQueue)", result.Stderr);
        Assert.Contains("The specified queue does not exist.", result.Stderr);
    }
}

[CollectionDefinition(Name)]
public sealed class AwsCliCollection : ICollectionFixture<LocalAwsFixture>
{
    public const string Name = "AwsCli";
}
