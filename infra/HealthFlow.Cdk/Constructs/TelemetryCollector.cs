using Amazon.CDK;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Logs;
using Constructs;
using HealthCheck = Amazon.CDK.AWS.ECS.HealthCheck;

namespace HealthFlow.Cdk.Constructs;

/// <summary>
/// Telemetry on AWS: an AWS Distro for OpenTelemetry (ADOT) collector in every task. A .NET service exports OTLP to
/// it on localhost (OTEL_EXPORTER_OTLP_ENDPOINT); it sends the traces to X-Ray and the metrics, as CloudWatch
/// embedded-metric-format logs, to the HealthFlow namespace in CloudWatch. Beside nginx, which exports no
/// OpenTelemetry, it sends the web task's resource metrics the same way.
/// </summary>
public sealed class TelemetryCollector : Construct
{
    public const string ContainerName = "otel-collector";

    /// <summary>Pinned: a collector release changes exporters' behaviour; upgrade deliberately.</summary>
    public const string Image = "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0";

    /// <summary>OTLP over gRPC on the task's loopback (awsvpc: the containers of a task share it).</summary>
    public const string OtlpEndpoint = "http://localhost:4317";

    public const string MetricsNamespace = "HealthFlow";

    /// <summary>The collector container's hard memory limit.</summary>
    public const int MemoryMiB = 256;

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

    /// <summary>
    /// Adds the collector to a task. For a .NET service (<see cref="CollectorSource.Otlp"/>) the service starts after it,
    /// and the task role may write traces and metrics; for the web apps (<see cref="CollectorSource.TaskMetrics"/>) it
    /// only reads the task's resource metrics from ECS, so the role may write metrics only.
    /// </summary>
    public void AddTo(FargateTaskDefinition task, ContainerDefinition service, ILogGroup logs, string serviceName, CollectorSource source)
    {
        var collector = task.AddContainer(ContainerName, new ContainerDefinitionOptions
        {
            ContainerName = ContainerName,
            Image = ContainerImage.FromRegistry(Image),
            // Losing telemetry must not take the service down with it.
            Essential = false,
            User = CollectorUser,
            MemoryLimitMiB = MemoryMiB,
            ReadonlyRootFilesystem = true,
            // ADOT reads its whole configuration from this variable; it holds no secret.
            Environment = new Dictionary<string, string>
            {
                ["AOT_CONFIG_CONTENT"] = source == CollectorSource.Otlp ? Configuration(serviceName) : TaskMetricsConfiguration(serviceName),
            },
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
        MetricsLogGroup.GrantWrite(task.TaskRole);
        if (source == CollectorSource.TaskMetrics)
        {
            return;
        }

        service.AddContainerDependencies(new ContainerDependency { Container = collector, Condition = ContainerDependencyCondition.START });
        task.TaskRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = TraceActions,
            Resources = ["*"],
        }));
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

    /// <summary>
    /// nginx has no OpenTelemetry of its own, so the web apps' collector reads the task's CPU, memory, network and
    /// storage figures from the ECS task metadata endpoint and sends them, as EMF, to the same namespace.
    /// </summary>
    public string TaskMetricsConfiguration(string serviceName) => $$"""
        extensions:
          health_check:
        receivers:
          awsecscontainermetrics:
            collection_interval: 60s
        processors:
          filter:
            metrics:
              include:
                match_type: strict
                metric_names:
        {{string.Join("\n", TaskMetrics.Select(m => "          - " + m))}}
        exporters:
          awsemf:
            namespace: {{MetricsNamespace}}
            log_group_name: {{MetricsLogGroup.LogGroupName}}
            log_stream_name: {{serviceName}}/{TaskId}
            dimension_rollup_option: NoDimensionRollup
            metric_declarations:
              - dimensions: [[ClusterName, TaskDefinitionFamily]]
                metric_name_selectors: [.]
        service:
          extensions: [health_check]
          pipelines:
            metrics:
              receivers: [awsecscontainermetrics]
              processors: [filter]
              exporters: [awsemf]
        """;

    /// <summary>The task-level figures the web apps' collector keeps (the receiver reports per container too).</summary>
    public static readonly string[] TaskMetrics =
    [
        "ecs.task.cpu.utilized", "ecs.task.cpu.reserved", "ecs.task.memory.utilized", "ecs.task.memory.reserved",
        "ecs.task.network.rate.rx", "ecs.task.network.rate.tx", "ecs.task.storage.read_bytes", "ecs.task.storage.write_bytes",
    ];
}

/// <summary>What a task's collector gathers.</summary>
public enum CollectorSource
{
    /// <summary>The service's own traces and metrics, exported over OTLP (the .NET services).</summary>
    Otlp,

    /// <summary>The task's resource metrics from the ECS task metadata endpoint (nginx, which exports no OpenTelemetry).</summary>
    TaskMetrics,
}
