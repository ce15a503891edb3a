using System.Text.Json.Nodes;
using HealthFlow.Topology;

namespace HealthFlow.Cdk.Tests;

/// <summary>
/// Local provisioning (`healthflow provision`) builds from HealthFlowTopology; so must the stack.
/// Each test reads a resource set back from the synthesized template and compares it, as a whole,
/// with the one the topology describes: nothing missing, nothing extra, nothing different.
/// </summary>
[Collection(CdkCollection.Name)]
public sealed class TopologyAgreementTests(SynthesizedStack stack)
{
    private TemplateModel Model => stack.Model;

    [Fact]
    public void Tables_keys_indexes_and_ttl_are_the_topology()
    {
        var expected = HealthFlowTopology.Tables.All.Select(Describe).Order();

        var actual = Model.OfType("AWS::DynamoDB::Table").Select(table =>
        {
            var p = table.Properties;
            var types = p["AttributeDefinitions"]!.AsArray()
                .ToDictionary(a => (string)a!["AttributeName"]!, a => (string)a!["AttributeType"]!);
            var indexes = (p["GlobalSecondaryIndexes"]?.AsArray() ?? [])
                .Select(i => $"{(string)i!["IndexName"]!}({Keys(i["KeySchema"]!.AsArray(), types)})")
                .Order();
            var ttl = (string?)p["TimeToLiveSpecification"]?["AttributeName"] ?? "-";
            return $"{(string)p["TableName"]!} [{Keys(p["KeySchema"]!.AsArray(), types)}] indexes: {string.Join(" ", indexes)} ttl: {ttl}";
        }).Order();

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Queues_their_dead_letter_queues_and_the_delivery_dead_letter_queue_are_the_topology()
    {
        var expected = HealthFlowTopology.Queues.All
            .SelectMany(q => new[]
            {
                $"{q.Name} visibility {q.VisibilityTimeout.TotalSeconds}s retention {q.MessageRetention.TotalSeconds}s dlq {q.DeadLetterQueueName} after {q.MaxReceiveCount}",
                $"{q.DeadLetterQueueName} dead letters",
            })
            .Append($"{HealthFlowTopology.Delivery.DeadLetterQueueName} dead letters")
            .Order();

        var names = Model.OfType("AWS::SQS::Queue").ToDictionary(q => q.LogicalId, q => (string)q.Properties["QueueName"]!);
        var actual = Model.OfType("AWS::SQS::Queue").Select(queue =>
        {
            var p = queue.Properties;
            if (p["RedrivePolicy"] is not { } redrive)
            {
                return $"{names[queue.LogicalId]} dead letters";
            }

            var retention = (int?)p["MessageRetentionPeriod"] ?? 345_600; // SQS's default: 4 days
            return $"{names[queue.LogicalId]} visibility {(int)p["VisibilityTimeout"]!}s retention {retention}s " +
                   $"dlq {names[TemplateModel.GetAttTarget(redrive["deadLetterTargetArn"]!)]} after {(int)redrive["maxReceiveCount"]!}";
        }).Order();

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void The_bus_and_its_rules_are_the_topology()
    {
        var bus = Assert.Single(Model.OfType("AWS::Events::EventBus"));
        Assert.Equal(HealthFlowTopology.EventBusName, (string?)bus.Properties["Name"]);

        var queueNames = Model.OfType("AWS::SQS::Queue").ToDictionary(q => q.LogicalId, q => (string)q.Properties["QueueName"]!);
        var expected = HealthFlowTopology.Rules.All
            .Select(r => $"{r.Name} on {r.EventBusName}: {Canonical(JsonNode.Parse(r.EventPattern)!)} -> {r.Target.Name}")
            .Order();
        var actual = Model.OfType("AWS::Events::Rule").Select(rule =>
        {
            var p = rule.Properties;
            Assert.Equal(bus.LogicalId, (string?)p["EventBusName"]!["Ref"]);
            var target = TemplateModel.GetAttTarget(Assert.Single(p["Targets"]!.AsArray())!["Arn"]!);
            return $"{(string)p["Name"]!} on {HealthFlowTopology.EventBusName}: {Canonical(p["EventPattern"]!)} -> {queueNames[target]}";
        }).Order();

        Assert.Equal(expected, actual);
    }

    private static string Describe(TableDefinition table)
    {
        var indexes = table.Indexes.Select(i => $"{i.Name}({Key(i.PartitionKey, "HASH")}{(i.SortKey is null ? "" : " " + Key(i.SortKey, "RANGE"))})").Order();
        var keys = Key(table.PartitionKey, "HASH") + (table.SortKey is null ? "" : " " + Key(table.SortKey, "RANGE"));
        return $"{table.Name} [{keys}] indexes: {string.Join(" ", indexes)} ttl: {table.TimeToLiveAttribute ?? "-"}";
    }

    private static string Key(KeyAttribute key, string role) => $"{key.Name}:{(key.Type == KeyType.String ? "S" : "N")}:{role}";

    private static string Keys(JsonArray schema, Dictionary<string, string> types) =>
        string.Join(" ", schema.Select(k => $"{(string)k!["AttributeName"]!}:{types[(string)k["AttributeName"]!]}:{(string)k["KeyType"]!}"));

    /// <summary>JSON with object keys sorted, so two patterns compare by content alone.</summary>
    private static string Canonical(JsonNode? node) => node switch
    {
        JsonObject obj => "{" + string.Join(",", obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":{Canonical(p.Value)}")) + "}",
        JsonArray array => "[" + string.Join(",", array.Select(Canonical)) + "]",
        _ => node?.ToJsonString() ?? "null",
    };
}
