using System.Text.Json;
using HealthFlow.AlertWorker;
using HealthFlow.AlertWorker.CheckIns;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Monitoring;
using HealthFlow.EventStore;
using HealthFlow.Messaging;
using HealthFlow.Topology;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HealthFlow.Consumers.Tests;

/// <summary>
/// alert-worker's check-in schedule: a plan starts its deadlines, a deadline decides its window on schedule-{patientId}
/// and raises one missed-check-in alert per window, and the patient's next check-in closes it.
/// </summary>
public sealed class CheckInScheduleConsumerTests
{
    private static readonly DateTimeOffset SetAt = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);

    // Every 2 hours from 08:00, 15 minutes' grace: the first window is (08:00, 10:15], due 10:00.
    private static readonly CheckInSchedule Schedule = new(2, null, "Europe/London", 15);
    private static readonly CheckInWindow First = CheckInWindows.First(Schedule, SetAt);
    private static readonly CheckInWindow Second = CheckInWindows.Next(Schedule, SetAt, First.DueAt);

    private readonly Guid _patientId = Guid.NewGuid();
    private readonly FakeTimeProvider _time = new(SetAt);
    private readonly RecordingEventStore _store;
    private readonly RecordingDelayedMessages _sent;
    private readonly InMemoryDelayedMessageChains _chains = new();

    public CheckInScheduleConsumerTests()
    {
        // Events occur on the test's clock, as alert-worker's appends do on its own: a deadline reads back by that time.
        _store = new RecordingEventStore(_time);
        _sent = new RecordingDelayedMessages(_time);
    }

    private StreamId Schedule_ => StreamId.ForSchedule(_patientId);

    private Guid MissedAlertId(CheckInWindow window) => AlertId.ForMissedCheckIn(_patientId, window.DueAt);

    private static EventMetadata Metadata() => new($"corr-{Guid.NewGuid():N}", null, null, null, null);

    private Task<ConsumerHarness> StartAsync<TConsumer>(IEventStore? store = null) where TConsumer : class, IConsumer =>
        ConsumerHarness.StartAsync<TConsumer>(services =>
        {
            services.AddSingleton(store ?? _store);
            services.AddOptions<AlertRulesOptions>();
            services.AddOptions<EscalationPolicy>().Configure(p => p.LowMediumAfter = TimeSpan.FromHours(1));
            services.AddSingleton<IDelayedMessages>(_sent);
            services.AddSingleton<IDelayedMessageChains>(_chains);
            services.AddSingleton<EscalationDeadlines>();
            services.AddSingleton<CheckInDeadlines>();
            services.AddSingleton<MissedCheckInAlerts>();
            services.AddSingleton<ScheduledCheckIns>();
            services.AddSingleton<AlertMetrics>();
            services.AddSingleton<TimeProvider>(_time);
        }, retry: true);

    private async Task<MonitoringPlanSet> SetPlanAsync(int version = 1, CheckInSchedule? schedule = null, DateTimeOffset? at = null)
    {
        var patient = StreamId.ForPatient(_patientId);
        if (version == 1)
        {
            await _store.AppendAsync(patient, ExpectedVersion.NoStream, [new PatientRegistered(_patientId, "ada", "Ada Lovelace", SetAt.AddDays(-1))], Metadata());
        }

        var plan = new MonitoringPlanSet(_patientId, version, new MonitoringPlan(schedule ?? Schedule), "clinician1", $"plan {version}", at ?? SetAt);
        await _store.AppendAsync(patient, version, [plan], Metadata());
        return plan;
    }

    private static EventEnvelope Leg(CheckInDeadline deadline, Guid? id = null) =>
        new(id ?? Guid.CreateVersion7(), StreamId.ForSchedule(deadline.PatientId).Value, 0, nameof(CheckInDeadline), SetAt,
            JsonSerializer.SerializeToElement(deadline, DomainJson.Options), Metadata());

    private CheckInDeadline DeadlineOf(CheckInWindow window, int version = 1) => new(_patientId, version, window.DueAt, window.Deadline);

    private static async Task DeliverAsync(ConsumerHarness harness, EventEnvelope leg, int delivery = 1)
    {
        await harness.PublishAsync(leg.DataAs<CheckInDeadline>(), leg);
        await harness.ConsumedAsync(leg.EventId, delivery);
    }

    private async Task CheckInAsync(ConsumerHarness harness, DateTimeOffset submittedAt, Guid? observationId = null)
    {
        var checkIn = new ObservationSubmitted(observationId ?? Guid.CreateVersion7(), _patientId, new VitalSigns(Score: 2), submittedAt, submittedAt, null);
        var envelope = ConsumerHarness.Envelope(checkIn, StreamId.ForObservation(checkIn.ObservationId).Value);
        await harness.PublishAsync(checkIn, envelope);
        await harness.ConsumedAsync(envelope.EventId);
    }

    private IEnumerable<AlertRaised> Raised => _store.Appended.Select(a => a.Event).OfType<AlertRaised>();

    private IEnumerable<CheckInWindowMissed> MissedWindows => _store.Appended.Select(a => a.Event).OfType<CheckInWindowMissed>();

    private IEnumerable<CheckInDeadline> DeadlinesSent => _sent.Sent.Select(s => s.Message).OfType<CheckInDeadline>();

    [Fact]
    public async Task A_plan_with_a_schedule_sends_its_first_windows_deadline_and_a_plan_without_one_sends_nothing()
    {
        var plan = await SetPlanAsync();
        await using var harness = await StartAsync<MonitoringPlanConsumer>();
        var unscheduled = plan with { PatientId = Guid.NewGuid(), Plan = MonitoringPlan.Defaults };

        foreach (var set in new[] { plan, unscheduled })
        {
            var envelope = ConsumerHarness.Envelope(set, StreamId.ForPatient(set.PatientId).Value, 2);
            await harness.PublishAsync(set, envelope);
            await harness.ConsumedAsync(envelope.EventId);
        }

        var sent = Assert.Single(_sent.Sent);
        Assert.Equal((HealthFlowTopology.Queues.CheckInDeadlines.Name, DeadlineOf(First), First.Deadline), (sent.Queue, (CheckInDeadline)sent.Message, sent.DueAt));
    }

    [Fact]
    public async Task A_leg_before_its_deadline_is_sent_on_and_hands_the_plans_chain_over()
    {
        await SetPlanAsync();
        await using var harness = await StartAsync<CheckInDeadlineConsumer>();
        var leg = Leg(DeadlineOf(First));

        await DeliverAsync(harness, leg);

        var sent = Assert.Single(_sent.Sent);
        Assert.Equal(DeadlineOf(First), sent.Message);
        Assert.Equal(sent.MessageId, _chains.Legs[CheckInDeadlines.ChainOf(DeadlineOf(First))]);
        Assert.DoesNotContain(_store.Appended, a => a.Stream == Schedule_);
    }

    [Fact]
    public async Task A_missed_window_raises_one_alert_without_an_observation_and_sends_the_next_windows_deadline()
    {
        await SetPlanAsync();
        _time.SetUtcNow(First.Deadline.AddSeconds(1));
        await using var harness = await StartAsync<CheckInDeadlineConsumer>();

        await DeliverAsync(harness, Leg(DeadlineOf(First)));

        var missed = Assert.Single(MissedWindows);
        Assert.Equal((MissedAlertId(First), 1, First.DueAt, First.Deadline), (missed.AlertId, missed.PlanVersion, missed.DueAt, missed.Deadline));
        var alert = Assert.Single(Raised);
        Assert.Equal((MissedAlertId(First), (Guid?)null, AlertRules.CheckInMissed, Severities.LowMedium, (DateTimeOffset?)First.DueAt),
            (alert.AlertId, alert.ObservationId, alert.Rule, alert.Severity, alert.MissedDueAt));
        Assert.Equal(["No check-in due 11:00 Europe/London on 2026-06-01 by 11:15 (grace 15 min)."], alert.Reasons);
        Assert.Contains(_sent.Sent, s => s.Queue == HealthFlowTopology.Queues.AlertEscalation.Name && ((AlertEscalationDue)s.Message).AlertId == alert.AlertId);
        Assert.Equal(DeadlineOf(Second), Assert.Single(DeadlinesSent));
    }

    [Fact]
    public async Task A_redelivered_or_duplicated_deadline_raises_no_second_alert_and_does_not_fork_the_chain()
    {
        await SetPlanAsync();
        _time.SetUtcNow(First.Deadline.AddSeconds(1));
        await using var harness = await StartAsync<CheckInDeadlineConsumer>();
        var leg = Leg(DeadlineOf(First));
        var duplicate = Leg(DeadlineOf(First));

        await DeliverAsync(harness, leg);
        await DeliverAsync(harness, leg, delivery: 2);
        await DeliverAsync(harness, duplicate);

        Assert.Single(Raised);
        Assert.Single(MissedWindows);
        Assert.Single(DeadlinesSent);
    }

    [Fact]
    public async Task A_check_in_within_the_window_satisfies_it_and_only_the_next_deadline_is_sent()
    {
        await SetPlanAsync();
        await using (var checkIns = await StartAsync<ObservationAlertConsumer>())
        {
            await CheckInAsync(checkIns, First.Deadline);
        }

        _time.SetUtcNow(First.Deadline.AddSeconds(1));
        await using var harness = await StartAsync<CheckInDeadlineConsumer>();
        await DeliverAsync(harness, Leg(DeadlineOf(First)));

        Assert.Single(_store.Appended, a => a.Event is CheckInReceived);
        Assert.Empty(Raised);
        Assert.Equal(DeadlineOf(Second), Assert.Single(DeadlinesSent));
    }

    [Fact]
    public async Task A_deadline_of_a_plan_no_longer_in_force_ends_its_chain_and_decides_nothing()
    {
        await SetPlanAsync();
        await SetPlanAsync(version: 2, schedule: Schedule with { GraceMinutes = 30 }, at: SetAt.AddMinutes(30));
        _time.SetUtcNow(First.Deadline.AddSeconds(1));
        await using var harness = await StartAsync<CheckInDeadlineConsumer>();

        await DeliverAsync(harness, Leg(DeadlineOf(First)));

        Assert.DoesNotContain(_store.Appended, a => a.Stream == Schedule_);
        Assert.Empty(_sent.Sent);
        Assert.False(_chains.Legs.ContainsKey(CheckInDeadlines.ChainOf(DeadlineOf(First))));
    }

    [Fact]
    public async Task A_crash_between_recording_the_window_and_raising_its_alert_is_finished_by_the_retry()
    {
        await SetPlanAsync();
        _time.SetUtcNow(First.Deadline.AddSeconds(1));
        var store = new FailingOnceEventStore(_store, e => e is AlertRaised);
        await using var harness = await StartAsync<CheckInDeadlineConsumer>(store);

        await DeliverAsync(harness, Leg(DeadlineOf(First)));

        Assert.Equal(1, store.Failures);
        Assert.Single(MissedWindows);
        Assert.Single(Raised);
        Assert.Single(DeadlinesSent);
    }

    [Fact]
    public async Task The_next_check_in_closes_the_missed_alert_as_system_naming_itself_and_is_recorded_once()
    {
        await SetPlanAsync();
        _time.SetUtcNow(Second.Deadline.AddSeconds(1));
        await using (var deadlines = await StartAsync<CheckInDeadlineConsumer>())
        {
            await DeliverAsync(deadlines, Leg(DeadlineOf(First)));
            // The leg the chain was handed to: any other leg of the window would be dropped as superseded.
            var next = _sent.Sent.Last(s => s.Message is CheckInDeadline);
            await DeliverAsync(deadlines, Leg((CheckInDeadline)next.Message, next.MessageId));
        }

        var observationId = Guid.CreateVersion7();
        await using var checkIns = await StartAsync<ObservationAlertConsumer>();
        await CheckInAsync(checkIns, _time.GetUtcNow(), observationId);
        await CheckInAsync(checkIns, _time.GetUtcNow(), observationId);

        var closed = _store.Appended.Select(a => a.Event).OfType<AlertAcknowledged>().ToList();
        Assert.Equal([MissedAlertId(First), MissedAlertId(Second)], closed.Select(a => a.AlertId));
        AssertNonEmpty.All(closed, a =>
        {
            Assert.Equal(CheckInScheduleState.SystemActor, a.AcknowledgedBy);
            Assert.Contains(observationId.ToString("D"), a.Note);
        });
        Assert.Single(_store.Appended, a => a.Event is CheckInReceived);
    }

    [Fact]
    public async Task An_alert_a_clinician_acknowledged_already_is_left_alone_by_the_check_in()
    {
        await SetPlanAsync();
        _time.SetUtcNow(First.Deadline.AddSeconds(1));
        await using (var deadlines = await StartAsync<CheckInDeadlineConsumer>())
        {
            await DeliverAsync(deadlines, Leg(DeadlineOf(First)));
        }

        var alertStream = StreamId.ForAlert(MissedAlertId(First));
        await _store.AppendAsync(alertStream, 1, [new AlertAcknowledged(MissedAlertId(First), _patientId, "clinician1", "phoned her", _time.GetUtcNow())], Metadata());
        await using var checkIns = await StartAsync<ObservationAlertConsumer>();
        await CheckInAsync(checkIns, _time.GetUtcNow());

        Assert.Equal("clinician1", Assert.Single(_store.Appended.Select(a => a.Event).OfType<AlertAcknowledged>()).AcknowledgedBy);
    }

    [Fact]
    public async Task A_check_in_of_a_patient_without_a_schedule_touches_no_schedule_stream()
    {
        await SetPlanAsync();
        await _store.AppendAsync(StreamId.ForPatient(_patientId), 2,
            [new MonitoringPlanSet(_patientId, 2, MonitoringPlan.Defaults, "clinician1", "no schedule", SetAt.AddMinutes(1))], Metadata());
        await using var checkIns = await StartAsync<ObservationAlertConsumer>();

        await CheckInAsync(checkIns, SetAt.AddMinutes(5));

        Assert.DoesNotContain(_store.Appended, a => a.Stream == Schedule_);
    }

    [Fact]
    public async Task A_deadline_reads_the_schedule_stream_back_only_to_its_windows_opening_however_long_the_stream_has_grown()
    {
        await SetPlanAsync();
        var window = First;
        await using (var checkIns = await StartAsync<ObservationAlertConsumer>())
        {
            // Thirty windows, each satisfied by a check-in at its due time: thirty commits on the schedule stream.
            for (var i = 0; i < 30; i++)
            {
                _time.SetUtcNow(window.DueAt);
                await CheckInAsync(checkIns, window.DueAt);
                window = CheckInWindows.Next(Schedule, SetAt, window.DueAt);
            }
        }

        _time.SetUtcNow(window.Deadline.AddSeconds(1));
        var counting = new CountingEventStore(_store);
        await using var harness = await StartAsync<CheckInDeadlineConsumer>(counting);
        await DeliverAsync(harness, Leg(DeadlineOf(window)));

        Assert.Equal(window.DueAt, Assert.Single(MissedWindows).DueAt);
        Assert.Equal(31, await _store.GetVersionAsync(Schedule_));
        // Two reads (the decision, and the check after raising), each of the commits since the window opened (the
        // last check-in, then also the miss) and the one older commit that ends the tail: 5 events, not 30 + 31.
        Assert.Equal(5, counting.ScheduleEventsRead);
    }

    /// <summary>Counts the events read from schedule- streams, forwards or backwards.</summary>
    private sealed class CountingEventStore(RecordingEventStore inner) : IEventStore
    {
        private int _read;

        public int ScheduleEventsRead => _read;

        public Task<AppendResult> AppendAsync(StreamId stream, long expectedVersion, IReadOnlyList<IDomainEvent> events, EventMetadata metadata, CancellationToken cancellationToken = default) =>
            inner.AppendAsync(stream, expectedVersion, events, metadata, cancellationToken);

        public Task<long> GetVersionAsync(StreamId stream, CancellationToken cancellationToken = default) => inner.GetVersionAsync(stream, cancellationToken);

        public IAsyncEnumerable<EventEnvelope> ReadStreamAsync(StreamId stream, long fromVersion = 1, CancellationToken cancellationToken = default) =>
            Counted(stream, inner.ReadStreamAsync(stream, fromVersion, cancellationToken));

        public IAsyncEnumerable<EventEnvelope> ReadStreamBackwardAsync(StreamId stream, CancellationToken cancellationToken = default) =>
            Counted(stream, inner.ReadStreamBackwardAsync(stream, cancellationToken));

        public IAsyncEnumerable<EventEnvelope> ReadAllAsync(CancellationToken cancellationToken = default) => inner.ReadAllAsync(cancellationToken);

        private async IAsyncEnumerable<EventEnvelope> Counted(StreamId stream, IAsyncEnumerable<EventEnvelope> events)
        {
            await foreach (var envelope in events)
            {
                if (stream.Value.StartsWith(StreamId.SchedulePrefix, StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _read);
                }

                yield return envelope;
            }
        }
    }

    /// <summary>Fails the first append that carries a matching event, as a crash of the process there would.</summary>
    private sealed class FailingOnceEventStore(RecordingEventStore inner, Func<IDomainEvent, bool> failOn) : IEventStore
    {
        private int _failures;

        public int Failures => _failures;

        public Task<AppendResult> AppendAsync(StreamId stream, long expectedVersion, IReadOnlyList<IDomainEvent> events, EventMetadata metadata, CancellationToken cancellationToken = default) =>
            events.Any(failOn) && Interlocked.CompareExchange(ref _failures, 1, 0) == 0
                ? throw new IOException("The process stopped before this append.")
                : inner.AppendAsync(stream, expectedVersion, events, metadata, cancellationToken);

        public Task<long> GetVersionAsync(StreamId stream, CancellationToken cancellationToken = default) => inner.GetVersionAsync(stream, cancellationToken);

        public IAsyncEnumerable<EventEnvelope> ReadStreamAsync(StreamId stream, long fromVersion = 1, CancellationToken cancellationToken = default) =>
            inner.ReadStreamAsync(stream, fromVersion, cancellationToken);

        public IAsyncEnumerable<EventEnvelope> ReadStreamBackwardAsync(StreamId stream, CancellationToken cancellationToken = default) =>
            inner.ReadStreamBackwardAsync(stream, cancellationToken);

        public IAsyncEnumerable<EventEnvelope> ReadAllAsync(CancellationToken cancellationToken = default) => inner.ReadAllAsync(cancellationToken);
    }
}
