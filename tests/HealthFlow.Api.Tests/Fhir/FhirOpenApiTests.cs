using HealthFlow.Api.Tests.Infrastructure;

namespace HealthFlow.Api.Tests.Fhir;

[Collection(ApiSystemCollection.Name)]
public sealed class FhirOpenApiTests(ApiSystem system)
{
    [Theory]
    [InlineData("query-api", "/fhir/r4/metadata", "/fhir/r4/Patient/{patientId}", "/fhir/r4/Patient/{patientId}/$everything", "/fhir/r4/Observation", "/fhir/r4/Observation/{id}", "/fhir/r4/Flag", "/fhir/r4/AuditEvent")]
    [InlineData("command-api", "/fhir/r4/Observation", "/fhir/r4")]
    public async Task The_FHIR_endpoints_are_in_their_services_OpenAPI_documents(string service, params string[] paths)
    {
        using var http = ApiSystem.CreateClient(service == "query-api" ? system.QueryApi : system.CommandApi);

        var document = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;

        var documented = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet();
        AssertNonEmpty.All(paths, path => Assert.Contains(path, documented));
    }
}
