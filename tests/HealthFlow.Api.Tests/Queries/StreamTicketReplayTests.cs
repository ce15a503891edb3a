using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthFlow.Api.Tests.Infrastructure;

namespace HealthFlow.Api.Tests.Queries;

/// <summary>
/// A stream ticket opens one stream, whichever query-api task it reaches: behind the ALB two tasks serve the same
/// path, and a replayed ticket (a copied URL, a proxy's log) may land on the one that did not redeem it.
/// </summary>
[Collection(ApiSystemCollection.Name)]
public sealed class StreamTicketReplayTests(ApiSystem system) : IDisposable
{
    private readonly HealthFlowApi _auth = new(ApiSystem.CreateClient(system.AuthApi));

    [Fact]
    public async Task A_ticket_redeemed_on_one_query_api_task_is_refused_by_another()
    {
        await using var secondTask = await system.StartQueryApiAsync(new Dictionary<string, string?>());
        var clinician = await _auth.LoginAsync(HealthFlowApi.DemoClinician, HealthFlowApi.DemoClinicianPassword);
        var issued = await _auth.PostAsync(clinician, "/api/alerts/stream-ticket", null);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var ticket = Uri.EscapeDataString((await issued.Content.ReadFromJsonAsync<JsonObject>())!["ticket"]!.GetValue<string>());

        using var first = await SseConnection.OpenAsync(system.QueryApi.Url, $"/api/alerts/stream?ticket={ticket}");

        using var replay = new HttpClient { BaseAddress = secondTask.Url };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/alerts/stream?ticket={ticket}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var replayed = await replay.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Equal("application/problem+json", replayed.Content.Headers.ContentType?.MediaType);
    }

    public void Dispose() => _auth.Http.Dispose();
}
