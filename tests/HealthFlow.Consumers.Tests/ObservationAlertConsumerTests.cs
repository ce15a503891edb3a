using HealthFlow.AlertWorker;
using HealthFlow.Aws.EventStore;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace HealthFlow.Consumers.Tests;

public sealed class ObservationAlertConsumerTests
{
    private static ObservationSubmitted CheckIn(int score) => CheckIn(new VitalSigns(Score: score));

    private static ObservationSubmitted CheckIn(VitalSigns vitals) =>
        new(Guid.CreateVersion7(), Guid.NewGuid(), vitals, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null);

    private static Task<ConsumerHarness> StartAsync(RecordingEventStore store) =>
        ConsumerHarness.StartAsync<ObservationAlertConsumer>(services =>
        {
            services.AddSingleton<IEventStore>(store);
            services.AddOptions<AlertRulesOptions>();
            services.AddSingleton<AlertMetrics>();
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

        Assert.True(await harness.Harness.GetConsumerHarness<ObservationAlertConsumer>().Consumed.Any<ObservationSubmitted>(m => m.Context.MessageId == envelope.EventId));
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

        Assert.True(await harness.Harness.GetConsumerHarness<ObservationAlertConsumer>().Consumed.Any<ObservationSubmitted>());
        var alert = Assert.IsType<AlertRaised>(Assert.Single(store.Appended).Event);
        Assert.Equal("high", alert.Severity);
        Assert.Equal(["news2", "score-threshold"], alert.AllRules);
    }

    [Fact]
    public async Task A_calm_check_in_raises_no_alert()
    {
        var store = new RecordingEventStore();
        await using var harness = await StartAsync(store);
        var checkIn = CheckIn(score: 2);

        await harness.PublishAsync(checkIn, ConsumerHarness.Envelope(checkIn, StreamId.ForObservation(checkIn.ObservationId).Value));

        Assert.True(await harness.Harness.GetConsumerHarness<ObservationAlertConsumer>().Consumed.Any<ObservationSubmitted>());
        Assert.Empty(store.Appended);
        Assert.False(await harness.Harness.Published.Any<Fault<ObservationSubmitted>>());
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
        Assert.False(await harness.Harness.Published.Any<Fault<ObservationSubmitted>>());
    }

    // The harness lists messages by id, so a redelivery is not a second entry there; the store counts it.
    private static async Task Eventually(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
            await Task.Delay(20, deadline.Token);
    }
}
