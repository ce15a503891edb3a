extern alias AuthApi;
extern alias CommandApi;
extern alias Gateway;
extern alias QueryApi;
using Amazon;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using HealthFlow.AppHost;
using HealthFlow.LocalAws;
using HealthFlow.Provisioning;
using HealthFlow.ReadModels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HealthFlow.Api.Tests.Infrastructure;

/// <summary>
/// The three APIs and the gateway, each from its own Program in this process, against one real LocalAws with the
/// topology provisioned, wired as the AppHost wires them: the same local settings, each service signing as itself,
/// the APIs validating tokens against auth-api's JWKS, the gateway finding the APIs by service discovery. No alert
/// worker and no projections: what needs an event carried to a consumer is tested end to end.
/// </summary>
public sealed class ApiSystem : IAsyncLifetime
{
    private static readonly IConfiguration NoAppHostArguments = new ConfigurationBuilder().Build();

    private readonly List<IServiceHost> _hosts = [];

    public LocalAwsServer LocalAws { get; private set; } = null!;

    public Uri AwsEndpointUrl => LocalAws.BaseUrl;

    public IServiceHost AuthApi { get; private set; } = null!;

    public IServiceHost CommandApi { get; private set; } = null!;

    public IServiceHost QueryApi { get; private set; } = null!;

    public IServiceHost Gateway { get; private set; } = null!;

    /// <summary>The public API through the gateway, as a browser or a mobile app sees it.</summary>
    public HttpClient CreateGatewayClient() => CreateClient(Gateway);

    /// <summary>One API alone, as the gateway (or another service) reaches it.</summary>
    public static HttpClient CreateClient(IServiceHost service) => new() { BaseAddress = service.Url, Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        LocalAws = await LocalAwsServer.StartAsync(port: 0);
        await ProvisionAsync(LocalAws.ServiceUrl);

        AuthApi = await StartAsync(new ServiceHost<AuthApi::Program>("auth-api", LocalAws.ServiceUrl, Settings("auth-api")));
        var jwks = new Dictionary<string, string?> { ["Jwt:JwksUrl"] = new Uri(AuthApi.Url, "/.well-known/jwks.json").ToString() };
        CommandApi = await StartAsync(new ServiceHost<CommandApi::Program>("command-api", LocalAws.ServiceUrl, Settings("command-api", jwks)));
        QueryApi = await StartAsync(new ServiceHost<QueryApi::Program>("query-api", LocalAws.ServiceUrl, Settings("query-api", jwks)));
        Gateway = await StartAsync(new ServiceHost<Gateway::Program>("gateway", awsEndpoint: null, new Dictionary<string, string?>
        {
            // Service discovery's configuration, as the AppHost's WithReference gives it (services__auth-api__http__0).
            ["services:auth-api:http:0"] = AuthApi.Url.ToString(),
            ["services:command-api:http:0"] = CommandApi.Url.ToString(),
            ["services:query-api:http:0"] = QueryApi.Url.ToString(),
        }));
    }

    /// <summary>
    /// Another auth-api beside the system's, with <paramref name="settings"/> over the local ones, for a test that
    /// needs a setting the shared one must not have; the caller disposes it.
    /// </summary>
    public Task<IServiceHost> StartAuthApiAsync(IReadOnlyDictionary<string, string?> settings) =>
        StartAnotherAsync(new ServiceHost<AuthApi::Program>("auth-api", LocalAws.ServiceUrl, Settings("auth-api", settings)));

    /// <summary>
    /// Another query-api beside the system's, with <paramref name="settings"/> over the local ones, trusting the system's
    /// auth-api unless they name another JWKS; the caller disposes it.
    /// </summary>
    public Task<IServiceHost> StartQueryApiAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var trusting = new Dictionary<string, string?> { ["Jwt:JwksUrl"] = new Uri(AuthApi.Url, "/.well-known/jwks.json").ToString() };
        foreach (var (key, value) in settings)
        {
            trusting[key] = value;
        }

        return StartAnotherAsync(new ServiceHost<QueryApi::Program>("query-api", LocalAws.ServiceUrl, Settings("query-api", trusting)));
    }

    private static async Task<IServiceHost> StartAnotherAsync<TEntryPoint>(ServiceHost<TEntryPoint> host) where TEntryPoint : class
    {
        try
        {
            return await WaitUntilHealthyAsync(host.Start());
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.DisposeAsync();
        }

        if (LocalAws is not null)
        {
            await LocalAws.DisposeAsync();
        }
    }

    /// <summary>
    /// The service's settings from the AppHost (<see cref="LocalServiceSettings"/>), as configuration keys: the
    /// environment's `__` is configuration's `:`, and ASP.NET Core reads `ASPNETCORE_` variables without the prefix.
    /// </summary>
    private static Dictionary<string, string?> Settings(string service, IReadOnlyDictionary<string, string?>? more = null)
    {
        var settings = LocalServiceSettings.For(service, NoAppHostArguments).ToDictionary(
            setting => setting.Key.Replace("__", ":", StringComparison.Ordinal) is var key && key.StartsWith("ASPNETCORE_", StringComparison.Ordinal)
                ? key["ASPNETCORE_".Length..]
                : key,
            setting => (string?)setting.Value);
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Starts the service and waits until it reports healthy (DynamoDB answered, the JWKS fetched, seeds written).</summary>
    private async Task<IServiceHost> StartAsync<TEntryPoint>(ServiceHost<TEntryPoint> host) where TEntryPoint : class
    {
        _hosts.Add(host);
        return await WaitUntilHealthyAsync(host.Start());
    }

    private static async Task<IServiceHost> WaitUntilHealthyAsync(IServiceHost host)
    {
        using var http = CreateClient(host);
        await Eventually.UntilAsync(async () => (await http.GetAsync("/health")).IsSuccessStatusCode, $"{host.Name} to be healthy", TimeSpan.FromSeconds(60));
        return host;
    }

    /// <summary>The topology, as `healthflow provision` makes it before the AppHost starts the services.</summary>
    private static async Task ProvisionAsync(string serviceUrl)
    {
        using var tools = CreateToolsHost(serviceUrl);
        await tools.Services.GetRequiredService<TopologyProvisioner>().ProvisionAsync();
    }

    /// <summary>
    /// The events of a stream carried into the read models by the projections' own code, as the projections worker
    /// would after SQS delivered them (none runs here); the caller disposes it.
    /// </summary>
    public StreamProjector CreateStreamProjector() =>
        new(CreateToolsHost(LocalAws.ServiceUrl, builder => builder.Services.AddHealthFlowProjections()));

    /// <summary>A process signing as LocalAws's administrator, with the event store and whatever <paramref name="configure"/> adds.</summary>
    private static IHost CreateToolsHost(string serviceUrl, Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "HealthFlow.Api.Tests" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HealthFlow:Outbox:RelayEnabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        var aws = new AWSOptions
        {
            Region = RegionEndpoint.USEast1,
            Credentials = new BasicAWSCredentials(LocalAwsCredentials.AdministratorKeyId, LocalAwsCredentials.AdministratorSecretAccessKey),
        };
        aws.DefaultClientConfig.ServiceURL = serviceUrl;
        builder.Services.AddDefaultAWSOptions(aws);
        builder.AddHealthFlowAws();
        configure?.Invoke(builder);
        return builder.Build();
    }
}

[CollectionDefinition(Name)]
public sealed class ApiSystemCollection : ICollectionFixture<ApiSystem>
{
    public const string Name = "ApiSystem";
}
