using HealthFlow.Aws.Topology;

namespace HealthFlow.Cdk;

public enum ServiceKind
{
    /// <summary>Behind the ALB; scales on CPU.</summary>
    Api,

    /// <summary>Consumes SQS queues; scales on queue depth.</summary>
    Worker,

    /// <summary>The static web apps (nginx), the ALB's default action.</summary>
    Web,
}

/// <summary>
/// A container the stack runs on Fargate, built from its Dockerfile with the repository root as context.
/// <paramref name="User"/> is the image's own non-root uid, repeated in the task definition so ECS enforces it.
/// </summary>
public sealed record DeployableService(string Name, ServiceKind Kind, string Dockerfile, string User);

/// <summary>Every container HealthFlow runs on AWS. API names come from the gateway routes, so the ALB rules and the services agree.</summary>
public static class ServiceCatalog
{
    public const int ContainerPort = 8080;
    public const string HealthPath = "/health";

    /// <summary>`app`, the non-root user of the mcr.microsoft.com/dotnet images ($APP_UID).</summary>
    public const string DotnetUser = "1654";

    /// <summary>`nginx`, the user of the nginxinc/nginx-unprivileged image.</summary>
    public const string NginxUser = "101";

    public static readonly DeployableService AuthApi = new(GatewayRoutes.AuthApi, ServiceKind.Api, "services/HealthFlow.Auth.Api/Dockerfile", DotnetUser);
    public static readonly DeployableService CommandApi = new(GatewayRoutes.CommandApi, ServiceKind.Api, "services/HealthFlow.Command.Api/Dockerfile", DotnetUser);
    public static readonly DeployableService QueryApi = new(GatewayRoutes.QueryApi, ServiceKind.Api, "services/HealthFlow.Query.Api/Dockerfile", DotnetUser);
    public static readonly DeployableService AlertWorker = new("alert-worker", ServiceKind.Worker, "services/HealthFlow.AlertWorker/Dockerfile", DotnetUser);
    public static readonly DeployableService Projections = new("projections", ServiceKind.Worker, "services/HealthFlow.Projections/Dockerfile", DotnetUser);
    public static readonly DeployableService Web = new("web", ServiceKind.Web, "frontend/Dockerfile", NginxUser);

    public static IReadOnlyList<DeployableService> Backend { get; } = [AuthApi, CommandApi, QueryApi, AlertWorker, Projections];

    public static IReadOnlyList<DeployableService> All { get; } = [.. Backend, Web];
}
