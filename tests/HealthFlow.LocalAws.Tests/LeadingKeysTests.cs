using System.Text.Json;
using HealthFlow.LocalAws.Access;
using HealthFlow.Topology;
using Tables = HealthFlow.Topology.HealthFlowTopology.Tables;

namespace HealthFlow.LocalAws.Tests;

/// <summary>
/// dynamodb:LeadingKeys, as LocalAws reads it from a request: the partition keys a request touches, in every way
/// DynamoDB lets a request name them. Whatever it cannot read with certainty is refused (fail closed), because an
/// empty or misread list would otherwise satisfy `ForAllValues` and open every partition.
/// projections may Query `patient-` and `alert-` streams only; command-api appends `observation-` streams.
/// </summary>
public sealed class LeadingKeysTests
{
    public static TheoryData<string> KeyConditionForms =>
    [
        """{ "KeyConditionExpression": "streamId = :p" }""",
        """{ "KeyConditionExpression": ":p = streamId" }""",
        """{ "KeyConditionExpression": "#k = :p", "ExpressionAttributeNames": { "#k": "streamId" } }""",
        """{ "KeyConditionExpression": ":p=#k", "ExpressionAttributeNames": { "#k": "streamId" } }""",
        """{ "KeyConditionExpression": "((#k = :p))", "ExpressionAttributeNames": { "#k": "streamId" } }""",
        """{ "KeyConditionExpression": "#k = :p AND #v >= :from", "ExpressionAttributeNames": { "#k": "streamId", "#v": "version" } }""",
        """{ "KeyConditionExpression": "(:p = #k) and (#v BETWEEN :from AND :to)", "ExpressionAttributeNames": { "#k": "streamId", "#v": "version" } }""",
        """{ "KeyConditionExpression": "#v BETWEEN :from AND :to AND :p = streamId", "ExpressionAttributeNames": { "#v": "version" } }""",
        """{ "KeyConditionExpression": "begins_with(#v, :from) AND streamId = :p", "ExpressionAttributeNames": { "#v": "version" } }""",
        """{ "KeyConditions": { "streamId": { "ComparisonOperator": "EQ", "AttributeValueList": [ { "S": "{stream}" } ] } } }""",
    ];

    [Theory]
    [MemberData(nameof(KeyConditionForms))]
    public void A_query_of_an_allowed_stream_is_allowed_in_every_form_of_key_condition(string form)
    {
        Assert.True(Allows("projections", "Query", StreamQuery(form, "patient-1")));
    }

    [Theory]
    [MemberData(nameof(KeyConditionForms))]
    public void A_query_of_another_stream_is_refused_in_every_form_of_key_condition(string form)
    {
        Assert.False(Allows("projections", "Query", StreamQuery(form, "observation-1")));
    }

    [Theory]
    [InlineData("""{ "KeyConditionExpression": "begins_with(streamId, :p)" }""")]
    [InlineData("""{ "KeyConditionExpression": "#unknown = :p" }""")]
    [InlineData("""{ "KeyConditionExpression": "streamId = :p OR streamId = :q" }""")]
    [InlineData("""{ "KeyConditionExpression": "streamId = :p AND streamId = :q" }""")]
    [InlineData("""{ "KeyConditionExpression": "streamId = :p AND version = streamId" }""")]
    [InlineData("""{ "KeyConditionExpression": "streamId = :missing" }""")]
    [InlineData("""{ "KeyConditionExpression": "streamId = :map" }""")]
    [InlineData("""{ "KeyConditionExpression": "version = :p" }""")]
    [InlineData("""{ "KeyConditionExpression": "streamId = :p; DROP" }""")]
    [InlineData("""{ "KeyConditionExpression": "streamId = :p", "KeyConditions": { "streamId": { "ComparisonOperator": "EQ", "AttributeValueList": [ { "S": "patient-1" } ] } } }""")]
    [InlineData("""{ "KeyConditions": { "streamId": { "ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [ { "S": "patient-" } ] } } }""")]
    [InlineData("""{ "KeyConditions": { "version": { "ComparisonOperator": "EQ", "AttributeValueList": [ { "N": "1" } ] } } }""")]
    [InlineData("""{ }""")]
    public void A_query_whose_partition_key_cannot_be_read_with_certainty_is_refused(string form)
    {
        // :p and :q are both allowed streams: only a misreading could let any of these through.
        Assert.False(Allows("projections", "Query", StreamQuery(form, "patient-1", otherStream: "alert-1")));
    }

    [Fact]
    public void A_scan_never_satisfies_a_leading_keys_condition()
    {
        var scanner = new ServiceAccess("scanner", [new(AccessResource.Table(Tables.Events), ["dynamodb:Scan"], LeadingKeyPrefixes: ["patient-"])]);

        Assert.False(scanner.Allows(Single("Scan", """{ "TableName": "events" }""")));
        Assert.False(scanner.Allows(Single("Scan", """{ "TableName": "events", "FilterExpression": "streamId = :p", "ExpressionAttributeValues": { ":p": { "S": "patient-1" } } }""")));
    }

    [Theory]
    [InlineData("GetItem", "Key")]
    [InlineData("DeleteItem", "Key")]
    [InlineData("UpdateItem", "Key")]
    [InlineData("PutItem", "Item")]
    public void A_single_item_request_is_allowed_on_its_own_partition_and_refused_without_a_readable_partition_key(string operation, string property)
    {
        var access = new ServiceAccess("writer", [new(AccessResource.Table(Tables.Events), ["dynamodb:" + operation], LeadingKeyPrefixes: ["observation-"])]);
        string Request(string key) => $$"""{ "TableName": "events", "{{property}}": {{key}} }""";

        Assert.True(access.Allows(Single(operation, Request("""{ "streamId": { "S": "observation-1" }, "version": { "N": "1" } }"""))));
        Assert.False(access.Allows(Single(operation, Request("""{ "streamId": { "S": "patient-1" }, "version": { "N": "1" } }"""))));
        Assert.False(access.Allows(Single(operation, Request("""{ "version": { "N": "1" } }"""))));
        Assert.False(access.Allows(Single(operation, Request("""{ "streamId": { "M": { } }, "version": { "N": "1" } }"""))));
        Assert.False(access.Allows(Single(operation, Request("""{ "streamId": { "S": 7 }, "version": { "N": "1" } }"""))));
        Assert.False(access.Allows(Single(operation, """{ "TableName": "events" }""")));
    }

    [Fact]
    public void A_batch_get_is_allowed_only_when_every_key_is_in_an_allowed_partition()
    {
        var access = new ServiceAccess("reader", [new(AccessResource.Table(Tables.Events), ["dynamodb:BatchGetItem"], LeadingKeyPrefixes: ["patient-"])]);
        string Batch(params string[] streams) => $$"""
            { "RequestItems": { "events": { "Keys": [ {{string.Join(",", streams.Select(s => s is null ? """{ "version": { "N": "1" } }""" : $$"""{ "streamId": { "S": "{{s}}" }, "version": { "N": "1" } }"""))}} ] } } }
            """;

        Assert.True(access.Allows(Single("BatchGetItem", Batch("patient-1", "patient-2"))));
        Assert.False(access.Allows(Single("BatchGetItem", Batch("patient-1", "observation-1"))));
        Assert.False(access.Allows(Single("BatchGetItem", Batch("patient-1", null!))));
        Assert.False(access.Allows(Single("BatchGetItem", """{ "RequestItems": { "events": { "Keys": [] } } }""")));
        Assert.False(access.Allows(Single("BatchGetItem", """{ "RequestItems": { "events": { } } }""")));
    }

    [Fact]
    public void A_batch_write_is_allowed_only_when_every_put_and_delete_is_in_an_allowed_partition()
    {
        var access = new ServiceAccess("writer", [new(AccessResource.Table(Tables.Events), ["dynamodb:BatchWriteItem"], LeadingKeyPrefixes: ["patient-"])]);
        const string Put = """{ "PutRequest": { "Item": { "streamId": { "S": "patient-1" }, "version": { "N": "1" } } } }""";
        const string Delete = """{ "DeleteRequest": { "Key": { "streamId": { "S": "patient-2" }, "version": { "N": "1" } } } }""";
        const string ForeignDelete = """{ "DeleteRequest": { "Key": { "streamId": { "S": "audit-1" }, "version": { "N": "1" } } } }""";
        const string Malformed = """{ "PutRequest": { } }""";
        static string Batch(params string[] writes) => $$"""{ "RequestItems": { "events": [ {{string.Join(",", writes)}} ] } }""";

        Assert.True(access.Allows(Single("BatchWriteItem", Batch(Put, Delete))));
        Assert.False(access.Allows(Single("BatchWriteItem", Batch(Put, ForeignDelete))));
        Assert.False(access.Allows(Single("BatchWriteItem", Batch(Put, Malformed))));
        Assert.False(access.Allows(Single("BatchWriteItem", Batch(Put, """{ "UpdateRequest": { } }"""))));
    }

    [Fact]
    public void A_query_on_an_index_leads_with_the_index_partition_key()
    {
        var access = new ServiceAccess("relay", [new(AccessResource.IndexOf(Tables.Events, HealthFlowTopology.Indexes.Outbox), ["dynamodb:Query"], LeadingKeyPrefixes: ["0"])]);
        string Query(string shard) => $$"""
            { "TableName": "events", "IndexName": "outbox", "KeyConditionExpression": ":s = #p",
              "ExpressionAttributeNames": { "#p": "pending" }, "ExpressionAttributeValues": { ":s": { "S": "{{shard}}" } } }
            """;

        Assert.True(access.Allows(Single("Query", Query("0"))));
        Assert.False(access.Allows(Single("Query", Query("1"))));
    }

    private static string StreamQuery(string form, string stream, string otherStream = "observation-2")
    {
        var request = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(form.Replace("{stream}", stream, StringComparison.Ordinal))!;
        request["TableName"] = JsonSerializer.SerializeToElement("events");
        if (!request.ContainsKey("KeyConditions") || request.ContainsKey("KeyConditionExpression"))
        {
            request["ExpressionAttributeValues"] = JsonSerializer.SerializeToElement(new Dictionary<string, object>
            {
                [":p"] = new { S = stream },
                [":q"] = new { S = otherStream },
                [":map"] = new { M = new Dictionary<string, object> { ["S"] = new { S = stream } } },
                [":from"] = new { N = "1" },
                [":to"] = new { N = "9" },
            });
        }

        return JsonSerializer.Serialize(request);
    }

    private static bool Allows(string service, string operation, string body) =>
        HealthFlowAccess.For(service).Allows(Single(operation, body));

    private static AccessRequest Single(string operation, string body)
    {
        using var json = JsonDocument.Parse(body);
        return Assert.Single(AccessRequests.FromJson("dynamodb", operation, json.RootElement.Clone()));
    }
}
