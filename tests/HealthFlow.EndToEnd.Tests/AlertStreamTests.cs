using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace HealthFlow.EndToEnd.Tests;

[Collection(AppHostCollection.Name)]
public sealed class AlertStreamTests(AppHostFixture system)
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());

    [Fact]
    public async Task The_alert_stream_delivers_a_new_alert_to_a_connected_clinician()
    {
        var clinician = await _api.LoginClinicianAsync();
        var patient = await _api.RegisterPatientAsync();
        using var streamClient = new HttpClient { BaseAddress = system.GatewayUrl, Timeout = Timeout.InfiniteTimeSpan };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // EventSource cannot send headers, so the browser passes the token in the query string.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/alerts/stream?access_token={clinician.AccessToken}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await streamClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        var observationId = await _api.CheckInAsync(patient, new { score = 10 });

        string? eventId = null;
        while (true)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("The alert stream closed.");
            if (line.StartsWith("id:", StringComparison.Ordinal))
            {
                eventId = line[3..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                var alert = JsonNode.Parse(line[5..])!.AsObject();
                if (alert["observationId"]?.GetValue<string>() == observationId.ToString())
                {
                    Assert.Equal(patient.PatientId.ToString(), alert["patientId"]!.GetValue<string>());
                    Assert.Equal(patient.DisplayName, alert["patientName"]!.GetValue<string>());
                    Assert.False(string.IsNullOrEmpty(eventId), "each event carries an id: for Last-Event-ID resume");
                    return;
                }
            }
        }
    }

    [Fact]
    public async Task The_alert_stream_requires_a_clinician()
    {
        var patient = await _api.RegisterPatientAsync();
        var response = await _api.Http.GetAsync($"/api/alerts/stream?access_token={patient.AccessToken}");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var anonymous = await _api.Http.GetAsync("/api/alerts/stream");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
