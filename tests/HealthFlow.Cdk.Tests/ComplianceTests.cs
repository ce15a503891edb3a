using System.Text.Json.Nodes;
using HealthFlow.Cdk.Constructs;
using HealthFlow.Topology;

namespace HealthFlow.Cdk.Tests;

/// <summary>The controls cdk-nag's AwsSolutions and HIPAA.Security packs look for (README, "Compliance").</summary>
[Collection(CdkCollection.Name)]
public sealed class ComplianceTests(SynthesizedStack stack)
{
    private TemplateModel Model => stack.Model;

    [Fact]
    public void Every_table_is_backed_up_daily_into_an_encrypted_vault_for_the_configured_retention()
    {
        var plan = Assert.Single(Model.OfType("AWS::Backup::BackupPlan")).Properties["BackupPlan"]!;
        var rule = Assert.Single(plan["BackupPlanRule"]!.AsArray())!;
        Assert.Equal("cron(0 3 * * ? *)", (string?)rule["ScheduleExpression"]);
        Assert.Equal(DeploymentSettings.DefaultBackupRetentionDays, (int)rule["Lifecycle"]!["DeleteAfterDays"]!);

        var vault = Assert.Single(Model.OfType("AWS::Backup::BackupVault"));
        Assert.Equal(vault.LogicalId, TemplateModel.GetAttTarget(rule["TargetBackupVault"]!));
        Assert.Equal(Model.KeyId("DataKey"), TemplateModel.GetAttTarget(vault.Properties["EncryptionKeyArn"]!));

        var selected = TemplateModel.ReferencedLogicalIds(Assert.Single(Model.OfType("AWS::Backup::BackupSelection")).Properties["BackupSelection"]!["Resources"]);
        Assert.Equal(HealthFlowTopology.Tables.All.Select(t => Model.TableId(t.Name)).Order(), selected.Order());

        // The operator's retention reaches the plan.
        var optionsRule = Assert.Single(stack.WithOptions.OfType("AWS::Backup::BackupPlan")).Properties["BackupPlan"]!["BackupPlanRule"]![0]!;
        Assert.Equal(SynthesizedStack.BackupRetentionDays, (int)optionsRule["Lifecycle"]!["DeleteAfterDays"]!);
    }

    [Fact]
    public void The_vpc_logs_all_traffic_to_the_log_archive()
    {
        var flowLog = Assert.Single(Model.OfType("AWS::EC2::FlowLog")).Properties;
        Assert.Equal("ALL", (string?)flowLog["TrafficType"]);
        Assert.Equal("s3", (string?)flowLog["LogDestinationType"]);
        Assert.Equal(Assert.Single(Model.OfType("AWS::EC2::VPC")).LogicalId, (string?)flowLog["ResourceId"]!["Ref"]);
        Assert.Contains(LogArchiveId(), TemplateModel.ReferencedLogicalIds(flowLog["LogDestination"]));
    }

    [Fact]
    public void The_load_balancer_writes_access_logs_to_the_private_encrypted_log_archive_which_elb_may_write_to()
    {
        var attributes = LoadBalancerAttributes(Model);
        Assert.Equal("true", (string?)attributes["access_logs.s3.enabled"]);
        Assert.Equal(LogArchive.LoadBalancerPrefix, (string?)attributes["access_logs.s3.prefix"]);
        Assert.Contains(LogArchiveId(), TemplateModel.ReferencedLogicalIds(attributes["access_logs.s3.bucket"]));

        var bucket = Model.Resource(LogArchiveId())["Properties"]!;
        Assert.Equal("AES256", (string?)bucket["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!["ServerSideEncryptionByDefault"]!["SSEAlgorithm"]);
        Assert.True((bool)bucket["PublicAccessBlockConfiguration"]!["RestrictPublicBuckets"]!);
        Assert.Equal("Enabled", (string?)bucket["VersioningConfiguration"]!["Status"]);

        // eu-west-1's ELB log-delivery account (the region the tests synthesize for) may put objects under the prefix.
        var statements = BucketPolicyStatements();
        Assert.Contains(statements, s => s["Principal"]?["AWS"]?.ToJsonString().Contains("156460612806", StringComparison.Ordinal) == true
            && TemplateModel.Strings(s["Action"]!).Contains("s3:PutObject"));
        Assert.Contains(statements, s => (string?)s["Effect"] == "Deny" && (string?)s["Condition"]?["Bool"]?["aws:SecureTransport"] == "false");
    }

    [Fact]
    public void The_load_balancer_is_protected_from_deletion_except_in_a_demo()
    {
        Assert.Equal("true", (string?)LoadBalancerAttributes(Model)["deletion_protection.enabled"]);
        Assert.NotEqual("true", (string?)LoadBalancerAttributes(stack.WithOptions).GetValueOrDefault("deletion_protection.enabled"));
    }

    [Fact]
    public void The_signing_key_rotates_every_90_days_through_a_function_that_may_roll_only_auth_api()
    {
        var schedule = Assert.Single(Model.OfType("AWS::SecretsManager::RotationSchedule")).Properties;
        Assert.Equal(Model.SecretId(), (string?)schedule["SecretId"]!["Ref"]);
        Assert.Equal("rate(90 days)", (string?)schedule["RotationRules"]!["ScheduleExpression"]);
        Assert.False((bool?)schedule["RotateImmediatelyOnUpdate"] ?? true);

        var function = Model.Resource(Model.RotationFunctionId())["Properties"]!;
        Assert.Equal(SigningKeyRotation.NodeRuntime.Name, (string?)function["Runtime"]);
        Assert.Equal(1, (int)function["ReservedConcurrentExecutions"]!);
        Assert.NotNull(function["VpcConfig"]);
        var authApiService = Model.ServiceId(ServiceCatalog.AuthApi.Name);
        Assert.Contains(authApiService, TemplateModel.ReferencedLogicalIds(function["Environment"]!["Variables"]!["AUTH_API_SERVICE"]));

        var role = Model.RotationFunctionRoleId();
        Assert.Equal(["ecs:UpdateService"], Model.PermissionsOf(role).Where(p => p.Action.StartsWith("ecs:", StringComparison.Ordinal)).Select(p => p.Action));
        Assert.Equal(["ecs:UpdateService"], Model.ActionsOn(role, authApiService));
        Assert.Superset(new HashSet<string> { "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage" }, Model.ActionsOn(role, Model.SecretId()));

        // Only Secrets Manager, acting for this account, may invoke it.
        var invoke = Assert.Single(Model.OfType("AWS::Lambda::Permission"), p => TemplateModel.ReferencedLogicalIds(p.Properties["FunctionName"]).Contains(Model.RotationFunctionId())).Properties;
        Assert.Equal("secretsmanager.amazonaws.com", (string?)invoke["Principal"]);
        Assert.Equal("AWS::AccountId", (string?)invoke["SourceAccount"]!["Ref"]);

        // A failed rotation pages whoever reads the alarm topic.
        var alarm = Assert.Single(Model.OfType("AWS::CloudWatch::Alarm"), a => (string?)a.Properties["MetricName"] == "Errors").Properties;
        Assert.Contains(Model.RotationFunctionId(), TemplateModel.ReferencedLogicalIds(alarm["Dimensions"]));
        Assert.Contains(AlarmTopicId(), TemplateModel.ReferencedLogicalIds(alarm["AlarmActions"]));
    }

    [Fact]
    public void Secret_queues_topic_and_tables_use_customer_keys_that_rotate_and_survive_the_stack()
    {
        var keys = Model.OfType("AWS::KMS::Key").ToDictionary(k => k.LogicalId, k => k.Properties);
        Assert.Equal(4, keys.Count);
        AssertNonEmpty.All(keys, key =>
        {
            Assert.True((bool)key.Value["EnableKeyRotation"]!, key.Key);
            Assert.Equal("Retain", (string?)Model.Resource(key.Key)["DeletionPolicy"]);
        });

        Assert.Equal(Model.KeyId("SecretsKey"), TemplateModel.GetAttTarget(Model.Resource(Model.SecretId())["Properties"]!["KmsKeyId"]!));
        Assert.Equal(Model.KeyId("MessagingKey"), TemplateModel.GetAttTarget(Model.Resource(AlarmTopicId())["Properties"]!["KmsMasterKeyId"]!));
        AssertNonEmpty.All(Model.OfType("AWS::SQS::Queue"), q => Assert.Equal(Model.KeyId("MessagingKey"), TemplateModel.GetAttTarget(q.Properties["KmsMasterKeyId"]!)));
        AssertNonEmpty.All(Model.OfType("AWS::DynamoDB::Table"), t => Assert.Equal(Model.KeyId("DataKey"), TemplateModel.GetAttTarget(t.Properties["SSESpecification"]!["KMSMasterKeyId"]!)));

        // CloudWatch alarms can still publish to the encrypted topic.
        var messagingPolicy = keys[Model.KeyId("MessagingKey")]["KeyPolicy"]!["Statement"]!.AsArray();
        Assert.Contains(messagingPolicy, s => (string?)s!["Principal"]?["Service"] == "cloudwatch.amazonaws.com"
            && TemplateModel.Strings(s["Action"]!).Contains("kms:GenerateDataKey*"));
    }

    [Fact]
    public void The_alarm_topic_refuses_plain_http_and_admits_cloudwatch_alarms()
    {
        var policy = Assert.Single(Model.OfType("AWS::SNS::TopicPolicy"), p => TemplateModel.ReferencedLogicalIds(p.Properties["Topics"]).Contains(AlarmTopicId())).Properties;
        var statements = policy["PolicyDocument"]!["Statement"]!.AsArray();
        Assert.Contains(statements, s => (string?)s!["Effect"] == "Deny" && (string?)s["Condition"]?["Bool"]?["aws:SecureTransport"] == "false");
        Assert.Contains(statements, s => (string?)s!["Effect"] == "Allow" && (string?)s["Principal"]?["Service"] == "cloudwatch.amazonaws.com");
    }

    private string AlarmTopicId() => Assert.Single(Model.OfType("AWS::SNS::Topic")).LogicalId;

    private string LogArchiveId() => Assert.Single(Model.OfType("AWS::S3::Bucket")).LogicalId;

    private JsonObject[] BucketPolicyStatements() =>
        [.. Assert.Single(Model.OfType("AWS::S3::BucketPolicy")).Properties["PolicyDocument"]!["Statement"]!.AsArray().Select(s => s!.AsObject())];

    private static Dictionary<string, JsonNode?> LoadBalancerAttributes(TemplateModel model) =>
        Assert.Single(model.OfType("AWS::ElasticLoadBalancingV2::LoadBalancer")).Properties["LoadBalancerAttributes"]!.AsArray()
            .ToDictionary(a => (string)a!["Key"]!, a => a!["Value"]);
}
