using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.SQS;
using HealthFlow.EventBridge;
using HealthFlow.Provisioning;
using HealthFlow.Topology;
using Microsoft.Extensions.Logging.Abstractions;
using DynamoKeyType = Amazon.DynamoDBv2.KeyType;

namespace HealthFlow.LocalAws.Tests;

/// <summary>
/// CreateTable answers while the table is still CREATING; a write before it is ACTIVE fails with
/// ResourceNotFoundException, on AWS for seconds and in dynalite for a moment. Whoever creates a table waits.
/// </summary>
public sealed class TableActivationTests
{
    private static readonly BasicAWSCredentials Administrator = new(LocalAwsCredentials.AdministratorKeyId, LocalAwsCredentials.AdministratorSecretAccessKey);

    [Fact]
    public async Task A_write_right_after_CreateTable_is_refused_and_one_after_waiting_for_ACTIVE_lands()
    {
        await using var server = await LocalAwsServer.StartAsync(port: 0, configure: options => options.TableActivationDelay = TimeSpan.FromSeconds(2));
        using var dynamoDb = DynamoDb(server);
        var item = new Dictionary<string, AttributeValue> { ["id"] = new() { S = "first" } };

        await dynamoDb.CreateTableAsync(UsersTable());
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => dynamoDb.PutItemAsync("users", item));
        await TopologyProvisioner.WaitUntilActiveAsync(dynamoDb, "users", TimeSpan.FromMinutes(1));
        await dynamoDb.PutItemAsync("users", item);

        Assert.True((await dynamoDb.GetItemAsync("users", item)).IsItemSet);
    }

    [Fact]
    public async Task Provisioning_waits_until_every_table_is_ACTIVE_so_the_first_write_lands()
    {
        await using var server = await LocalAwsServer.StartAsync(port: 0, configure: options => options.TableActivationDelay = TimeSpan.FromSeconds(1));
        using var dynamoDb = DynamoDb(server);
        var provisioner = Provisioner(server, dynamoDb, activeWithin: TimeSpan.FromMinutes(1));
        var table = HealthFlowTopology.Tables.All[0];

        await provisioner.EnsureTableAsync(table);
        await dynamoDb.PutItemAsync(table.Name, Key(table));

        Assert.Equal(TableStatus.ACTIVE, (await dynamoDb.DescribeTableAsync(table.Name)).Table.TableStatus);
    }

    [Fact]
    public async Task Provisioning_gives_up_with_an_error_naming_the_table_and_its_status_when_it_stays_CREATING()
    {
        await using var server = await LocalAwsServer.StartAsync(port: 0, configure: options => options.TableActivationDelay = TimeSpan.FromHours(1));
        using var dynamoDb = DynamoDb(server);
        var provisioner = Provisioner(server, dynamoDb, activeWithin: TimeSpan.FromSeconds(2));
        var table = HealthFlowTopology.Tables.All[0];

        var error = await Assert.ThrowsAsync<TimeoutException>(() => provisioner.EnsureTableAsync(table));

        Assert.Contains($"Table {table.Name} did not become ACTIVE", error.Message, StringComparison.Ordinal);
        Assert.Contains("CREATING", error.Message, StringComparison.Ordinal);
    }

    private static CreateTableRequest UsersTable() => new()
    {
        TableName = "users",
        BillingMode = BillingMode.PAY_PER_REQUEST,
        AttributeDefinitions = [new AttributeDefinition("id", ScalarAttributeType.S)],
        KeySchema = [new KeySchemaElement("id", DynamoKeyType.HASH)],
    };

    private static Dictionary<string, AttributeValue> Key(TableDefinition table)
    {
        var item = new Dictionary<string, AttributeValue> { [table.PartitionKey.Name] = Value(table.PartitionKey) };
        if (table.SortKey is { } sortKey)
            item[sortKey.Name] = Value(sortKey);
        return item;
    }

    private static AttributeValue Value(KeyAttribute key) => key.Type == HealthFlow.Topology.KeyType.Number ? new() { N = "1" } : new() { S = "1" };

    private static AmazonDynamoDBClient DynamoDb(LocalAwsServer server) =>
        new(Administrator, new AmazonDynamoDBConfig { ServiceURL = server.ServiceUrl, AuthenticationRegion = LocalAwsFixture.Region });

    private static TopologyProvisioner Provisioner(LocalAwsServer server, IAmazonDynamoDB dynamoDb, TimeSpan activeWithin) =>
        new(dynamoDb,
            new AmazonSQSClient(Administrator, new AmazonSQSConfig { ServiceURL = server.ServiceUrl, AuthenticationRegion = LocalAwsFixture.Region }),
            new EventBridgeClient(server.BaseUrl, LocalAwsFixture.Region, Administrator),
            NullLogger<TopologyProvisioner>.Instance)
        {
            TableActiveTimeout = activeWithin,
        };
}
