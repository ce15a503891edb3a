using HealthFlow.EventStore;
using HealthFlow.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace HealthFlow.Provisioning;

public static class ProvisioningServiceCollectionExtensions
{
    /// <summary>
    /// Everything at once, for the operator CLI and tests: the event store with its publisher and outbox relay, the
    /// SQS client, and the topology provisioner. A service registers only what it uses instead
    /// (AddHealthFlowEventStore, AddHealthFlowSqs, AddHealthFlowEventStreams, AddHealthFlowReadModelQueries).
    /// </summary>
    public static TBuilder AddHealthFlowAws<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddHealthFlowEventStore();
        builder.AddHealthFlowSqs();
        builder.Services.TryAddSingleton<TopologyProvisioner>();
        return builder;
    }
}
