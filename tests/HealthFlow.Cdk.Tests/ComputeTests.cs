using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using HealthFlow.Cdk.Constructs;

namespace HealthFlow.Cdk.Tests;

[Collection(CdkCollection.Name)]
public sealed class ComputeTests(SynthesizedStack stack)
{
    private TemplateModel Model => stack.Model;

    [Fact]
    public void The_five_backend_services_and_the_web_apps_run_on_Fargate()
    {
        stack.Template.ResourceCountIs("AWS::ECS::Service", ServiceCatalog.All.Count);
        foreach (var service in ServiceCatalog.All)
        {
            var properties = Model.Resource(Model.ServiceId(service.Name))["Properties"]!;
            Assert.Equal("FARGATE", (string?)properties["LaunchType"]);
            Assert.Equal("DISABLED", (string?)properties["NetworkConfiguration"]!["AwsvpcConfiguration"]!["AssignPublicIp"]);
            Assert.True((bool)properties["DeploymentConfiguration"]!["DeploymentCircuitBreaker"]!["Rollback"]!);
        }
    }

    [Fact]
    public void Every_backend_container_knows_its_region_port_and_service_name()
    {
        foreach (var service in ServiceCatalog.Backend)
        {
            var environment = Environment(service.Name);
            Assert.Equal(JsonNode.Parse("""{"Ref":"AWS::Region"}"""), environment["AWS_REGION"], JsonNode.DeepEquals);
            Assert.Equal("8080", (string?)environment["ASPNETCORE_HTTP_PORTS"]);
            Assert.Equal(service.Name, (string?)environment["OTEL_SERVICE_NAME"]);
            // APIs see the client's address and scheme through the ALB's X-Forwarded-* headers; workers take no requests.
            Assert.Equal(service.Kind == ServiceKind.Api ? "true" : null, (string?)environment.GetValueOrDefault("ASPNETCORE_FORWARDEDHEADERS_ENABLED"));
        }
    }

    [Fact]
    public void The_apis_validate_tokens_against_auth_api_jwks_over_service_connect()
    {
        // auth-api too: during a rolling restart with a new key, its tasks accept the tokens their peers signed.
        foreach (var api in new[] { ServiceCatalog.CommandApi, ServiceCatalog.QueryApi, ServiceCatalog.AuthApi })
        {
            var environment = Environment(api.Name);
            Assert.Equal("http://auth-api:8080/.well-known/jwks.json", (string?)environment["Jwt__JwksUrl"]);
            Assert.Equal("healthflow-auth", (string?)environment["Jwt__Issuer"]);
            Assert.Equal("healthflow-api", (string?)environment["Jwt__Audience"]);
        }

        // auth-api answers as `auth-api:8080` inside the Service Connect namespace.
        stack.Template.HasResourceProperties("AWS::ECS::Service", Match.ObjectLike(new Dictionary<string, object>
        {
            ["ServiceConnectConfiguration"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Enabled"] = true,
                ["Services"] = new object[]
                {
                    Match.ObjectLike(new Dictionary<string, object>
                    {
                        ["PortName"] = "http",
                        ["ClientAliases"] = new object[] { new Dictionary<string, object> { ["DnsName"] = "auth-api", ["Port"] = 8080 } },
                    }),
                },
            }),
        }));
    }

    [Fact]
    public void Only_auth_api_receives_the_jwt_signing_key_and_only_its_execution_role_can_read_it()
    {
        var secretId = Model.SecretId();
        foreach (var service in ServiceCatalog.All)
        {
            var secrets = Model.Container(service.Name).Container["Secrets"]?.AsArray() ?? [];
            if (service == ServiceCatalog.AuthApi)
            {
                // The current key signs; the previous one (AWSPREVIOUS, after a rotation) is only published.
                var byName = secrets.ToDictionary(s => (string)s!["Name"]!, s => s!["ValueFrom"]);
                Assert.Equal([HealthFlowStack.JwtPreviousSigningKeyVariable, HealthFlowStack.JwtSigningKeyVariable], byName.Keys.Order());
                AssertNonEmpty.All(byName.Values, valueFrom => Assert.Contains(secretId, TemplateModel.ReferencedLogicalIds(valueFrom)));
                Assert.Contains("::AWSPREVIOUS:", byName[HealthFlowStack.JwtPreviousSigningKeyVariable]!.ToJsonString(), StringComparison.Ordinal);
            }
            else if (service == ServiceCatalog.Notifier)
            {
                Assert.DoesNotContain(secretId, TemplateModel.ReferencedLogicalIds(secrets));
            }
            else
            {
                Assert.Empty(secrets);
            }
        }

        // ECS injects secrets with the task's execution role; the application itself (task role) never reads
        // Secrets Manager. The only other role that may is the rotation function's.
        var readers = Model.OfType("AWS::IAM::Role")
            .Where(role => Model.ActionsOn(role.LogicalId, secretId).Any(a => a.StartsWith("secretsmanager:", StringComparison.Ordinal)))
            .Select(role => role.LogicalId);
        Assert.Equal(new[] { Model.ExecutionRoleId(ServiceCatalog.AuthApi.Name), Model.RotationFunctionRoleId() }.Order(), readers.Order());
    }

    [Fact]
    public void Only_notifier_receives_the_ses_smtp_credentials_and_only_its_execution_role_can_read_them()
    {
        var secretId = Model.SecretId(HealthFlowStack.SesSmtpSecretName);
        foreach (var service in ServiceCatalog.All)
        {
            var secrets = Model.Container(service.Name).Container["Secrets"]?.AsArray() ?? [];
            if (service == ServiceCatalog.Notifier)
            {
                var byName = secrets.ToDictionary(s => (string)s!["Name"]!, s => s!["ValueFrom"]);
                Assert.Equal(["Smtp__Password", "Smtp__Username"], byName.Keys.Order());
                AssertNonEmpty.All(byName.Values, valueFrom => Assert.Contains(secretId, TemplateModel.ReferencedLogicalIds(valueFrom)));
            }
            else
            {
                Assert.DoesNotContain(secretId, TemplateModel.ReferencedLogicalIds(secrets));
            }
        }

        var readers = Model.OfType("AWS::IAM::Role")
            .Where(role => Model.ActionsOn(role.LogicalId, secretId).Any(a => a.StartsWith("secretsmanager:", StringComparison.Ordinal)))
            .Select(role => role.LogicalId);
        Assert.Equal([Model.ExecutionRoleId(ServiceCatalog.Notifier.Name)], readers);
        var environment = Model.Container(ServiceCatalog.Notifier.Name).Container["Environment"]!.AsArray()
            .ToDictionary(e => (string)e!["Name"]!, e => e!["Value"]!.ToJsonString());
        Assert.Contains("email-smtp.", environment["Smtp__Host"], StringComparison.Ordinal);
        Assert.Equal("\"StartTls\"", environment["Smtp__Security"]);
        Assert.Equal($"\"{HealthFlowStack.NotificationConfigurationSetName}\"", environment["Smtp__ConfigurationSet"]);
        Assert.Single(Model.OfType("AWS::SES::ConfigurationSet"));
    }

    [Fact]
    public void Containers_check_their_health_endpoint_with_a_read_only_root_file_system()
    {
        foreach (var service in ServiceCatalog.All)
        {
            var container = Model.Container(service.Name).Container;
            var command = container["HealthCheck"]!["Command"]!.AsArray().Select(c => (string)c!).ToArray();
            Assert.Equal(["CMD", "bash", "-c", FargateContainerService.HealthCheckCommand], command);
            Assert.Contains("GET /health ", command[^1], StringComparison.Ordinal);
            Assert.True((bool)container["ReadonlyRootFilesystem"]!);
            Assert.Equal(8080, (int)container["PortMappings"]![0]!["ContainerPort"]!);
        }
    }

    [Fact]
    public void Every_service_logs_to_its_own_encrypted_group_kept_for_a_year()
    {
        // Every log group, the rotation function's too, is encrypted with the logs key and kept a year.
        var groups = Model.OfType("AWS::Logs::LogGroup").ToArray();
        var key = Model.KeyId("LogsKey");
        AssertNonEmpty.All(groups, group =>
        {
            Assert.Equal(365, (int)group.Properties["RetentionInDays"]!);
            Assert.Equal(key, TemplateModel.GetAttTarget(group.Properties["KmsKeyId"]!));
        });

        var used = ServiceCatalog.All
            .Select(service => (string)Model.Container(service.Name).Container["LogConfiguration"]!["Options"]!["awslogs-group"]!["Ref"]!)
            .ToHashSet();
        Assert.Equal(ServiceCatalog.All.Count, used.Count);
        Assert.Subset(groups.Select(g => g.LogicalId).ToHashSet(), used);
    }

    [Fact]
    public void Containers_run_as_their_images_non_root_user_within_a_memory_limit()
    {
        foreach (var service in ServiceCatalog.All)
        {
            var container = Model.Container(service.Name).Container;
            Assert.Equal(service.User, (string?)container["User"]);
            Assert.NotEqual("0", service.User);
            Assert.True((int)container["Memory"]! < FargateContainerService.TaskMemoryMiB, "leaves room for the Service Connect proxy");
        }
    }

    [Fact]
    public void Apis_scale_on_cpu_and_workers_on_the_depth_of_the_queues_they_drain()
    {
        foreach (var api in new[] { ServiceCatalog.AuthApi, ServiceCatalog.CommandApi, ServiceCatalog.QueryApi, ServiceCatalog.Web })
        {
            var policy = Assert.Single(ScalingPoliciesOf(api.Name)).Properties;
            Assert.Equal("TargetTrackingScaling", (string?)policy["PolicyType"]);
            Assert.Equal("ECSServiceAverageCPUUtilization",
                (string?)policy["TargetTrackingScalingPolicyConfiguration"]!["PredefinedMetricSpecification"]!["PredefinedMetricType"]);
        }

        var workers = new Dictionary<DeployableService, IEnumerable<Topology.QueueDefinition>>
        {
            [ServiceCatalog.AlertWorker] = [Topology.HealthFlowTopology.Queues.AlertEvaluation],
            [ServiceCatalog.Projections] = HealthFlowStack.ProjectionQueues,
        };
        foreach (var (worker, queues) in workers)
        {
            var policies = ScalingPoliciesOf(worker.Name).ToArray();
            Assert.NotEmpty(policies);
            AssertNonEmpty.All(policies, p => Assert.Equal("StepScaling", (string?)p.Properties["PolicyType"]));

            // The alarms that drive the step policies watch exactly the worker's queues.
            var policyIds = policies.Select(p => p.LogicalId).ToHashSet();
            var alarms = Model.OfType("AWS::CloudWatch::Alarm")
                .Where(a => TemplateModel.ReferencedLogicalIds(a.Properties["AlarmActions"]).Overlaps(policyIds))
                .ToArray();
            Assert.NotEmpty(alarms);
            foreach (var (_, alarm) in alarms)
            {
                Assert.Contains("\"ApproximateNumberOfMessagesVisible\"", alarm.ToJsonString(), StringComparison.Ordinal);
                var watched = TemplateModel.ReferencedLogicalIds(alarm["Metrics"] ?? alarm["Dimensions"]);
                Assert.Equal(queues.Select(q => Model.QueueId(q.Name)).Order(), watched.Order());
            }
        }
    }

    private IEnumerable<(string LogicalId, JsonObject Properties)> ScalingPoliciesOf(string service)
    {
        var serviceId = Model.ServiceId(service);
        var target = Model.OfType("AWS::ApplicationAutoScaling::ScalableTarget")
            .Single(t => TemplateModel.ReferencedLogicalIds(t.Properties["ResourceId"]).Contains(serviceId)).LogicalId;
        return Model.OfType("AWS::ApplicationAutoScaling::ScalingPolicy")
            .Where(p => (string?)p.Properties["ScalingTargetId"]!["Ref"] == target);
    }

    private Dictionary<string, JsonNode?> Environment(string service) =>
        Model.Container(service).Container["Environment"]!.AsArray()
            .ToDictionary(variable => (string)variable!["Name"]!, variable => variable!["Value"]?.DeepClone());
}
