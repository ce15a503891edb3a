using System.Net;
using System.Net.Http.Json;
using HealthFlow.Api.Tests.Infrastructure;

namespace HealthFlow.Api.Tests.Commands;

/// <summary>
/// LocalAws enforces each service's declared access (HealthFlowAccess) as IAM does on AWS: a grant taken away fails
/// the path that needs it, visibly. That the whole system runs within its grants is tested end to end.
/// </summary>
[Collection(ApiSystemCollection.Name)]
public sealed class MissingGrantTests(ApiSystem system) : IDisposable
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly HttpClient _localAws = new() { BaseAddress = system.AwsEndpointUrl };

    [Fact]
    public async Task A_missing_grant_fails_the_check_in_with_AccessDenied_naming_service_action_and_resource()
    {
        var patient = await _api.RegisterPatientAsync();
        var started = DateTimeOffset.UtcNow;
        using (var revoked = await _localAws.PostAsJsonAsync($"{LocalAwsAccess.Path}/revocations",
            new { service = "command-api", action = "dynamodb:PutItem", resource = "table/events" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }

        try
        {
            using var refused = await _api.SubmitCheckInAsync(patient, new { score = 2 });

            Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
            Assert.Contains(LocalAwsAccess.Denials(await LocalAwsAccess.StateAsync(_localAws), since: started),
                d => d is { Service: "command-api", Action: "dynamodb:PutItem", Resource: "table/events" });
        }
        finally
        {
            (await _localAws.DeleteAsync($"{LocalAwsAccess.Path}/revocations")).Dispose();
        }

        using var accepted = await _api.SubmitCheckInAsync(patient, new { score = 2 });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    public void Dispose()
    {
        _api.Http.Dispose();
        _localAws.Dispose();
    }
}
