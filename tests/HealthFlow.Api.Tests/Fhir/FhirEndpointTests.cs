using System.Net;
using HealthFlow.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace HealthFlow.Api.Tests.Fhir;

/// <summary>
/// The FHIR endpoints of command-api and query-api, each alone: what they accept, and errors as OperationOutcome with
/// the JSON API's authorization. What a created Observation becomes downstream is tested end to end (FhirApiTests).
/// </summary>
[Collection(ApiSystemCollection.Name)]
public sealed class FhirEndpointTests(ApiSystem system) : IDisposable
{
    private readonly HealthFlowApi _auth = new(ApiSystem.CreateClient(system.AuthApi));
    private readonly HttpClient _commands = ApiSystem.CreateClient(system.CommandApi);
    private readonly HttpClient _queries = ApiSystem.CreateClient(system.QueryApi);

    [Fact]
    public async Task A_device_Observation_is_created_at_its_location_and_an_unsupported_code_is_a_422_naming_Observation_code()
    {
        var patient = await _auth.RegisterPatientAsync();
        var fhir = new FhirClient(_commands);
        var measuredAt = DateTimeOffset.UtcNow.AddMinutes(-1);

        var created = await fhir.PostAsync(patient, "/fhir/r4/Observation", FhirClient.Vital("8867-4", 88, "/min", measuredAt));
        var refused = await fhir.PostAsync(patient, "/fhir/r4/Observation", FhirClient.Vital("2339-0", 5.4m, "mmol/L", measuredAt));

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Contains("/fhir/r4/Observation/", created.Response.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Equal("Observation.code", Assert.Single(Assert.Single(refused.As<OperationOutcome>().Issue).Expression));
    }

    [Fact]
    public async Task FHIR_reads_refuse_with_an_OperationOutcome_as_the_JSON_API_refuses()
    {
        var patient = await _auth.RegisterPatientAsync();
        var other = await _auth.RegisterPatientAsync();
        var fhir = new FhirClient(_queries);

        (HealthFlowApi.Session? Session, string Path, HttpStatusCode Status)[] refusals =
        [
            (null, $"/fhir/r4/Patient/{patient.PatientId}", HttpStatusCode.Unauthorized),
            // Another patient's data does not exist for the caller: 404, not 403, so ids do not leak.
            (other, $"/fhir/r4/Patient/{patient.PatientId}", HttpStatusCode.NotFound),
            (other, $"/fhir/r4/Observation?patient={patient.PatientId}", HttpStatusCode.NotFound),
            (patient, $"/fhir/r4/Observation?patient={patient.PatientId}&_count=0", HttpStatusCode.BadRequest),
            (patient, $"/fhir/r4/Observation?patient={patient.PatientId}&_sort=date", HttpStatusCode.BadRequest),
            (patient, "/fhir/r4/Encounter", HttpStatusCode.NotFound),
        ];
        foreach (var (session, path, status) in refusals)
        {
            var reply = await fhir.GetAsync(session, path);
            Assert.True(reply.Status == status, $"GET {path} answered {(int)reply.Status}, expected {(int)status}");
            Assert.Equal(FhirClient.MediaType, reply.ContentType);
            reply.As<OperationOutcome>();
        }
    }

    public void Dispose()
    {
        _auth.Http.Dispose();
        _commands.Dispose();
        _queries.Dispose();
    }
}
