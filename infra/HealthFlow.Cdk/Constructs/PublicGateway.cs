using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ECS;
using Amazon.CDK.AWS.ElasticLoadBalancingV2;
using Constructs;
using HealthFlow.Topology;

namespace HealthFlow.Cdk.Constructs;

public sealed class PublicGatewayProps
{
    public required IVpc Vpc { get; init; }

    /// <summary>The web apps: the default action, for every path no API route claims.</summary>
    public required FargateService Web { get; init; }

    /// <summary>The API services by name, as GatewayRoutes names them.</summary>
    public required IReadOnlyDictionary<string, FargateService> Apis { get; init; }

    /// <summary>An ACM certificate ARN: HTTPS on 443 and a redirect from 80. Without one (only when the operator allows it), the ALB serves plain HTTP.</summary>
    public string? CertificateArn { get; init; }

    /// <summary>Where the ALB writes its access logs (under <see cref="LogArchive.LoadBalancerPrefix"/>).</summary>
    public required LogArchive AccessLogs { get; init; }

    /// <summary>Off only for a throw-away demo stack.</summary>
    public required bool DeletionProtection { get; init; }
}

/// <summary>
/// The internet-facing ALB. Its listener rules are generated from GatewayRoutes, exactly
/// as the local YARP gateway's routes are, so the two cannot drift.
/// </summary>
public sealed class PublicGateway : Construct
{
    /// <summary>An ALB path-pattern condition takes at most five values.</summary>
    public const int MaxPathPatternsPerRule = 5;

    public PublicGateway(Construct scope, string id, PublicGatewayProps props) : base(scope, id)
    {
        LoadBalancer = new ApplicationLoadBalancer(this, "Alb", new ApplicationLoadBalancerProps
        {
            Vpc = props.Vpc,
            InternetFacing = true,
            VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PUBLIC },
            DropInvalidHeaderFields = true,
            // Server-Sent Events (/api/alerts/stream) hold a connection open; query-api sends keep-alives well within this.
            IdleTimeout = Duration.Seconds(120),
            DeletionProtection = props.DeletionProtection,
        });
        // Writes the bucket policy that lets the region's ELB log-delivery account put objects under the prefix.
        LoadBalancer.LogAccessLogs(props.AccessLogs.Bucket, LogArchive.LoadBalancerPrefix);

        Listener = props.CertificateArn is { Length: > 0 } certificateArn
            ? HttpsListener(certificateArn)
            : LoadBalancer.AddListener("Http", new BaseApplicationListenerProps { Port = 80, Protocol = ApplicationProtocol.HTTP, Open = true });

        Listener.AddTargetGroups("Web", new AddApplicationTargetGroupsProps { TargetGroups = [TargetGroup(ServiceCatalog.Web.Name, props.Vpc, props.Web)] });

        var apiTargetGroups = props.Apis.ToDictionary(api => api.Key, api => TargetGroup(api.Key, props.Vpc, api.Value));
        foreach (var route in GatewayRoutes.All)
        {
            var chunks = route.PathPatterns.Chunk(MaxPathPatternsPerRule).ToArray();
            for (var i = 0; i < chunks.Length; i++)
            {
                // A route with more than five patterns takes the priorities right after its own.
                var priority = route.Priority + i;
                if (i > 0 && GatewayRoutes.All.Any(other => other.Priority == priority))
                {
                    throw new InvalidOperationException($"Route {route.Service}@{route.Priority} has too many path patterns to fit before priority {priority}.");
                }

                new ApplicationListenerRule(this, $"Route{priority}", new ApplicationListenerRuleProps
                {
                    Listener = Listener,
                    Priority = priority,
                    Conditions = route.Methods is { Count: > 0 } methods
                        ? [ListenerCondition.PathPatterns(chunks[i]), ListenerCondition.HttpRequestMethods([.. methods])]
                        : [ListenerCondition.PathPatterns(chunks[i])],
                    Action = ListenerAction.Forward([apiTargetGroups[route.Service]]),
                });
            }
        }
    }

    public ApplicationLoadBalancer LoadBalancer { get; }

    public ApplicationListener Listener { get; }

    private ApplicationListener HttpsListener(string certificateArn)
    {
        LoadBalancer.AddRedirect(new ApplicationLoadBalancerRedirectConfig { SourcePort = 80, TargetPort = 443 });
        return LoadBalancer.AddListener("Https", new BaseApplicationListenerProps
        {
            Port = 443,
            Protocol = ApplicationProtocol.HTTPS,
            Certificates = [ListenerCertificate.FromArn(certificateArn)],
            SslPolicy = SslPolicy.RECOMMENDED_TLS,
            Open = true,
        });
    }

    private ApplicationTargetGroup TargetGroup(string name, IVpc vpc, FargateService fargate) =>
        new(this, $"{name}-targets", new ApplicationTargetGroupProps
        {
            Vpc = vpc,
            Port = ServiceCatalog.ContainerPort,
            Protocol = ApplicationProtocol.HTTP,
            TargetType = TargetType.IP,
            Targets = [fargate],
            HealthCheck = new Amazon.CDK.AWS.ElasticLoadBalancingV2.HealthCheck
            {
                Path = ServiceCatalog.HealthPath,
                HealthyHttpCodes = "200",
                Interval = Duration.Seconds(15),
                HealthyThresholdCount = 2,
                UnhealthyThresholdCount = 3,
            },
            // In-flight requests are short; SSE clients reconnect with Last-Event-ID.
            DeregistrationDelay = Duration.Seconds(30),
        });
}
