using Amazon;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using HealthFlow.Aws;
using HealthFlow.Aws.EventStore;
using HealthFlow.Domain;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>The running system's event store, read directly: the ground truth a fault test checks the API against.</summary>
public sealed class SystemEventStore : IDisposable
{
    private readonly IHost _host;

    public SystemEventStore(Uri awsEndpoint)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "fault-tests" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["HealthFlow:Outbox:RelayEnabled"] = "false" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var aws = new AWSOptions { Region = RegionEndpoint.USEast1, Credentials = new BasicAWSCredentials("test", "test") };
        aws.DefaultClientConfig.ServiceURL = awsEndpoint.GetLeftPart(UriPartial.Authority);
        builder.Services.AddDefaultAWSOptions(aws);
        builder.AddHealthFlowAws();
        _host = builder.Build();
    }

    public IServiceProvider Services => _host.Services;

    public async Task<IReadOnlyList<EventEnvelope>> ReadPatientAsync(Guid patientId)
    {
        var events = new List<EventEnvelope>();
        await foreach (var envelope in _host.Services.GetRequiredService<IEventStore>().ReadStreamAsync(StreamId.ForPatient(patientId)))
        {
            events.Add(envelope);
        }

        return events;
    }

    public void Dispose() => _host.Dispose();
}
