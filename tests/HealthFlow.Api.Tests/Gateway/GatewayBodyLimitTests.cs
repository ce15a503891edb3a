using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HealthFlow.Api.Tests.Infrastructure;

namespace HealthFlow.Api.Tests.Gateway;

[Collection(ApiSystemCollection.Name)]
public sealed class GatewayBodyLimitTests(ApiSystem system)
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());

    [Fact]
    public async Task Oversize_bodies_interleaved_with_valid_check_ins_get_413_at_the_gateway_and_every_valid_one_is_accepted()
    {
        var patient = await _api.RegisterPatientAsync();
        var oversize = $$"""{"score": 9, "note": "{{new string('x', 70_000)}}"}""";
        const string valid = """{"score": 3}""";

        // One client, so oversize and valid requests share the gateway's pooled connections, four at a time.
        var statuses = new HttpStatusCode[100];
        await Parallel.ForEachAsync(Enumerable.Range(0, 100), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/observations")
            {
                Content = new StringContent(i % 2 == 0 ? oversize : valid, Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", patient.AccessToken);
            using var response = await _api.Http.SendAsync(request);
            statuses[i] = response.StatusCode;
        });

        Assert.DoesNotContain(statuses, s => (int)s >= 500);
        AssertNonEmpty.All(statuses.Where((_, i) => i % 2 == 0), s => Assert.Equal(HttpStatusCode.RequestEntityTooLarge, s));
        AssertNonEmpty.All(statuses.Where((_, i) => i % 2 == 1), s => Assert.Equal(HttpStatusCode.Accepted, s));
    }
}
