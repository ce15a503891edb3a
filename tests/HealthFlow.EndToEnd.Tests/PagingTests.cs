using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>Cursors are checked against their query, and no request reads without bound.</summary>
[Collection(AppHostCollection.Name)]
public sealed class PagingTests(AppHostFixture system)
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());

    [Fact]
    public async Task A_cursor_from_another_patient_or_a_tampered_cursor_is_a_400_naming_the_cursor()
    {
        var ada = await _api.RegisterPatientAsync();
        var bob = await _api.RegisterPatientAsync();
        await _api.CheckInAsync(ada, new { score = 3 });
        await _api.CheckInAsync(ada, new { score = 4 });
        var cursor = await Eventually.GetAsync(async () =>
            (await _api.GetJsonAsync(ada, $"/api/patients/{ada.PatientId}/observations?limit=1"))["nextCursor"]?.GetValue<string>(),
            "a second page of Ada's observations");

        var own = await _api.GetAsync(ada, $"/api/patients/{ada.PatientId}/observations?limit=1&cursor={cursor}");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);

        // Ada's position replayed against Bob's partition, and a key edited to point elsewhere.
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(Pad(cursor)));
        var edited = Base64Url(decoded.Replace(ada.PatientId.ToString()!, bob.PatientId.ToString(), StringComparison.Ordinal));
        foreach (var (session, path) in new[]
        {
            (bob, $"/api/patients/{bob.PatientId}/observations?limit=1&cursor={cursor}"),
            (ada, $"/api/patients/{ada.PatientId}/observations?limit=1&cursor={edited}"),
            (ada, $"/api/patients/{ada.PatientId}/observations?limit=1&cursor={cursor[..^3]}xyz"),
            (ada, $"/api/patients/{ada.PatientId}/alerts?cursor={cursor}"),
        })
        {
            var response = await _api.GetAsync(session, path);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var errors = (await HealthFlowApi.ProblemAsync(response)).RootElement.GetProperty("errors");
            Assert.True(errors.TryGetProperty("cursor", out _), path);
        }
    }

    [Fact]
    public async Task A_filter_that_matches_nothing_stops_after_a_bounded_read_with_a_cursor_to_continue()
    {
        var patient = await _api.RegisterPatientAsync();
        const int alerts = 20;
        for (var i = 0; i < alerts; i++)
        {
            await _api.CheckInAsync(patient, new { score = 9 });
        }

        await Eventually.UntilAsync(async () =>
            (await _api.AlertsForPatientAsync(await _api.LoginClinicianAsync(), patient.PatientId!.Value)).Count == alerts,
            "every medium alert to be projected", TimeSpan.FromSeconds(60));

        // limit=1 reads two items a page; the cap (8 pages) stops the first request before the 20 alerts end.
        var first = await _api.GetJsonAsync(patient, $"/api/patients/{patient.PatientId}/alerts?severity=high&limit=1");
        Assert.Empty(first["items"]!.AsArray());
        var cursor = first["nextCursor"]?.GetValue<string>();
        Assert.NotNull(cursor);

        var requests = 1;
        while (cursor is not null)
        {
            var page = await _api.GetJsonAsync(patient, $"/api/patients/{patient.PatientId}/alerts?severity=high&limit=1&cursor={Uri.EscapeDataString(cursor)}");
            Assert.Empty(page["items"]!.AsArray());
            cursor = page["nextCursor"]?.GetValue<string>();
            requests++;
        }

        Assert.InRange(requests, 2, alerts);
    }

    [Fact]
    public async Task A_Last_Event_ID_of_0_gets_a_reset_rather_than_a_replay_of_the_whole_feed()
    {
        var clinician = await _api.LoginClinicianAsync();
        var patient = await _api.RegisterPatientAsync();
        await _api.CheckInAsync(patient, new { score = 10 });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/alerts/stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", clinician.AccessToken);
        request.Headers.Add("Last-Event-ID", "0");
        using var response = await _api.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        var alertsBeforeReset = 0;
        var reset = false;
        while (!reset && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            alertsBeforeReset += line == "event: alert" ? 1 : 0;
            reset = line == "event: reset";
        }

        // A stream that merely closed has told the client nothing: the reset itself must arrive.
        Assert.True(reset, "the stream ended without `event: reset`");
        Assert.Equal(0, alertsBeforeReset);
    }

    private static string Pad(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
    }

    private static string Base64Url(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
