using HealthFlow.Cdk.Constructs;

namespace HealthFlow.Cdk.Tests;

/// <summary>Telemetry on AWS: a collector in every task, traces to X-Ray, metrics to CloudWatch, and an alarm on the outbox.</summary>
[Collection(CdkCollection.Name)]
public sealed class TelemetryTests(SynthesizedStack stack)
{
    private TemplateModel Model => stack.Model;

    [Fact]
    public void Every_task_definition_in_the_template_runs_the_collector()
    {
        var tasks = Model.OfType("AWS::ECS::TaskDefinition").ToList();

        Assert.Equal(ServiceCatalog.All.Count, tasks.Count);
        AssertNonEmpty.All(tasks, task =>
        {
            var collector = Assert.Single(task.Properties["ContainerDefinitions"]!.AsArray(), c => (string?)c!["Name"] == TelemetryCollector.ContainerName)!;
            Assert.Equal(TelemetryCollector.Image, (string?)collector["Image"]);
            Assert.False((bool)collector["Essential"]!);
            Assert.Equal(TelemetryCollector.CollectorUser, (string?)collector["User"]);
            Assert.True((bool)collector["ReadonlyRootFilesystem"]!);
        });
    }

    [Fact]
    public void The_web_apps_collector_sends_the_tasks_resource_metrics_to_cloudwatch()
    {
        var (taskId, container) = Model.Container(ServiceCatalog.Web.Name);
        var containers = Model.Resource(taskId)["Properties"]!["ContainerDefinitions"]!.AsArray();
        var collector = Assert.Single(containers, c => (string?)c!["Name"] == TelemetryCollector.ContainerName)!;
        var config = CollectorConfig(collector);

        Assert.Contains("awsecscontainermetrics", config, StringComparison.Ordinal);
        Assert.Contains($"namespace: {TelemetryCollector.MetricsNamespace}", config, StringComparison.Ordinal);
        AssertNonEmpty.All(TelemetryCollector.TaskMetrics, metric => Assert.Contains($"- {metric}", config, StringComparison.Ordinal));
        // nginx exports no OTLP and never waits for the collector; nothing goes to X-Ray.
        Assert.DoesNotContain("awsxray", config, StringComparison.Ordinal);
        Assert.Null(container["DependsOn"]);
    }

    [Fact]
    public void Every_dotnet_task_runs_the_collector_and_exports_to_it()
    {
        foreach (var service in ServiceCatalog.Backend)
        {
            var (taskId, container) = Model.Container(service.Name);
            var containers = Model.Resource(taskId)["Properties"]!["ContainerDefinitions"]!.AsArray();
            var collector = Assert.Single(containers, c => (string?)c!["Name"] == TelemetryCollector.ContainerName)!;

            Assert.Equal(TelemetryCollector.Image, (string?)collector["Image"]);
            Assert.False((bool)collector["Essential"]!);
            Assert.Equal(TelemetryCollector.CollectorUser, (string?)collector["User"]);
            var config = CollectorConfig(collector);
            Assert.Contains("awsxray", config, StringComparison.Ordinal);
            Assert.Contains($"namespace: {TelemetryCollector.MetricsNamespace}", config, StringComparison.Ordinal);

            var endpoint = container["Environment"]!.AsArray().Single(e => (string?)e!["Name"] == "OTEL_EXPORTER_OTLP_ENDPOINT")!;
            Assert.Equal(TelemetryCollector.OtlpEndpoint, (string?)endpoint["Value"]);
            Assert.Contains(container["DependsOn"]!.AsArray(), d => (string?)d!["ContainerName"] == TelemetryCollector.ContainerName);
        }
    }

    [Fact]
    public void The_outbox_pending_metric_has_an_alarm()
    {
        var alarm = Assert.Single(Model.OfType("AWS::CloudWatch::Alarm"), a => (string?)a.Properties["MetricName"] == OperationalAlarms.OutboxPendingMetric).Properties;

        Assert.Equal(TelemetryCollector.MetricsNamespace, (string?)alarm["Namespace"]);
        Assert.NotEmpty(alarm["AlarmActions"]!.AsArray());
    }

    // An Fn::Join: the metrics log group's name is filled in at deployment.
    private static string CollectorConfig(System.Text.Json.Nodes.JsonNode collector) =>
        collector["Environment"]!.AsArray().Single(e => (string?)e!["Name"] == "AOT_CONFIG_CONTENT")!["Value"]!.ToJsonString();
}
