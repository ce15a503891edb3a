using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// Starts the real AppHost once for every end-to-end test (a start costs 20-35 s here):
/// LocalAws, provisioning, the five services, the gateway, the web apps and the dashboard.
/// <see cref="ReplicatedAppHostFixture"/> starts the same system with more than one replica of each service.
/// </summary>
public class AppHostFixture : IAsyncLifetime
{
    // Arguments a derived fixture adds to the shared ones (free ports, the short escalation policy).
    private readonly IReadOnlyList<string> _extraArgs;

    public AppHostFixture()
        : this([])
    {
    }

    protected AppHostFixture(IReadOnlyList<string> extraArgs) => _extraArgs = extraArgs;

    // Generous: on a loaded 2-core machine (a parallel build, CI beside other jobs) nine processes JIT at once.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(8);

    public static readonly string[] Services = ["auth-api", "command-api", "query-api", "alert-worker", "projections", "notifier"];

    /// <summary>
    /// The escalation policy, shortened from 15 and 60 minutes so the escalation tests take seconds. Every alert the
    /// suite raises escalates this quickly if nobody acknowledges it, which other tests' assertions allow for.
    /// </summary>
    /// <summary>HEALTHFLOW_E2E_FROM_CONTAINERS=1: the .NET services run from their images (README, "From containers").</summary>
    public static bool FromContainers => Environment.GetEnvironmentVariable("HEALTHFLOW_E2E_FROM_CONTAINERS") == "1";

    public static readonly TimeSpan HighEscalatesAfter = TimeSpan.FromSeconds(4);

    public static readonly TimeSpan MediumEscalatesAfter = TimeSpan.FromSeconds(10);

    public DistributedApplication App { get; private set; } = null!;

    public Uri GatewayUrl { get; private set; } = null!;

    public Uri AwsEndpointUrl { get; private set; } = null!;

    public Uri DashboardUrl { get; private set; } = null!;

    public Uri PatientAppUrl { get; private set; } = null!;

    public Uri ClinicianAppUrl { get; private set; } = null!;

    /// <summary>maildev's web inbox and REST API (`/api/email`): every message notifier sent.</summary>
    public Uri MailDevUrl { get; private set; } = null!;

    /// <summary>A client for the public API, through the gateway, as a browser or a mobile app sees it.</summary>
    public HttpClient CreateGatewayClient() => new() { BaseAddress = GatewayUrl, Timeout = TimeSpan.FromSeconds(30) };

    public virtual async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);

        // Free ports for the things a developer may already be running on their defaults.
        string[] args =
        [
            $"--LocalAws:Port={FreePort()}",
            $"--Gateway:Port={FreePort()}",
            $"--WebApps:PatientPort={FreePort()}",
            $"--WebApps:ClinicianPort={FreePort()}",
            $"--MailDev:SmtpPort={FreePort()}",
            $"--MailDev:WebPort={FreePort()}",
            "--ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true",
            $"--Escalation:HighAfter={HighEscalatesAfter:c}",
            $"--Escalation:MediumAfter={MediumEscalatesAfter:c}",
            // HEALTHFLOW_E2E_FROM_CONTAINERS=1: the same tests against the services run from their images (README, "From containers").
            .. FromContainers
                ? ["--containers", .. HealthFlow.AppHost.ServiceContainers.DefaultPorts.Keys.Select(service => $"--Containers:Ports:{service}={FreePort()}")]
                : Array.Empty<string>(),
            .. _extraArgs,
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.HealthFlow_AppHost>(
            args,
            (options, _) => options.DisableDashboard = false,
            cts.Token);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire.Hosting", LogLevel.Warning));

        App = await builder.BuildAsync(cts.Token);
        await App.StartAsync(cts.Token);

        var notifications = App.Services.GetRequiredService<ResourceNotificationService>();
        await notifications.WaitForResourceHealthyAsync("gateway", cts.Token);
        await notifications.WaitForResourceAsync("patient-app", KnownResourceStates.Running, cts.Token);
        await notifications.WaitForResourceAsync("clinician-app", KnownResourceStates.Running, cts.Token);
        foreach (var service in Services)
        {
            await notifications.WaitForResourceHealthyAsync(service, cts.Token);
        }

        GatewayUrl = App.GetEndpoint("gateway", "public");
        AwsEndpointUrl = App.GetEndpoint("localaws", "http");
        PatientAppUrl = App.GetEndpoint("patient-app", "http");
        ClinicianAppUrl = App.GetEndpoint("clinician-app", "http");
        MailDevUrl = App.GetEndpoint("maildev", "http");
        DashboardUrl = await App.GetDashboardUrlAsync(cts.Token) ?? throw new InvalidOperationException("The dashboard did not start.");
    }

    public virtual async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class AppHostCollection : ICollectionFixture<AppHostFixture>
{
    public const string Name = "AppHost";
}
