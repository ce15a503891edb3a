using Amazon.CDK;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Logs;
using Constructs;
using HealthCheck = Amazon.CDK.AWS.ECS.HealthCheck;

namespace HealthFlow.Cdk.Constructs;

/// <summary>
/// Telemetry on AWS: an AWS Distro for OpenTelemetry (ADOT) collector beside each .NET service in its task. The
/// service exports OTLP to it on localhost (OTEL_EXPORTER_OTLP_ENDPOINT); it sends traces to X-Ray and the
/// metrics, as CloudWatch embedded-metric-format logs, to the HealthFlow namespace in CloudWatch.
/// </summary>
public sealed class TelemetryCollector : Construct
{
    public const string ContainerName = "otel-collector";

    /// <summary>Pinned: a collector release changes exporters' behaviour; upgrade deliberately.</summary>
    public const string Image = "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0";

    /// <summary>OTLP over gRPC on the task's loopback (awsvpc: the containers of a task share it).</summary>
    public const string OtlpEndpoint = "http://localhost:4317";

    public const string MetricsNamespace = "HealthFlow";

    /// <summary>The collector image's own non-root user.</summary>
    public const string CollectorUser = "10001";

    /// <summary>The X-Ray actions the collector needs; X-Ray has no resource-level permissions, so they apply to "*".</summary>
    public static readonly string[] TraceActions = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"];

    public TelemetryCollector(Construct scope, string id, IKey logEncryptionKey) : base(scope, id)
    {
        MetricsLogGroup = new LogGroup(this, "Metrics", new LogGroupProps
        {
            Retention = FargateContainerService.LogRetention,
            EncryptionKey = logEncryptionKey,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
    }

    /// <summary>Where the EMF records land; CloudWatch extracts the metrics from them.</summary>
    public LogGroup MetricsLogGroup { get; }

    /// <summary>Adds the collector to a task, starts the service after it, and lets the task role write traces and metrics.</summary>
    public void AddTo(FargateTaskDefinition task, ContainerDefinition service, ILogGroup logs, string serviceName)
    {
        var collector = task.AddContainer(ContainerName, new ContainerDefinitionOptions
        {
            ContainerName = ContainerName,
            Image = ContainerImage.FromRegistry(Image),
            // Losing telemetry must not take the service down with it.
            Essential = false,
            User = CollectorUser,
            MemoryLimitMiB = 256,
            ReadonlyRootFilesystem = true,
            // ADOT reads its whole configuration from this variable; it holds no secret.
            Environment = new Dictionary<string, string> { ["AOT_CONFIG_CONTENT"] = Configuration(serviceName) },
            HealthCheck = new HealthCheck
            {
                Command = ["CMD", "/healthcheck"],
                Interval = Duration.Seconds(15),
                Timeout = Duration.Seconds(5),
                Retries = 3,
                StartPeriod = Duration.Seconds(10),
            },
            Logging = LogDriver.AwsLogs(new AwsLogDriverProps { LogGroup = logs, StreamPrefix = ContainerName }),
        });
        service.AddContainerDependencies(new ContainerDependency { Container = collector, Condition = ContainerDependencyCondition.START });

        task.TaskRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = TraceActions,
            Resources = ["*"],
        }));
        MetricsLogGroup.GrantWrite(task.TaskRole);
    }

    /// <summary>
    /// OTLP in (gRPC and HTTP, loopback only); traces to X-Ray; metrics to CloudWatch through EMF, with a
    /// dimensionless roll-up of every metric so that alarms (e.g. on healthflow.outbox.pending) see all tasks.
    /// </summary>
    public string Configuration(string serviceName) => $$"""
        extensions:
          health_check:
        receivers:
          otlp:
            protocols:
              grpc:
                endpoint: 127.0.0.1:4317
              http:
                endpoint: 127.0.0.1:4318
        processors:
          batch:
            timeout: 10s
        exporters:
          awsxray:
          awsemf:
            namespace: {{MetricsNamespace}}
            log_group_name: {{MetricsLogGroup.LogGroupName}}
            log_stream_name: {{serviceName}}/{TaskId}
            dimension_rollup_option: ZeroAndSingleDimensionRollup
        service:
          extensions: [health_check]
          pipelines:
            traces:
              receivers: [otlp]
              processors: [batch]
              exporters: [awsxray]
            metrics:
              receivers: [otlp]
              processors: [batch]
              exporters: [awsemf]
        """;
}
