using HealthFlow.Domain;
using HealthFlow.Domain.Events;

namespace HealthFlow.EndToEnd.Tests;

[Collection(AppHostCollection.Name)]
public sealed class RedeliveryTests(AppHostFixture system) : IDisposable
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);
    private readonly AwsAccess _aws = new(system.AwsEndpointUrl);

    [Fact]
    public async Task Redelivered_observation_raises_one_alert_and_stores_one_observation_row()
    {
        var patient = await _api.RegisterPatientAsync();
        var clinician = await _api.LoginClinicianAsync();
        var patientId = patient.PatientId!.Value;
        var observationId = await _api.CheckInAsync(patient, new { score = 9 });
        await Eventually.UntilAsync(async () => (await _api.AlertsForPatientAsync(clinician, patientId)).Count > 0, "the first alert");

        // Deliver the very same stored event again, as the outbox relay or SQS may.
        var submitted = await _aws.EventStore.ReadStreamAsync(StreamId.ForObservation(observationId))
            .SingleAsync(e => e.Type == EventTypes.ObservationSubmitted);
        await _aws.Publisher.PublishAsync([submitted]);
        await _aws.Publisher.PublishAsync([submitted]);
        await _quiescence.WaitAsync();

        var alert = Assert.Single(await _api.AlertsForPatientAsync(clinician, patientId));
        Assert.Equal(observationId.ToString(), alert["observationId"]!.GetValue<string>());
        var observation = Assert.Single(await _api.ObservationsAsync(patient, patientId));
        Assert.Equal(observationId.ToString(), observation["observationId"]!.GetValue<string>());
    }

    public void Dispose()
    {
        _quiescence.Dispose();
        _aws.Dispose();
    }
}
