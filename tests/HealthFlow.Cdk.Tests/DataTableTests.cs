using HealthFlow.Topology;

namespace HealthFlow.Cdk.Tests;

[Collection(CdkCollection.Name)]
public sealed class DataTableTests(SynthesizedStack stack)
{
    [Fact]
    public void Every_table_is_on_demand_encrypted_and_recoverable_to_a_point_in_time()
    {
        foreach (var definition in HealthFlowTopology.Tables.All)
        {
            var properties = stack.Model.Resource(stack.Model.TableId(definition.Name))["Properties"]!;
            Assert.Equal("PAY_PER_REQUEST", (string?)properties["BillingMode"]);
            Assert.True((bool)properties["PointInTimeRecoverySpecification"]!["PointInTimeRecoveryEnabled"]!, definition.Name);
            Assert.True((bool)properties["SSESpecification"]!["SSEEnabled"]!, definition.Name);
            Assert.Equal("KMS", (string?)properties["SSESpecification"]!["SSEType"]);
            Assert.Equal(stack.Model.KeyId("DataKey"), TemplateModel.GetAttTarget(properties["SSESpecification"]!["KMSMasterKeyId"]!));
        }
    }

    [Fact]
    public void Tables_outlive_the_stack_and_cannot_be_deleted_by_accident_except_in_a_demo()
    {
        foreach (var definition in HealthFlowTopology.Tables.All)
        {
            var resource = stack.Model.Resource(stack.Model.TableId(definition.Name));
            Assert.Equal("Retain", (string?)resource["DeletionPolicy"]);
            Assert.True((bool?)resource["Properties"]!["DeletionProtectionEnabled"], definition.Name);

            var demo = stack.WithOptions.Resource(stack.WithOptions.TableId(definition.Name));
            Assert.False((bool?)demo["Properties"]!["DeletionProtectionEnabled"] ?? false, definition.Name);
        }
    }

    [Fact]
    public void A_table_expires_items_through_ttl_exactly_when_the_topology_says_so()
    {
        foreach (var definition in HealthFlowTopology.Tables.All)
        {
            var ttl = stack.Model.Resource(stack.Model.TableId(definition.Name))["Properties"]!["TimeToLiveSpecification"];
            Assert.Equal(definition.TimeToLiveAttribute, (string?)ttl?["AttributeName"]);
        }
    }

    [Fact]
    public void Every_index_serves_whole_items()
    {
        var indexes = stack.Model.OfType("AWS::DynamoDB::Table")
            .SelectMany(t => t.Properties["GlobalSecondaryIndexes"]?.AsArray() ?? [])
            .ToArray();
        Assert.Equal(HealthFlowTopology.Tables.All.Sum(t => t.Indexes.Count), indexes.Length);
        AssertNonEmpty.All(indexes, index => Assert.Equal("ALL", (string?)index!["Projection"]!["ProjectionType"]));
    }
}
