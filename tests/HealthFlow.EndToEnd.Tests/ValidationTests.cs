using System.Net;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// What a refused check-in leaves behind, once everything downstream has settled. How each is refused (the status
/// and the field its problem names) is tested in-process: HealthFlow.Api.Tests, ValidationTests.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class ValidationTests(AppHostFixture system) : IDisposable
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);

    [Fact]
    public async Task Rejected_check_ins_store_nothing()
    {
        var patient = await _api.RegisterPatientAsync();
        foreach (var (body, _) in InvalidCheckIns.WithTheirField.Select(row => ((string)row[0], (string)row[1])))
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await InvalidCheckIns.PostRawAsync(_api, patient, body, "application/json")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await InvalidCheckIns.PostRawAsync(_api, patient, "score=9", "application/x-www-form-urlencoded")).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await InvalidCheckIns.PostRawAsync(_api, patient, $$"""{"score": 9, "note": "{{new string('x', 70_000)}}"}""", "application/json")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await InvalidCheckIns.PostRawAsync(_api, patient, "{\"score\": 9", "application/json")).StatusCode);

        await _quiescence.WaitAsync();
        Assert.Empty(await _api.ObservationsAsync(patient, patient.PatientId!.Value));
    }

    public void Dispose() => _quiescence.Dispose();
}
