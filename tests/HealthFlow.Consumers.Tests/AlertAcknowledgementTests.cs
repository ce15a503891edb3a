using HealthFlow.Command.Api.Alerts;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;

namespace HealthFlow.Consumers.Tests;

/// <summary>command-api's acknowledgement, decided on the alert's stream, against an in-memory store where races are staged.</summary>
public sealed class AlertAcknowledgementTests
{
    private static readonly DateTimeOffset RaisedAt = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private readonly RecordingEventStore _store = new();
    private readonly Guid _alertId = Guid.NewGuid();

    private StreamId Stream => StreamId.ForAlert(_alertId);

    private async Task<AlertState> RaiseAsync()
    {
        await _store.AppendAsync(Stream, ExpectedVersion.NoStream,
            [new AlertRaised(_alertId, Guid.NewGuid(), Guid.NewGuid(), Severities.High, AlertRules.News2, ["heartRate 135 → 3"], null, 9, false, RaisedAt)],
            Metadata());
        return Assert.IsType<AlertState>(await AlertCommands.LoadAsync(_store, _alertId, CancellationToken.None));
    }

    private AlertEscalated Escalation(AlertState alert) =>
        new(_alertId, alert.PatientId, Severities.High, AlertState.FirstEscalationLevel, RaisedAt.AddMinutes(15), RaisedAt.AddMinutes(15));

    [Fact]
    public async Task An_acknowledgement_that_races_the_escalation_is_applied_not_reported_as_already_acknowledged()
    {
        var alert = await RaiseAsync();
        // alert-worker escalates between command-api's read and its append.
        var racing = new AppendFirst(_store, Stream, Escalation(alert));

        var result = await AlertCommands.DecideAndAppendAsync(
            racing, alert, "clinician1", "Called the patient.", RaisedAt.AddMinutes(15).AddSeconds(1), Metadata(), CancellationToken.None);

        Assert.True(racing.Conflicted);
        var acknowledged = Assert.IsType<AcknowledgeResult.Acknowledged>(result);
        Assert.Equal(("clinician1", "Called the patient."), (acknowledged.Event.AcknowledgedBy, acknowledged.Event.Note));
        var stored = Assert.IsType<AlertState>(await AlertCommands.LoadAsync(_store, _alertId, CancellationToken.None));
        Assert.True(stored.IsEscalated);
        Assert.Equal("clinician1", stored.AcknowledgedBy);
        Assert.Equal(3, stored.Version);
    }

    [Fact]
    public async Task An_acknowledgement_that_races_another_clinicians_is_refused_naming_who_acknowledged_it()
    {
        var alert = await RaiseAsync();
        var acknowledgedAt = RaisedAt.AddMinutes(2);
        var racing = new AppendFirst(_store, Stream, new AlertAcknowledged(_alertId, alert.PatientId, "clinician2", null, acknowledgedAt));

        var result = await AlertCommands.DecideAndAppendAsync(
            racing, alert, "clinician1", null, RaisedAt.AddMinutes(3), Metadata(), CancellationToken.None);

        Assert.True(racing.Conflicted);
        Assert.Equal(new AcknowledgeResult.AlreadyAcknowledged("clinician2", acknowledgedAt), result);
        Assert.Single(_store.Appended.Select(a => a.Event).OfType<AlertAcknowledged>());
    }

    private static EventMetadata Metadata() => new($"corr-{Guid.NewGuid():N}", null, null, null, null);

    /// <summary>A store where another writer's event lands on the stream just before the first append, which then conflicts.</summary>
    private sealed class AppendFirst(RecordingEventStore inner, StreamId stream, IDomainEvent first) : IEventStore
    {
        private int _appends;

        public bool Conflicted { get; private set; }

        public async Task<AppendResult> AppendAsync(StreamId s, long expectedVersion, IReadOnlyList<IDomainEvent> events, EventMetadata metadata, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _appends) == 1)
            {
                await inner.AppendAsync(stream, await inner.GetVersionAsync(stream, cancellationToken), [first], metadata, cancellationToken);
            }

            try
            {
                return await inner.AppendAsync(s, expectedVersion, events, metadata, cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                Conflicted = true;
                throw;
            }
        }

        public Task<long> GetVersionAsync(StreamId s, CancellationToken cancellationToken = default) => inner.GetVersionAsync(s, cancellationToken);

        public IAsyncEnumerable<EventEnvelope> ReadStreamAsync(StreamId s, long fromVersion = 1, CancellationToken cancellationToken = default) =>
            inner.ReadStreamAsync(s, fromVersion, cancellationToken);

        public IAsyncEnumerable<EventEnvelope> ReadStreamBackwardAsync(StreamId stream, CancellationToken cancellationToken = default) =>
            inner.ReadStreamBackwardAsync(stream, cancellationToken);

        public IAsyncEnumerable<EventEnvelope> ReadAllAsync(CancellationToken cancellationToken = default) => inner.ReadAllAsync(cancellationToken);
    }
}
