using System.Text.Json;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.Tests;

public class AlertStateTests
{
    private static readonly DateTimeOffset RaisedAt = new(2025, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = RaisedAt.AddMinutes(5);

    private static readonly AlertRaised Raised = new(
        AlertId: Guid.Parse("5f1c7a1e-0d1b-5e55-9a11-0c2d3e4f5a6b"),
        PatientId: Guid.Parse("7d8e9f00-1a2b-4c3d-8e4f-5a6b7c8d9e0f"),
        ObservationId: Guid.Parse("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"),
        Severity: Severities.High,
        Rule: AlertRules.News2,
        Reasons: ["heartRate 135 → 3"],
        Score: null,
        News2: 7,
        Partial: false,
        RaisedAt: RaisedAt);

    [Fact]
    public void A_stream_without_AlertRaised_is_an_unknown_alert() =>
        Assert.Null(AlertState.From(Array.Empty<IDomainEvent>()));

    [Fact]
    public void A_raised_alert_is_open()
    {
        var state = AlertState.From([Raised])!;

        Assert.False(state.IsAcknowledged);
        Assert.Equal((Raised.AlertId, Raised.PatientId, Raised.Rule, Raised.Severity), (state.AlertId, state.PatientId, state.Rule, state.Severity));
    }

    [Fact]
    public void Acknowledging_an_open_alert_yields_AlertAcknowledged()
    {
        var outcome = AlertState.From([Raised])!.Acknowledge("clinician1", "  Called the patient.  ", Now);

        var acknowledged = Assert.IsType<AcknowledgeOutcome.Acknowledged>(outcome);
        Assert.Equal(new AlertAcknowledged(Raised.AlertId, Raised.PatientId, "clinician1", "Called the patient.", Now), acknowledged.Event);
    }

    [Fact]
    public void A_blank_acknowledgement_note_is_stored_as_no_note()
    {
        var outcome = AlertState.From([Raised])!.Acknowledge("clinician1", "   ", Now);

        Assert.Null(Assert.IsType<AcknowledgeOutcome.Acknowledged>(outcome).Event.Note);
    }

    [Fact]
    public void A_second_acknowledgement_is_rejected_and_names_the_first()
    {
        var first = new AlertAcknowledged(Raised.AlertId, Raised.PatientId, "clinician1", null, Now);
        var state = AlertState.From([Raised, first])!;

        var outcome = state.Acknowledge("clinician2", "me too", Now.AddMinutes(1));

        Assert.True(state.IsAcknowledged);
        Assert.Equal(new AcknowledgeOutcome.AlreadyAcknowledged("clinician1", Now), outcome);
    }

    [Fact]
    public void A_stream_read_from_the_store_folds_the_same_way()
    {
        var first = new AlertAcknowledged(Raised.AlertId, Raised.PatientId, "clinician1", null, Now);
        var metadata = new EventMetadata("corr", null, "clinician1", null, null);
        var stream = StreamId.ForAlert(Raised.AlertId).Value;
        EventEnvelope Envelope(IDomainEvent e, long version) => new(
            Guid.NewGuid(), stream, version, EventTypes.Of(e), Now,
            JsonSerializer.SerializeToElement(e, e.GetType(), DomainJson.Options), metadata);

        var state = AlertState.From([Envelope(Raised, 1), Envelope(first, 2)])!;

        Assert.Equal(("clinician1", (DateTimeOffset?)Now), (state.AcknowledgedBy, state.AcknowledgedAt));
        Assert.IsType<AcknowledgeOutcome.AlreadyAcknowledged>(state.Acknowledge("clinician2", null, Now));
    }

    [Fact]
    public void An_acknowledgement_before_the_alert_was_raised_is_a_corrupt_stream() =>
        Assert.Throws<InvalidOperationException>(() =>
            AlertState.From([new AlertAcknowledged(Raised.AlertId, Raised.PatientId, "clinician1", null, Now)]));
}

public class AcknowledgementValidatorTests
{
    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    [InlineData(500)]
    public void A_missing_or_short_note_is_accepted(int? length) =>
        Assert.Empty(AcknowledgementValidator.Validate(length is { } n ? new string('x', n) : null));

    [Fact]
    public void A_note_over_500_characters_is_rejected_naming_the_field() =>
        Assert.Equal(["note"], AcknowledgementValidator.Validate(new string('x', 501)).Keys);
}
