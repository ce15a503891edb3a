using Aspire.Hosting.Testing;
using HealthFlow.Cli.Api;
using HealthFlow.Cli.Bench;
using HealthFlow.Domain.Events;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// A command-api process dies after its append is durable and before the publish: the outbox relay of
/// the surviving command-api publishes the stranded commit, so the check-in still raises its alert.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class CommandApiCrashTests(AppHostFixture system) : IDisposable
{
    private readonly HealthFlowApiClient _api = new(system.GatewayUrl);
    private readonly SystemEventStore _store = new(system.AwsEndpointUrl);
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);

    [Fact]
    public async Task A_check_in_whose_command_api_was_killed_between_append_and_publish_is_published_by_the_relay()
    {
        var patient = (await FaultPatients.RegisterAsync(_api, "relay", 1))[0];
        var patientId = patient.PatientId!.Value;
        var clinician = await FaultPatients.ClinicianAsync(_api);
        using var eventBridge = new SilentEndpoint();
        var aws = system.AwsEndpointUrl.GetLeftPart(UriPartial.Authority);
        await using var doomed = await ServiceProcess.StartCommandApiAsync(new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL"] = aws,
            ["AWS_ENDPOINT_URL_EVENTBRIDGE"] = eventBridge.Url.ToString(),
            ["AWS_REGION"] = "us-east-1",
            // Its own identity, as the AppHost gives it: LocalAws holds it to command-api's declared access.
            ["AWS_ACCESS_KEY_ID"] = "command-api",
            ["AWS_SECRET_ACCESS_KEY"] = "local",
            ["Jwt__JwksUrl"] = $"{system.App.GetEndpoint("auth-api", "http").GetLeftPart(UriPartial.Authority)}/.well-known/jwks.json",
            // Only the surviving command-api may relay; this one must not get the chance.
            ["HealthFlow__Outbox__RelayEnabled"] = "false",
            ["HealthFlow__EventStore__PublishTimeout"] = "00:05:00",
        });
        using var direct = new HealthFlowApiClient(doomed.Url);

        var posting = direct.CheckInAsync(patient.AccessToken, CheckInMix.AlarmingCheckIn(1), idempotencyKey: null, CancellationToken.None);
        // The publish starts only once the conditional put has succeeded: the commit is durable now.
        await eventBridge.FirstRequest.WaitAsync(TimeSpan.FromSeconds(60));
        doomed.Kill();
        var outcome = await posting;

        Assert.Null(outcome.Status);
        var stored = Assert.Single(await _store.ObservationsOfAsync(patientId));
        var observationId = stored.DataAs<ObservationSubmitted>().ObservationId;

        var alert = await Eventually.GetAsync(
            async () => (await FaultPatients.AlertsOfAsync(_api, clinician.AccessToken, patientId)).SingleOrDefault(),
            "the relay to publish the stranded check-in and its alert to be raised",
            TimeSpan.FromSeconds(60));
        Assert.Equal(observationId, alert.ObservationId);
        await _quiescence.WaitAsync();
        Assert.Single(await FaultPatients.AlertsOfAsync(_api, clinician.AccessToken, patientId));
        var observation = Assert.Single(await _api.ListObservationsAsync(patient.AccessToken, patientId, 10, CancellationToken.None));
        Assert.Equal(observationId, observation.ObservationId);
    }

    public void Dispose()
    {
        _api.Dispose();
        _store.Dispose();
        _quiescence.Dispose();
    }
}
