using Microsoft.Extensions.Configuration;
using Aspire.Hosting.ApplicationModel;

namespace HealthFlow.AppHost;

/// <summary>The AWS endpoint every service talks to: LocalAws locally, or LocalStack where Docker exists.</summary>
public sealed record AwsEndpoint(IResourceBuilder<IResourceWithWaitSupport> Resource, EndpointReference Url);

public static class HealthFlowResources
{
    private const string LocalStackImage = "localstack/localstack";
    private const string LocalStackTag = "4.4";
    private const string Region = "us-east-1";

    /// <summary>
    /// `--aws localaws` (default) runs the Docker-free HealthFlow.LocalAws; `--aws localstack`
    /// runs LocalStack as a container. Services only ever see AWS_ENDPOINT_URL change.
    /// </summary>
    public static AwsEndpoint AddLocalAwsEndpoint(this IDistributedApplicationBuilder builder)
    {
        var mode = builder.Configuration["aws"] ?? builder.Configuration["Aws:Mode"] ?? "localaws";
        var port = builder.Configuration.GetValue("LocalAws:Port", 4566);

        if (string.Equals(mode, "localstack", StringComparison.OrdinalIgnoreCase))
        {
            var localStack = builder.AddContainer("localstack", LocalStackImage, LocalStackTag)
                .WithHttpEndpoint(port: port, targetPort: 4566, name: "http")
                .WithEnvironment("SERVICES", "dynamodb,sqs,events")
                .WithHttpHealthCheck("/_localstack/health");
            return new AwsEndpoint(localStack, localStack.GetEndpoint("http"));
        }

        if (!string.Equals(mode, "localaws", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Unknown --aws mode '{mode}'. Use 'localaws' or 'localstack'.");
        }

        // Not proxied: every AWS call of every service goes through it, so no extra hop.
        var localAws = builder.AddProject<Projects.HealthFlow_LocalAws>("localaws", options => options.ExcludeLaunchProfile = true)
            .WithHttpEndpoint(port: port, name: "http", isProxied: false)
            .WithHttpHealthCheck("/health");
        // Each service may do only what the topology's access declaration allows it, as its task role on AWS;
        // `--LocalAws:EnforceAccess false` lets everything through.
        localAws.WithEnvironment("LocalAws__EnforceAccess", builder.Configuration.GetValue("LocalAws:EnforceAccess", true) ? "true" : "false");
        if (builder.Configuration["LocalAws:DataDirectory"] is { Length: > 0 } dataDirectory)
        {
            localAws.WithEnvironment("LocalAws__DataDirectory", dataDirectory);
        }

        return new AwsEndpoint(localAws, localAws.GetEndpoint("http"));
    }

    /// <summary>The administrator's access key id (LocalStack's default): the provisioning step, the CLI, the tests.</summary>
    public const string AdministratorKeyId = "test";

    // The secrets LocalAws checks signatures against (LocalAwsCredentials there; the AppHost does not reference its assembly).
    private const string AdministratorSecretAccessKey = "test";
    private const string ServiceSecretAccessKey = "local";

    /// <summary>
    /// Standard AWS SDK settings only: no service has emulator-specific configuration. The access key id is the
    /// service's identity, its resource name, which LocalAws maps to the service's declared access (HealthFlowAccess).
    /// </summary>
    public static IResourceBuilder<T> WithAwsEndpoint<T>(this IResourceBuilder<T> resource, AwsEndpoint aws)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport =>
        resource.WithAwsEndpoint(aws, accessKeyId: resource.Resource.Name);

    /// <summary>As <see cref="WithAwsEndpoint{T}(IResourceBuilder{T}, AwsEndpoint)"/>, as the administrator.</summary>
    public static IResourceBuilder<T> WithAwsAdministrator<T>(this IResourceBuilder<T> resource, AwsEndpoint aws)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport =>
        resource.WithAwsEndpoint(aws, AdministratorKeyId);

    private static IResourceBuilder<T> WithAwsEndpoint<T>(this IResourceBuilder<T> resource, AwsEndpoint aws, string accessKeyId)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport =>
        resource
            .WithEnvironment("AWS_ENDPOINT_URL", aws.Url)
            .WithEnvironment("AWS_REGION", Region)
            .WithEnvironment("AWS_ACCESS_KEY_ID", accessKeyId)
            // LocalAws checks each signature against the secret it knows for the key (LocalStack takes any).
            .WithEnvironment("AWS_SECRET_ACCESS_KEY", accessKeyId == AdministratorKeyId ? AdministratorSecretAccessKey : ServiceSecretAccessKey)
            .WaitFor(aws.Resource);

    /// <summary>APIs validate tokens against auth-api's JWKS.</summary>
    public static IResourceBuilder<ProjectResource> WithJwtValidation(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<ProjectResource> authApi) =>
        api.WithReference(authApi)
            .WithEnvironment("Jwt__JwksUrl", ReferenceExpression.Create($"{authApi.GetEndpoint("http")}/.well-known/jwks.json"));

    /// <summary>The service's local settings (<see cref="LocalServiceSettings"/>), the same as its image gets with `--containers`.</summary>
    public static IResourceBuilder<ProjectResource> WithLocalSettings(this IResourceBuilder<ProjectResource> service, IConfiguration configuration)
    {
        foreach (var (name, value) in LocalServiceSettings.For(service.Resource.Name, configuration))
        {
            service.WithEnvironment(name, value);
        }

        return service;
    }

    /// <summary>
    /// maildev (tools/maildev, pinned by its lock file): a real SMTP server on `MailDev:SmtpPort` (1025) that keeps
    /// every message it accepts, with a web inbox and REST API on `MailDev:WebPort` (1080), shown in the dashboard.
    /// notifier sends to it (LocalServiceSettings); both listen on the loopback address only.
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddMailDev(this IDistributedApplicationBuilder builder)
    {
        var smtpPort = builder.Configuration.GetValue("MailDev:SmtpPort", LocalServiceSettings.DefaultMailDevSmtpPort);
        var webPort = builder.Configuration.GetValue("MailDev:WebPort", 1080);
        return builder.AddExecutable("maildev", "node", "../tools/maildev",
                "node_modules/maildev/dist/bin/maildev.js",
                "--smtp", smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--ip", "127.0.0.1",
                "--web", webPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--web-ip", "127.0.0.1")
            .WithHttpEndpoint(port: webPort, name: "http", isProxied: false)
            .WithEndpoint(port: smtpPort, name: "smtp", scheme: "tcp", isProxied: false)
            .WithHttpHealthCheck("/api/healthz")
            .WithExternalHttpEndpoints();
    }

    /// <summary>A Vite dev server on a fixed port that proxies /api to the gateway.</summary>
    public static IResourceBuilder<ExecutableResource> AddWebApp(
        this IDistributedApplicationBuilder builder, string name, string directory, int port, IResourceBuilder<ProjectResource> gateway) =>
        builder.AddExecutable(name, "npm", directory, "run", "dev")
            .WithHttpEndpoint(port: port, env: "PORT", isProxied: false)
            .WithEnvironment("GATEWAY_URL", gateway.GetEndpoint("public"))
            .WithExternalHttpEndpoints()
            .WaitFor(gateway);
}
