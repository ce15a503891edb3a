using System.Net;
using System.Text;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlowAccess = HealthFlow.Topology.HealthFlowAccess;
using HealthFlowTopology = HealthFlow.Topology.HealthFlowTopology;

namespace HealthFlow.LocalAws.Tests;

/// <summary>
/// LocalAws takes a caller for who it signs as only when the SigV4 signature is right, and only from this machine:
/// a web page the developer visits must not be able to drive it, neither by a cross-origin request nor by DNS rebinding.
/// </summary>
[Collection(LocalAwsCollection.Name)]
public sealed class RequestAuthenticationTests(LocalAwsFixture aws)
{
    [Fact]
    public async Task An_unsigned_request_is_refused()
    {
        using var http = new HttpClient { BaseAddress = aws.Server.BaseUrl };
        using var request = JsonRequest("AmazonSQS.ListQueues", "{}", "application/x-amz-json-1.0");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("MissingAuthenticationToken", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_SQS_request_signed_with_the_wrong_secret_is_refused_with_SignatureDoesNotMatch()
    {
        using var sqs = new AmazonSQSClient(new BasicAWSCredentials("test", "not-the-secret"), SqsConfig());

        var refused = await Assert.ThrowsAsync<AmazonSQSException>(() => sqs.CreateQueueAsync(LocalAwsFixture.UniqueName("forged")));

        Assert.Equal("SignatureDoesNotMatch", refused.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Null((await aws.Sqs.ListQueuesAsync("forged")).QueueUrls);
    }

    [Fact]
    public async Task A_DynamoDB_request_signed_with_the_wrong_secret_is_refused_before_dynalite_sees_it()
    {
        var table = LocalAwsFixture.UniqueName("forged");
        using var dynamoDb = new AmazonDynamoDBClient(new BasicAWSCredentials("test", "not-the-secret"), DynamoDbConfig());

        var refused = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => dynamoDb.CreateTableAsync(new CreateTableRequest
        {
            TableName = table,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new AttributeDefinition("id", ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement("id", KeyType.HASH)],
        }));

        Assert.Equal("InvalidSignatureException", refused.ErrorCode);
        Assert.DoesNotContain(table, (await aws.DynamoDb.ListTablesAsync()).TableNames ?? []);
    }

    [Fact]
    public async Task A_service_signing_with_the_administrators_secret_is_refused_and_with_its_own_accepted()
    {
        using var wrong = new AmazonSQSClient(new BasicAWSCredentials("projections", "test"), SqsConfig());
        using var right = new AmazonSQSClient(new BasicAWSCredentials("projections", LocalAwsCredentials.ServiceSecretAccessKey), SqsConfig());
        var url = (await aws.Sqs.CreateQueueAsync(HealthFlowTopology.Queues.PatientProjection.Name)).QueueUrl;

        var refused = await Assert.ThrowsAsync<AmazonSQSException>(() => wrong.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 0 }));
        var received = await right.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 0 });

        Assert.Equal("SignatureDoesNotMatch", refused.ErrorCode);
        Assert.Equal(HttpStatusCode.OK, received.HttpStatusCode);
    }

    [Fact]
    public async Task A_body_changed_after_it_was_signed_is_refused_and_nothing_is_sent()
    {
        var url = (await aws.Sqs.CreateQueueAsync(LocalAwsFixture.UniqueName("tampered"))).QueueUrl;
        using var http = new HttpClient(new SigV4SigningHandler(Administrator, RegionEndpoint.USEast1, "sqs", new SwapBody(
            Encoding.UTF8.GetBytes($$"""{"QueueUrl":"{{url}}","MessageBody":"what the attacker wrote"}"""))))
        {
            BaseAddress = aws.Server.BaseUrl,
        };
        using var request = JsonRequest("AmazonSQS.SendMessage", $$"""{"QueueUrl":"{{url}}","MessageBody":"what was signed"}""", "application/x-amz-json-1.0");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("SignatureDoesNotMatch", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, (await aws.Sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages"])).ApproximateNumberOfMessages);
    }

    [Theory]
    [InlineData("Origin", "http://evil.example")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData(null, null)]
    public async Task A_cross_origin_GET_cannot_purge_a_queue(string? header, string? value)
    {
        var url = await QueueWithMessagesAsync("purge-target");
        using var http = new HttpClient { BaseAddress = aws.Server.BaseUrl };
        // What an <img src="http://localhost:4566/?Action=PurgeQueue…"> on any web page makes the browser send.
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"/?Action=PurgeQueue&QueueUrl={Uri.EscapeDataString(url)}&X-Amz-Credential=test%2F20260101%2Fus-east-1%2Fsqs%2Faws4_request");
        if (header is not null)
            request.Headers.TryAddWithoutValidation(header, value);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(3, (await aws.Sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages"])).ApproximateNumberOfMessages);
    }

    [Fact]
    public async Task A_correctly_presigned_URL_is_refused_because_any_page_can_sign_with_the_public_test_key()
    {
        var url = await QueueWithMessagesAsync("presigned-target");
        var presigned = AWSSigV4Signer.Presign(
            new AWSSigningRequest
            {
                HttpMethod = HttpMethod.Get,
                RequestUri = new Uri(aws.Server.BaseUrl, $"/?Action=PurgeQueue&QueueUrl={Uri.EscapeDataString(url)}"),
            },
            new AWSSigV4Parameters { Credentials = Administrator, Region = RegionEndpoint.USEast1, Service = "sqs" },
            TimeSpan.FromMinutes(5));
        using var http = new HttpClient();

        using var response = await http.GetAsync(presigned.Uri);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(3, (await aws.Sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages"])).ApproximateNumberOfMessages);
    }

    [Fact]
    public async Task A_signed_request_from_a_web_page_elsewhere_is_refused()
    {
        var url = await QueueWithMessagesAsync("origin-target");
        using var http = SignedHttpClient("sqs");
        using var request = JsonRequest("AmazonSQS.PurgeQueue", $$"""{"QueueUrl":"{{url}}"}""", "application/x-amz-json-1.0");
        request.Headers.TryAddWithoutValidation("Origin", "https://evil.example");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Origin", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(3, (await aws.Sqs.GetQueueAttributesAsync(url, ["ApproximateNumberOfMessages"])).ApproximateNumberOfMessages);
    }

    [Theory]
    [InlineData("/", "DynamoDB_20120810.ListTables")]
    [InlineData("/_localaws/access", null)]
    [InlineData("/health", null)]
    public async Task A_request_naming_another_host_is_refused_so_DNS_rebinding_exposes_nothing(string path, string? target)
    {
        using var http = SignedHttpClient("dynamodb");
        using var request = target is null
            ? new HttpRequestMessage(HttpMethod.Get, path)
            : JsonRequest(target, "{}", "application/x-amz-json-1.0");
        // A page on evil.example whose name now resolves to 127.0.0.1: same-origin for the browser, Host says whose it is.
        request.Headers.Host = $"evil.example:{aws.Server.BaseUrl.Port}";

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Host", body, StringComparison.Ordinal);
        Assert.DoesNotContain("TableNames", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    public async Task Loopback_names_and_addresses_are_local(string host)
    {
        using var http = SignedHttpClient("dynamodb");
        using var request = JsonRequest("DynamoDB_20120810.ListTables", "{}", "application/x-amz-json-1.0");
        request.Headers.Host = $"{host}:{aws.Server.BaseUrl.Port}";
        request.Headers.TryAddWithoutValidation("Origin", $"http://{host}:5173");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Every_service_signs_with_the_secret_the_AppHost_gives_it()
    {
        Assert.NotEmpty(HealthFlowAccess.All);
        foreach (var service in HealthFlowAccess.All)
        {
            using var sqs = new AmazonSQSClient(new BasicAWSCredentials(service.AccessKeyId, LocalAwsCredentials.ServiceSecretAccessKey), SqsConfig());

            // Allowed or denied by its access declaration, but never refused as unauthenticated.
            var outcome = await Record.ExceptionAsync(() => sqs.GetQueueUrlAsync(HealthFlowTopology.Queues.AlertEvaluation.Name));

            Assert.True(outcome is null or AmazonSQSException { ErrorCode: "AccessDenied" or "AWS.SimpleQueueService.NonExistentQueue" },
                $"{service.AccessKeyId}: {outcome}");
        }
    }

    private static readonly BasicAWSCredentials Administrator = new(LocalAwsCredentials.AdministratorKeyId, LocalAwsCredentials.AdministratorSecretAccessKey);

    private AmazonSQSConfig SqsConfig() => new() { ServiceURL = aws.Server.ServiceUrl, AuthenticationRegion = LocalAwsFixture.Region, MaxErrorRetry = 0 };

    private AmazonDynamoDBConfig DynamoDbConfig() => new() { ServiceURL = aws.Server.ServiceUrl, AuthenticationRegion = LocalAwsFixture.Region, MaxErrorRetry = 0 };

    private HttpClient SignedHttpClient(string service) =>
        new(new SigV4SigningHandler(Administrator, RegionEndpoint.USEast1, service, new SocketsHttpHandler())) { BaseAddress = aws.Server.BaseUrl };

    private async Task<string> QueueWithMessagesAsync(string prefix)
    {
        var url = (await aws.Sqs.CreateQueueAsync(LocalAwsFixture.UniqueName(prefix))).QueueUrl;
        for (int i = 0; i < 3; i++)
            await aws.Sqs.SendMessageAsync(url, $"message {i}");
        return url;
    }

    private static HttpRequestMessage JsonRequest(string target, string body, string contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        return request;
    }

    /// <summary>Replaces the body of a request after it was signed, as a man in the middle would.</summary>
    private sealed class SwapBody(byte[] replacement) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = request.Content!.Headers.ToList();
            request.Content = new ByteArrayContent(replacement);
            foreach (var (name, values) in headers.Where(h => h.Key != "Content-Length"))
                request.Content.Headers.TryAddWithoutValidation(name, values);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
