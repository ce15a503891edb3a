using Amazon.CDK;
using Amazon.CDK.AWS.ApplicationAutoScaling;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.SecretsManager;
using Amazon.CDK.AWS.ServiceDiscovery;
using Constructs;
using HealthFlow.Cdk.Constructs;
using HealthFlow.Domain.Alerts;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.Topology;
using EcsSecret = Amazon.CDK.AWS.ECS.Secret;
using Queues = HealthFlow.Topology.HealthFlowTopology.Queues;
using SecretsManagerSecret = Amazon.CDK.AWS.SecretsManager.Secret;

namespace HealthFlow.Cdk;

public sealed class HealthFlowStackProps : StackProps
{
    public required string RepositoryRoot { get; init; }
}

/// <summary>
/// HealthFlow on AWS. Read top to bottom, this is the deployment diagram: network, data,
/// event routing, the five services with their grants, the public gateway, scaling, alarms.
/// </summary>
public sealed class HealthFlowStack : Stack
{
    /// <summary>Secrets Manager name of auth-api's ES256 private key (PKCS#8 PEM). Not a topology name: only this stack and the operator use it.</summary>
    public const string JwtSigningKeySecretName = "healthflow/jwt-signing-key";

    /// <summary>notifier's SES SMTP credentials (username, password).</summary>
    public const string SesSmtpSecretName = "healthflow/ses-smtp";

    /// <summary>The SES configuration set every notification is sent with: bounces and complaints suppress an address.</summary>
    public const string NotificationConfigurationSetName = "healthflow-notifications";

    /// <summary>auth-api's configuration key for the PEM (`Jwt:SigningKey`, JwtSigningOptions).</summary>
    public const string JwtSigningKeyVariable = "Jwt__SigningKey";

    /// <summary>The secret's AWSPREVIOUS version, for auth-api's JWKS to keep publishing the previous public key after a rotation.</summary>
    public const string JwtPreviousSigningKeyVariable = "Jwt__PreviousSigningKey";

    /// <summary>Service Connect namespace: how the APIs reach auth-api's JWKS inside the VPC.</summary>
    public const string ServiceConnectNamespace = "healthflow.internal";

    /// <summary>Two tasks per API and for the web apps, one per AZ; workers start with one.</summary>
    private const int ApiMinTasks = 2;
    private const int ApiMaxTasks = 8;
    private const int WorkerMinTasks = 1;
    private const int WorkerMaxTasks = 6;

    private readonly string _repositoryRoot;
    private readonly EncryptionKeys _keys;
    private readonly TelemetryCollector _telemetry;

    public HealthFlowStack(Construct scope, string id, HealthFlowStackProps props) : base(scope, id, props)
    {
        var settings = DeploymentSettings.FromContext(Node);
        settings.RequireHttpsUnlessAllowed();
        _repositoryRoot = props.RepositoryRoot;

        // Two AZs, public subnets for the ALB and NAT, private subnets for the tasks. One NAT gateway
        // keeps the bill down; if its AZ fails, tasks in the other AZ lose egress until it returns.
        var vpc = new Vpc(this, "Network", new VpcProps
        {
            MaxAzs = 2,
            NatGateways = 1,
            SubnetConfiguration =
            [
                // Nothing in the public subnets needs an automatic public IP: the NAT gateway has its Elastic IP.
                new SubnetConfiguration { Name = "public", SubnetType = SubnetType.PUBLIC, CidrMask = 24, MapPublicIpOnLaunch = false },
                new SubnetConfiguration { Name = "private", SubnetType = SubnetType.PRIVATE_WITH_EGRESS, CidrMask = 22 },
            ],
        });
        // DynamoDB traffic stays inside the VPC (and off the NAT gateway's per-GB charge).
        vpc.AddGatewayEndpoint("DynamoDb", new GatewayVpcEndpointOptions { Service = GatewayVpcEndpointAwsService.DYNAMODB });

        // The ALB's access logs and the VPC's flow logs (accepted and rejected traffic) land in one private bucket.
        var logArchive = new LogArchive(this, "LogArchive");
        vpc.AddFlowLog("FlowLogs", new FlowLogOptions
        {
            Destination = FlowLogDestination.ToS3(logArchive.Bucket, LogArchive.FlowLogPrefix),
            TrafficType = FlowLogTrafficType.ALL,
        });

        _keys = new EncryptionKeys(this);
        var tables = new DataTables(this, "Tables", RemovalPolicy.RETAIN, _keys.Data, deletionProtection: !settings.Demo);
        _ = new TableBackups(this, "Backups", tables, _keys.Data, settings.BackupRetentionDays);
        var routing = new EventRouting(this, "Events", _keys.Messaging);

        // Traces to X-Ray, metrics to CloudWatch: an ADOT collector in every task.
        _telemetry = new TelemetryCollector(this, "Telemetry", _keys.Logs);

        var cluster = new Cluster(this, "Cluster", new ClusterProps { Vpc = vpc, ContainerInsights = true });
        cluster.AddDefaultCloudMapNamespace(new CloudMapNamespaceOptions
        {
            Name = ServiceConnectNamespace,
            Type = NamespaceType.HTTP,
            UseForServiceConnect = true,
        });

        // The value is a placeholder until the operator puts a real key in it (README); only auth-api reads it.
        var jwtSigningKey = new SecretsManagerSecret(this, "JwtSigningKey", new SecretProps
        {
            SecretName = JwtSigningKeySecretName,
            Description = "auth-api's ES256 private key, PKCS#8 PEM. Set with: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256",
            RemovalPolicy = RemovalPolicy.RETAIN,
            EncryptionKey = _keys.Secrets,
        });

        var authTasks = settings.HoldAuthApi ? 0 : ApiMinTasks;
        // auth-api reads its own JWKS too: during a rolling restart its tasks accept the tokens their peers signed.
        var auth = Service(ServiceCatalog.AuthApi, cluster, authTasks, environment: JwtValidation(),
            secrets: new Dictionary<string, EcsSecret>
            {
                [JwtSigningKeyVariable] = EcsSecret.FromSecretsManager(jwtSigningKey),
                // After a rotation, the key that signed the tokens still in circulation (README, "Key rotation").
                [JwtPreviousSigningKeyVariable] = EcsSecret.FromSecretsManagerVersion(jwtSigningKey, new SecretVersionInfo { VersionStage = "AWSPREVIOUS" }),
            },
            serviceConnect: new ServiceConnectProps
            {
                Services = [new ServiceConnectService { PortMappingName = FargateContainerService.PortMappingName, DnsName = ServiceCatalog.AuthApi.Name, Port = ServiceCatalog.ContainerPort }],
            });
        var command = Service(ServiceCatalog.CommandApi, cluster, ApiMinTasks, environment: JwtValidation(), serviceConnect: new ServiceConnectProps());
        var query = Service(ServiceCatalog.QueryApi, cluster, ApiMinTasks, environment: JwtValidation(), serviceConnect: new ServiceConnectProps());
        var alertWorker = Service(ServiceCatalog.AlertWorker, cluster, WorkerMinTasks, environment: EscalationSettings(settings.Escalation));
        var projections = Service(ServiceCatalog.Projections, cluster, WorkerMinTasks);

        // notifier's SMTP credentials for Amazon SES (README, "Notifications"): only its task definition reads them.
        var smtpCredentials = new SecretsManagerSecret(this, "SesSmtpCredentials", new SecretProps
        {
            SecretName = SesSmtpSecretName,
            Description = "notifier's Amazon SES SMTP credentials: {\"username\": ..., \"password\": ...} (the SMTP password derived from an IAM user's key).",
            RemovalPolicy = RemovalPolicy.RETAIN,
            EncryptionKey = _keys.Secrets,
            GenerateSecretString = new SecretStringGenerator
            {
                SecretStringTemplate = "{\"username\":\"set-me\"}",
                GenerateStringKey = "password",
            },
        });
        var notificationConfiguration = new Amazon.CDK.AWS.SES.ConfigurationSet(this, "NotificationEmails", new Amazon.CDK.AWS.SES.ConfigurationSetProps
        {
            ConfigurationSetName = NotificationConfigurationSetName,
            SuppressionReasons = Amazon.CDK.AWS.SES.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        });
        var notifier = Service(ServiceCatalog.Notifier, cluster, WorkerMinTasks,
            environment: new Dictionary<string, string>
            {
                ["Smtp__Host"] = $"email-smtp.{Amazon.CDK.Aws.REGION}.amazonaws.com",
                ["Smtp__Port"] = "587",
                ["Smtp__Security"] = "StartTls",
                ["Smtp__From"] = settings.NotificationSender,
                ["Smtp__ConfigurationSet"] = NotificationConfigurationSetName,
            },
            secrets: new Dictionary<string, EcsSecret>
            {
                ["Smtp__Username"] = EcsSecret.FromSecretsManager(smtpCredentials, "username"),
                ["Smtp__Password"] = EcsSecret.FromSecretsManager(smtpCredentials, "password"),
            });
        // By name in the environment: the tasks start only once the configuration set exists.
        notifier.Service.Node.AddDependency(notificationConfiguration);
        var web = Service(ServiceCatalog.Web, cluster, ApiMinTasks);

        // auth-api's own tasks included: during a rolling restart they read their peers' JWKS.
        foreach (var api in new[] { command, query, auth })
        {
            auth.Service.Connections.AllowFrom(api.Service, Port.Tcp(ServiceCatalog.ContainerPort), "JWKS over Service Connect");
        }

        // Least privilege, per service (docs/guarantees.md, "Least privilege"): every task role holds exactly its declared access.
        foreach (var service in new[] { auth, command, query, alertWorker, projections, notifier })
        {
            DeclaredAccess.Grant(HealthFlowAccess.For(service.Definition.Name), service.TaskDefinition.TaskRole, tables, routing);
        }

        var gateway = new PublicGateway(this, "Gateway", new PublicGatewayProps
        {
            Vpc = vpc,
            Web = web.Service,
            Apis = new Dictionary<string, FargateService>
            {
                [ServiceCatalog.AuthApi.Name] = auth.Service,
                [ServiceCatalog.CommandApi.Name] = command.Service,
                [ServiceCatalog.QueryApi.Name] = query.Service,
            },
            CertificateArn = settings.CertificateArn,
            AccessLogs = logArchive,
            DeletionProtection = !settings.Demo,
        });

        // The APIs scale on CPU; the workers on the backlog of the queues they drain.
        foreach (var api in new[] { auth, command, query, web })
        {
            api.Service.AutoScaleTaskCount(new EnableScalingProps { MinCapacity = api == auth ? authTasks : ApiMinTasks, MaxCapacity = ApiMaxTasks })
                .ScaleOnCpuUtilization("Cpu", new CpuUtilizationScalingProps
                {
                    TargetUtilizationPercent = 60,
                    ScaleOutCooldown = Duration.Seconds(60),
                    ScaleInCooldown = Duration.Seconds(180),
                });
        }

        ScaleOnBacklog(alertWorker, routing, [Queues.AlertEvaluation]);
        ScaleOnBacklog(projections, routing, ProjectionQueues);

        // Each message links to the alert in the clinician app, behind the same ALB.
        notifier.Container.AddEnvironment("Notifications__ClinicianAppUrl",
            (settings.CertificateArn is { Length: > 0 } ? "https://" : "http://") + gateway.LoadBalancer.LoadBalancerDnsName + "/clinician");

        var alarms = new OperationalAlarms(this, "Alarms", routing, _keys.Messaging, settings.AlarmEmail);

        _ = new SigningKeyRotation(this, "JwtSigningKeyRotation", new SigningKeyRotationProps
        {
            Secret = jwtSigningKey,
            AuthApi = auth.Service,
            Vpc = vpc,
            RepositoryRoot = _repositoryRoot,
            LogEncryptionKey = _keys.Logs,
            AlarmTopic = alarms.Topic,
        });

        _ = new CfnOutput(this, "Url", new CfnOutputProps
        {
            Value = (settings.CertificateArn is { Length: > 0 } ? "https://" : "http://") + gateway.LoadBalancer.LoadBalancerDnsName,
            Description = "The web apps (patient at /, clinician at /clinician/) and the API (/api/*).",
        });
        _ = new CfnOutput(this, "JwtSigningKeySecret", new CfnOutputProps { Value = jwtSigningKey.SecretName, Description = "Put auth-api's private key here (README)." });
        _ = new CfnOutput(this, "AlarmTopic", new CfnOutputProps { Value = alarms.Topic.TopicArn });
    }

    public static IReadOnlyList<QueueDefinition> ProjectionQueues { get; } = [Queues.PatientProjection, Queues.ObservationProjection, Queues.AlertProjection];

    /// <summary>alert-worker's escalation policy, written out so the deployed deadlines can be read in the task definition; empty is never.</summary>
    public static Dictionary<string, string> EscalationSettings(EscalationPolicy policy) => new()
    {
        [$"{EscalationPolicy.SectionName}__{nameof(EscalationPolicy.HighAfter)}"] = Format(policy.HighAfter),
        [$"{EscalationPolicy.SectionName}__{nameof(EscalationPolicy.MediumAfter)}"] = Format(policy.MediumAfter),
        [$"{EscalationPolicy.SectionName}__{nameof(EscalationPolicy.LowMediumAfter)}"] = Format(policy.LowMediumAfter),
    };

    private static string Format(TimeSpan? delay) => delay?.ToString("c", System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;

    /// <summary>What auth-api writes into tokens and the APIs require of them.</summary>
    private static Dictionary<string, string> TokenSettings() => new()
    {
        ["Jwt__Issuer"] = JwtDefaults.Issuer,
        ["Jwt__Audience"] = JwtDefaults.Audience,
    };

    /// <summary>The APIs (auth-api's peers included) fetch auth-api's public keys over Service Connect, inside the VPC.</summary>
    private static Dictionary<string, string> JwtValidation() => new(TokenSettings())
    {
        ["Jwt__JwksUrl"] = $"http://{ServiceCatalog.AuthApi.Name}:{ServiceCatalog.ContainerPort}{JwtValidationOptions.JwksPath}",
    };

    private FargateContainerService Service(
        DeployableService definition,
        Cluster cluster,
        int desiredCount,
        Dictionary<string, string>? environment = null,
        Dictionary<string, EcsSecret>? secrets = null,
        ServiceConnectProps? serviceConnect = null)
    {
        var variables = new Dictionary<string, string>(environment ?? []);
        // nginx reads none of these; its port is in its own configuration (web/nginx.conf).
        if (definition.Kind != ServiceKind.Web)
        {
            variables["ASPNETCORE_HTTP_PORTS"] = ServiceCatalog.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            variables["OTEL_SERVICE_NAME"] = definition.Name;
            // The pseudo parameter: CloudFormation fills in the region the stack is deployed to.
            variables["AWS_REGION"] = Amazon.CDK.Aws.REGION;
            // Traces and metrics to the collector in the same task (TelemetryCollector).
            variables["OTEL_EXPORTER_OTLP_ENDPOINT"] = TelemetryCollector.OtlpEndpoint;
        }

        if (definition.Kind == ServiceKind.Api)
        {
            // Only the ALB (and Service Connect peers) can reach a task, so X-Forwarded-For/-Proto are the ALB's:
            // login rate limits then see the client's address, and the request scheme is the one the client used.
            variables["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true";
        }

        return new FargateContainerService(this, definition.Name, new FargateContainerServiceProps
        {
            Definition = definition,
            Cluster = cluster,
            RepositoryRoot = _repositoryRoot,
            DesiredCount = desiredCount,
            Environment = variables,
            Secrets = secrets ?? [],
            ServiceConnect = serviceConnect,
            LogEncryptionKey = _keys.Logs,
            Telemetry = _telemetry,
        });
    }

    /// <summary>Step scaling on the visible backlog (summed over the worker's queues): out fast, in one task at a time.</summary>
    private static void ScaleOnBacklog(FargateContainerService worker, EventRouting routing, IReadOnlyList<QueueDefinition> queues)
    {
        var period = Duration.Minutes(1);
        var metrics = queues.Select((queue, i) => (Id: $"q{i}", Metric: (IMetric)routing.WorkQueue(queue).MetricApproximateNumberOfMessagesVisible(new MetricOptions
        {
            Period = period,
            Statistic = Stats.MAXIMUM,
        }))).ToArray();
        IMetric backlog = metrics.Length == 1
            ? metrics[0].Metric
            : new MathExpression(new MathExpressionProps
            {
                Expression = string.Join(" + ", metrics.Select(m => m.Id)),
                UsingMetrics = metrics.ToDictionary(m => m.Id, m => m.Metric),
                Label = "Visible messages",
                Period = period,
            });

        worker.Service.AutoScaleTaskCount(new EnableScalingProps { MinCapacity = WorkerMinTasks, MaxCapacity = WorkerMaxTasks })
            .ScaleOnMetric("QueueDepth", new BasicStepScalingPolicyProps
            {
                Metric = backlog,
                AdjustmentType = AdjustmentType.CHANGE_IN_CAPACITY,
                ScalingSteps =
                [
                    new ScalingInterval { Upper = 10, Change = -1 },
                    new ScalingInterval { Lower = 100, Change = +1 },
                    new ScalingInterval { Lower = 1000, Change = +3 },
                ],
                Cooldown = Duration.Seconds(120),
            });
    }
}
