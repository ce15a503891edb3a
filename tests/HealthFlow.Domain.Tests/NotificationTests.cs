using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Notifications;

namespace HealthFlow.Domain.Tests;

public sealed class NotificationTests
{
    private static readonly AlertRaised High =
        new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Severities.High, AlertRules.News2, ["NEWS2 8"], null, 8, false, DateTimeOffset.UtcNow);

    private static readonly NotificationSettings OnCallForEverything = new("a@ward.example.org", NotificationKinds.All, OnCall: true);

    [Fact]
    public void A_high_alert_and_a_missed_check_in_page_and_any_other_alert_does_not()
    {
        Assert.Equal(NotificationKinds.HighAlert, NotifiableEvent.From(High)!.Kind);
        Assert.Equal(NotificationKinds.MissedCheckIn, NotifiableEvent.From(High with { Rule = AlertRules.CheckInMissed, Severity = Severities.LowMedium })!.Kind);
        Assert.Null(NotifiableEvent.From(High with { Severity = Severities.Medium }));
        Assert.Null(NotifiableEvent.From(High with { Severity = Severities.LowMedium, Rule = AlertRules.PersonalThreshold }));
    }

    [Fact]
    public void Nobody_off_call_or_without_an_address_is_reached_whatever_the_event()
    {
        var escalation = NotifiableEvent.From(new AlertEscalated(High.AlertId, High.PatientId, Severities.High, 1, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
        foreach (var notifiable in new[] { NotifiableEvent.From(High)!, escalation })
        {
            Assert.True(notifiable.Reaches(OnCallForEverything));
            Assert.False(notifiable.Reaches(OnCallForEverything with { OnCall = false }));
            Assert.False(notifiable.Reaches(OnCallForEverything with { Email = "" }));
            Assert.False(notifiable.Reaches(NotificationSettings.None));
        }
    }

    [Fact]
    public void A_high_alert_reaches_only_those_who_chose_it_and_an_escalation_every_on_call_clinician()
    {
        var nothingChosen = OnCallForEverything with { Events = [] };
        var escalation = NotifiableEvent.From(new AlertEscalated(High.AlertId, High.PatientId, Severities.Medium, 2, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));

        Assert.False(NotifiableEvent.From(High)!.Reaches(nothingChosen));
        Assert.True(escalation.Reaches(nothingChosen));
    }

    [Fact]
    public void Each_escalation_level_is_a_notification_of_its_own_and_a_redelivered_event_has_the_same_key()
    {
        var first = NotifiableEvent.From(new AlertEscalated(High.AlertId, High.PatientId, Severities.High, 1, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));
        var second = NotifiableEvent.From(new AlertEscalated(High.AlertId, High.PatientId, Severities.High, 2, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));

        Assert.NotEqual(first.KeyFor("c1", NotificationChannels.Email), second.KeyFor("c1", NotificationChannels.Email));
        Assert.NotEqual(first.KeyFor("c1", NotificationChannels.Email), NotifiableEvent.From(High)!.KeyFor("c1", NotificationChannels.Email));
        Assert.Equal(NotifiableEvent.From(High)!.KeyFor("c1", NotificationChannels.Email), NotifiableEvent.From(High)!.KeyFor("c1", NotificationChannels.Email));
    }

    [Theory]
    [InlineData(null, new[] { "high-alert" }, true, "email")]
    [InlineData("two@a.org, three@b.org", new[] { "high-alert" }, true, "email")]
    [InlineData("who@ward.example.org", new[] { "nonsense" }, true, "events")]
    [InlineData("who@ward.example.org", new[] { "escalation", "escalation" }, true, "events")]
    [InlineData("who@ward.example.org", new[] { "escalation" }, null, "onCall")]
    public void Bad_settings_name_their_field(string? email, string[] events, bool? onCall, string field)
    {
        var errors = NotificationSettingsValidator.Validate(email, events, onCall);

        Assert.Equal([field], errors.Keys);
    }

    [Fact]
    public void Settings_with_an_address_known_events_and_on_call_are_valid()
    {
        Assert.Empty(NotificationSettingsValidator.Validate("who@ward.example.org", ["high-alert", "missed-check-in"], onCall: true));
        Assert.Empty(NotificationSettingsValidator.Validate("who@ward.example.org", [], onCall: false));
    }
}
