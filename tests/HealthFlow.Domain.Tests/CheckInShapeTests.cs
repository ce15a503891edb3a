using System.Text.Json;
using HealthFlow.Domain.CheckIns;
using HealthFlow.Domain.Events;

namespace HealthFlow.Domain.Tests;

/// <summary>The measurements are defined once (VitalSigns); the flat shapes that extend them keep the wire as it was.</summary>
public sealed class CheckInShapeTests
{
    [Fact]
    public void A_check_in_body_is_sent_flat_with_the_measurements_beside_the_note()
    {
        var json = JsonSerializer.SerializeToElement(
            new CheckInBody { Score = 9, HeartRate = 118, Consciousness = Consciousness.Voice, Note = "Dizzy" }, DomainJson.Options);

        Assert.Equal(
            [("consciousness", "voice"), ("heartRate", "118"), ("note", "Dizzy"), ("score", "9")],
            json.EnumerateObject().Select(p => (p.Name, p.Value.ToString())).OrderBy(p => p.Name, StringComparer.Ordinal));
    }

    [Fact]
    public void An_event_stores_its_vital_signs_as_before_with_no_nested_copy()
    {
        var submitted = new ObservationSubmitted(Guid.Empty, Guid.Empty, new VitalSigns(Score: 4, Temperature: 37.5m), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null);

        var vitals = JsonSerializer.SerializeToElement(submitted, DomainJson.Options).GetProperty("vitals");

        Assert.Equal(["score", "temperature"], vitals.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void The_measurements_of_a_check_in_body_equal_the_same_vital_signs()
    {
        var body = new CheckInBody { HeartRate = 70, Note = "Fine" };

        Assert.Equal(new VitalSigns(HeartRate: 70), body.Vitals);
        Assert.IsType<VitalSigns>(body.Vitals, exactMatch: true);
    }
}
