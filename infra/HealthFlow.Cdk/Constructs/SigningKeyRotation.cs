using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SecretsManager;
using Amazon.CDK.AWS.SNS;
using Constructs;

namespace HealthFlow.Cdk.Constructs;

public sealed class SigningKeyRotationProps
{
    public required Amazon.CDK.AWS.SecretsManager.Secret Secret { get; init; }

    /// <summary>auth-api: its tasks are rolled once the new key is current, because ECS reads secrets at task start.</summary>
    public required FargateService AuthApi { get; init; }

    public required IVpc Vpc { get; init; }

    /// <summary>The repository checkout: the function's code is infra/HealthFlow.Cdk/rotation.</summary>
    public required string RepositoryRoot { get; init; }

    public required IKey LogEncryptionKey { get; init; }

    /// <summary>A failed rotation is reported here.</summary>
    public required ITopic AlarmTopic { get; init; }
}

/// <summary>
/// Rotates auth-api's JWT signing key every <see cref="Interval"/> with a Lambda function
/// (rotation/index.mjs) that generates a new P-256 key, makes it AWSCURRENT (the old one becomes
/// AWSPREVIOUS) and rolls auth-api's tasks. The function runs in the private subnets, one at a time,
/// logs to an encrypted group kept a year, and any error raises an alarm on the alarm topic.
/// </summary>
public sealed class SigningKeyRotation : Construct
{
    public static readonly Duration Interval = Duration.Days(90);

    public const string CodeDirectory = "infra/HealthFlow.Cdk/rotation";

    /// <summary>The newest Node.js runtime Lambda offers; the CDK 2.160 library predates its constant.</summary>
    public static readonly Runtime NodeRuntime = new("nodejs24.x", RuntimeFamily.NODEJS);

    public SigningKeyRotation(Construct scope, string id, SigningKeyRotationProps props) : base(scope, id)
    {
        var logs = new LogGroup(this, "Logs", new LogGroupProps
        {
            Retention = FargateContainerService.LogRetention,
            EncryptionKey = props.LogEncryptionKey,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });

        Function = new Function(this, "Function", new FunctionProps
        {
            Description = "Rotates auth-api's ES256 JWT signing key and rolls auth-api's tasks",
            Runtime = NodeRuntime,
            Handler = "index.handler",
            Code = Code.FromAsset(Path.Combine(props.RepositoryRoot, CodeDirectory)),
            Timeout = Duration.Seconds(30),
            MemorySize = 256,
            Vpc = props.Vpc,
            VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_WITH_EGRESS },
            // One rotation at a time: Secrets Manager never runs two on one secret, and nothing else calls it.
            ReservedConcurrentExecutions = 1,
            LogGroup = logs,
            Environment = new Dictionary<string, string>
            {
                ["AUTH_API_CLUSTER"] = props.AuthApi.Cluster.ClusterName,
                ["AUTH_API_SERVICE"] = props.AuthApi.ServiceName,
            },
        });
        Function.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["ecs:UpdateService"],
            Resources = [props.AuthApi.ServiceArn],
        }));

        Schedule = props.Secret.AddRotationSchedule("Rotation", new RotationScheduleOptions
        {
            RotationLambda = Function,
            AutomaticallyAfter = Interval,
            // The first key is set by the operator (README); rotating on deploy would roll auth-api mid-deployment.
            RotateImmediatelyOnUpdate = false,
        });

        // Only Secrets Manager acting for this account may invoke the function (confused-deputy protection);
        // the CDK's rotation schedule writes the permission without a source condition.
        foreach (var permission in Function.Node.Children.OfType<CfnPermission>())
        {
            permission.SourceAccount = Amazon.CDK.Aws.ACCOUNT_ID;
        }

        // Secrets Manager calls the function synchronously and retries a failed step on the next attempt,
        // so a failure shows in the function's errors, not in a dead-letter queue.
        Function.MetricErrors(new MetricOptions { Period = Duration.Minutes(5), Statistic = Stats.SUM })
            .CreateAlarm(this, "Failed", new CreateAlarmOptions
            {
                AlarmDescription = "Rotating the JWT signing key failed: see the rotation function's log group; the current key stays in use.",
                Threshold = 0,
                ComparisonOperator = ComparisonOperator.GREATER_THAN_THRESHOLD,
                EvaluationPeriods = 1,
                TreatMissingData = TreatMissingData.NOT_BREACHING,
            })
            .AddAlarmAction(new SnsAction(props.AlarmTopic));
    }

    public Function Function { get; }

    public RotationSchedule Schedule { get; }
}
