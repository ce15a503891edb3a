using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace HealthFlow.LocalAws.Tests;

[Collection(LocalAwsCollection.Name)]
public sealed class DynamoDbForwardingTests(LocalAwsFixture aws)
{
    private AmazonDynamoDBClient DynamoDb => aws.DynamoDb;

    [Fact]
    public async Task Tables_with_a_GSI_support_conditional_puts_and_queries_through_the_forwarder()
    {
        var table = LocalAwsFixture.UniqueName("events");
        await DynamoDbTables.CreateActiveAsync(DynamoDb, new CreateTableRequest
        {
            TableName = table,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions =
            [
                new AttributeDefinition("streamId", ScalarAttributeType.S),
                new AttributeDefinition("version", ScalarAttributeType.N),
                new AttributeDefinition("pending", ScalarAttributeType.S),
            ],
            KeySchema = [new KeySchemaElement("streamId", KeyType.HASH), new KeySchemaElement("version", KeyType.RANGE)],
            GlobalSecondaryIndexes =
            [
                new GlobalSecondaryIndex
                {
                    IndexName = "outbox",
                    KeySchema = [new KeySchemaElement("pending", KeyType.HASH), new KeySchemaElement("version", KeyType.RANGE)],
                    Projection = new Projection { ProjectionType = ProjectionType.ALL },
                },
            ],
        });
        await WaitUntilActiveAsync(table);

        await Append(table, "patient-1", 1, pending: true);
        await Append(table, "patient-1", 2, pending: false);
        var conflict = await Assert.ThrowsAsync<ConditionalCheckFailedException>(() => Append(table, "patient-1", 2, pending: false));
        Assert.NotNull(conflict.ErrorCode);

        var stream = await DynamoDb.QueryAsync(new QueryRequest
        {
            TableName = table,
            KeyConditionExpression = "streamId = :s",
            ExpressionAttributeValues = new() { [":s"] = new AttributeValue { S = "patient-1" } },
        });
        Assert.Equal(["1", "2"], stream.Items.Select(i => i["version"].N));

        var pending = await DynamoDb.QueryAsync(new QueryRequest
        {
            TableName = table,
            IndexName = "outbox",
            KeyConditionExpression = "pending = :p",
            ExpressionAttributeValues = new() { [":p"] = new AttributeValue { S = "1" } },
        });
        Assert.Equal("1", Assert.Single(pending.Items)["version"].N);
    }

    [Fact]
    public async Task Health_reports_healthy_once_dynalite_answers()
    {
        using var http = LocalAwsFixture.AdministratorHttpClient(aws.Server.BaseUrl);

        var health = await http.GetAsync("/health");
        var alive = await http.GetAsync("/alive");

        Assert.True(health.IsSuccessStatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        Assert.True(alive.IsSuccessStatusCode);
    }

    private Task Append(string table, string streamId, int version, bool pending)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["streamId"] = new() { S = streamId },
            ["version"] = new() { N = version.ToString() },
        };
        if (pending)
            item["pending"] = new AttributeValue { S = "1" };
        return DynamoDb.PutItemAsync(new PutItemRequest
        {
            TableName = table,
            Item = item,
            ConditionExpression = "attribute_not_exists(version)",
        });
    }

    private async Task WaitUntilActiveAsync(string table)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await DynamoDb.DescribeTableAsync(table)).Table.TableStatus != TableStatus.ACTIVE)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{table} did not become ACTIVE.");
            await Task.Delay(20);
        }
    }
}
