using System.ComponentModel.DataAnnotations;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.Tests;

/// <summary>The escalation decision (<see cref="AlertState.Escalate"/>), its fold, and the policy it reads.</summary>
public class AlertEscalationTests
{
    private static readonly DateTimeOffset RaisedAt = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private static readonly EscalationPolicy Policy = new();
    private static readonly Guid AlertId = Guid.Parse("5f1c7a1e-0d1b-5e55-9a11-0c2d3e4f5a6b");
    private static readonly Guid PatientId = Guid.Parse("7d8e9f00-1a2b-4c3d-8e4f-5a6b7c8d9e0f");

    private static AlertRaised Raised(string severity) =>
        new(AlertId, PatientId, Guid.NewGuid(), severity, AlertRules.News2, ["heartRate 135 → 3"], null, 7, false, RaisedAt);

    [Theory]
    [InlineData(Severities.High, 15)]
    [InlineData(Severities.Medium, 60)]
    public void An_open_alert_is_escalated_once_its_severitys_deadline_has_passed(string severity, int minutes)
    {
        var dueAt = RaisedAt.AddMinutes(minutes);
        var now = dueAt.AddSeconds(3);

        var outcome = AlertState.From([Raised(severity)])!.Escalate(Policy, now);

        var escalated = Assert.IsType<EscalateOutcome.Escalated>(outcome);
        Assert.Equal(new AlertEscalated(AlertId, PatientId, severity, 1, dueAt, now), escalated.Event);
    }

    [Fact]
    public void Before_its_deadline_an_open_alert_is_not_due_and_the_decision_names_the_deadline()
    {
        var outcome = AlertState.From([Raised(Severities.High)])!.Escalate(Policy, RaisedAt.AddMinutes(14));

        Assert.Equal(new EscalateOutcome.NotDueYet(RaisedAt.AddMinutes(15)), outcome);
    }

    [Fact]
    public void An_alert_acknowledged_before_its_deadline_is_never_escalated()
    {
        var state = AlertState.From([Raised(Severities.High), new AlertAcknowledged(AlertId, PatientId, "clinician1", null, RaisedAt.AddMinutes(2))])!;

        Assert.Equal(new EscalateOutcome.NotEscalated(EscalationSkip.Acknowledged), state.Escalate(Policy, RaisedAt.AddHours(2)));
    }

    [Fact]
    public void An_escalated_alert_is_not_escalated_again()
    {
        var first = Assert.IsType<EscalateOutcome.Escalated>(AlertState.From([Raised(Severities.High)])!.Escalate(Policy, RaisedAt.AddMinutes(15))).Event;
        var state = AlertState.From([Raised(Severities.High), first])!;

        Assert.Equal(new EscalateOutcome.NotEscalated(EscalationSkip.AlreadyEscalated), state.Escalate(Policy, RaisedAt.AddHours(3)));
    }

    [Fact]
    public void A_low_medium_alert_is_never_escalated_by_default()
    {
        var state = AlertState.From([Raised(Severities.LowMedium)])!;

        Assert.Equal(new EscalateOutcome.NotEscalated(EscalationSkip.NeverForSeverity), state.Escalate(Policy, RaisedAt.AddDays(6)));
    }

    [Fact]
    public void Folding_AlertEscalated_records_when_and_at_which_level_and_the_stream_version()
    {
        var escalated = new AlertEscalated(AlertId, PatientId, Severities.High, 1, RaisedAt.AddMinutes(15), RaisedAt.AddMinutes(15).AddSeconds(1));

        var state = AlertState.From([Raised(Severities.High), escalated])!;

        Assert.True(state.IsEscalated);
        Assert.False(state.IsAcknowledged);
        Assert.Equal((escalated.EscalatedAt, 1, 2L), (state.EscalatedAt, state.EscalationLevel, state.Version));
    }

    [Fact]
    public void An_escalated_alert_can_still_be_acknowledged()
    {
        var escalated = new AlertEscalated(AlertId, PatientId, Severities.High, 1, RaisedAt.AddMinutes(15), RaisedAt.AddMinutes(15));
        var state = AlertState.From([Raised(Severities.High), escalated])!;

        Assert.IsType<AcknowledgeOutcome.Acknowledged>(state.Acknowledge("clinician1", null, RaisedAt.AddMinutes(20)));
    }

    [Fact]
    public void An_escalation_before_the_raise_is_a_corrupt_stream() =>
        Assert.Throws<InvalidOperationException>(() =>
            AlertState.From([new AlertEscalated(AlertId, PatientId, Severities.High, 1, RaisedAt, RaisedAt)]));

    [Fact]
    public void A_shortened_policy_moves_the_deadline()
    {
        var policy = new EscalationPolicy { HighAfter = TimeSpan.FromSeconds(4) };

        Assert.IsType<EscalateOutcome.Escalated>(AlertState.From([Raised(Severities.High)])!.Escalate(policy, RaisedAt.AddSeconds(4)));
    }

    [Fact]
    public void The_default_policy_is_high_after_15_minutes_medium_after_an_hour_low_medium_never_and_valid()
    {
        Assert.Equal((TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), (TimeSpan?)null), (Policy.HighAfter, Policy.MediumAfter, Policy.LowMediumAfter));
        Assert.Empty(Validate(Policy));
        Assert.Null(Policy.After("unknown-severity"));
    }

    [Theory]
    [InlineData(0, nameof(EscalationPolicy.HighAfter))]
    [InlineData(-60, nameof(EscalationPolicy.HighAfter))]
    [InlineData(8 * 24 * 3600, nameof(EscalationPolicy.HighAfter))]
    public void A_deadline_outside_one_second_to_seven_days_fails_validation_naming_the_setting(int seconds, string setting)
    {
        var results = Validate(new EscalationPolicy { HighAfter = TimeSpan.FromSeconds(seconds) });

        Assert.Contains(results, r => r.MemberNames.Contains(setting));
    }

    private static List<ValidationResult> Validate(EscalationPolicy policy)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(policy, new ValidationContext(policy), results, validateAllProperties: true);
        return results;
    }
}
