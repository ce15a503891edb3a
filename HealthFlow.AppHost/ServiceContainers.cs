using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace HealthFlow.AppHost;

/// <summary>
/// `--containers`: the .NET services run from their images (scripts/images.sh builds them from services/Dockerfile)
/// as ECS runs them: the image's non-root user, a read-only root filesystem with a writable /tmp, each signing as
/// itself. Each is an Aspire resource that runs `podman run` (ASPIRE_CONTAINER_RUNTIME names another runtime), so the
/// dashboard shows its logs and health, and stopping it sends the container SIGTERM.
/// </summary>
/// <remarks>
/// They share the host's network: LocalAws answers on the host's loopback only and refuses a Host header that is
/// not local, so a container on a bridge network, which reaches the host by another name, could not call it. On
/// the host's network each service listens on a port of its own (<see cref="DefaultPorts"/>) instead of ECS's 8080. They
/// are not Aspire container resources because Aspire's orchestrator attaches every container to its own bridge
/// network, which podman refuses for a container on the host's network.
/// </remarks>
public static class ServiceContainers
{
    /// <summary>Where each service listens on this machine when it runs from its image, unless `--Containers:Ports:{service}` says otherwise.</summary>
    public static readonly IReadOnlyDictionary<string, int> DefaultPorts = new Dictionary<string, int>
    {
        ["auth-api"] = 5301,
        ["command-api"] = 5302,
        ["query-api"] = 5303,
        ["alert-worker"] = 5304,
        ["projections"] = 5305,
        ["notifier"] = 5306,
    };

    /// <summary>`app`, the images' non-root user (ServiceCatalog.DotnetUser), as the task definitions repeat it.</summary>
    private const string User = "1654";

    // What Aspire's OTLP exporter settings (WithOtlpExporter) put in the `podman run` client's environment: `-e NAME`
    // without a value hands each on into the container, so the service's telemetry reaches the dashboard as from source.
    private static readonly string[] TelemetrySettings =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_SERVICE_NAME",
        "OTEL_RESOURCE_ATTRIBUTES", "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BLRP_SCHEDULE_DELAY", "OTEL_METRIC_EXPORT_INTERVAL",
        "OTEL_METRICS_EXEMPLAR_FILTER", "OTEL_TRACES_SAMPLER", "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY",
    ];

    /// <summary>The container runtime the services run with: podman, unless ASPIRE_CONTAINER_RUNTIME names another.</summary>
    public static string Runtime => Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") is { Length: > 0 } configured ? configured : "podman";

    /// <summary>The name of a service's container: the port tells apart two AppHosts on one machine (tests run several).</summary>
    public static string ContainerName(string service, int port) => $"healthflow-{service}-{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Program.cs's services, gateway and web apps, with the same settings, each .NET service from its image; the
    /// gateway (the ALB's stand-in) and the web apps' dev servers run from source as in the default mode.
    /// </summary>
    public static void AddSystemFromImages(this IDistributedApplicationBuilder builder, AwsEndpoint aws, IResourceBuilder<ProjectResource> provision)
    {
        var awsPort = builder.Configuration.GetValue("LocalAws:Port", 4566);
        var ports = DefaultPorts.ToDictionary(p => p.Key, p => builder.Configuration.GetValue($"Containers:Ports:{p.Key}", p.Value));
        var jwks = new Dictionary<string, string> { ["Jwt__JwksUrl"] = Url(ports["auth-api"]) + "/.well-known/jwks.json" };

        var authApi = builder.AddServiceContainer("auth-api", ports["auth-api"], awsPort, [])
            .WaitFor(aws.Resource).WaitForCompletion(provision);
        var commandApi = builder.AddServiceContainer("command-api", ports["command-api"], awsPort, jwks)
            .WaitFor(aws.Resource).WaitFor(authApi).WaitForCompletion(provision);
        var queryApi = builder.AddServiceContainer("query-api", ports["query-api"], awsPort, jwks)
            .WaitFor(aws.Resource).WaitFor(authApi).WaitForCompletion(provision);
        builder.AddServiceContainer("alert-worker", ports["alert-worker"], awsPort, []).WaitFor(aws.Resource).WaitForCompletion(provision);
        builder.AddServiceContainer("projections", ports["projections"], awsPort, []).WaitFor(aws.Resource).WaitForCompletion(provision);
        builder.AddServiceContainer("notifier", ports["notifier"], awsPort, []).WaitFor(aws.Resource).WaitFor(builder.AddMailDev()).WaitForCompletion(provision);

        var gateway = builder.AddProject<Projects.HealthFlow_Gateway>("gateway")
            .WithHttpEndpoint(port: builder.Configuration.GetValue("Gateway:Port", 8080), name: "public")
            .WithReference(authApi.GetEndpoint("http"))
            .WithReference(commandApi.GetEndpoint("http"))
            .WithReference(queryApi.GetEndpoint("http"))
            .WithHttpHealthCheck("/health", endpointName: "public")
            .WithExternalHttpEndpoints();

        builder.AddWebApp("patient-app", "../frontend/patient", port: builder.Configuration.GetValue("WebApps:PatientPort", 5173), gateway);
        builder.AddWebApp("clinician-app", "../frontend/clinician", port: builder.Configuration.GetValue("WebApps:ClinicianPort", 5174), gateway);
    }

    private static IResourceBuilder<ExecutableResource> AddServiceContainer(
        this IDistributedApplicationBuilder builder, string name, int port, int awsPort, Dictionary<string, string> peers)
    {
        // The same local settings as the service gets from source (Program.cs), then where its peers and AWS are.
        var settings = LocalServiceSettings.For(name, builder.Configuration);
        foreach (var (key, value) in peers)
        {
            settings[key] = value;
        }

        // As WithAwsEndpoint sets them, with the endpoint as a literal loopback address.
        settings["ASPNETCORE_HTTP_PORTS"] = port.ToString(CultureInfo.InvariantCulture);
        settings["AWS_ENDPOINT_URL"] = Url(awsPort);
        settings["AWS_REGION"] = "us-east-1";
        settings["AWS_ACCESS_KEY_ID"] = name;
        settings["AWS_SECRET_ACCESS_KEY"] = "local";
        // As the default mode's launch profiles: Development (auth-api makes its own signing key, which on AWS comes
        // from Secrets Manager).
        settings["ASPNETCORE_ENVIRONMENT"] = "Development";
        // Where Development keeps that key (the user's data folder): the writable /tmp, as the root filesystem is read-only.
        settings["XDG_DATA_HOME"] = "/tmp";

        // --replace: a container left by an AppHost that was killed does not block the next start.
        string[] run =
        [
            "run", "--rm", "--replace", "--pull=never", $"--name={ContainerName(name, port)}",
            "--network=host", $"--user={User}", "--read-only", "--tmpfs=/tmp",
            .. settings.SelectMany(s => new[] { "-e", $"{s.Key}={s.Value}" }),
            .. TelemetrySettings.SelectMany(setting => new[] { "-e", setting }),
            $"localhost/healthflow/{name}:latest",
        ];
        return builder.AddExecutable(name, Runtime, builder.AppHostDirectory, run)
            .WithOtlpExporter()
            .WithHttpEndpoint(port: port, name: "http", isProxied: false)
            .WithHttpHealthCheck("/health");
    }

    private static string Url(int port) => "http://localhost:" + port.ToString(CultureInfo.InvariantCulture);
}
