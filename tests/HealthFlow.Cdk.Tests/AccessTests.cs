using HealthFlow.Aws.Topology;
using Tables = HealthFlow.Aws.Topology.HealthFlowTopology.Tables;
using Queues = HealthFlow.Aws.Topology.HealthFlowTopology.Queues;

namespace HealthFlow.Cdk.Tests;

/// <summary>Least privilege, per service (DESIGN.md section 9), read back from the synthesized IAM policies.</summary>
[Collection(CdkCollection.Name)]
public sealed class AccessTests(SynthesizedStack stack)
{
    private static readonly string[] DynamoWrites = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"];
    private static readonly TableDefinition[] ReadModels = [Tables.Patients, Tables.Observations, Tables.Alerts];

    private TemplateModel Model => stack.Model;

    [Fact]
    public void Auth_api_manages_users_appends_registrations_and_publishes_them()
    {
        var role = TaskRole(ServiceCatalog.AuthApi);
        Assert.Superset(new HashSet<string> { "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem" }, On(role, Tables.Users));
        Assert.Superset(new HashSet<string> { "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem" }, On(role, Tables.LoginThrottle));
        AssertAppendsToEventStore(role);
        Assert.Contains("events:PutEvents", Model.ActionsOn(role, Model.BusId()));
        AssertNoAccess(role, ReadModels);
        AssertNoQueueAccess(role);
    }

    [Fact]
    public void Command_api_appends_events_and_publishes()
    {
        var role = TaskRole(ServiceCatalog.CommandApi);
        AssertAppendsToEventStore(role);
        Assert.Contains("events:PutEvents", Model.ActionsOn(role, Model.BusId()));
        AssertNoAccess(role, [Tables.Users, Tables.LoginThrottle, .. ReadModels]);
        AssertNoQueueAccess(role);
    }

    [Fact]
    public void Query_api_only_reads_the_read_models()
    {
        var role = TaskRole(ServiceCatalog.QueryApi);
        foreach (var table in ReadModels)
        {
            Assert.Superset(new HashSet<string> { "dynamodb:GetItem", "dynamodb:Query" }, On(role, table));
        }

        var actions = Model.PermissionsOf(role).Select(p => p.Action).ToHashSet();
        Assert.Empty(actions.Intersect(DynamoWrites));
        Assert.DoesNotContain("events:PutEvents", actions);
        AssertNoAccess(role, [Tables.Events, Tables.Users, Tables.LoginThrottle, Tables.Leases]);
        AssertNoQueueAccess(role);
    }

    [Fact]
    public void Alert_worker_consumes_alert_evaluation_appends_alerts_and_publishes_them()
    {
        var role = TaskRole(ServiceCatalog.AlertWorker);
        Assert.Superset(ConsumeActions, Model.ActionsOn(role, Model.QueueId(Queues.AlertEvaluation.Name)));
        AssertAppendsToEventStore(role);
        Assert.Contains("events:PutEvents", Model.ActionsOn(role, Model.BusId()));
        AssertNoAccess(role, [Tables.Users, Tables.LoginThrottle, .. ReadModels]);
        AssertConsumesOnly(role, [Queues.AlertEvaluation]);
    }

    [Fact]
    public void Projections_consume_their_three_queues_and_write_only_read_models()
    {
        var role = TaskRole(ServiceCatalog.Projections);
        foreach (var table in ReadModels)
        {
            Assert.Superset(new HashSet<string> { "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem" }, On(role, table));
        }

        AssertConsumesOnly(role, [.. HealthFlowStack.ProjectionQueues]);
        Assert.DoesNotContain("events:PutEvents", Model.PermissionsOf(role).Select(p => p.Action));
        AssertNoAccess(role, [Tables.Events, Tables.Users, Tables.LoginThrottle, Tables.Leases]);
    }

    [Fact]
    public void No_task_role_holds_a_wildcard_dynamodb_action_or_may_delete_or_scan_events()
    {
        foreach (var service in ServiceCatalog.All)
        {
            var role = TaskRole(service);
            Assert.DoesNotContain(Model.PermissionsOf(role), p => p.Action is "*" or "dynamodb:*");
            var onEvents = On(role, Tables.Events);
            Assert.DoesNotContain("dynamodb:DeleteItem", onEvents);
            Assert.DoesNotContain("dynamodb:BatchWriteItem", onEvents);
            Assert.DoesNotContain("dynamodb:Scan", onEvents);
        }
    }

    [Fact]
    public void The_web_apps_have_no_aws_permissions()
    {
        Assert.Empty(Model.PermissionsOf(TaskRole(ServiceCatalog.Web)));
    }

    private static readonly HashSet<string> ConsumeActions = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"];

    private string TaskRole(DeployableService service) => Model.TaskRoleId(service.Name);

    private HashSet<string> On(string role, TableDefinition table) => Model.ActionsOn(role, Model.TableId(table.Name));

    private void AssertAppendsToEventStore(string role) =>
        Assert.Superset(new HashSet<string> { "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query" }, On(role, Tables.Events));

    private void AssertNoAccess(string role, IEnumerable<TableDefinition> tables)
    {
        foreach (var table in tables)
        {
            Assert.True(On(role, table).Count == 0, $"{role} should have no access to {table.Name}, has {string.Join(", ", On(role, table))}");
        }
    }

    private void AssertNoQueueAccess(string role) =>
        Assert.DoesNotContain(Model.PermissionsOf(role), p => p.Action.StartsWith("sqs:", StringComparison.Ordinal));

    /// <summary>Receives from exactly these work queues, and only reads the depth of their DLQs (the dead-letter gauge).</summary>
    private void AssertConsumesOnly(string role, IReadOnlyCollection<QueueDefinition> queues)
    {
        var sqs = Model.PermissionsOf(role).Where(p => p.Action.StartsWith("sqs:", StringComparison.Ordinal)).ToArray();

        var receivesFrom = sqs.Where(p => p.Action == "sqs:ReceiveMessage").SelectMany(p => p.ResourceLogicalIds).ToHashSet();
        Assert.Equal(queues.Select(q => Model.QueueId(q.Name)).Order(), receivesFrom.Order());

        var deadLetterQueues = queues.Select(q => Model.QueueId(q.DeadLetterQueueName)).ToHashSet();
        foreach (var dlq in deadLetterQueues)
        {
            Assert.Equal(["sqs:GetQueueAttributes", "sqs:GetQueueUrl"], Model.ActionsOn(role, dlq).Order());
        }

        var reachable = sqs.SelectMany(p => p.ResourceLogicalIds).ToHashSet();
        Assert.Subset(receivesFrom.Union(deadLetterQueues).ToHashSet(), reachable);
    }
}
