using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

namespace HealthFlow.LocalAws.Tests;

/// <summary>
/// One SQS, two wire formats: the same scenarios over the JSON protocol (the .NET SDK) and the query
/// protocol (form fields and XML, as pre-2024 SDKs and Debian's aws CLI send them), on the same queues.
/// </summary>
[Collection(LocalAwsCollection.Name)]
public sealed class SqsProtocolConformanceTests(LocalAwsFixture aws) : IDisposable
{
    public const string Json = "json";
    public const string Query = "query";

    private readonly HttpClient _http = LocalAwsFixture.AdministratorHttpClient(aws.Server.BaseUrl);

    public void Dispose() => _http.Dispose();

    private SqsWireClient Over(string protocol) => protocol == Json ? new SdkJsonClient(aws.Sqs) : new RawQueryClient(_http);

    private static readonly Dictionary<string, WireAttribute> SampleAttributes = new()
    {
        ["hf.traceparent"] = new("String", "00-abc-def-01"),
        ["attempt"] = new("Number", "3"),
        ["blob"] = new("Binary.gzip", BinaryValue: [0, 1, 2, 250, 255]),
    };

    [Theory]
    [InlineData(Json)]
    [InlineData(Query)]
    public async Task Message_attributes_round_trip_with_their_digests(string protocol)
    {
        var sqs = Over(protocol);
        var url = await sqs.CreateQueueAsync(LocalAwsFixture.UniqueName($"attrs-{protocol}"));
        const string body = "vitals <&> ✓\r\n";

        var sent = await sqs.SendMessageAsync(url, body, SampleAttributes);
        var received = Assert.Single(await sqs.ReceiveMessagesAsync(url));

        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body))), sent.BodyMd5);
        Assert.Equal(body, received.Body);
        Assert.Equal(sent.BodyMd5, received.BodyMd5);
        Assert.Equal(sent.AttributesMd5, received.AttributesMd5);
        Assert.Equal(SampleAttributes.Keys.Order(), received.MessageAttributes.Keys.Order());
        Assert.Equal("00-abc-def-01", received.MessageAttributes["hf.traceparent"].StringValue);
        Assert.Equal(new byte[] { 0, 1, 2, 250, 255 }, received.MessageAttributes["blob"].BinaryValue);
        Assert.Equal("1", received.Attributes["ApproximateReceiveCount"]);
    }

    [Fact]
    public async Task Both_protocols_give_the_same_digests_for_the_same_message()
    {
        var url = await Over(Json).CreateQueueAsync(LocalAwsFixture.UniqueName("digests"));

        var overJson = await Over(Json).SendMessageAsync(url, "same ✓", SampleAttributes);
        var overQuery = await Over(Query).SendMessageAsync(url, "same ✓", SampleAttributes);

        Assert.Equal(overJson.BodyMd5, overQuery.BodyMd5);
        Assert.Equal(overJson.AttributesMd5, overQuery.AttributesMd5);
    }

    [Theory]
    [InlineData(Query, Json)]
    [InlineData(Json, Query)]
    public async Task A_message_sent_over_one_protocol_is_received_over_the_other(string sender, string receiver)
    {
        var url = await Over(sender).CreateQueueAsync(LocalAwsFixture.UniqueName("cross"));
        var sent = await Over(sender).SendMessageAsync(url, "from the other side", SampleAttributes);

        // Over JSON the SDK verifies both digests itself: a wrong one throws.
        var received = Assert.Single(await Over(receiver).ReceiveMessagesAsync(url));
        await Over(sender).DeleteMessageAsync(url, received.ReceiptHandle);

        Assert.Equal(sent.MessageId, received.MessageId);
        Assert.Equal(sent.AttributesMd5, received.AttributesMd5);
        Assert.Equal("0", (await Over(receiver).GetQueueAttributesAsync(url))["ApproximateNumberOfMessagesNotVisible"]);
    }

    [Theory]
    [InlineData(Json)]
    [InlineData(Query)]
    public async Task Redrive_policy_moves_a_message_to_the_dead_letter_queue_after_maxReceiveCount_receives(string protocol)
    {
        var sqs = Over(protocol);
        var dlqUrl = await sqs.CreateQueueAsync(LocalAwsFixture.UniqueName($"dlq-{protocol}"));
        var dlqArn = (await sqs.GetQueueAttributesAsync(dlqUrl))["QueueArn"];
        var url = await sqs.CreateQueueAsync(LocalAwsFixture.UniqueName($"source-{protocol}"));
        await sqs.SetQueueAttributesAsync(url, new() { ["RedrivePolicy"] = $$"""{"deadLetterTargetArn":"{{dlqArn}}","maxReceiveCount":2}""" });
        var sent = await sqs.SendMessageAsync(url, "poison");

        Assert.Single(await sqs.ReceiveMessagesAsync(url, visibilityTimeout: 0));
        Assert.Single(await sqs.ReceiveMessagesAsync(url, visibilityTimeout: 0));
        Assert.Empty(await sqs.ReceiveMessagesAsync(url, visibilityTimeout: 0));

        var dead = Assert.Single(await sqs.ReceiveMessagesAsync(dlqUrl));
        Assert.Equal(sent.MessageId, dead.MessageId);
        Assert.Equal("poison", dead.Body);
        Assert.Contains(dlqArn, (await sqs.GetQueueAttributesAsync(url))["RedrivePolicy"]);
    }

    [Theory]
    [InlineData(Json)]
    [InlineData(Query)]
    public async Task Purge_empties_a_queue_and_list_finds_queues_by_prefix(string protocol)
    {
        var sqs = Over(protocol);
        var prefix = LocalAwsFixture.UniqueName($"purge-{protocol}");
        var a = await sqs.CreateQueueAsync(prefix + "-a");
        var b = await sqs.CreateQueueAsync(prefix + "-b");
        await sqs.SendMessageAsync(a, "stale");

        await sqs.PurgeQueueAsync(a);

        Assert.Equal("0", (await sqs.GetQueueAttributesAsync(a))["ApproximateNumberOfMessages"]);
        Assert.Equal([a, b], (await sqs.ListQueuesAsync(prefix)).Order());
        Assert.Equal(b, await sqs.GetQueueUrlAsync(prefix + "-b"));
    }

    [Theory]
    [InlineData(Json)]
    [InlineData(Query)]
    public async Task Batches_report_each_entry_and_delete_removes_messages(string protocol)
    {
        var sqs = Over(protocol);
        var url = await sqs.CreateQueueAsync(LocalAwsFixture.UniqueName($"batch-{protocol}"));

        var sent = await sqs.SendMessageBatchAsync(url, [("m0", "zero"), ("m1", "one"), ("m2", "two")]);
        Assert.Equal(["m0", "m1", "m2"], sent.Successful.Order());
        var received = await sqs.ReceiveMessagesAsync(url, max: 10);
        Assert.Equal(["one", "two", "zero"], received.Select(m => m.Body).Order());

        var deleted = await sqs.DeleteMessageBatchAsync(url, [("d0", received[0].ReceiptHandle), ("d1", received[1].ReceiptHandle), ("bad", "not-a-receipt-handle")]);
        await sqs.DeleteMessageAsync(url, received[2].ReceiptHandle);

        Assert.Equal(["d0", "d1"], deleted.Successful.Order());
        Assert.Equal(("bad", "ReceiptHandleIsInvalid"), Assert.Single(deleted.Failed));
        Assert.Equal("0", (await sqs.GetQueueAttributesAsync(url))["ApproximateNumberOfMessagesNotVisible"]);
    }

    [Theory]
    [InlineData(Json)]
    [InlineData(Query)]
    public async Task Errors_carry_the_same_codes_over_either_protocol(string protocol)
    {
        var sqs = Over(protocol);
        var url = await sqs.CreateQueueAsync(LocalAwsFixture.UniqueName($"errors-{protocol}"));

        var missing = await Assert.ThrowsAsync<SqsCallFailedException>(() => sqs.GetQueueUrlAsync("no-such-queue"));
        var tooMany = await Assert.ThrowsAsync<SqsCallFailedException>(() => sqs.ReceiveMessagesAsync(url, max: 11));
        var repeated = await Assert.ThrowsAsync<SqsCallFailedException>(() => sqs.SendMessageBatchAsync(url, [("same", "a"), ("same", "b")]));

        Assert.Equal("AWS.SimpleQueueService.NonExistentQueue", missing.Code);
        Assert.Equal("InvalidParameterValue", tooMany.Code);
        Assert.Equal("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", repeated.Code);
    }

    [Theory]
    [InlineData(Json)]
    [InlineData(Query)]
    public async Task Every_SQS_action_LocalAws_lists_is_served_over_either_protocol(string protocol)
    {
        foreach (var action in HealthFlow.LocalAws.Sqs.SqsService.Actions)
        {
            // An empty request: each action is known, so it fails only on its missing fields (or, for ListQueues, succeeds).
            using var request = new HttpRequestMessage(HttpMethod.Post, "/");
            if (protocol == Json)
            {
                request.Headers.Add("X-Amz-Target", $"AmazonSQS.{action}");
                request.Content = new StringContent("{}", Encoding.UTF8, "application/x-amz-json-1.0");
            }
            else
            {
                request.Content = new FormUrlEncodedContent([new("Action", action), new("Version", "2012-11-05")]);
            }

            using var response = await _http.SendAsync(request);
            var answer = await response.Content.ReadAsStringAsync();

            Assert.DoesNotContain("UnknownOperation", answer);
            Assert.DoesNotContain("InvalidAction", answer);
            Assert.True(response.IsSuccessStatusCode || answer.Contains("MissingParameter", StringComparison.Ordinal), $"{action} over {protocol}: {answer}");
        }
    }

    [Fact]
    public async Task Query_protocol_answers_GET_and_requests_posted_to_the_queue_url()
    {
        var name = LocalAwsFixture.UniqueName("query-url");
        var url = await Over(Query).CreateQueueAsync(name);

        var found = XDocument.Parse(await _http.GetStringAsync($"/?Action=GetQueueUrl&Version=2012-11-05&QueueName={name}"));
        using var sent = await _http.PostAsync(new Uri(url), new FormUrlEncodedContent([new("Action", "SendMessage"), new("MessageBody", "to the queue url")]));

        Assert.Equal(url, found.Root!.Element(RawQueryClient.Sqs + "GetQueueUrlResult")!.Element(RawQueryClient.Sqs + "QueueUrl")!.Value);
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        Assert.Equal("to the queue url", Assert.Single(await Over(Json).ReceiveMessagesAsync(url)).Body);
    }

    [Fact]
    public async Task Query_protocol_errors_are_an_XML_ErrorResponse()
    {
        using var response = await _http.PostAsync("/", new FormUrlEncodedContent([new("Action", "GetQueueUrl"), new("QueueName", "no-such-queue")]));
        var root = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        var error = root.Element(RawQueryClient.Sqs + "Error")!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(RawQueryClient.Sqs + "ErrorResponse", root.Name);
        Assert.Equal("Sender", error.Element(RawQueryClient.Sqs + "Type")!.Value);
        Assert.Equal("AWS.SimpleQueueService.NonExistentQueue", error.Element(RawQueryClient.Sqs + "Code")!.Value);
        Assert.Equal("The specified queue does not exist.", error.Element(RawQueryClient.Sqs + "Message")!.Value);
        Assert.Equal(response.Headers.GetValues("x-amzn-RequestId").Single(), root.Element(RawQueryClient.Sqs + "RequestId")!.Value);
        var unknown = await Assert.ThrowsAsync<SqsCallFailedException>(() => new RawQueryClient(_http).CallAsync("NoSuchAction", []));
        Assert.Equal("InvalidAction", unknown.Code);
    }
}
