using System.Net;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.EventBridge;
using HealthFlow.EventStore;
using HealthFlow.LocalAws.Access;
using Microsoft.Extensions.DependencyInjection;
using HealthTopology = HealthFlow.Topology.HealthFlowTopology;
using Tables = HealthFlow.Topology.HealthFlowTopology.Tables;
using Queues = HealthFlow.Topology.HealthFlowTopology.Queues;

namespace HealthFlow.LocalAws.Tests;

/// <summary>
/// LocalAws enforces HealthFlowAccess: each service signs with its own access key id and
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
            AttributeDefinitions =
            [
                new("streamId", ScalarAttributeType.S), new("version", ScalarAttributeType.N),
                new("pending", ScalarAttributeType.S), new("committedAt", ScalarAttributeType.S),
            ],
            KeySchema = [new("streamId", KeyType.HASH), new("version", KeyType.RANGE)],
            GlobalSecondaryIndexes =
            [
                new()
                {
                    IndexName = "outbox",
                    KeySchema = [new("pending", KeyType.HASH), new("committedAt", KeyType.RANGE)],
                    Projection = new Projection { ProjectionType = ProjectionType.ALL },
                },
            ],
        });
        using var sqs = Sqs(AccessPolicy.AdministratorKeyId);
        await sqs.CreateQueueAsync(Queues.AlertEvaluation.Name);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("auth-api", "patient-1")]
    [InlineData("command-api", "observation-1")]
    [InlineData("command-api", "alert-2")]
    [InlineData("command-api", "patient-2")]
    [InlineData("alert-worker", "alert-3")]
    public async Task A_writer_appends_to_its_own_streams(string service, string stream)
    {
        using var dynamo = DynamoDb(service);

        await dynamo.PutItemAsync(Commit(stream));
    }

    [Theory]
    [InlineData("auth-api", "observation-1")]
    [InlineData("query-api", "patient-1")]
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
    public async Task A_writer_may_remove_the_outbox_mark_of_its_own_commits_and_change_nothing_else()
    {
        using var admin = DynamoDb(AccessPolicy.AdministratorKeyId);
        await admin.PutItemAsync(Commit("alert-9"));
        using var alertWorker = DynamoDb("alert-worker");

        await alertWorker.UpdateItemAsync(ClearMark("alert-9"));
        var rewrite = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => alertWorker.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = "events",
            Key = CommitKey("alert-9"),
            UpdateExpression = "SET #events = :nothing REMOVE #pending",
            ExpressionAttributeNames = new() { ["#pending"] = "pending", ["#events"] = "events" },
            ExpressionAttributeValues = new() { [":nothing"] = new() { L = [] } },
        }));

        AssertDenied(rewrite, "alert-worker", "dynamodb:UpdateItem", "table/events");
        Assert.False((await admin.GetItemAsync("events", CommitKey("alert-9"))).Item.ContainsKey("pending"));
    }

    [Theory]
    [InlineData("alert-worker", "patient-9")]
    [InlineData("auth-api", "observation-9")]
    [InlineData("query-api", "alert-9")]
    [InlineData("query-api", "patient-9")]
    public async Task A_writer_may_not_touch_the_outbox_mark_of_another_services_commit(string service, string stream)
    {
        using var admin = DynamoDb(AccessPolicy.AdministratorKeyId);
        await admin.PutItemAsync(Commit(stream));
        using var writer = DynamoDb(service);

        // Removing it would keep an unpublished commit from ever being published; setting it forces a republish.
        AssertDenied(await Assert.ThrowsAsync<AmazonDynamoDBException>(() => writer.UpdateItemAsync(ClearMark(stream))),
            service, "dynamodb:UpdateItem", "table/events");
        AssertDenied(await Assert.ThrowsAsync<AmazonDynamoDBException>(() => writer.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = "events",
            Key = CommitKey(stream),
            UpdateExpression = "SET #pending = :shard",
            ExpressionAttributeNames = new() { ["#pending"] = "pending" },
            ExpressionAttributeValues = new() { [":shard"] = new() { S = "1" } },
        })), service, "dynamodb:UpdateItem", "table/events");
        Assert.Equal("0", (await admin.GetItemAsync("events", CommitKey(stream))).Item["pending"].S);
    }

    [Fact]
    public async Task A_writer_may_not_plant_a_stub_commit_that_blocks_another_services_stream()
    {
        using var authApi = DynamoDb("auth-api");

        AssertDenied(await Assert.ThrowsAsync<AmazonDynamoDBException>(() => authApi.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = "events",
            Key = CommitKey("observation-stub"),
            UpdateExpression = "SET #pending = :shard",
            ExpressionAttributeNames = new() { ["#pending"] = "pending" },
            ExpressionAttributeValues = new() { [":shard"] = new() { S = "0" } },
        })), "auth-api", "dynamodb:UpdateItem", "table/events");

        using var commandApi = DynamoDb("command-api");
        await commandApi.PutItemAsync(Commit("observation-stub"));
    }

    [Theory]
    [InlineData("ALL_OLD")]
    [InlineData("ALL_NEW")]
    [InlineData("UPDATED_OLD")]
    [InlineData("UPDATED_NEW")]
    public async Task A_write_may_not_hand_back_the_commit_it_touched(string returnValues)
    {
        using var admin = DynamoDb(AccessPolicy.AdministratorKeyId);
        await admin.PutItemAsync(Commit("alert-10"));
        using var alertWorker = DynamoDb("alert-worker");
        var clear = ClearMark("alert-10");
        clear.ReturnValues = returnValues;

        AssertDenied(await Assert.ThrowsAsync<AmazonDynamoDBException>(() => alertWorker.UpdateItemAsync(clear)),
            "alert-worker", "dynamodb:UpdateItem", "table/events");
        if (returnValues == "ALL_OLD")
        {
            var put = Commit("alert-11");
            put.ReturnValues = returnValues;
            AssertDenied(await Assert.ThrowsAsync<AmazonDynamoDBException>(() => alertWorker.PutItemAsync(put)),
                "alert-worker", "dynamodb:PutItem", "table/events");
        }

        clear.ReturnValues = "NONE";
        await alertWorker.UpdateItemAsync(clear);
    }

    [Fact]
    public async Task A_relay_may_list_and_count_the_outbox_keys_but_not_read_another_services_commit_through_the_index()
    {
        using var admin = DynamoDb(AccessPolicy.AdministratorKeyId);
        var observation = Commit("observation-outbox");
        observation.Item["committedAt"] = new() { S = "2026-01-01T00:00:00.0000000Z" };
        observation.Item["events"] = new() { L = [new() { M = new() { ["data"] = new() { S = "{\"heartRate\":180}" } } }] };
        await admin.PutItemAsync(observation);
        using var authApi = DynamoDb("auth-api");
        QueryRequest Shard(string? select, string? projection = null) => new()
        {
            TableName = "events",
            IndexName = "outbox",
            KeyConditionExpression = "#pending = :shard",
            ExpressionAttributeNames = projection is null ? new() { ["#pending"] = "pending" } : new() { ["#pending"] = "pending", ["#p"] = projection },
            ExpressionAttributeValues = new() { [":shard"] = new() { S = "0" } },
            Select = select is null ? null : new Select(select),
            ProjectionExpression = projection is null ? null : "#p",
        };

        Assert.Contains((await authApi.QueryAsync(Shard("SPECIFIC_ATTRIBUTES", "streamId"))).Items, i => i["streamId"].S == "observation-outbox");
        Assert.True((await authApi.QueryAsync(Shard("COUNT"))).Count >= 1);
        foreach (var leak in new[] { Shard(null), Shard("ALL_ATTRIBUTES"), Shard("ALL_PROJECTED_ATTRIBUTES"), Shard("SPECIFIC_ATTRIBUTES", "events") })
        {
            AssertDenied(await Assert.ThrowsAsync<AmazonDynamoDBException>(() => authApi.QueryAsync(leak)),
                "auth-api", "dynamodb:Query", "table/events/index/outbox");
        }
    }

    [Fact]
    public async Task The_audit_trail_may_be_put_by_projections_without_reading_back_a_record()
    {
        using var admin = DynamoDb(AccessPolicy.AdministratorKeyId);
        await DynamoDbTables.CreateActiveAsync(admin, new CreateTableRequest
        {
            TableName = Tables.Audit.Name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new("recordId", ScalarAttributeType.S)],
            KeySchema = [new("recordId", KeyType.HASH)],
        });
        using var projections = DynamoDb("projections");
        PutItemRequest Record(string returnValues) => new()
        {
            TableName = Tables.Audit.Name,
            Item = new() { ["recordId"] = new() { S = "r-1" }, ["actor"] = new() { S = "clinician1" } },
            ReturnValues = returnValues,
        };

        await projections.PutItemAsync(Record("NONE"));
        AssertDenied(await Assert.ThrowsAsync<AmazonDynamoDBException>(() => projections.PutItemAsync(Record("ALL_OLD"))),
            "projections", "dynamodb:PutItem", "table/audit");
        AssertDenied(await Assert.ThrowsAsync<AmazonDynamoDBException>(() => projections.DeleteItemAsync(Tables.Audit.Name, new() { ["recordId"] = new() { S = "r-1" } })),
            "projections", "dynamodb:DeleteItem", "table/audit");
    }

    [Fact]
    public async Task A_relay_may_take_and_give_up_only_its_own_services_leases()
    {
        using var admin = DynamoDb(AccessPolicy.AdministratorKeyId);
        await DynamoDbTables.CreateActiveAsync(admin, new CreateTableRequest
        {
            TableName = Tables.Leases.Name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new("name", ScalarAttributeType.S)],
            KeySchema = [new("name", KeyType.HASH)],
        });
        using var commandApi = DynamoDb("command-api");
        var own = new Leases(commandApi, TimeProvider.System);
        var stolen = new Leases(commandApi, TimeProvider.System);

        Assert.True(await own.TryAcquireAsync("outbox/command-api/shard-0", TimeSpan.FromSeconds(5), CancellationToken.None));
        await own.ReleaseAsync("outbox/command-api/shard-0", CancellationToken.None);
        // Holding alert-worker's leases would stop its relay: its stranded alerts would never be published.
        AssertDenied(await Assert.ThrowsAsync<AmazonDynamoDBException>(() => stolen.TryAcquireAsync("outbox/alert-worker/shard-0", TimeSpan.FromHours(1), CancellationToken.None)),
            "command-api", "dynamodb:UpdateItem", "table/leases");
        AssertDenied(await Assert.ThrowsAsync<AmazonDynamoDBException>(() => stolen.TryAcquireAsync("outbox-shard-0", TimeSpan.FromHours(1), CancellationToken.None)),
            "command-api", "dynamodb:UpdateItem", "table/leases");
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
    public async Task Projections_may_not_read_an_observation_stream_by_writing_the_key_condition_the_other_way_round()
    {
        using var admin = DynamoDb(AccessPolicy.AdministratorKeyId);
        await admin.PutItemAsync(Commit("observation-7"));
        using var projections = DynamoDb("projections");
        QueryRequest Reversed(string stream) => new()
        {
            TableName = "events",
            KeyConditionExpression = ":stream = streamId",
            ExpressionAttributeValues = new() { [":stream"] = new() { S = stream } },
        };

        await projections.QueryAsync(Reversed("patient-1"));
        AssertDenied(await Assert.ThrowsAsync<AmazonDynamoDBException>(() => projections.QueryAsync(Reversed("observation-7"))),
            "projections", "dynamodb:Query", "table/events");
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

    private static Dictionary<string, AttributeValue> CommitKey(string stream) =>
        new() { ["streamId"] = new() { S = stream }, ["version"] = new() { N = "1" } };

    /// <summary>What OutboxMarks sends once a commit is published.</summary>
    private static UpdateItemRequest ClearMark(string stream) => new()
    {
        TableName = "events",
        Key = CommitKey(stream),
        UpdateExpression = "REMOVE #pending",
        ConditionExpression = "attribute_exists(#version)",
        ExpressionAttributeNames = new() { ["#pending"] = "pending", ["#version"] = "version" },
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
