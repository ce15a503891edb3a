using HealthFlow.Topology;

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
/// <paramref name="Project"/> is the .NET project the shared <see cref="ServiceCatalog.DotnetDockerfile"/> builds (its PROJECT build argument).
/// </summary>
public sealed record DeployableService(string Name, ServiceKind Kind, string Dockerfile, string User, string? Project = null)
{
    /// <summary>The Docker build arguments the image needs.</summary>
    public IDictionary<string, string> BuildArgs => Project is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["PROJECT"] = Project };
}

/// <summary>Every container HealthFlow runs on AWS. API names come from the gateway routes, so the ALB rules and the services agree.</summary>
public static class ServiceCatalog
{
    public const int ContainerPort = 8080;
    public const string HealthPath = "/health";

    /// <summary>`app`, the non-root user of the mcr.microsoft.com/dotnet images ($APP_UID).</summary>
    public const string DotnetUser = "1654";

    /// <summary>`nginx`, the user of the nginxinc/nginx-unprivileged image.</summary>
    public const string NginxUser = "101";

    /// <summary>One Dockerfile for every .NET service; the project is its PROJECT build argument.</summary>
    public const string DotnetDockerfile = "services/Dockerfile";

    public static readonly DeployableService AuthApi = Dotnet(GatewayRoutes.AuthApi, ServiceKind.Api, "HealthFlow.Auth.Api");
    public static readonly DeployableService CommandApi = Dotnet(GatewayRoutes.CommandApi, ServiceKind.Api, "HealthFlow.Command.Api");
    public static readonly DeployableService QueryApi = Dotnet(GatewayRoutes.QueryApi, ServiceKind.Api, "HealthFlow.Query.Api");
    public static readonly DeployableService AlertWorker = Dotnet("alert-worker", ServiceKind.Worker, "HealthFlow.AlertWorker");
    public static readonly DeployableService Projections = Dotnet("projections", ServiceKind.Worker, "HealthFlow.Projections");
    public static readonly DeployableService Notifier = Dotnet(HealthFlowAccess.NotifierService, ServiceKind.Worker, "HealthFlow.Notifier");
    public static readonly DeployableService Web = new("web", ServiceKind.Web, "frontend/Dockerfile", NginxUser);

    public static IReadOnlyList<DeployableService> Backend { get; } = [AuthApi, CommandApi, QueryApi, AlertWorker, Projections, Notifier];

    public static IReadOnlyList<DeployableService> All { get; } = [.. Backend, Web];

    private static DeployableService Dotnet(string name, ServiceKind kind, string project) => new(name, kind, DotnetDockerfile, DotnetUser, project);
}
