using System.Diagnostics;
using System.Text.RegularExpressions;
using OpenTelemetry;

namespace HealthFlow.ServiceDefaults.Diagnostics;

/// <summary>
/// Replaces every query parameter's value in a span's URL attributes with "Redacted" before export. The
/// alert stream's ticket travels in the query string (EventSource cannot send headers), and the server
/// span of a .NET 10 host records url.query as received; no other query value is needed to read a trace.
/// </summary>
public sealed partial class UrlQueryRedaction : BaseProcessor<Activity>
{
    private static readonly string[] UrlTags = ["url.query", "url.full", "http.url", "http.target"];

    public override void OnEnd(Activity data)
    {
        foreach (var tag in UrlTags)
        {
            if (data.GetTagItem(tag) is string value && value.Contains('=', StringComparison.Ordinal))
            {
                data.SetTag(tag, Redact(value));
            }
        }
    }

    public static string Redact(string url) => QueryValue().Replace(url, "${name}=Redacted");

    // name=value pairs after '?' or '&'; the value runs to the next '&' or '#'.
    [GeneratedRegex(@"(?<name>(?:^|[?&])[^=&#?]*)=[^&#]*")]
    private static partial Regex QueryValue();
}
