using HealthFlow.AlertWorker;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;
using HealthFlow.Messaging;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HealthFlow.Consumers.Tests;

public sealed class AlertEscalationConsumerTests
{
    private static readonly DateTimeOffset RaisedAt = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private readonly RecordingEventStore _store = new();
    private readonly FakeTimeProvider _time = new(RaisedAt);
    private readonly RecordingDelayedMessages _deadlines;
    private readonly InMemoryDelayedMessageChains _chains = new();
    private readonly Guid _alertId = Guid.NewGuid();

    public AlertEscalationConsumerTests() => _deadlines = new RecordingDelayedMessages(_time);

    private StreamId Stream => StreamId.ForAlert(_alertId);

    private Task<ConsumerHarness> StartAsync(IEventStore? store = null, Action<EscalationPolicy>? policy = null, IDelayedMessageChains? chains = null) =>
        ConsumerHarness.StartAsync<AlertEscalationConsumer>(services =>
        {
            services.AddSingleton(store ?? _store);
            services.AddOptions<EscalationPolicy>().Configure(p => policy?.Invoke(p));
            services.AddSingleton<IDelayedMessages>(_deadlines);
            services.AddSingleton<EscalationDeadlines>();
            services.AddSingleton(chains ?? _chains);
            services.AddSingleton<AlertMetrics>();
            services.AddSingleton<TimeProvider>(_time);
        }, retry: true);

    private async Task RaiseAsync(string severity = Severities.High) =>
        await _store.AppendAsync(Stream, ExpectedVersion.NoStream,
            [new AlertRaised(_alertId, Guid.NewGuid(), Guid.NewGuid(), severity, AlertRules.News2, ["heartRate 135 → 3"], null, 9, false, RaisedAt)],
            Metadata());

    private async Task DeliverAsync(ConsumerHarness harness, DateTimeOffset dueAt, string severity = Severities.High)
    {
        var due = new AlertEscalationDue(_alertId, severity, RaisedAt, dueAt);
        var envelope = new EventEnvelope(Guid.CreateVersion7(), Stream.Value, 0, nameof(AlertEscalationDue), _time.GetUtcNow(),
            System.Text.Json.JsonSerializer.SerializeToElement(due, DomainJson.Options), Metadata());
        await harness.PublishAsync(due, envelope);
        Assert.True(await harness.Harness.GetConsumerHarness<AlertEscalationConsumer>().Consumed.Any<EventEnvelope<AlertEscalationDue>>(m => m.Context.MessageId == envelope.EventId));
    }

    private EventEnvelope Leg(DateTimeOffset dueAt, string severity = Severities.High) =>
        new(Guid.CreateVersion7(), Stream.Value, 0, nameof(AlertEscalationDue), _time.GetUtcNow(),
            System.Text.Json.JsonSerializer.SerializeToElement(new AlertEscalationDue(_alertId, severity, RaisedAt, dueAt), DomainJson.Options), Metadata());

    /// <summary>A leg as <see cref="RecordingDelayedMessages"/> recorded its sending: the consumer sees its id as the MessageId.</summary>
    private EventEnvelope Sent(Guid messageId, object message) =>
        new(messageId, Stream.Value, 0, nameof(AlertEscalationDue), _time.GetUtcNow(),
            System.Text.Json.JsonSerializer.SerializeToElement((AlertEscalationDue)message, DomainJson.Options), Metadata());

    /// <summary>Delivers a leg as SQS would deliver it once more (the same message, so the same id), and waits until it is consumed.</summary>
    private static async Task DeliverAgainAsync(ConsumerHarness harness, EventEnvelope leg, int delivery)
    {
        await harness.PublishAsync(leg.DataAs<AlertEscalationDue>(), leg);
        await harness.ConsumedAsync(leg.EventId, delivery);
    }

    private IEnumerable<AlertEscalated> Escalations => _store.Appended.Select(a => a.Event).OfType<AlertEscalated>();

    [Fact]
    public async Task An_open_alert_past_its_deadline_is_escalated_once_at_the_version_that_was_read()
    {
        await RaiseAsync();
        _time.SetUtcNow(RaisedAt.AddMinutes(15).AddSeconds(2));
        await using var harness = await StartAsync();

        await DeliverAsync(harness, RaisedAt.AddMinutes(15));

        var escalated = Assert.Single(Escalations);
        Assert.Equal((_alertId, Severities.High, 1, RaisedAt.AddMinutes(15), _time.GetUtcNow()), (escalated.AlertId, escalated.Severity, escalated.Level, escalated.DueAt, escalated.EscalatedAt));
        Assert.Equal(2, await _store.GetVersionAsync(Stream));
        Assert.Empty(_deadlines.Sent);
    }

    [Fact]
    public async Task A_redelivered_deadline_does_not_escalate_a_second_time()
    {
        await RaiseAsync();
        _time.SetUtcNow(RaisedAt.AddMinutes(16));
        await using var harness = await StartAsync();

        await DeliverAsync(harness, RaisedAt.AddMinutes(15));
        await DeliverAsync(harness, RaisedAt.AddMinutes(15));

        Assert.Single(Escalations);
    }

    [Fact]
    public async Task An_acknowledged_alert_is_never_escalated()
    {
        await RaiseAsync();
        await _store.AppendAsync(Stream, 1, [new AlertAcknowledged(_alertId, Guid.NewGuid(), "clinician1", null, RaisedAt.AddMinutes(3))], Metadata());
        _time.SetUtcNow(RaisedAt.AddMinutes(16));
        await using var harness = await StartAsync();

        await DeliverAsync(harness, RaisedAt.AddMinutes(15));

        Assert.Empty(Escalations);
        Assert.Empty(_deadlines.Sent);
    }

    [Fact]
    public async Task A_leg_a_millisecond_before_its_deadline_escalates_nothing_and_sends_the_deadline_on_for_the_last_second()
    {
        await RaiseAsync();
        _time.SetUtcNow(RaisedAt.AddMinutes(15).AddMilliseconds(-1));
        await using var harness = await StartAsync();

        await DeliverAsync(harness, RaisedAt.AddMinutes(15));

        Assert.Empty(Escalations);
        var next = Assert.Single(_deadlines.Sent);
        Assert.Equal((RaisedAt.AddMinutes(15), 1), (next.DueAt, next.DelaySeconds));
    }

    [Fact]
    public async Task A_leg_delivered_exactly_at_its_deadline_escalates_at_that_instant()
    {
        await RaiseAsync();
        _time.SetUtcNow(RaisedAt.AddMinutes(15));
        await using var harness = await StartAsync();

        await DeliverAsync(harness, RaisedAt.AddMinutes(15));

        var escalated = Assert.Single(Escalations);
        Assert.Equal((RaisedAt.AddMinutes(15), RaisedAt.AddMinutes(15)), (escalated.DueAt, escalated.EscalatedAt));
        Assert.Empty(_deadlines.Sent);
    }

    [Fact]
    public async Task A_one_hour_deadline_travels_as_four_fifteen_minute_legs_and_escalates_at_the_hour()
    {
        await RaiseAsync(Severities.Medium);
        await using var harness = await StartAsync();
        var first = await harness.Services.GetRequiredService<EscalationDeadlines>()
            .ScheduleAsync(_alertId, Severities.Medium, RaisedAt, Metadata(), CancellationToken.None);
        Assert.Equal(RaisedAt.AddHours(1), first);

        // Each leg arrives when SQS would deliver it: its delay later, on the test's clock.
        var delays = new List<int>();
        while (!Escalations.Any() && delays.Count < 10)
        {
            var leg = _deadlines.Sent.Last();
            delays.Add(leg.DelaySeconds);
            _time.Advance(TimeSpan.FromSeconds(leg.DelaySeconds));
            await DeliverAgainAsync(harness, Sent(leg.MessageId, leg.Message), 1);
        }

        Assert.Equal([900, 900, 900, 900], delays);
        var escalated = Assert.Single(Escalations);
        Assert.Equal((RaisedAt.AddHours(1), RaisedAt.AddHours(1)), (escalated.DueAt, escalated.EscalatedAt));
        Assert.Equal(4, _deadlines.Sent.Count);
        Assert.Empty(_chains.Legs);
    }

    [Fact]
    public async Task An_acknowledgement_stored_after_the_deadline_but_before_its_leg_is_handled_still_prevents_the_escalation()
    {
        // The deadline message came late (a busy or stopped worker): the stream decides, not the clock.
        await RaiseAsync();
        await _store.AppendAsync(Stream, 1, [new AlertAcknowledged(_alertId, Guid.NewGuid(), "clinician1", null, RaisedAt.AddMinutes(15).AddSeconds(1))], Metadata());
        _time.SetUtcNow(RaisedAt.AddMinutes(15).AddSeconds(2));
        await using var harness = await StartAsync();

        await DeliverAsync(harness, RaisedAt.AddMinutes(15));

        Assert.Empty(Escalations);
        Assert.Empty(_deadlines.Sent);
        Assert.Empty(_chains.Legs);
    }


    [Fact]
    public async Task A_deadline_beyond_fifteen_minutes_is_sent_on_with_the_time_that_remains()
    {
        await RaiseAsync(Severities.Medium);
        _time.SetUtcNow(RaisedAt.AddMinutes(15));
        await using var harness = await StartAsync();

        await DeliverAsync(harness, RaisedAt.AddHours(1), Severities.Medium);

        Assert.Empty(Escalations);
        var next = Assert.Single(_deadlines.Sent);
        Assert.Equal(new AlertEscalationDue(_alertId, Severities.Medium, RaisedAt, RaisedAt.AddHours(1)), next.Message);
        Assert.Equal(900, next.DelaySeconds);
        Assert.Equal(Stream, next.About);
    }

    [Fact]
    public async Task A_policy_shortened_since_the_deadline_was_sent_escalates_at_the_next_leg()
    {
        await RaiseAsync();
        _time.SetUtcNow(RaisedAt.AddMinutes(15));
        await using var harness = await StartAsync(policy: p => p.HighAfter = TimeSpan.FromMinutes(10));

        // Sent under a 30-minute policy; this leg arrives after 15 minutes, past the new 10-minute deadline.
        await DeliverAsync(harness, RaisedAt.AddMinutes(30));

        Assert.Equal(RaisedAt.AddMinutes(10), Assert.Single(Escalations).DueAt);
    }

    [Fact]
    public async Task A_deadline_of_a_severity_the_policy_no_longer_escalates_is_dropped()
    {
        await RaiseAsync();
        _time.SetUtcNow(RaisedAt.AddMinutes(15));
        await using var harness = await StartAsync(policy: p => p.HighAfter = null);

        await DeliverAsync(harness, RaisedAt.AddMinutes(15));

        Assert.Empty(Escalations);
        Assert.Empty(_deadlines.Sent);
    }

    [Fact]
    public async Task An_acknowledgement_appended_while_escalating_wins_and_the_retry_escalates_nothing()
    {
        await RaiseAsync();
        _time.SetUtcNow(RaisedAt.AddMinutes(16));
        // The clinician acknowledges between the worker's read and its append.
        var racing = new AcknowledgeBeforeFirstAppend(_store, _alertId);
        await using var harness = await StartAsync(racing);

        await DeliverAsync(harness, RaisedAt.AddMinutes(15));

        Assert.Empty(Escalations);
        Assert.Single(_store.Appended.Select(a => a.Event).OfType<AlertAcknowledged>());
        Assert.True(racing.Conflicted);
        Assert.False(await harness.Harness.Published.Any<Fault<EventEnvelope<AlertEscalationDue>>>());
    }

    [Fact]
    public async Task A_not_yet_due_leg_delivered_again_and_again_sends_its_next_leg_only_once()
    {
        await RaiseAsync(Severities.Medium);
        _time.SetUtcNow(RaisedAt.AddMinutes(15));
        await using var harness = await StartAsync();
        var leg = Leg(RaisedAt.AddHours(1), Severities.Medium);

        // Handled, then not deleted (a crash, a lost delete): SQS delivers the same leg again.
        for (var delivery = 1; delivery <= 3; delivery++)
            await DeliverAgainAsync(harness, leg, delivery);

        var next = Assert.Single(_deadlines.Sent);
        Assert.Equal(new AlertEscalationDue(_alertId, Severities.Medium, RaisedAt, RaisedAt.AddHours(1)), next.Message);
        Assert.Equal(next.MessageId, _chains.Legs[Stream.Value]);
        Assert.Empty(Escalations);
    }

    [Fact]
    public async Task A_leg_that_stopped_after_sending_sends_again_and_only_the_leg_it_hands_over_to_goes_on()
    {
        await RaiseAsync(Severities.Medium);
        _time.SetUtcNow(RaisedAt.AddMinutes(15));
        var leg = Leg(RaisedAt.AddHours(1), Severities.Medium);
        // The first delivery (each of its immediate retries too) sends the next leg and stops before handing the chain over.
        await using (var crashing = await StartAsync(chains: new FailingHandOver(_chains)))
            await DeliverAgainAsync(crashing, leg, 1);
        var orphans = _deadlines.Sent.ToList();
        Assert.NotEmpty(orphans);

        await using var harness = await StartAsync();
        await DeliverAgainAsync(harness, leg, 1);

        var carrier = _deadlines.Sent.Last();
        Assert.Equal(orphans.Count + 1, _deadlines.Sent.Count);
        Assert.Equal(carrier.MessageId, _chains.Legs[Stream.Value]);
        // Fifteen minutes on, the orphans arrive before the deadline and send nothing; the carrier sends the next leg.
        _time.SetUtcNow(RaisedAt.AddMinutes(30));
        foreach (var orphan in orphans)
            await DeliverAgainAsync(harness, Sent(orphan.MessageId, orphan.Message), 1);
        Assert.Equal(orphans.Count + 1, _deadlines.Sent.Count);
        await DeliverAgainAsync(harness, Sent(carrier.MessageId, carrier.Message), 1);
        Assert.Equal(orphans.Count + 2, _deadlines.Sent.Count);
    }

    [Fact]
    public async Task A_chain_ends_when_the_deadline_is_decided()
    {
        await RaiseAsync(Severities.Medium);
        _time.SetUtcNow(RaisedAt.AddMinutes(45));
        await using var harness = await StartAsync();
        var leg = Leg(RaisedAt.AddHours(1), Severities.Medium);
        await DeliverAgainAsync(harness, leg, 1);
        var last = Assert.Single(_deadlines.Sent);

        _time.SetUtcNow(RaisedAt.AddHours(1));
        await DeliverAgainAsync(harness, Sent(last.MessageId, last.Message), 1);

        Assert.Single(Escalations);
        Assert.Empty(_chains.Legs);
    }

    private static EventMetadata Metadata() => new($"corr-{Guid.NewGuid():N}", null, null, null, null);

    /// <summary>A store where an acknowledgement lands just before the first append: that append conflicts.</summary>
    private sealed class AcknowledgeBeforeFirstAppend(RecordingEventStore inner, Guid alertId) : IEventStore
    {
        private int _appends;

        public bool Conflicted { get; private set; }

        public async Task<AppendResult> AppendAsync(StreamId stream, long expectedVersion, IReadOnlyList<IDomainEvent> events, EventMetadata metadata, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _appends) == 1)
            {
                await inner.AppendAsync(stream, expectedVersion, [new AlertAcknowledged(alertId, Guid.NewGuid(), "clinician2", null, DateTimeOffset.UtcNow)], metadata, cancellationToken);
            }

            try
            {
                return await inner.AppendAsync(stream, expectedVersion, events, metadata, cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                Conflicted = true;
                throw;
            }
        }

        public Task<long> GetVersionAsync(StreamId stream, CancellationToken cancellationToken = default) => inner.GetVersionAsync(stream, cancellationToken);

        public IAsyncEnumerable<EventEnvelope> ReadStreamAsync(StreamId stream, long fromVersion = 1, CancellationToken cancellationToken = default) =>
            inner.ReadStreamAsync(stream, fromVersion, cancellationToken);

        public IAsyncEnumerable<EventEnvelope> ReadStreamBackwardAsync(StreamId stream, CancellationToken cancellationToken = default) =>
            inner.ReadStreamBackwardAsync(stream, cancellationToken);

        public IAsyncEnumerable<EventEnvelope> ReadAllAsync(CancellationToken cancellationToken = default) => inner.ReadAllAsync(cancellationToken);
    }

    /// <summary>Chains whose hand-over fails, as a process stopping between the send and the hand-over would.</summary>
    private sealed class FailingHandOver(IDelayedMessageChains inner) : IDelayedMessageChains
    {
        public Task<bool> TryCarryAsync(string chain, Guid leg, CancellationToken cancellationToken) => inner.TryCarryAsync(chain, leg, cancellationToken);

        public Task<bool> HandOverAsync(string chain, Guid leg, Guid next, CancellationToken cancellationToken) =>
            throw new IOException("The process stopped.");

        public Task EndAsync(string chain, CancellationToken cancellationToken) => inner.EndAsync(chain, cancellationToken);
    }
}
