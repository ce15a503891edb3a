using System.Collections.Concurrent;
using System.Text.Json;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.Projections;
using HealthFlow.ReadModels.Projections;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace HealthFlow.Consumers.Tests;

public sealed class ReadModelConsumerTests
{
    [Fact]
    public async Task A_projection_receives_the_stored_envelope_stream_version_causation_and_trace_included()
    {
        var projection = new RecordingProjection();
        await using var harness = await ConsumerHarness.StartAsync<ReadModelConsumer<AlertRaised, RecordingProjection>>(services =>
        {
            services.AddSingleton(projection);
            services.AddSingleton<ProjectionMetrics>();
        });
        var raised = new AlertRaised(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "high", "news2", ["NEWS2 9"], 9, 9, false, DateTimeOffset.UtcNow);
        var envelope = ConsumerHarness.Envelope(raised, StreamId.ForAlert(raised.AlertId).Value, version: 3);

        await harness.PublishAsync(raised, envelope);

        Assert.True(await harness.Harness.Consumed.Any<EventEnvelope<AlertRaised>>());
        var applied = Assert.Single(projection.Applied);
        Assert.Equal(envelope.EventId, applied.EventId);
        Assert.Equal(envelope.StreamId, applied.StreamId);
        Assert.Equal(3, applied.Version);
        Assert.Equal(EventTypes.AlertRaised, applied.Type);
        Assert.Equal(envelope.OccurredAt, applied.OccurredAt);
        Assert.Equal(envelope.Metadata, applied.Metadata);
        Assert.Equal(envelope.Data.GetRawText(), JsonSerializer.SerializeToElement(applied.Event, DomainJson.Options).GetRawText());
    }

    [Fact]
    public async Task A_failing_projection_faults_the_message_so_it_is_not_acknowledged()
    {
        var projection = new RecordingProjection { Fails = true };
        await using var harness = await ConsumerHarness.StartAsync<ReadModelConsumer<PatientRegistered, RecordingProjection>>(services =>
        {
            services.AddSingleton(projection);
            services.AddSingleton<ProjectionMetrics>();
        });
        var registered = new PatientRegistered(Guid.NewGuid(), "ada", "Ada Lovelace", DateTimeOffset.UtcNow);

        await harness.PublishAsync(registered, ConsumerHarness.Envelope(registered, StreamId.ForPatient(registered.PatientId).Value));

        Assert.True(await harness.Harness.Published.Any<Fault<EventEnvelope<PatientRegistered>>>());
    }

    public sealed class RecordingProjection : ReadModelProjection, IProjects<AlertRaised>, IProjects<PatientRegistered>
    {
        public bool Fails { get; init; }

        public ConcurrentQueue<EventEnvelope<AlertRaised>> Applied { get; } = new();

        public override string Name => "recording";

        public Task<ProjectionOutcome> ApplyAsync(EventEnvelope<AlertRaised> envelope, CancellationToken cancellationToken)
        {
            if (Fails)
                throw new InvalidOperationException("The read-model table is gone.");
            Applied.Enqueue(envelope);
            return Task.FromResult(ProjectionOutcome.Applied);
        }

        public Task<ProjectionOutcome> ApplyAsync(EventEnvelope<PatientRegistered> envelope, CancellationToken cancellationToken) =>
            Fails ? throw new InvalidOperationException("The read-model table is gone.") : Task.FromResult(ProjectionOutcome.Applied);
    }
}
