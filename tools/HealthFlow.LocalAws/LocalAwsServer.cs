using System.Net;
using HealthFlow.LocalAws.Access;
using HealthFlow.LocalAws.DynamoDb;
using HealthFlow.LocalAws.EventBridge;
using HealthFlow.LocalAws.Faults;
using HealthFlow.LocalAws.Protocol;
using HealthFlow.LocalAws.Sqs;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace HealthFlow.LocalAws;

/// <summary>
/// HealthFlow's Docker-free local AWS endpoint: SQS and EventBridge in memory, DynamoDB through
/// dynalite, all on one port. <see cref="StartAsync"/> hosts it in-process (tests, tools);
/// <see cref="CreateApplication"/> builds it for the standalone executable.
/// </summary>
public sealed class LocalAwsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalAwsServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The endpoint, e.g. http://127.0.0.1:4566/.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The endpoint as the AWS SDKs' ServiceURL / AWS_ENDPOINT_URL expect it (no trailing slash).</summary>
    public string ServiceUrl => BaseUrl.GetLeftPart(UriPartial.Authority);

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts LocalAws in-process and returns once it (and dynalite) is ready.</summary>
    /// <param name="port">The port on 127.0.0.1; 0 picks a free one.</param>
    /// <param name="dataDirectory">Persist DynamoDB data there; null keeps everything in memory.</param>
    /// <param name="configure">Further settings, e.g. another access declaration to enforce.</param>
    public static async Task<LocalAwsServer> StartAsync(
        int port = 0, string? dataDirectory = null, CancellationToken cancellationToken = default, Action<LocalAwsOptions>? configure = null)
    {
        var app = CreateApplication([], options =>
        {
            options.Port = port;
            options.DataDirectory = dataDirectory;
            configure?.Invoke(options);
        });
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LocalAwsServer(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    public static WebApplication CreateApplication(string[] args, Action<LocalAwsOptions>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(LocalAwsServer).Assembly.GetName().Name,
        });

        var options = builder.Configuration.GetSection(LocalAwsOptions.SectionName).Get<LocalAwsOptions>() ?? new LocalAwsOptions();
        options.Port ??= builder.Configuration.GetValue<int?>("port");
        configure?.Invoke(options);
        if (options.TableActivationDelay < TimeSpan.Zero)
            throw new InvalidOperationException($"LocalAws:TableActivationDelay must not be negative; got {options.TableActivationDelay}.");
        if (options.Faults?.Problem() is var (faultField, faultProblem))
            throw new InvalidOperationException($"LocalAws:Faults:{faultField} is invalid: {faultProblem}");
        if (options.AllowedHosts.Any(string.IsNullOrWhiteSpace))
            throw new InvalidOperationException("LocalAws:AllowedHosts has an empty entry; list host names, \"*.domain\", or \"*\".");
        ConfigureListener(builder, options);

        // Per-request hosting logs would dominate the hot path; LocalAws logs one Debug line per call itself.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<SqsQueueStore>();
        builder.Services.AddSingleton<SqsQueueAdministration>();
        builder.Services.AddSingleton<SqsMessaging>();
        builder.Services.AddSingleton<SqsService>();
        builder.Services.AddSingleton<EventBusRegistry>();
        builder.Services.AddSingleton<EventBusAdministration>();
        builder.Services.AddSingleton<EventDelivery>();
        builder.Services.AddSingleton<EventBridgeService>();
        builder.Services.AddSingleton<FaultInjector>();
        builder.Services.AddSingleton<AccessPolicy>();
        builder.Services.AddSingleton<DynaliteProcess>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DynaliteProcess>());
        builder.Services.AddSingleton<DynamoDbForwarder>();
        builder.Services.AddSingleton<SigV4Verifier>();
        builder.Services.AddSingleton<LocalCallerFilter>();
        builder.Services.AddSingleton<AwsJsonEndpoint>();
        builder.Services.AddSingleton<SqsQueryEndpoint>();
        builder.AddDefaultHealthChecks();
        builder.Services.AddHealthChecks().AddCheck<DynaliteHealthCheck>("dynalite");

        var app = builder.Build();
        // Kestrel waits for in-flight requests on shutdown; parked long polls would hold it up to 20 s.
        app.Lifetime.ApplicationStopping.Register(() => app.Services.GetRequiredService<SqsQueueStore>().ReleaseWaiters());
        // First of all: nothing, not even /health, answers a request that does not come from this machine's own tools.
        app.Use(app.Services.GetRequiredService<LocalCallerFilter>().InvokeAsync);
        var endpoint = app.Services.GetRequiredService<AwsJsonEndpoint>();
        var sqsQuery = app.Services.GetRequiredService<SqsQueryEndpoint>();
        // The wire format is chosen per request: an X-Amz-Target header is JSON, Action=… is the SQS query protocol.
        app.Use(next => context =>
            AwsJsonEndpoint.IsAwsRequest(context) ? endpoint.HandleAsync(context)
            : SqsQueryEndpoint.IsQueryRequest(context) ? sqsQuery.HandleAsync(context)
            : next(context));
        app.MapDefaultEndpoints();
        app.MapFaultEndpoints();
        app.MapAccessEndpoints();
        return app;
    }

    // An explicit port (--port, LocalAws:Port, or the in-process API) wins; otherwise ASPNETCORE_URLS /
    // --urls if given; otherwise LocalStack's edge port on localhost.
    private static void ConfigureListener(WebApplicationBuilder builder, LocalAwsOptions options)
    {
        bool urlsConfigured = !string.IsNullOrEmpty(builder.Configuration["urls"]) || !string.IsNullOrEmpty(builder.Configuration["http_ports"]);
        if (options.Port is null && urlsConfigured)
            return;
        int port = options.Port ?? LocalAwsOptions.DefaultPort;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (port == 0)
                kestrel.Listen(IPAddress.Loopback, 0);
            else
                kestrel.ListenLocalhost(port);
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
