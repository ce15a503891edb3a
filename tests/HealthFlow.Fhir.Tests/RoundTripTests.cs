using System.Text;
using HealthFlow.Domain.Events;
using HealthFlow.Fhir.In;
using HealthFlow.Fhir.Out;
using HealthFlow.ReadModels;
using Hl7.Fhir.Model;

namespace HealthFlow.Fhir.Tests;

public sealed class RoundTripTests
{
    [Fact]
    public void Observations_HealthFlow_writes_out_read_back_in_as_the_same_check_in()
    {
        var patientId = Guid.NewGuid();
        var measuredAt = new DateTimeOffset(2026, 11, 30, 8, 30, 0, TimeSpan.Zero);
        var checkIn = new ObservationView(
            Guid.NewGuid(), patientId, measuredAt, measuredAt, 6, 101, 19, 95, false, 132, 84, 37.2m, Consciousness.Pain, "After a walk");

        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        foreach (var observation in CheckInObservations.From(checkIn).Where(o => !o.Id!.EndsWith("news2-total", StringComparison.Ordinal)))
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                Resource = observation,
                Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Observation" },
            });
        }

        var read = FhirCheckInReader.Read(Encoding.UTF8.GetBytes(FhirJson.Serialize(bundle)), FhirSubmission.Transaction, patientId, measuredAt.AddMinutes(5));

        var accepted = Assert.IsType<FhirCheckInRead.Accepted>(read);
        Assert.Equal(CheckInObservations.Vitals(checkIn), accepted.CheckIn.Vitals);
        Assert.Equal(measuredAt, accepted.CheckIn.MeasuredAt);
        Assert.Equal("After a walk", accepted.CheckIn.Note);
    }
}
