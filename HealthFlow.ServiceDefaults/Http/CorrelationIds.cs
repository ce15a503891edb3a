using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace HealthFlow.ServiceDefaults.Http;

public static class CorrelationIds
{
    public const string HeaderName = "X-Correlation-Id";

    /// <summary>
    /// The correlation id stored with the events a request appends: the caller's X-Correlation-Id when it
    /// sent a sane one, else the trace id, so events and traces can be matched without another lookup.
    /// </summary>
    public static string GetCorrelationId(this HttpContext context)
    {
        var supplied = context.Request.Headers[HeaderName].ToString();
        if (supplied.Length is > 0 and <= 128 && supplied.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
        {
            return supplied;
        }

        return Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
    }
}
