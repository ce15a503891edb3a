using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.LocalAws.DynamoDb;
using SqsQueueStore = HealthFlow.LocalAws.Sqs.SqsQueueStore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthFlow.LocalAws.Tests;

/// <summary>Starting and stopping whole LocalAws instances (not the shared fixture).</summary>
public sealed class LocalAwsLifecycleTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "localaws-test-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task DynamoDB_data_survives_a_restart_when_a_data_directory_is_set()
    {
        // Tables take a moment to become ACTIVE, as on AWS: the write must wait for it, however loaded the machine.
        await using (var first = await LocalAwsServer.StartAsync(port: 0, dataDirectory: _dataDirectory,
            configure: options => options.TableActivationDelay = TimeSpan.FromSeconds(1)))
        {
            using var dynamoDb = Client(first);
            await DynamoDbTables.CreateActiveAsync(dynamoDb, new CreateTableRequest
            {
                TableName = "users",
                BillingMode = BillingMode.PAY_PER_REQUEST,
                AttributeDefinitions = [new AttributeDefinition("username", ScalarAttributeType.S)],
                KeySchema = [new KeySchemaElement("username", KeyType.HASH)],
            });
            await dynamoDb.PutItemAsync("users", new() { ["username"] = new AttributeValue { S = "clinician1" } });
        }

        await using var second = await LocalAwsServer.StartAsync(port: 0, dataDirectory: _dataDirectory);
        using var reopened = Client(second);
        var item = await reopened.GetItemAsync("users", new() { ["username"] = new AttributeValue { S = "clinician1" } });

        Assert.True(item.IsItemSet);
    }

    [Fact]
    public async Task Stopping_LocalAws_stops_dynalite()
    {
        var server = await LocalAwsServer.StartAsync(port: 0);
        int pid = server.Services.GetRequiredService<DynaliteProcess>().ProcessId!.Value;
        using var dynalite = Process.GetProcessById(pid);

        await server.DisposeAsync();

        Assert.True(dynalite.WaitForExit(TimeSpan.FromSeconds(10)), "dynalite kept running after LocalAws stopped.");
    }

    [Fact]
    public async Task Stopping_LocalAws_ends_parked_long_polls_at_once()
    {
        var server = await LocalAwsServer.StartAsync(port: 0);
        using var sqs = new AmazonSQSClient(new BasicAWSCredentials("test", "test"), new AmazonSQSConfig { ServiceURL = server.ServiceUrl, AuthenticationRegion = "us-east-1" });
        var url = (await sqs.CreateQueueAsync("parked")).QueueUrl;
        Assert.True(server.Services.GetRequiredService<SqsQueueStore>().TryGet("parked", out var queue));
        var receive = sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 20 });
        await Wait.UntilAsync(() => queue.Waiters > 0, TimeSpan.FromSeconds(5), "the receive is parked");
        var clock = Stopwatch.StartNew();

        await server.DisposeAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"Stopping took {clock.Elapsed} with a long poll in flight.");
        var response = await receive;
        Assert.True(response.Messages is null or { Count: 0 });
    }

    private static AmazonDynamoDBClient Client(LocalAwsServer server) =>
        new(new BasicAWSCredentials("test", "test"), new AmazonDynamoDBConfig { ServiceURL = server.ServiceUrl, AuthenticationRegion = "us-east-1" });

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
            Directory.Delete(_dataDirectory, recursive: true);
    }
}
