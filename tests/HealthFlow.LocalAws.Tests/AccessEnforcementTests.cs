using System.Net;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.Aws.EventBridge;
using HealthTopology = HealthFlow.Aws.Topology.HealthFlowTopology;
using HealthFlow.LocalAws.Access;
using Microsoft.Extensions.DependencyInjection;
using Tables = HealthFlow.Aws.Topology.HealthFlowTopology.Tables;
using Queues = HealthFlow.Aws.Topology.HealthFlowTopology.Queues;

namespace HealthFlow.LocalAws.Tests;

/// <summary>
/// LocalAws enforces HealthFlowAccess (DESIGN.md section 4): each service signs with its own access key id and
/// may do exactly what its task role may do on AWS, the dynamodb:LeadingKeys and dynamodb:Attributes conditions
/// included. Refusals come back in AWS's shape, naming the service, the action and the resource.
/// </summary>
public sealed class AccessEnforcementTests : IAsyncLifetime
{
    private LocalAwsServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await LocalAwsServer.StartAsync(port: 0);
        using var dynamo = DynamoDb(AccessPolicy.AdministratorKeyId);
        await DynamoDbTables.CreateActiveAsync(dynamo, new CreateTableRequest
        {
            TableName = Tables.Events.Name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new("streamId", ScalarAttributeType.S), new("version", ScalarAttributeType.N)],
            KeySchema = [new("streamId", KeyType.HASH), new("version", KeyType.RANGE)],
        });
        using var sqs = Sqs(AccessPolicy.AdministratorKeyId);
        await sqs.CreateQueueAsync(Queues.AlertEvaluation.Name);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("auth-api", "patient-1")]
    [InlineData("command-api", "observation-1")]
    [InlineData("command-api", "alert-2")]
    [InlineData("alert-worker", "alert-3")]
    public async Task A_writer_appends_to_its_own_streams(string service, string stream)
    {
        using var dynamo = DynamoDb(service);

        await dynamo.PutItemAsync(Commit(stream));
    }

    [Theory]
    [InlineData("auth-api", "observation-1")]
    [InlineData("command-api", "patient-1")]
    [InlineData("alert-worker", "patient-1")]
    [InlineData("alert-worker", "observation-1")]
    public async Task A_writer_may_not_append_to_another_services_streams(string service, string stream)
    {
        using var dynamo = DynamoDb(service);

        var denied = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => dynamo.PutItemAsync(Commit(stream)));

        AssertDenied(denied, service, "dynamodb:PutItem", "table/events");
        Assert.Contains(Denials(), d => d.Service == service && d.Action == "dynamodb:PutItem" && d.Resource == "table/events");
    }

    [Fact]
    public async Task A_writer_may_remove_any_commits_outbox_mark_and_change_nothing_else()
    {
        using var admin = DynamoDb(AccessPolicy.AdministratorKeyId);
        await admin.PutItemAsync(Commit("patient-9"));
        using var alertWorker = DynamoDb("alert-worker");
        var key = new Dictionary<string, AttributeValue> { ["streamId"] = new() { S = "patient-9" }, ["version"] = new() { N = "1" } };

        await alertWorker.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = "events",
            Key = key,
            UpdateExpression = "REMOVE #pending",
            ConditionExpression = "attribute_exists(#version)",
            ExpressionAttributeNames = new() { ["#pending"] = "pending", ["#version"] = "version" },
        });
        var rewrite = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => alertWorker.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = "events",
            Key = key,
            UpdateExpression = "SET #events = :nothing REMOVE #pending",
            ExpressionAttributeNames = new() { ["#pending"] = "pending", ["#events"] = "events" },
            ExpressionAttributeValues = new() { [":nothing"] = new() { L = [] } },
        }));

        AssertDenied(rewrite, "alert-worker", "dynamodb:UpdateItem", "table/events");
    }

    [Fact]
    public async Task Projections_read_patient_streams_but_may_not_append_or_read_observations()
    {
        using var projections = DynamoDb("projections");

        await projections.QueryAsync(StreamQuery("patient-1"));
        AssertDenied(await Assert.ThrowsAsync<AmazonDynamoDBException>(() => projections.QueryAsync(StreamQuery("observation-1"))),
            "projections", "dynamodb:Query", "table/events");
        AssertDenied(await Assert.ThrowsAsync<AmazonDynamoDBException>(() => projections.PutItemAsync(Commit("alert-1"))),
            "projections", "dynamodb:PutItem", "table/events");
    }

    [Fact]
    public async Task A_service_may_not_touch_a_queue_it_does_not_consume()
    {
        using var alertWorker = Sqs("alert-worker");
        using var queryApi = Sqs("query-api");
        var url = (await alertWorker.GetQueueUrlAsync(Queues.AlertEvaluation.Name)).QueueUrl;

        await alertWorker.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 0 });
        var denied = await Assert.ThrowsAsync<AmazonSQSException>(() => queryApi.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 0 }));

        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Contains("query-api", denied.Message, StringComparison.Ordinal);
        Assert.Contains("sqs:ReceiveMessage", denied.Message, StringComparison.Ordinal);
        Assert.Contains(":alert-evaluation", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_appenders_publish_on_the_bus()
    {
        using var projections = new EventBridgeClient(_server.BaseUrl, LocalAwsFixture.Region, new BasicAWSCredentials("projections", "local"));

        var denied = await Assert.ThrowsAsync<EventBridgeException>(() => projections.PutEventsAsync(
            [new PutEventsRequestEntry("healthflow.projections", "AlertRaised", "{}", HealthTopology.EventBusName)]));

        Assert.Equal("AccessDeniedException", denied.ErrorCode);
        Assert.Contains("events:PutEvents", denied.Message, StringComparison.Ordinal);
        Assert.Contains("event-bus/healthflow", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_access_key_is_refused_and_an_unsigned_request_too()
    {
        using var stranger = DynamoDb("AKIAUNKNOWN");
        var refused = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => stranger.QueryAsync(StreamQuery("patient-1")));
        Assert.Equal("UnrecognizedClientException", refused.ErrorCode);

        using var http = new HttpClient { BaseAddress = _server.BaseUrl };
        using var unsigned = await http.PostAsync(new Uri("/?Action=ListQueues", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
    }

    [Fact]
    public async Task Enforcement_can_be_switched_off_and_signatures_are_still_checked()
    {
        await using var open = await LocalAwsServer.StartAsync(port: 0, configure: options => options.EnforceAccess = false);
        using var projections = new AmazonSQSClient(new BasicAWSCredentials("projections", LocalAwsCredentials.ServiceSecretAccessKey),
            new AmazonSQSConfig { ServiceURL = open.ServiceUrl, AuthenticationRegion = LocalAwsFixture.Region, MaxErrorRetry = 0 });
        using var stranger = new AmazonDynamoDBClient(new BasicAWSCredentials("AKIAUNKNOWN", "x"),
            new AmazonDynamoDBConfig { ServiceURL = open.ServiceUrl, AuthenticationRegion = LocalAwsFixture.Region, MaxErrorRetry = 0 });

        // Not granted to projections, let through while enforcement is off.
        await projections.CreateQueueAsync(LocalAwsFixture.UniqueName("ungranted"));
        var refused = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => stranger.ListTablesAsync());
        Assert.Equal("UnrecognizedClientException", refused.ErrorCode);
    }

    private static void AssertDenied(AmazonServiceException denied, string service, string action, string resource)
    {
        Assert.Equal("AccessDeniedException", denied.ErrorCode);
        Assert.Equal(
            $"User: arn:aws:sts::000000000000:assumed-role/{service}/local is not authorized to perform: {action} on resource: "
            + $"arn:aws:dynamodb:{LocalAwsFixture.Region}:000000000000:{resource} because no identity-based policy allows the {action} action",
            denied.Message);
    }

    private AccessDenial[] Denials() => _server.Services.GetRequiredService<AccessPolicy>().Denials.ToArray();

    private static PutItemRequest Commit(string stream) => new()
    {
        TableName = "events",
        Item = new()
        {
            ["streamId"] = new() { S = stream },
            ["version"] = new() { N = "1" },
            ["pending"] = new() { S = "0" },
            ["events"] = new() { L = [] },
        },
    };

    private static QueryRequest StreamQuery(string stream) => new()
    {
        TableName = "events",
        KeyConditionExpression = "#stream = :stream",
        ExpressionAttributeNames = new() { ["#stream"] = "streamId" },
        ExpressionAttributeValues = new() { [":stream"] = new() { S = stream } },
    };

    private static string SecretOf(string accessKeyId) =>
        accessKeyId == LocalAwsCredentials.AdministratorKeyId ? LocalAwsCredentials.AdministratorSecretAccessKey : LocalAwsCredentials.ServiceSecretAccessKey;

    private AmazonDynamoDBClient DynamoDb(string accessKeyId) =>
        new(new BasicAWSCredentials(accessKeyId, SecretOf(accessKeyId)), new AmazonDynamoDBConfig { ServiceURL = _server.ServiceUrl, AuthenticationRegion = LocalAwsFixture.Region, MaxErrorRetry = 0 });

    private AmazonSQSClient Sqs(string accessKeyId) =>
        new(new BasicAWSCredentials(accessKeyId, SecretOf(accessKeyId)), new AmazonSQSConfig { ServiceURL = _server.ServiceUrl, AuthenticationRegion = LocalAwsFixture.Region, MaxErrorRetry = 0 });
}
