using System.Diagnostics;
using System.Text.Json;

namespace HealthFlow.EndToEnd.Tests;

[Collection(AppHostCollection.Name)]
public sealed class TracingTests(AppHostFixture system)
{
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());

    [Fact]
    public async Task One_trace_follows_a_check_in_from_the_gateway_through_the_bus_to_the_alert_projection()
    {
        var patient = await _api.RegisterPatientAsync();
        var traceId = ActivityTraceId.CreateRandom();
        var traceparent = $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01";

        var response = await _api.SubmitCheckInAsync(patient, new { score = 9 }, traceparent: traceparent);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);

        // The dashboard's telemetry API serves the trace as OTLP JSON.
        using var dashboard = new HttpClient { BaseAddress = new Uri(system.DashboardUrl.GetLeftPart(UriPartial.Authority)) };
        string[] expected = ["gateway", "command-api", "alert-worker", "projections"];
        var services = await Eventually.GetAsync(async () =>
        {
            var reply = await dashboard.GetAsync($"/api/telemetry/traces/{traceId}");
            if (!reply.IsSuccessStatusCode)
            {
                return null;
            }

            var found = ServiceNames(await reply.Content.ReadAsStringAsync());
            return expected.All(found.Contains) && found.Contains("projections") ? found : null;
        }, "the trace to reach the alert projection", TimeSpan.FromSeconds(60));

        Assert.Superset(expected.ToHashSet(), services);
    }

    private static HashSet<string> ServiceNames(string otlpJson)
    {
        var names = new HashSet<string>();
        Collect(JsonDocument.Parse(otlpJson).RootElement);
        return names;

        void Collect(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    if (element.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String && key.GetString() == "service.name"
                        && element.TryGetProperty("value", out var value) && value.TryGetProperty("stringValue", out var name))
                    {
                        names.Add(name.GetString()!);
                    }

                    foreach (var property in element.EnumerateObject())
                    {
                        Collect(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Collect(item);
                    }

                    break;
            }
        }
    }
}
