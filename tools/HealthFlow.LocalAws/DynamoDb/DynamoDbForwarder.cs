using System.Text.Json;
using HealthFlow.LocalAws.Protocol;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthFlow.LocalAws.DynamoDb;

/// <summary>Forwards DynamoDB requests verbatim to dynalite and streams the reply back (status, headers, body).</summary>
internal sealed class DynamoDbForwarder(DynaliteProcess dynalite) : IDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Proxy-Authorization", "Proxy-Authenticate",
    };

    // A bare invoker: no retries or timeouts of its own (the SDK client owns those), no proxy, no decompression.
    private readonly HttpMessageInvoker _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });

    public async Task ForwardAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        Uri endpoint;
        try
        {
            endpoint = await dynalite.Endpoint.WaitAsync(TimeSpan.FromSeconds(30), aborted);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            await WriteUnavailableAsync(context, "dynalite is not running.");
            return;
        }

        var incoming = context.Request;
        using var request = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(endpoint, incoming.Path.Value + incoming.QueryString.Value));
        if (incoming.ContentLength is > 0 || incoming.Headers.TransferEncoding.Count > 0)
            request.Content = new StreamContent(incoming.Body);
        foreach (var (name, values) in incoming.Headers)
        {
            if (HopByHop.Contains(name))
                continue;
            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, aborted);
        }
        catch (HttpRequestException error)
        {
            await WriteUnavailableAsync(context, $"dynalite did not answer: {error.Message}");
            return;
        }

        using (response)
        {
            var outgoing = context.Response;
            outgoing.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopByHop.Contains(name))
                    outgoing.Headers[name] = values.ToArray();
            }

            await response.Content.CopyToAsync(outgoing.Body, aborted);
        }
    }

    /// <summary>Whether dynalite answers an HTTP request (its root replies 200).</summary>
    public async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        if (!dynalite.Endpoint.IsCompletedSuccessfully || dynalite.HasExited)
            return false;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, dynalite.Endpoint.Result);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            using var response = await _http.SendAsync(request, timeout.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception error) when (error is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task WriteUnavailableAsync(HttpContext context, string message)
    {
        if (context.Response.HasStarted)
            return;
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/x-amz-json-1.0";
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new AwsErrorBody("com.amazonaws.dynamodb.v20120810#ServiceUnavailableException", message),
            ProtocolJsonContext.Default.AwsErrorBody);
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>/health is healthy only once dynalite answers.</summary>
internal sealed class DynaliteHealthCheck(DynamoDbForwarder forwarder) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await forwarder.ProbeAsync(cancellationToken)
            ? HealthCheckResult.Healthy("dynalite answers.")
            : HealthCheckResult.Unhealthy("dynalite is not answering.");
}
