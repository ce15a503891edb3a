using System.Net;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;

namespace HealthFlow.LocalAws.Tests;

/// <summary>
/// Malformed input gets AWS's 400 naming what is wrong, never a 500, and nothing that a later answer could not carry
/// is stored: XML (the SQS query protocol) cannot hold U+0001, so SQS refuses it on the way in.
/// </summary>
[Collection(LocalAwsCollection.Name)]
public sealed class MalformedInputTests(LocalAwsFixture aws) : IDisposable
{
    private const string Json = SqsProtocolConformanceTests.Json;
    private const string Query = SqsProtocolConformanceTests.Query;

    private readonly HttpClient _http = LocalAwsFixture.AdministratorHttpClient(aws.Server.BaseUrl);

    public void Dispose() => _http.Dispose();

    [Theory]
    [InlineData(Json, "a\u0001b", "String")]
    [InlineData(Query, "a\u0001b", "String")]
    [InlineData(Json, "\uFFFE", "String")]
    [InlineData(Json, "ok", "String.\u0008label")]
    public async Task A_message_attribute_with_a_character_SQS_forbids_is_refused_naming_it_and_nothing_is_stored(string protocol, string value, string dataType)
    {
        var url = (await aws.Sqs.CreateQueueAsync(LocalAwsFixture.UniqueName("bad-attribute"))).QueueUrl;
        SqsWireClient sqs = protocol == Json ? new SdkJsonClient(aws.Sqs) : new RawQueryClient(_http);

        var refused = await Assert.ThrowsAsync<SqsCallFailedException>(() =>
            sqs.SendMessageAsync(url, "body", new() { ["hf.note"] = new WireAttribute(dataType, value) }));

        Assert.Equal("InvalidParameterValue", refused.Code);
        Assert.Contains("hf.note", refused.Message, StringComparison.Ordinal);
        // The query protocol, which answers in XML, still receives: there is nothing it could not write.
        Assert.Empty(await new RawQueryClient(_http).ReceiveMessagesAsync(url, max: 10));
        Assert.Equal(0, (await aws.Sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessagesNotVisible"])).ApproximateNumberOfMessagesNotVisible);
    }

    [Fact]
    public async Task A_batch_entry_with_a_forbidden_attribute_character_fails_alone_over_JSON()
    {
        var url = (await aws.Sqs.CreateQueueAsync(LocalAwsFixture.UniqueName("bad-batch"))).QueueUrl;

        var result = await aws.Sqs.SendMessageBatchAsync(new SendMessageBatchRequest
        {
            QueueUrl = url,
            Entries =
            [
                new SendMessageBatchRequestEntry("good", "fine"),
                new SendMessageBatchRequestEntry("bad", "fine")
                {
                    MessageAttributes = new() { ["hf.note"] = new MessageAttributeValue { DataType = "String", StringValue = "a\u0001b" } },
                },
            ],
        });

        Assert.Equal("good", Assert.Single(result.Successful).Id);
        var failed = Assert.Single(result.Failed);
        Assert.Equal(("bad", "InvalidParameterValue"), (failed.Id, failed.Code));
        Assert.Contains("hf.note", failed.Message, StringComparison.Ordinal);
        Assert.Equal("fine", Assert.Single(await new RawQueryClient(_http).ReceiveMessagesAsync(url, max: 10)).Body);
    }

    [Fact]
    public async Task A_batch_entry_with_a_forbidden_attribute_character_fails_alone_over_the_query_protocol()
    {
        var url = (await aws.Sqs.CreateQueueAsync(LocalAwsFixture.UniqueName("bad-batch-query"))).QueueUrl;

        var result = await new RawQueryClient(_http).CallAsync("SendMessageBatch",
        [
            ("QueueUrl", url),
            ("SendMessageBatchRequestEntry.1.Id", "good"), ("SendMessageBatchRequestEntry.1.MessageBody", "fine"),
            ("SendMessageBatchRequestEntry.2.Id", "bad"), ("SendMessageBatchRequestEntry.2.MessageBody", "fine"),
            ("SendMessageBatchRequestEntry.2.MessageAttribute.1.Name", "hf.note"),
            ("SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType", "String"),
            ("SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue", "a\u0001b"),
        ]);

        var failure = Assert.Single(result.Elements(RawQueryClient.Sqs + "BatchResultErrorEntry"));
        Assert.Equal("bad", failure.Element(RawQueryClient.Sqs + "Id")!.Value);
        Assert.Equal("InvalidParameterValue", failure.Element(RawQueryClient.Sqs + "Code")!.Value);
        Assert.Equal("fine", Assert.Single(await new RawQueryClient(_http).ReceiveMessagesAsync(url, max: 10)).Body);
    }

    [Fact]
    public async Task A_query_protocol_error_that_echoes_a_forbidden_character_is_still_a_400()
    {
        var url = (await aws.Sqs.CreateQueueAsync(LocalAwsFixture.UniqueName("echo"))).QueueUrl;

        var refused = await Assert.ThrowsAsync<SqsCallFailedException>(() => new RawQueryClient(_http).CallAsync("SendMessageBatch",
            [("QueueUrl", url), ("SendMessageBatchRequestEntry.1.Id", "id\u0001"), ("SendMessageBatchRequestEntry.1.MessageBody", "x")]));

        Assert.Equal("AWS.SimpleQueueService.InvalidBatchEntryId", refused.Code);
    }

    [Fact]
    public async Task A_queue_attribute_with_a_forbidden_character_is_refused_so_the_query_protocol_can_still_list_attributes()
    {
        var url = (await aws.Sqs.CreateQueueAsync(LocalAwsFixture.UniqueName("bad-policy"))).QueueUrl;

        var refused = await Assert.ThrowsAsync<InvalidAttributeValueException>(() =>
            aws.Sqs.SetQueueAttributesAsync(url, new Dictionary<string, string> { ["Policy"] = "{\"Version\":\"2012-10-17\u0001\"}" }));
        var attributes = await new RawQueryClient(_http).GetQueueAttributesAsync(url);

        Assert.Equal("InvalidAttributeValue", refused.ErrorCode);
        Assert.Contains("Policy", refused.Message, StringComparison.Ordinal);
        Assert.False(attributes.ContainsKey("Policy"));
    }

    [Fact]
    public async Task A_BatchWriteItem_entry_with_neither_put_nor_delete_is_a_ValidationException_for_a_service()
    {
        using var commandApi = CommandApi();

        var refused = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => commandApi.BatchWriteItemAsync(new BatchWriteItemRequest
        {
            RequestItems = new() { ["events"] = [new WriteRequest()] },
        }));

        Assert.Equal("ValidationException", refused.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Theory]
    [InlineData("BatchWriteItem", """{"RequestItems":{"events":[{"PutRequest":{}}]}}""", "ValidationException")]
    [InlineData("BatchWriteItem", """{"RequestItems":{"events":[{"DeleteRequest":{"Key":{}},"PutRequest":{"Item":{}}}]}}""", "ValidationException")]
    [InlineData("BatchWriteItem", """{"RequestItems":{"events":{"PutRequest":{}}}}""", "SerializationException")]
    [InlineData("BatchWriteItem", """{"RequestItems":{"events":["x"]}}""", "SerializationException")]
    [InlineData("BatchGetItem", """{"RequestItems":{"events":{"Keys":"x"}}}""", "SerializationException")]
    [InlineData("BatchGetItem", """{"RequestItems":{"events":[]}}""", "SerializationException")]
    [InlineData("BatchGetItem", """{"RequestItems":{"events":{"Keys":["x"]}}}""", "SerializationException")]
    [InlineData("PutItem", """{"TableName":"events","Item":{"streamId":{"S":1}}}""", "SerializationException")]
    [InlineData("Query", """{"TableName":"events","KeyConditionExpression":"#s = :s","ExpressionAttributeNames":{"#s":1}}""", "SerializationException")]
    [InlineData("Query", """{"TableName":"events","KeyConditionExpression":"streamId = :s","ExpressionAttributeValues":[]}""", "SerializationException")]
    [InlineData("Query", """{"TableName":"events","KeyConditions":{"streamId":{"AttributeValueList":{}}}}""", "SerializationException")]
    [InlineData("Query", """{"TableName":"events","KeyConditionExpression":"#s = :s","ExpressionAttributeNames":{"#s":"a","#s":"b"}}""", "ValidationException")]
    public async Task A_malformed_DynamoDB_request_from_a_service_is_a_400(string operation, string body, string error)
    {
        using var http = new HttpClient(new Amazon.Runtime.Signing.SigV4SigningHandler(
            new BasicAWSCredentials("command-api", LocalAwsCredentials.ServiceSecretAccessKey), Amazon.RegionEndpoint.USEast1, "dynamodb", new SocketsHttpHandler()))
        {
            BaseAddress = aws.Server.BaseUrl,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.0");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "DynamoDB_20120810." + operation);

        using var response = await http.SendAsync(request);
        var answer = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(error, answer, StringComparison.Ordinal);
    }

    private AmazonDynamoDBClient CommandApi() => new(
        new BasicAWSCredentials("command-api", LocalAwsCredentials.ServiceSecretAccessKey),
        new AmazonDynamoDBConfig { ServiceURL = aws.Server.ServiceUrl, AuthenticationRegion = LocalAwsFixture.Region, MaxErrorRetry = 0 });
}
