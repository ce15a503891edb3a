namespace HealthFlow.EndToEnd.Tests;

/// <summary>The dashboard's telemetry API: the spans the services exported, as OTLP JSON read into <see cref="TraceSpan"/>s.</summary>
public static class DashboardTelemetry
{
    public static HttpClient Client(AppHostFixture system) => new() { BaseAddress = new Uri(system.DashboardUrl.GetLeftPart(UriPartial.Authority)) };

    public static async Task<List<TraceSpan>> SpansAsync(HttpClient dashboard, string? service = null) =>
        TraceSpan.ReadAll(await dashboard.GetStringAsync(service is null ? "/api/telemetry/spans" : $"/api/telemetry/spans?resource={service}"));

    public static async Task<List<TraceSpan>> TraceAsync(HttpClient dashboard, string traceId)
    {
        var reply = await dashboard.GetAsync($"/api/telemetry/traces/{traceId}");
        return reply.IsSuccessStatusCode ? TraceSpan.ReadAll(await reply.Content.ReadAsStringAsync()) : [];
    }
}
