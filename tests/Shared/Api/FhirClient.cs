using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace HealthFlow.Testing;

/// <summary>FHIR R4 as a device or an EHR sends it: application/fhir+json, bearer token.</summary>
public sealed class FhirClient(HttpClient http)
{
    public const string MediaType = "application/fhir+json";
    public static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    public sealed record Reply(HttpStatusCode Status, string? ContentType, Resource? Resource, HttpResponseMessage Response)
    {
        public T As<T>() where T : Resource => Assert.IsType<T>(Resource);
    }

    public Task<Reply> GetAsync(HealthFlowApi.Session? session, string path) => SendAsync(session, HttpMethod.Get, path, null, []);

    public Task<Reply> PostAsync(HealthFlowApi.Session session, string path, Resource resource, params (string Name, string Value)[] headers) =>
        SendAsync(session, HttpMethod.Post, path, JsonSerializer.Serialize(resource, resource.GetType(), Json), headers);

    public async Task<Reply> SendAsync(HealthFlowApi.Session? session, HttpMethod method, string path, string? body, IEnumerable<(string Name, string Value)> headers)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.ParseAdd(MediaType);
        if (session is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.AccessToken);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, MediaType);
        }

        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var contentType = response.Content.Headers.ContentType?.MediaType;
        var resource = contentType == MediaType && text.Length > 0 ? JsonSerializer.Deserialize<Resource>(text, Json) : null;
        return new Reply(response.StatusCode, contentType, resource, response);
    }

    /// <summary>A vital-sign Observation as a device sends it: LOINC code, UCUM quantity.</summary>
    public static Observation Vital(string loinc, decimal value, string ucum, DateTimeOffset effective) => new()
    {
        Status = ObservationStatus.Final,
        Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs")],
        Code = new CodeableConcept("http://loinc.org", loinc),
        Effective = new FhirDateTime(effective),
        Value = new Quantity { Value = value, Unit = ucum, System = "http://unitsofmeasure.org", Code = ucum },
    };

    public static Observation BloodPressure(decimal systolic, decimal diastolic, DateTimeOffset effective) => new()
    {
        Status = ObservationStatus.Final,
        Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs")],
        Code = new CodeableConcept("http://loinc.org", "85354-9"),
        Effective = new FhirDateTime(effective),
        Component =
        [
            new Observation.ComponentComponent
            {
                Code = new CodeableConcept("http://loinc.org", "8480-6"),
                Value = new Quantity { Value = systolic, Unit = "mmHg", System = "http://unitsofmeasure.org", Code = "mm[Hg]" },
            },
            new Observation.ComponentComponent
            {
                Code = new CodeableConcept("http://loinc.org", "8462-4"),
                Value = new Quantity { Value = diastolic, Unit = "mmHg", System = "http://unitsofmeasure.org", Code = "mm[Hg]" },
            },
        ],
    };

    public static Observation Local(string code, DataType value, DateTimeOffset effective) => new()
    {
        Status = ObservationStatus.Final,
        Code = new CodeableConcept("http://healthflow.example.org/fhir/CodeSystem/check-in", code),
        Effective = new FhirDateTime(effective),
        Value = value,
    };

    public static Bundle Transaction(params Observation[] observations)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        foreach (var observation in observations)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"urn:uuid:{Guid.NewGuid()}",
                Resource = observation,
                Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Observation" },
            });
        }

        return bundle;
    }
}
