using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// Service Connect's stand-in in front of several tasks of one service: each request goes to the next task in
/// turn (Envoy's default), and the test changes the set of tasks as a rolling deployment does. GET only (the JWKS). It counts the
/// requests, so a test can bound how often clients come.
/// </summary>
public sealed class RoundRobinProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Lock _lock = new();
    private Uri[] _targets = [];
    private int _next;
    private int _requests;

    private RoundRobinProxy(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    public static async Task<RoundRobinProxy> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new RoundRobinProxy(app);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        proxy.Url = new Uri(app.Urls.Single());
        return proxy;
    }

    /// <summary>The tasks behind the name from now on; the next request goes to the first of them.</summary>
    public void RouteTo(params Uri[] targets)
    {
        lock (_lock)
        {
            _targets = targets;
            _next = 0;
        }
    }

    private async Task ForwardAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        Uri target;
        lock (_lock)
        {
            if (_targets.Length == 0)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            target = _targets[_next++ % _targets.Length];
        }

        using var response = await _http.GetAsync(new Uri(target, context.Request.Path + context.Request.QueryString), context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _http.Dispose();
    }
}
