using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;
using HealthFlow.ReadModels.Projections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HealthFlow.Api.Tests.Infrastructure;

/// <summary>
/// Stands in for the projections worker, which the in-process system does not run: appends what alert-worker would
/// (an AlertRaised, an AlertEscalated) and applies a stream's stored events to every read model that reads them,
/// with the projections' own code, as `healthflow replay` does.
/// </summary>
public sealed class StreamProjector(IHost tools) : IDisposable
{
    private IEventStore Store => tools.Services.GetRequiredService<IEventStore>();

    /// <summary>Appends <paramref name="event"/> as the stream's next commit, then projects the stream.</summary>
    public async Task AppendAndProjectAsync(StreamId stream, IDomainEvent @event)
    {
        var version = await Store.GetVersionAsync(stream);
        await Store.AppendAsync(stream, version, [@event], EventMetadataFactory.FromCurrentActivity(Guid.NewGuid().ToString(), userId: "api-tests"));
        await ProjectAsync(stream);
    }

    /// <summary>Applies every stored event of <paramref name="stream"/>; what a read model has already applied it skips.</summary>
    public async Task ProjectAsync(StreamId stream)
    {
        var projections = tools.Services.GetServices<IReadModelProjection>().ToList();
        await foreach (var stored in Store.ReadStreamAsync(stream))
        {
            foreach (var projection in projections.Where(p => p.EventTypes.Contains(stored.Type)))
            {
                await projection.ApplyAsync(stored, CancellationToken.None);
            }
        }
    }

    public void Dispose() => tools.Dispose();
}
