using Amazon.CDK;

namespace HealthFlow.Cdk;

/// <summary>
/// Builds the CDK app. The cdk CLI (Program.cs) and the tests both call this, so the tests
/// synthesize exactly what `cdk synth` and `cdk deploy` do, feature flags included.
/// </summary>
public static class HealthFlowApp
{
    public const string StackName = "HealthFlow";

    /// <summary>
    /// Feature flags that a new CDK project would get in cdk.json. They live in code instead so that
    /// the tests, which do not read cdk.json, see the same behaviour.
    /// </summary>
    public static IReadOnlyDictionary<string, object> FeatureFlags { get; } = new Dictionary<string, object>
    {
        ["@aws-cdk/core:target-partitions"] = new[] { "aws" },
        ["@aws-cdk/core:enablePartitionLiterals"] = true,
        ["@aws-cdk/aws-iam:minimizePolicies"] = true,
        ["@aws-cdk/aws-iam:standardizedServicePrincipals"] = true,
        ["@aws-cdk/aws-ecs:arnFormatIncludesClusterName"] = true,
        ["@aws-cdk/aws-ecs:disableExplicitDeploymentControllerForCircuitBreaker"] = true,
        ["@aws-cdk/aws-ecs:removeDefaultDeploymentAlarm"] = true,
        ["@aws-cdk/aws-ecs:reduceEc2FargateCloudWatchPermissions"] = true,
        ["@aws-cdk/aws-events:eventsTargetQueueSameAccount"] = true,
        ["@aws-cdk/aws-ec2:restrictDefaultSecurityGroup"] = true,
        ["@aws-cdk/aws-elasticloadbalancingV2:albDualstackWithoutPublicIpv4SecurityGroupRulesDefault"] = true,
    };

    public static (App App, HealthFlowStack Stack) Create(string repositoryRoot, string? outdir = null, IDictionary<string, object>? context = null)
    {
        var allContext = new Dictionary<string, object>(FeatureFlags);
        foreach (var (key, value) in context ?? new Dictionary<string, object>())
        {
            allContext[key] = value;
        }

        var app = new App(new AppProps { Outdir = outdir, Context = allContext });
        // The account comes from the deploying credentials, so synth needs none; the region is fixed at synth
        // time because the ALB's access-log bucket policy depends on it (DeploymentSettings.Region).
        var stack = new HealthFlowStack(app, StackName, new HealthFlowStackProps
        {
            RepositoryRoot = repositoryRoot,
            Env = new Amazon.CDK.Environment { Region = DeploymentSettings.Region(app.Node) },
            Description = "HealthFlow remote patient monitoring: Fargate services, DynamoDB event store and read models, EventBridge to SQS.",
        });
        return (app, stack);
    }
}
