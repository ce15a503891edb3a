using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.Ecr.Assets;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.Logs;
using Constructs;
using HealthCheck = Amazon.CDK.AWS.ECS.HealthCheck;

namespace HealthFlow.Cdk.Constructs;

public sealed class FargateContainerServiceProps
{
    public required DeployableService Definition { get; init; }
    public required ICluster Cluster { get; init; }
    public required string RepositoryRoot { get; init; }
    public required int DesiredCount { get; init; }

    /// <summary>Encrypts the service's log group (Control Tower CT.CLOUDWATCH.PR.3).</summary>
    public required Amazon.CDK.AWS.KMS.IKey LogEncryptionKey { get; init; }
    public IDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public IDictionary<string, Amazon.CDK.AWS.ECS.Secret> Secrets { get; init; } = new Dictionary<string, Amazon.CDK.AWS.ECS.Secret>();
    public IServiceConnectProps? ServiceConnect { get; init; }

    /// <summary>The OpenTelemetry collector to run beside the container.</summary>
    public required TelemetryCollector Telemetry { get; init; }
}

/// <summary>
/// One HealthFlow container on Fargate: image built from its Dockerfile, its own log group
/// with retention, a container health check on /health, a read-only root file system with
/// a scratch /tmp, and a deployment circuit breaker that rolls back a release that never gets healthy.
/// </summary>
public sealed class FargateContainerService : Construct
{
    /// <summary>A year, as Control Tower's CT.CLOUDWATCH.PR.2 asks: enough to investigate an incident reported late.</summary>
    public static readonly RetentionDays LogRetention = RetentionDays.ONE_YEAR;

    /// <summary><see cref="LogRetention"/> in days, for logs kept outside CloudWatch (the log archive bucket).</summary>
    public const int LogRetentionDays = 365;

    /// <summary>Every task runs the telemetry collector beside its container: 0.25 vCPU allows 1 GiB, the size above 512 MiB.</summary>
    public const int TaskMemoryMiB = 1024;

    /// <summary>
    /// The container's hard limit: what it had in a 512 MiB task, less the 64 MiB AWS advises for the Service Connect
    /// proxy. The rest of the task is the collector's (<see cref="TelemetryCollector.MemoryMiB"/>) and headroom.
    /// </summary>
    public const int ContainerMemoryMiB = 512 - 64;

    /// <summary>The container port's name, which Service Connect publishes.</summary>
    public const string PortMappingName = "http";

    private const string ScratchVolume = "tmp";

    // The aspnet and nginx images ship no curl or wget; bash's /dev/tcp is enough for one GET.
    public const string HealthCheckCommand =
        "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '";

    public FargateContainerService(Construct scope, string id, FargateContainerServiceProps props) : base(scope, id)
    {
        var definition = props.Definition;
        Definition = definition;

        LogGroup = new LogGroup(this, "Logs", new LogGroupProps
        {
            Retention = LogRetention,
            EncryptionKey = props.LogEncryptionKey,
            // Kept after the stack is deleted, like the tables: the record of what happened outlives the deployment.
            RemovalPolicy = RemovalPolicy.RETAIN,
        });

        TaskDefinition = new FargateTaskDefinition(this, "Task", new FargateTaskDefinitionProps
        {
            Cpu = 256,
            MemoryLimitMiB = TaskMemoryMiB,
            RuntimePlatform = new RuntimePlatform
            {
                OperatingSystemFamily = OperatingSystemFamily.LINUX,
                CpuArchitecture = CpuArchitecture.X86_64,
            },
        });
        TaskDefinition.AddVolume(new Amazon.CDK.AWS.ECS.Volume { Name = ScratchVolume });

        Container = TaskDefinition.AddContainer(definition.Name, new ContainerDefinitionOptions
        {
            ContainerName = definition.Name,
            Image = ContainerImage.FromAsset(props.RepositoryRoot, new AssetImageProps
            {
                File = definition.Dockerfile,
                BuildArgs = definition.BuildArgs,
                Platform = Platform_.LINUX_AMD64,
            }),
            Essential = true,
            User = definition.User,
            MemoryLimitMiB = ContainerMemoryMiB,
            ReadonlyRootFilesystem = true,
            Environment = props.Environment,
            Secrets = props.Secrets,
            PortMappings = [new PortMapping { Name = PortMappingName, ContainerPort = ServiceCatalog.ContainerPort, AppProtocol = AppProtocol.Http }],
            HealthCheck = new HealthCheck
            {
                Command = ["CMD", "bash", "-c", HealthCheckCommand],
                Interval = Duration.Seconds(15),
                Timeout = Duration.Seconds(5),
                Retries = 3,
                StartPeriod = Duration.Seconds(30),
            },
            Logging = LogDriver.AwsLogs(new AwsLogDriverProps { LogGroup = LogGroup, StreamPrefix = definition.Name }),
            StopTimeout = Duration.Seconds(30),
        });
        Container.AddMountPoints(new MountPoint { SourceVolume = ScratchVolume, ContainerPath = "/tmp", ReadOnly = false });
        props.Telemetry.AddTo(TaskDefinition, Container, LogGroup, definition.Name,
            definition.Kind == ServiceKind.Web ? CollectorSource.TaskMetrics : CollectorSource.Otlp);

        Service = new FargateService(this, "Service", new FargateServiceProps
        {
            Cluster = props.Cluster,
            TaskDefinition = TaskDefinition,
            DesiredCount = props.DesiredCount,
            VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_WITH_EGRESS },
            AssignPublicIp = false,
            CircuitBreaker = new DeploymentCircuitBreaker { Enable = true, Rollback = true },
            MinHealthyPercent = 100,
            MaxHealthyPercent = 200,
            ServiceConnectConfiguration = props.ServiceConnect,
        });
    }

    public DeployableService Definition { get; }

    public LogGroup LogGroup { get; }

    public FargateTaskDefinition TaskDefinition { get; }

    public ContainerDefinition Container { get; }

    public FargateService Service { get; }
}
