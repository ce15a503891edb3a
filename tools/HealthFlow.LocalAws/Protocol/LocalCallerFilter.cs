using System.Net;

namespace HealthFlow.LocalAws.Protocol;

/// <summary>
/// Lets in only requests from this machine's own tools: a <c>Host</c> that is local (DNS rebinding makes a web page's
/// own name resolve to 127.0.0.1, but the browser still sends that name), an <c>Origin</c>, when a browser sends one,
/// that is local too, and no browser request another site made without an Origin (an <c>&lt;img&gt;</c>, a link).
/// Local means a loopback name or address (<c>localhost</c>, <c>*.localhost</c>, 127.0.0.0/8, ::1) or an entry of
/// <see cref="LocalAwsOptions.AllowedHosts"/>. It covers every path, <c>/_localaws/*</c> and <c>/health</c> included.
/// </summary>
internal sealed partial class LocalCallerFilter(LocalAwsOptions options, ILogger<LocalCallerFilter> logger)
{
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (!IsLocal(request.Host.Host))
            return RefuseAsync(context, "Host", request.Host.Value ?? string.Empty);

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !(Uri.TryCreate(origin, UriKind.Absolute, out var originUri) && IsLocal(originUri.Host)))
            return RefuseAsync(context, "Origin", origin);

        // A browser sends no Origin with a cross-site GET it makes for an <img> or a link, but it says where it comes from.
        if (origin.Length == 0 && request.Headers["Sec-Fetch-Site"].ToString() == "cross-site")
            return RefuseAsync(context, "Sec-Fetch-Site", "cross-site");

        return next(context);
    }

    /// <summary>Whether <paramref name="host"/> (a name or an address, without port) is this machine's or allowed.</summary>
    public bool IsLocal(string? host)
    {
        if (string.IsNullOrEmpty(host))
            return false;
        host = host.TrimEnd('.');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return true;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address))
            return true;
        foreach (var allowed in options.AllowedHosts)
        {
            if (allowed == "*"
                || host.Equals(allowed, StringComparison.OrdinalIgnoreCase)
                || (allowed.StartsWith("*.", StringComparison.Ordinal) && host.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    private Task RefuseAsync(HttpContext context, string header, string value)
    {
        LogRefused(header, value, context.Request.Method, context.Request.Path.Value ?? "/");
        return Results.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: $"The request's {header} is not local.",
            detail: $"LocalAws answers only this machine: {header} '{value}' is neither a loopback name or address nor in LocalAws:AllowedHosts.",
            extensions: new Dictionary<string, object?> { ["header"] = header }).ExecuteAsync(context);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} {Path}: its {Header} '{Value}' is not local")]
    private partial void LogRefused(string header, string value, string method, string path);
}
