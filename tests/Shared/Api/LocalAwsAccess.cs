using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace HealthFlow.Testing;

/// <summary>LocalAws's access enforcement as a test reads and changes it (`/_localaws/access`).</summary>
public static class LocalAwsAccess
{
    public const string Path = "/_localaws/access";

    public static async Task<JsonObject> StateAsync(HttpClient localAws) => (await localAws.GetFromJsonAsync<JsonObject>(Path))!;

    /// <summary>The denials logged since <paramref name="since"/>: LocalAws keeps the whole run's.</summary>
    public static List<(string Service, string Action, string Resource)> Denials(JsonObject state, DateTimeOffset since) =>
        state["denials"]!.AsArray()
            .Where(d => d!["at"]!.GetValue<DateTimeOffset>() >= since)
            .Select(d => (d!["service"]!.GetValue<string>(), d["action"]!.GetValue<string>(), d["resource"]!.GetValue<string>()))
            .ToList();
}
