using System.Net;
using System.Net.Sockets;

namespace HealthFlow.EndToEnd.Tests.Containers;

/// <summary>
/// Whether the service containers can run here: a Docker-compatible engine answers at DOCKER_HOST (podman's API
/// socket, `podman system service`, or Docker's), and it holds the service images scripts/images.sh builds.
/// Decided once per run, in well under a second each, so the container tests skip with the reason instead of hanging.
/// </summary>
public static class ContainerEngine
{
    public const string RequireVariable = "HEALTHFLOW_REQUIRE_CONTAINERS";

    /// <summary>The image of a task definition's container, as scripts/images.sh tags it.</summary>
    public static string Image(string service) => $"localhost/healthflow/{service}:latest";

    /// <summary>The images every container test starts.</summary>
    public static readonly IReadOnlyList<string> Services = ["auth-api", "command-api", "query-api", "alert-worker", "projections", "notifier", "web"];

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    private static readonly Lazy<string?> Unavailable = new(Probe);

    /// <summary>Null when the containers can run; otherwise why not.</summary>
    public static string? UnavailableReason => Unavailable.Value;

    public static bool IsRequired => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    /// <summary>The engine's unix socket, from DOCKER_HOST (unix://...).</summary>
    public static string? Socket =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { } host && host.StartsWith("unix://", StringComparison.Ordinal) ? host["unix://".Length..] : null;

    private static string? Probe()
    {
        if (Socket is not { } socket)
        {
            return "No container engine: DOCKER_HOST does not name a unix socket. Run `scripts/images.sh`, then "
                + "`podman system service --time=0 unix:///tmp/podman.sock &` and `export DOCKER_HOST=unix:///tmp/podman.sock` (README, \"From containers\").";
        }

        try
        {
            using var http = Client(socket);
            using var ping = http.GetAsync("/_ping").GetAwaiter().GetResult();
            if (ping.StatusCode != HttpStatusCode.OK)
            {
                return $"The container engine at {socket} answered /_ping with {(int)ping.StatusCode}.";
            }

            var missing = Services.Where(service =>
            {
                using var image = http.GetAsync($"/images/{Image(service)}/json").GetAwaiter().GetResult();
                return image.StatusCode != HttpStatusCode.OK;
            }).ToList();
            return missing.Count == 0
                ? null
                : $"The container engine at {socket} lacks {string.Join(", ", missing.Select(Image))}: build them with `scripts/images.sh`.";
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or TaskCanceledException)
        {
            return $"No container engine answered at {socket} ({ex.GetType().Name}: {ex.Message}).";
        }
    }

    /// <summary>An HTTP client for the engine's API over its unix socket.</summary>
    public static HttpClient Client(string socket) =>
        new(new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancel) =>
            {
                var connection = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await connection.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancel);
                return new NetworkStream(connection, ownsSocket: true);
            },
        })
        { BaseAddress = new Uri("http://engine"), Timeout = ProbeTimeout };
}

/// <summary>
/// A test that runs the service images. Where no engine or no image is available it is skipped with the reason;
/// HEALTHFLOW_REQUIRE_CONTAINERS=1 (set by .ci/run, which builds the images) makes that a failure instead.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContainerFactAttribute : FactAttribute
{
    public ContainerFactAttribute()
    {
        if (ContainerEngine.UnavailableReason is { } reason && !ContainerEngine.IsRequired)
        {
            Skip = $"{reason} Set {ContainerEngine.RequireVariable}=1 to make this a failure (.ci/run does).";
        }
    }
}
