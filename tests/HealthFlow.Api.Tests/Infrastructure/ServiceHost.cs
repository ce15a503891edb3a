using Amazon;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace HealthFlow.Api.Tests.Infrastructure;

/// <summary>A HealthFlow service hosted in the test process, as its peers and the tests reach it.</summary>
public interface IServiceHost : IAsyncDisposable
{
    string Name { get; }

    Uri Url { get; }
}

/// <summary>
/// One service from its own Program, in the test process, on a loopback port (Kestrel): its peers reach it over real
/// HTTP as between processes (the JWKS, the gateway's routes), and it reaches AWS as it does anywhere, through the
/// SDK clients against the given endpoint.
/// </summary>
public sealed class ServiceHost<TEntryPoint> : WebApplicationFactory<TEntryPoint>, IServiceHost where TEntryPoint : class
{
    private readonly string? _awsEndpoint;
    private readonly IReadOnlyDictionary<string, string?> _settings;

    /// <param name="name">The service's name: its AWS identity (access key id) and its name for the outbox.</param>
    /// <param name="awsEndpoint">The AWS endpoint, or null for a service that calls no AWS (the gateway).</param>
    /// <param name="settings">Configuration keys (`Section:Key`), as environment variables would give them.</param>
    public ServiceHost(string name, string? awsEndpoint, IReadOnlyDictionary<string, string?> settings)
    {
        Name = name;
        _awsEndpoint = awsEndpoint;
        _settings = settings;
        UseKestrel(0);
    }

    public string Name { get; }

    public Uri Url { get; private set; } = null!;

    /// <summary>Starts the service and returns once it listens.</summary>
    public ServiceHost<TEntryPoint> Start()
    {
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Url = new Uri(address);
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Host settings, so they are there when Program reads its configuration before Build().
        builder.UseSetting("HealthFlow:ServiceName", Name);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_awsEndpoint is null)
        {
            return;
        }

        // What AWS_ENDPOINT_URL, AWS_REGION and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY say in a process of its own.
        // The environment is shared by every service in this process, so each gets its own options instead: it
        // signs as itself, and LocalAws allows it only its declared access (HealthFlowAccess).
        builder.ConfigureTestServices(services =>
        {
            var aws = new AWSOptions
            {
                Region = RegionEndpoint.USEast1,
                Credentials = new BasicAWSCredentials(Name, HealthFlow.LocalAws.LocalAwsCredentials.ServiceSecretAccessKey),
            };
            aws.DefaultClientConfig.ServiceURL = _awsEndpoint;
            services.AddDefaultAWSOptions(aws);
        });
    }
}
