using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.ReadModels;

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

        // EventSource cannot send headers, so the browser passes a single-use ticket in the query string.
        var ticket = await StreamTicketAsync(clinician);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/alerts/stream?ticket={ticket}");
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
        var ticketForPatient = await _api.PostAsync(patient, "/api/alerts/stream-ticket", null);
        Assert.Equal(HttpStatusCode.Forbidden, ticketForPatient.StatusCode);
        var withHeader = await _api.GetAsync(patient, "/api/alerts/stream");
        Assert.Equal(HttpStatusCode.Forbidden, withHeader.StatusCode);
        var anonymous = await _api.Http.GetAsync("/api/alerts/stream");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var anonymousTicket = await _api.Http.PostAsync("/api/alerts/stream-ticket", null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousTicket.StatusCode);
    }

    [Fact]
    public async Task An_access_token_in_the_stream_url_is_refused()
    {
        var clinician = await _api.LoginClinicianAsync();
        var response = await _api.Http.GetAsync($"/api/alerts/stream?access_token={clinician.AccessToken}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_stream_ticket_opens_the_stream_once_and_is_no_access_token()
    {
        var clinician = await _api.LoginClinicianAsync();
        var issued = await _api.PostAsync(clinician, "/api/alerts/stream-ticket", null);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var body = (await issued.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(30, body["expiresIn"]!.GetValue<int>());
        var ticket = body["ticket"]!.GetValue<string>();

        using (var first = await _api.Http.GetAsync($"/api/alerts/stream?ticket={ticket}", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var second = await _api.Http.GetAsync($"/api/alerts/stream?ticket={ticket}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);

        var asBearer = await _api.GetAsync(clinician with { AccessToken = ticket }, "/api/alerts");
        Assert.Equal(HttpStatusCode.Unauthorized, asBearer.StatusCode);
    }

    [Fact]
    public async Task Neither_the_access_token_nor_the_stream_ticket_reaches_the_dashboards_logs_or_traces()
    {
        var clinician = await _api.LoginClinicianAsync();
        var traceId = ActivityTraceId.CreateRandom();
        var traceparent = $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01";

        using var ticketRequest = new HttpRequestMessage(HttpMethod.Post, "/api/alerts/stream-ticket");
        ticketRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", clinician.AccessToken);
        ticketRequest.Headers.Add("traceparent", traceparent);
        using var issued = await _api.Http.SendAsync(ticketRequest);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var ticket = (await issued.Content.ReadFromJsonAsync<JsonObject>())!["ticket"]!.GetValue<string>();

        // A whole SSE session: open, read the greeting, close.
        using (var stream = new HttpRequestMessage(HttpMethod.Get, $"/api/alerts/stream?ticket={ticket}"))
        {
            stream.Headers.Add("traceparent", traceparent);
            using var response = await _api.Http.SendAsync(stream, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.NotNull(await reader.ReadLineAsync());
        }

        // Spans are exported when they end: once query-api's span of the closed stream is in, the logs
        // written at the start of the session (exported on the same 1 s schedule) are in too.
        using var dashboard = new HttpClient { BaseAddress = new Uri(system.DashboardUrl.GetLeftPart(UriPartial.Authority)) };
        var trace = await Eventually.GetAsync(async () =>
        {
            var reply = await dashboard.GetAsync($"/api/telemetry/traces/{traceId}");
            var text = reply.IsSuccessStatusCode ? await reply.Content.ReadAsStringAsync() : "";
            return text.Contains("query-api", StringComparison.Ordinal) && text.Contains("GET /api/alerts/stream", StringComparison.Ordinal)
                && text.Contains("gateway", StringComparison.Ordinal) ? text : null;
        }, "the stream's spans in the dashboard", TimeSpan.FromSeconds(60));

        var telemetry = new Dictionary<string, string> { [$"/api/telemetry/traces/{traceId}"] = trace };
        foreach (var path in new[] { $"/api/telemetry/logs?traceId={traceId}", "/api/telemetry/logs?limit=10000", "/api/telemetry/traces?limit=1000" })
        {
            var reply = await dashboard.GetAsync(path);
            Assert.True(reply.IsSuccessStatusCode, $"{path} answered {(int)reply.StatusCode}");
            telemetry[path] = await reply.Content.ReadAsStringAsync();
        }

        Assert.Contains("/api/alerts/stream", telemetry[$"/api/telemetry/logs?traceId={traceId}"] + trace);
        foreach (var (path, text) in telemetry)
        {
            // A JWT's signature is what makes it usable, so it is looked for on its own too.
            foreach (var (secret, what) in new[] { (clinician.AccessToken, "access token"), (ticket, "stream ticket"), (ticket.Split('.')[2], "ticket's signature") })
            {
                var at = text.IndexOf(secret, StringComparison.Ordinal);
                Assert.True(at < 0, at < 0 ? "" : $"{path} holds the {what}: …{text[Math.Max(0, at - 300)..at]}");
            }
        }
    }

    [Fact]
    public async Task A_small_teams_resume_behind_many_other_teams_changes_reads_a_bounded_number_and_gets_a_reset()
    {
        var resumeFrom = DateTimeOffset.UtcNow;
        var clinic = await CareTeamClinic.CreateAsync(_api);
        // 600 changes of other teams' alerts after the client's last event: more than one resume may read (500).
        using var aws = new AwsAccess(system.AwsEndpointUrl);
        await WriteForeignAlertChangesAsync(aws.Dynamo, resumeFrom, 600);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/alerts/stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", clinic.A.Clinician.AccessToken);
        request.Headers.Add("Last-Event-ID", AlertItems.UpdatedKey(resumeFrom, Guid.Empty));
        using var response = await _api.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        // The replay stops at its cap of changes read, however few of them are this clinician's, and says so.
        var lines = new List<string>();
        var reset = false;
        try
        {
            while (!reset && await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                lines.Add(line);
                reset = line == "event: reset";
            }
        }
        catch (OperationCanceledException)
        {
        }

        Assert.True(reset, $"expected `event: reset` after the resume read its cap; the stream sent: {string.Join(" | ", lines.Where(l => l.StartsWith("event:", StringComparison.Ordinal)))}");
        // ...and the reload it asks for shows the clinician's alert.
        var page = await _api.GetJsonAsync(clinic.A.Clinician, "/api/alerts?status=all");
        Assert.Contains(page["items"]!.AsArray(), a => a!["alertId"]!.GetValue<string>() == clinic.A.AlertId.ToString());
    }

    /// <summary>
    /// Alert items of patients in no care team, as the projection writes them, changed just after <paramref name="after"/>.
    /// Raised in 2001, they sort below every real alert in the lists, so no other test pages through them.
    /// </summary>
    private static async Task WriteForeignAlertChangesAsync(IAmazonDynamoDB dynamo, DateTimeOffset after, int count)
    {
        static AttributeValue S(string value) => new() { S = value };
        var items = Enumerable.Range(0, count).Select(i =>
        {
            var alertId = Guid.NewGuid();
            var raisedAt = SortableTime.Format(new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(i));
            var updatedAt = after.AddMilliseconds(1 + i);
            return new Dictionary<string, AttributeValue>
            {
                ["alertId"] = S(alertId.ToString()),
                ["patientId"] = S(Guid.NewGuid().ToString()),
                ["patientName"] = S("Another team's patient"),
                ["observationId"] = S(Guid.NewGuid().ToString()),
                ["severity"] = S("medium"),
                ["rule"] = S("score-threshold"),
                ["reasons"] = new AttributeValue { L = [S("score 9 > 7")] },
                ["status"] = S("acknowledged"),
                ["raisedAt"] = S(raisedAt),
                ["raisedKey"] = S($"{raisedAt}#{alertId}"),
                ["feed"] = S("alerts"),
                ["updatedAt"] = S(SortableTime.Format(updatedAt)),
                ["updatedKey"] = S(AlertItems.UpdatedKey(updatedAt, alertId)),
                ["lastVersion"] = new AttributeValue { N = "1" },
            };
        }).ToList();
        foreach (var batch in items.Chunk(25))
        {
            var pending = new Dictionary<string, List<WriteRequest>>
            {
                ["alerts"] = [.. batch.Select(item => new WriteRequest(new PutRequest(item)))],
            };
            while (pending.Count > 0)
            {
                pending = (await dynamo.BatchWriteItemAsync(pending)).UnprocessedItems ?? [];
            }
        }
    }

    private async Task<string> StreamTicketAsync(HealthFlowApi.Session clinician)
    {
        var issued = await _api.PostAsync(clinician, "/api/alerts/stream-ticket", null);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        return (await issued.Content.ReadFromJsonAsync<JsonObject>())!["ticket"]!.GetValue<string>();
    }
}
