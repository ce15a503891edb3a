using System.Text.Json.Nodes;
using HealthFlow.Cdk.Constructs;
using HealthFlow.Domain;
using HealthFlow.Topology;

namespace HealthFlow.Cdk.Tests;

/// <summary>
/// Least privilege, per service: every task role's policy in the synthesized
/// template is exactly the service's declaration in HealthFlowAccess, no more and no less.
/// </summary>
[Collection(CdkCollection.Name)]
public sealed class AccessTests(SynthesizedStack stack)
{
    private TemplateModel Model => stack.Model;

    public static TheoryData<string> Services => [.. HealthFlowAccess.All.Select(a => a.Service)];

    [Theory]
    [MemberData(nameof(Services))]
    public void Task_role_holds_exactly_the_declared_access(string service)
    {
        var difference = AccessComparison.Compare(Model, service);

        Assert.True(difference.IsExact, $"{service}: {difference}");
    }

    /// <summary>
    /// The negative control of the comparison above: the synthesized template with one statement added to
    /// alert-worker's task role and one of its grants taken away. Both are reported, and nothing else.
    /// </summary>
    [Fact]
    public void The_access_comparison_reports_a_grant_too_many_and_a_grant_missing_in_a_changed_template()
    {
        const string service = "alert-worker";
        var template = stack.ReadTemplate();
        var model = new TemplateModel(template);
        var policy = model.OfType("AWS::IAM::Policy")
            .Single(p => p.Properties["Roles"]!.AsArray().Any(r => (string?)r!["Ref"] == model.TaskRoleId(service)) && p.Properties["PolicyDocument"]!["Statement"]!.AsArray()
                .Any(s => TemplateModel.Strings(s!["Action"]!).Any(a => a.StartsWith("dynamodb:", StringComparison.Ordinal))));
        var statements = policy.Properties["PolicyDocument"]!["Statement"]!.AsArray();

        // Taken away: the role's put to the event store (its only way to append an alert), whichever statement CDK merged it into.
        var put = statements.Select(s => s!.AsObject()).First(s => TemplateModel.Strings(s["Action"]!).Contains("dynamodb:PutItem")
            && model.DescribeResource(s["Resource"] is JsonArray r ? r[0]! : s["Resource"]!) == "table/events");
        var missing = new GrantedStatement("dynamodb:PutItem", "table/events", TemplateModel.CanonicalJson(put["Condition"]));
        if (put["Action"] is JsonArray actions && actions.Count > 1)
        {
            actions.Remove(actions.First(a => (string?)a == "dynamodb:PutItem"));
        }
        else
        {
            statements.Remove(put);
        }

        // Added: a delete on the event store, which no declaration holds.
        var eventsTable = (put["Resource"] is JsonArray resources ? resources[0]! : put["Resource"]!).DeepClone();
        statements.Add(new JsonObject { ["Action"] = "dynamodb:DeleteItem", ["Effect"] = "Allow", ["Resource"] = eventsTable });
        var extra = new GrantedStatement("dynamodb:DeleteItem", "table/events", TemplateModel.CanonicalJson(null));

        var difference = AccessComparison.Compare(new TemplateModel(template), service);

        Assert.False(difference.IsExact);
        Assert.Equal([extra], difference.GrantedNotDeclared);
        Assert.Equal([missing], difference.DeclaredNotGranted);
        Assert.True(AccessComparison.Compare(Model, service).IsExact, "the change was made to a copy");
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Key_use_follows_from_the_declared_access(string service)
    {
        var access = HealthFlowAccess.For(service);
        var keys = Model.StatementsOf(TaskRole(service)).Where(s => s.Action.StartsWith("kms:", StringComparison.Ordinal)).ToArray();
        var dataKey = $"key/{Model.KeyId("DataKey")}";
        var messagingKey = $"key/{Model.KeyId("MessagingKey")}";

        var writesTables = access.Grants.Any(g => g.Resource.Kind != AccessResourceKind.Queue && g.Actions.Any(DeclaredAccess.IsWrite));
        var readsTables = access.Grants.Any(g => g.Resource.Kind is AccessResourceKind.Table or AccessResourceKind.Index);
        var receives = access.Grants.Any(g => g.Actions.Contains("sqs:ReceiveMessage"));

        Assert.Equal(readsTables, keys.Any(k => k.Resource == dataKey && k.Action == "kms:Decrypt"));
        Assert.Equal(writesTables, keys.Any(k => k.Resource == dataKey && k.Action == "kms:Encrypt"));
        Assert.Equal(receives, keys.Any(k => k.Resource == messagingKey && k.Action == "kms:Decrypt"));
        Assert.DoesNotContain(keys, k => k.Resource != dataKey && k.Resource != messagingKey);
    }

    [Theory]
    [InlineData(GatewayRoutes.AuthApi, new[] { StreamId.PatientPrefix })]
    [InlineData(GatewayRoutes.CommandApi, new[] { StreamId.ObservationPrefix, StreamId.AlertPrefix, StreamId.CareTeamPrefix, StreamId.PatientPrefix, StreamId.AuditPrefix })]
    [InlineData(GatewayRoutes.QueryApi, new[] { StreamId.AuditPrefix })]
    [InlineData("alert-worker", new[] { StreamId.AlertPrefix, StreamId.SchedulePrefix })]
    public void Writers_append_only_to_their_own_streams(string service, string[] prefixes)
    {
        var puts = Model.StatementsOf(TaskRole(service)).Where(s => s.Action == "dynamodb:PutItem" && s.Resource == "table/events").ToArray();

        var put = Assert.Single(puts);
        var condition = JsonNode.Parse(put.Condition)!;
        Assert.Equal(prefixes.Select(p => p + "*"), condition["ForAllValues:StringLike"]!["dynamodb:LeadingKeys"]!.AsArray().Select(v => (string)v!));
    }

    [Theory]
    [InlineData(GatewayRoutes.AuthApi, new[] { StreamId.PatientPrefix })]
    [InlineData(GatewayRoutes.CommandApi, new[] { StreamId.ObservationPrefix, StreamId.AlertPrefix, StreamId.CareTeamPrefix, StreamId.PatientPrefix, StreamId.AuditPrefix })]
    [InlineData(GatewayRoutes.QueryApi, new[] { StreamId.AuditPrefix })]
    [InlineData("alert-worker", new[] { StreamId.AlertPrefix, StreamId.SchedulePrefix })]
    public void Updates_to_committed_events_may_only_remove_or_park_the_outbox_mark_of_the_writers_own_streams_and_return_nothing(string service, string[] prefixes)
    {
        var update = Assert.Single(Model.StatementsOf(TaskRole(service)), s => s.Action == "dynamodb:UpdateItem" && s.Resource == "table/events");

        var condition = JsonNode.Parse(update.Condition)!;
        Assert.Equal(["streamId", "version", "pending", "parked"], condition["ForAllValues:StringEquals"]!["dynamodb:Attributes"]!.AsArray().Select(v => (string)v!));
        Assert.Equal(prefixes.Select(p => p + "*"), condition["ForAllValues:StringLike"]!["dynamodb:LeadingKeys"]!.AsArray().Select(v => (string)v!));
        Assert.Equal(["NONE"], condition["StringEqualsIfExists"]!["dynamodb:ReturnValues"]!.AsArray().Select(v => (string)v!));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void No_write_to_the_event_store_the_audit_trail_or_the_leases_hands_back_an_item(string service)
    {
        string[] guarded = ["table/events", $"table/{HealthFlowTopology.Tables.Audit.Name}", $"table/{HealthFlowTopology.Tables.Leases.Name}"];
        var writes = Model.StatementsOf(TaskRole(service)).Where(s => guarded.Contains(s.Resource) && DeclaredAccess.IsWrite(s.Action)).ToArray();

        Assert.NotEmpty(writes);
        AssertNonEmpty.All(writes, write => Assert.Equal(["NONE"],
            JsonNode.Parse(write.Condition)!["StringEqualsIfExists"]!["dynamodb:ReturnValues"]!.AsArray().Select(v => (string)v!)));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Every_leading_keys_condition_also_requires_the_request_to_name_its_partition_keys(string service)
    {
        // Without it, ForAllValues holds for a request that names none, a Scan, which reads every partition.
        var conditioned = Model.StatementsOf(TaskRole(service))
            .Where(s => s.Condition.Contains("dynamodb:LeadingKeys", StringComparison.Ordinal))
            .Select(s => JsonNode.Parse(s.Condition)!)
            .ToArray();

        Assert.NotEmpty(conditioned);
        AssertNonEmpty.All(conditioned, condition => Assert.Equal("false", (string)condition["Null"]!["dynamodb:LeadingKeys"]!));
    }

    [Theory]
    [InlineData(GatewayRoutes.AuthApi, new[] { "outbox/auth-api/*" })]
    [InlineData(GatewayRoutes.CommandApi, new[] { "outbox/command-api/*" })]
    [InlineData(GatewayRoutes.QueryApi, new[] { "outbox/query-api/*" })]
    [InlineData("alert-worker", new[] { "chain/*", "outbox/alert-worker/*" })]
    [InlineData("projections", new string[0])]
    public void A_service_may_take_and_give_up_only_its_own_leases(string service, string[] names)
    {
        // Another service's relay leases held would stop its relay; its chains, its escalation deadlines.
        var onLeases = Model.StatementsOf(TaskRole(service)).Where(s => s.Resource == $"table/{HealthFlowTopology.Tables.Leases.Name}");

        Assert.Equal(names, onLeases
            .SelectMany(lease => JsonNode.Parse(lease.Condition)!["ForAllValues:StringLike"]!["dynamodb:LeadingKeys"]!.AsArray().Select(v => (string)v!))
            .Distinct()
            .Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(GatewayRoutes.AuthApi)]
    [InlineData(GatewayRoutes.CommandApi)]
    [InlineData(GatewayRoutes.QueryApi)]
    [InlineData("alert-worker")]
    public void The_outbox_index_hands_a_relay_keys_and_counts_and_no_commits_contents(string service)
    {
        // It leads with the shard, not the stream, so LeadingKeys cannot keep a relay to its own commits there.
        var outbox = Assert.Single(Model.StatementsOf(TaskRole(service)), s => s.Resource == "table/events/index/outbox");

        var condition = JsonNode.Parse(outbox.Condition)!;
        Assert.Equal(["streamId", "version", "pending", "committedAt"], condition["ForAllValues:StringEquals"]!["dynamodb:Attributes"]!.AsArray().Select(v => (string)v!));
        Assert.Equal(["SPECIFIC_ATTRIBUTES", "COUNT"], condition["StringEquals"]!["dynamodb:Select"]!.AsArray().Select(v => (string)v!));
    }

    [Fact]
    public void Projections_read_patient_and_alert_streams_and_write_no_events()
    {
        var onEvents = Model.StatementsOf(TaskRole("projections")).Where(s => s.Resource.StartsWith("table/events", StringComparison.Ordinal)).ToArray();

        var read = Assert.Single(onEvents);
        Assert.Equal("dynamodb:Query", read.Action);
        Assert.Equal(["patient-*", "alert-*"], JsonNode.Parse(read.Condition)!["ForAllValues:StringLike"]!["dynamodb:LeadingKeys"]!.AsArray().Select(v => (string)v!));
    }

    [Fact]
    public void No_task_role_holds_a_wildcard_action_or_may_delete_or_scan_events()
    {
        foreach (var service in ServiceCatalog.All)
        {
            var statements = Model.StatementsOf(TaskRole(service.Name));
            Assert.DoesNotContain(statements, s => s.Action.EndsWith('*') && !s.Action.StartsWith("kms:", StringComparison.Ordinal));
            Assert.DoesNotContain(statements, s => s.Resource == "table/events"
                && s.Action is "dynamodb:DeleteItem" or "dynamodb:BatchWriteItem" or "dynamodb:Scan");
        }
    }

    [Fact]
    public void The_audit_trail_is_append_only_no_service_may_update_or_delete_a_record()
    {
        var audit = $"table/{HealthFlowTopology.Tables.Audit.Name}";
        var onAudit = ServiceCatalog.All
            .SelectMany(service => Model.StatementsOf(TaskRole(service.Name)).Select(s => (Service: service.Name, Statement: s)))
            .Where(x => x.Statement.Resource == audit || x.Statement.Resource.StartsWith(audit + "/", StringComparison.Ordinal))
            .ToArray();

        Assert.DoesNotContain(onAudit, x => x.Statement.Action is "dynamodb:UpdateItem" or "dynamodb:DeleteItem" or "dynamodb:BatchWriteItem" or "dynamodb:PartiQLUpdate" or "dynamodb:PartiQLDelete");
        // Only the projections worker writes it, and only by PutItem (conditional on the record not existing).
        Assert.Equal([("projections", "dynamodb:PutItem")], onAudit.Where(x => DeclaredAccess.IsWrite(x.Statement.Action)).Select(x => (x.Service, x.Statement.Action)));
        Assert.DoesNotContain(HealthFlowAccess.All.SelectMany(a => a.Grants), g => g.Resource.Name == HealthFlowTopology.Tables.Audit.Name
            && g.Actions.Any(a => a is "dynamodb:UpdateItem" or "dynamodb:DeleteItem"));
    }

    [Fact]
    public void The_web_apps_may_only_write_their_task_metrics()
    {
        // The web task's collector writes EMF records to the metrics log group; nginx itself needs no AWS access.
        var statements = Model.StatementsOf(TaskRole(ServiceCatalog.Web.Name));

        Assert.Equal(["logs:CreateLogStream", "logs:PutLogEvents"], statements.Select(s => s.Action).Order());
        Assert.Equal(Model.OfType("AWS::Logs::LogGroup").Single(l => l.LogicalId.StartsWith("TelemetryMetrics", StringComparison.Ordinal)).LogicalId,
            Assert.Single(Model.PermissionsOf(TaskRole(ServiceCatalog.Web.Name)).SelectMany(p => p.ResourceLogicalIds).Distinct()));
    }

    [Theory]
    [InlineData("alert-worker", "alert-worker")]
    [InlineData("HealthFlow.AlertWorker", "alert-worker")]
    [InlineData("HealthFlow.Command.Api", "command-api")]
    [InlineData("healthflow.query-api", "query-api")]
    [InlineData("HealthFlow.Cli", null)]
    [InlineData("testhost", null)]
    public void A_process_finds_its_declared_access_by_service_or_application_name(string name, string? service)
    {
        // A relay scoped to the wrong service, or to none, would take leases and clear marks its task role may not.
        Assert.Equal(service, HealthFlowAccess.Find(name)?.Service);
    }

    [Fact]
    public void Every_backend_service_has_a_declaration()
    {
        Assert.Equal(ServiceCatalog.Backend.Select(s => s.Name).Order(), HealthFlowAccess.All.Select(a => a.Service).Order());
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void The_collector_may_write_traces_and_the_metrics_log_group_and_nothing_else(string service)
    {
        var telemetry = Model.StatementsOf(TaskRole(service)).Where(IsTelemetry).ToArray();

        Assert.Equal(TelemetryCollector.TraceActions.Order(), telemetry.Where(s => s.Resource == "*").Select(s => s.Action).Order());
        Assert.Equal(["logs:CreateLogStream", "logs:PutLogEvents"], telemetry.Where(s => s.Resource != "*").Select(s => s.Action).Order());
        AssertNonEmpty.All(telemetry.Where(s => s.Resource != "*"), s => Assert.StartsWith("logs:", s.Action, StringComparison.Ordinal));
    }

    private static bool IsTelemetry(GrantedStatement statement) => AccessComparison.IsTelemetry(statement);

    private string TaskRole(string service) => Model.TaskRoleId(service);
}
