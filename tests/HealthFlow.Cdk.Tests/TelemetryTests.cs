using HealthFlow.Cdk.Constructs;

namespace HealthFlow.Cdk.Tests;

/// <summary>Telemetry on AWS: a collector beside every .NET service, traces to X-Ray, metrics to CloudWatch, and an alarm on the outbox.</summary>
[Collection(CdkCollection.Name)]
public sealed class TelemetryTests(SynthesizedStack stack)
{
    private TemplateModel Model => stack.Model;

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
            // An Fn::Join: the metrics log group's name is filled in at deployment.
            var config = collector["Environment"]!.AsArray().Single(e => (string?)e!["Name"] == "AOT_CONFIG_CONTENT")!["Value"]!.ToJsonString();
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
}
