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
using Microsoft.Extensions.Options;

namespace HealthFlow.Consumers.Tests;

public sealed class ObservationAlertConsumerTests
{
    private static readonly EventMetadata Metadata = new("correlation", null, "clinician1", null, null);

    private static ObservationSubmitted CheckIn(int score) => CheckIn(new VitalSigns(Score: score));

    private static ObservationSubmitted CheckIn(VitalSigns vitals) =>
        new(Guid.CreateVersion7(), Guid.NewGuid(), vitals, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null);

    private static Task<ConsumerHarness> StartAsync(RecordingEventStore store, RecordingDelayedMessages? deadlines = null) =>
        ConsumerHarness.StartAsync<ObservationAlertConsumer>(services =>
        {
            services.AddSingleton<IEventStore>(store);
            services.AddOptions<AlertRulesOptions>();
            services.AddOptions<EscalationPolicy>();
            services.AddSingleton<IDelayedMessages>(deadlines ?? new RecordingDelayedMessages(TimeProvider.System));
            services.AddSingleton<EscalationDeadlines>();
            services.AddSingleton<IDelayedMessageChains>(new InMemoryDelayedMessageChains());
            services.AddSingleton<AlertMetrics>();
            services.AddSingleton<MissedCheckInAlerts>();
            services.AddSingleton<ScheduledCheckIns>();
            services.AddSingleton(TimeProvider.System);
        });

    [Fact]
    public async Task An_alarming_check_in_raises_an_alert_caused_by_its_event_in_the_same_correlation()
    {
        var store = new RecordingEventStore();
        await using var harness = await StartAsync(store);
        var checkIn = CheckIn(score: 9);
        var envelope = ConsumerHarness.Envelope(checkIn, StreamId.ForObservation(checkIn.ObservationId).Value);

        await harness.PublishAsync(checkIn, envelope);

        Assert.True(await harness.Harness.GetConsumerHarness<ObservationAlertConsumer>().Consumed.Any<EventEnvelope<ObservationSubmitted>>(m => m.Context.MessageId == envelope.EventId));
        var (stream, raised, metadata) = Assert.Single(store.Appended);
        var alert = Assert.IsType<AlertRaised>(raised);
        Assert.Equal(AlertId.For(checkIn.ObservationId), alert.AlertId);
        Assert.Equal(StreamId.ForAlert(alert.AlertId), stream);
        Assert.Equal(checkIn.ObservationId, alert.ObservationId);
        Assert.Equal(checkIn.PatientId, alert.PatientId);
        Assert.Equal(envelope.EventId.ToString(), metadata.CausationId);
        Assert.Equal(envelope.Metadata.CorrelationId, metadata.CorrelationId);
        Assert.Equal(envelope.Metadata.UserId, metadata.UserId);
    }

    [Fact]
    public async Task A_check_in_that_trips_both_rules_raises_one_alert_naming_both()
    {
        var store = new RecordingEventStore();
        await using var harness = await StartAsync(store);
        var checkIn = CheckIn(new VitalSigns(Score: 9, HeartRate: 125, RespiratoryRate: 26, OxygenSaturation: 90, OnSupplementalOxygen: false,
            SystolicBp: 95, Temperature: 38.5m, Consciousness: Consciousness.Alert));

        await harness.PublishAsync(checkIn, ConsumerHarness.Envelope(checkIn, StreamId.ForObservation(checkIn.ObservationId).Value));

        Assert.True(await harness.Harness.GetConsumerHarness<ObservationAlertConsumer>().Consumed.Any<EventEnvelope<ObservationSubmitted>>());
        var alert = Assert.IsType<AlertRaised>(Assert.Single(store.Appended).Event);
        Assert.Equal("high", alert.Severity);
        Assert.Equal(["news2", "score-threshold"], alert.AllRules);
    }

    [Fact]
    public async Task A_check_in_is_judged_by_the_plan_in_force_when_it_was_submitted_and_the_alert_names_its_version()
    {
        var store = new RecordingEventStore();
        await using var harness = await StartAsync(store);
        var submittedAt = DateTimeOffset.UtcNow;
        var checkIn = CheckIn(new VitalSigns(HeartRate: 50)) with { SubmittedAt = submittedAt };
        var patient = StreamId.ForPatient(checkIn.PatientId);
        MonitoringPlan Bound(int low) => new(Thresholds: new PersonalThresholds(HeartRate: new VitalBound(low, null, Severities.Medium)));
        await store.AppendAsync(patient, ExpectedVersion.NoStream, [new PatientRegistered(checkIn.PatientId, "ada", "Ada", submittedAt.AddDays(-1))], Metadata);
        await store.AppendAsync(patient, 1, [new MonitoringPlanSet(checkIn.PatientId, 1, Bound(55), "clinician1", "bradycardia", submittedAt.AddHours(-1))], Metadata);
        // Set after the check-in was submitted: not the plan it is judged by, however late the worker gets to it.
        await store.AppendAsync(patient, 2, [new MonitoringPlanSet(checkIn.PatientId, 2, Bound(45), "clinician1", "relaxed", submittedAt.AddSeconds(1))], Metadata);

        await harness.PublishAsync(checkIn, ConsumerHarness.Envelope(checkIn, StreamId.ForObservation(checkIn.ObservationId).Value));

        Assert.True(await harness.Harness.GetConsumerHarness<ObservationAlertConsumer>().Consumed.Any<EventEnvelope<ObservationSubmitted>>());
        var alert = Assert.IsType<AlertRaised>(Assert.Single(store.Appended, a => a.Event is AlertRaised).Event);
        Assert.Equal(1, alert.PlanVersion);
        Assert.Equal([AlertRules.PersonalThreshold], alert.AllRules);
        Assert.Equal(["heartRate 50 below personal low 55"], alert.Reasons);
    }

    [Fact]
    public async Task Without_a_plan_the_alert_carries_no_plan_version()
    {
        var store = new RecordingEventStore();
        await using var harness = await StartAsync(store);
        var checkIn = CheckIn(score: 9);

        await harness.PublishAsync(checkIn, ConsumerHarness.Envelope(checkIn, StreamId.ForObservation(checkIn.ObservationId).Value));

        Assert.True(await harness.Harness.GetConsumerHarness<ObservationAlertConsumer>().Consumed.Any<EventEnvelope<ObservationSubmitted>>());
        Assert.Null(Assert.IsType<AlertRaised>(Assert.Single(store.Appended).Event).PlanVersion);
    }

    [Fact]
    public async Task A_calm_check_in_raises_no_alert()
    {
        var store = new RecordingEventStore();
        await using var harness = await StartAsync(store);
        var checkIn = CheckIn(score: 2);

        await harness.PublishAsync(checkIn, ConsumerHarness.Envelope(checkIn, StreamId.ForObservation(checkIn.ObservationId).Value));

        Assert.True(await harness.Harness.GetConsumerHarness<ObservationAlertConsumer>().Consumed.Any<EventEnvelope<ObservationSubmitted>>());
        Assert.Empty(store.Appended);
        Assert.False(await harness.Harness.Published.Any<Fault<EventEnvelope<ObservationSubmitted>>>());
    }

    [Fact]
    public async Task A_redelivered_check_in_finds_its_alert_raised_and_succeeds_without_a_second()
    {
        var store = new RecordingEventStore();
        await using var harness = await StartAsync(store);
        var checkIn = CheckIn(score: 9);
        var envelope = ConsumerHarness.Envelope(checkIn, StreamId.ForObservation(checkIn.ObservationId).Value);

        await harness.PublishAsync(checkIn, envelope);
        await harness.PublishAsync(checkIn, envelope);

        // Both deliveries reach the store; the second meets the existing alert stream.
        await Eventually(() => store.Attempts == 2);
        await harness.Harness.InactivityTask;
        Assert.Single(store.Appended);
        Assert.False(await harness.Harness.Published.Any<Fault<EventEnvelope<ObservationSubmitted>>>());
    }

    [Fact]
    public async Task A_raised_alert_puts_its_escalation_deadline_on_the_escalation_queue()
    {
        var store = new RecordingEventStore();
        var deadlines = new RecordingDelayedMessages(TimeProvider.System);
        await using var harness = await StartAsync(store, deadlines);
        var checkIn = CheckIn(score: 9);

        await harness.PublishAsync(checkIn, ConsumerHarness.Envelope(checkIn, StreamId.ForObservation(checkIn.ObservationId).Value));

        await Eventually(() => !deadlines.Sent.IsEmpty);
        var raised = Assert.IsType<AlertRaised>(Assert.Single(store.Appended).Event);
        var sent = Assert.Single(deadlines.Sent);
        Assert.Equal(HealthFlowTopology.Queues.AlertEscalation.Name, sent.Queue);
        // A medium alert: an hour by default, sent as its first 15-minute leg.
        Assert.Equal(new AlertEscalationDue(raised.AlertId, Severities.Medium, raised.RaisedAt, raised.RaisedAt.AddHours(1)), sent.Message);
        Assert.Equal(900, sent.DelaySeconds);
    }

    [Fact]
    public async Task A_redelivered_check_in_sends_the_deadline_of_its_still_open_alert_from_the_stored_raise()
    {
        // The first delivery appended AlertRaised and stopped before the deadline was sent.
        var store = new RecordingEventStore();
        var deadlines = new RecordingDelayedMessages(TimeProvider.System);
        var checkIn = CheckIn(score: 9);
        var alertId = AlertId.For(checkIn.ObservationId);
        var raisedAt = DateTimeOffset.UtcNow.AddMinutes(-5);
        await store.AppendAsync(StreamId.ForAlert(alertId), ExpectedVersion.NoStream,
            [new AlertRaised(alertId, checkIn.PatientId, checkIn.ObservationId, Severities.Medium, AlertRules.ScoreThreshold, ["score 9 > 7"], 9, null, false, raisedAt)],
            ConsumerHarness.Envelope(checkIn, "x").Metadata);
        await using var harness = await StartAsync(store, deadlines);

        await harness.PublishAsync(checkIn, ConsumerHarness.Envelope(checkIn, StreamId.ForObservation(checkIn.ObservationId).Value));

        await Eventually(() => !deadlines.Sent.IsEmpty);
        Assert.Single(store.Appended);
        Assert.Equal(new AlertEscalationDue(alertId, Severities.Medium, raisedAt, raisedAt.AddHours(1)), Assert.Single(deadlines.Sent).Message);
    }

    [Fact]
    public async Task A_check_in_redelivered_after_the_rules_changed_still_sends_the_deadline_of_the_alert_it_raised()
    {
        var store = new RecordingEventStore();
        var deadlines = new RecordingDelayedMessages(TimeProvider.System) { FailNext = 1 };
        var rules = new SettableOptions<AlertRulesOptions>(new AlertRulesOptions());
        var policy = new SettableOptions<EscalationPolicy>(new EscalationPolicy());
        await using var harness = await ConsumerHarness.StartAsync<ObservationAlertConsumer>(services =>
        {
            services.AddSingleton<IEventStore>(store);
            services.AddSingleton<IOptionsMonitor<AlertRulesOptions>>(rules);
            services.AddSingleton<IOptionsMonitor<EscalationPolicy>>(policy);
            services.AddSingleton<IDelayedMessages>(deadlines);
            services.AddSingleton<EscalationDeadlines>();
            services.AddSingleton<IDelayedMessageChains>(new InMemoryDelayedMessageChains());
            services.AddSingleton<AlertMetrics>();
            services.AddSingleton<MissedCheckInAlerts>();
            services.AddSingleton<ScheduledCheckIns>();
            services.AddSingleton(TimeProvider.System);
        });
        var checkIn = CheckIn(score: 9);
        var envelope = ConsumerHarness.Envelope(checkIn, StreamId.ForObservation(checkIn.ObservationId).Value);

        // The first delivery raises the alert, and stops before its deadline is sent.
        await harness.PublishAsync(checkIn, envelope);
        await harness.ConsumedAsync(envelope.EventId);
        var raised = Assert.IsType<AlertRaised>(Assert.Single(store.Appended).Event);
        Assert.Empty(deadlines.Sent);

        // Before SQS delivers it again, the score rule is switched off and medium alerts get 30 minutes.
        rules.Value = new AlertRulesOptions { ScoreThreshold = 10 };
        policy.Value = new EscalationPolicy { MediumAfter = TimeSpan.FromMinutes(30) };
        await harness.Harness.Bus.Publish(ConsumerHarness.Typed(checkIn, envelope), context =>
        {
            context.MessageId = envelope.EventId;
            context.Headers.Set(MessageHeaders.RedeliveryCount, 1);
        });
        await harness.ConsumedAsync(envelope.EventId, 2);

        Assert.Equal(new AlertEscalationDue(raised.AlertId, Severities.Medium, raised.RaisedAt, raised.RaisedAt.AddMinutes(30)), Assert.Single(deadlines.Sent).Message);
        Assert.Single(store.Appended);
    }

    /// <summary>Options that a test changes as an operator would change configuration.</summary>
    private sealed class SettableOptions<T>(T value) : IOptionsMonitor<T>
    {
        public T Value { get; set; } = value;

        public T CurrentValue => Value;

        public T Get(string? name) => Value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }

    // The harness lists messages by id, so a redelivery is not a second entry there; the store counts it.
    private static async Task Eventually(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
            await Task.Delay(20, deadline.Token);
    }
}
