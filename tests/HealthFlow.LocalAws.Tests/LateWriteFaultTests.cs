using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace HealthFlow.LocalAws.Tests;

/// <summary>The late-write fault (<c>/_localaws/faults</c>): a held DynamoDB write lands only when released.</summary>
[Collection(LocalAwsCollection.Name)]
public sealed class LateWriteFaultTests(LocalAwsFixture aws) : IAsyncLifetime
{
    private readonly HttpClient _faults = new() { BaseAddress = new Uri(aws.Server.BaseUrl, "/_localaws/faults") };

    [Fact]
    public async Task A_held_write_lands_only_when_the_faults_are_cleared_and_other_tables_are_not_held()
    {
        var held = LocalAwsFixture.UniqueName("held");
        var free = LocalAwsFixture.UniqueName("free");
        await CreateTableAsync(held);
        await CreateTableAsync(free);
        (await _faults.PutAsJsonAsync("", new { lateWriteTable = held, lateWriteCount = 1, lateWriteMaxDelayMs = 60_000 })).EnsureSuccessStatusCode();

        var write = PutAsync(held, "first");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await LateWritesLeftAsync() != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the write was never held");
            await Task.Delay(10);
        }

        await PutAsync(free, "other table");
        await PutAsync(held, "second"); // only one write was asked for
        Assert.False(write.IsCompleted);
        Assert.Null(await GetAsync(held, "first"));

        (await _faults.DeleteAsync("")).EnsureSuccessStatusCode();
        await write.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(await GetAsync(held, "first"));
    }

    [Theory]
    [InlineData("""{"lateWriteCount":1}""", "lateWriteTable")]
    [InlineData("""{"lateWriteTable":"t","lateWriteCount":-1}""", "lateWriteCount")]
    [InlineData("""{"lateWriteTable":"t","lateWriteCount":1,"lateWriteMaxDelayMs":999999}""", "lateWriteMaxDelayMs")]
    public async Task Invalid_late_write_settings_get_a_problem_naming_the_field(string body, string field)
    {
        var response = await _faults.PutAsync("", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(problem["errors"]!.AsObject().ContainsKey(field), $"the problem names {field}: {problem}");
    }

    private async Task<int> LateWritesLeftAsync() =>
        (await _faults.GetFromJsonAsync<JsonObject>(""))!["lateWriteCount"]!.GetValue<int>();

    private Task PutAsync(string table, string id) => aws.DynamoDb.PutItemAsync(new PutItemRequest
    {
        TableName = table,
        Item = new() { ["id"] = new AttributeValue { S = id } },
    });

    private async Task<Dictionary<string, AttributeValue>?> GetAsync(string table, string id)
    {
        var response = await aws.DynamoDb.GetItemAsync(new GetItemRequest
        {
            TableName = table,
            Key = new() { ["id"] = new AttributeValue { S = id } },
            ConsistentRead = true,
        });
        return response.Item is { Count: > 0 } item ? item : null;
    }

    private async Task CreateTableAsync(string table)
    {
        await DynamoDbTables.CreateActiveAsync(aws.DynamoDb, new CreateTableRequest
        {
            TableName = table,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new AttributeDefinition("id", ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement("id", KeyType.HASH)],
        });
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _faults.DeleteAsync("");
        _faults.Dispose();
    }
}
