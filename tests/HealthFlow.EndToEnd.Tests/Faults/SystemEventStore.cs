using Amazon;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using HealthFlow.Aws;
using HealthFlow.Aws.EventStore;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
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

    /// <summary>
    /// Every stored check-in, grouped by patient. Each check-in is its own stream, so this reads the
    /// whole store: the ground truth, not an index that could itself be wrong.
    /// </summary>
    public async Task<ILookup<Guid, EventEnvelope>> ObservationsByPatientAsync()
    {
        var observations = new List<(Guid PatientId, EventEnvelope Envelope)>();
        await foreach (var envelope in _host.Services.GetRequiredService<IEventStore>().ReadAllAsync())
        {
            if (envelope.Type == EventTypes.ObservationSubmitted)
            {
                observations.Add((envelope.DataAs<ObservationSubmitted>().PatientId, envelope));
            }
        }

        return observations.ToLookup(o => o.PatientId, o => o.Envelope);
    }

    public async Task<IReadOnlyList<EventEnvelope>> ObservationsOfAsync(Guid patientId) =>
        [.. (await ObservationsByPatientAsync())[patientId]];

    /// <summary>Every event of one alert's stream, in order.</summary>
    public async Task<IReadOnlyList<EventEnvelope>> AlertStreamAsync(Guid alertId)
    {
        var events = new List<EventEnvelope>();
        await foreach (var envelope in _host.Services.GetRequiredService<IEventStore>().ReadStreamAsync(StreamId.ForAlert(alertId)))
        {
            events.Add(envelope);
        }

        return events;
    }

    public void Dispose() => _host.Dispose();
}
