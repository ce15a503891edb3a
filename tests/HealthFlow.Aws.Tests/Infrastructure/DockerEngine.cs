using System.Net.Sockets;
using System.Text;

namespace HealthFlow.Aws.Tests.Infrastructure;

/// <summary>
/// Whether a Docker engine answers and holds LocalStack's image, decided once per test run within a few
/// seconds, so that tests needing Testcontainers skip with a reason instead of failing or hanging. The image is
/// checked too: an engine without registry access (podman here, for the service containers) cannot pull it.
/// </summary>
public static class DockerEngine
{
    // podman's API answers an image lookup in well over 500 ms on a busy machine; a dead socket still fails at once.
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);
    private static readonly Lazy<string?> Unavailable = new(Probe);

    /// <summary>Null when an engine answered; otherwise why the Docker tests are skipped.</summary>
    public static string? UnavailableReason => Unavailable.Value;

    private static string? Probe()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (string.IsNullOrWhiteSpace(host))
        {
            var candidates = new[]
            {
                "/var/run/docker.sock",
                Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime ? Path.Combine(runtime, "docker.sock") : null,
            };
            var socket = candidates.FirstOrDefault(File.Exists);
            return socket is null
                ? "No Docker engine: DOCKER_HOST is unset and no docker.sock exists, so LocalStack (Testcontainers) cannot run."
                : Ping(new UnixDomainSocketEndPoint(socket), $"unix://{socket}");
        }

        if (!Uri.TryCreate(host, UriKind.Absolute, out var uri))
            return $"DOCKER_HOST '{host}' is not a URI.";
        return uri.Scheme switch
        {
            "unix" => Ping(new UnixDomainSocketEndPoint(uri.AbsolutePath), host),
            "tcp" or "http" => Ping(new System.Net.DnsEndPoint(uri.Host, uri.Port > 0 ? uri.Port : 2375), host),
            _ => null, // npipe, ssh, https: let Testcontainers try (and report) itself.
        };
    }

    // GET /_ping answers "OK" from a live engine; a stale socket file or closed port fails fast.
    private static string? Ping(System.Net.EndPoint endpoint, string display)
    {
        try
        {
            using var cancel = new CancellationTokenSource(ProbeTimeout);
            if (!Answers200(endpoint, "/_ping", cancel.Token))
                return $"The Docker engine at {display} did not answer /_ping with 200.";
            // A registry may still serve the image where the engine lacks it: only an engine that says it cannot
            // reach one is taken at its word. Asking is cheap; pulling is what Testcontainers does next.
            return Answers200(endpoint, $"/images/{LocalStackFixture.Image}/json", cancel.Token) || CanPull()
                ? null
                : $"The engine at {display} lacks {LocalStackFixture.Image} and no image registry is reachable here, so LocalStack (Testcontainers) cannot run.";
        }
        catch (Exception ex)
        {
            return $"No Docker engine answered at {display} within {ProbeTimeout.TotalMilliseconds} ms ({ex.GetType().Name}).";
        }
    }

    private static bool Answers200(System.Net.EndPoint endpoint, string path, CancellationToken cancel)
    {
        using var socket = new Socket(endpoint.AddressFamily == AddressFamily.Unix ? AddressFamily.Unix : AddressFamily.InterNetwork,
            SocketType.Stream, endpoint.AddressFamily == AddressFamily.Unix ? ProtocolType.Unspecified : ProtocolType.Tcp);
        socket.ConnectAsync(endpoint, cancel).AsTask().GetAwaiter().GetResult();
        socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: docker\r\n\r\n"), SocketFlags.None, cancel).AsTask().GetAwaiter().GetResult();
        var buffer = new byte[512];
        var read = socket.ReceiveAsync(buffer, SocketFlags.None, cancel).AsTask().GetAwaiter().GetResult();
        var reply = Encoding.ASCII.GetString(buffer, 0, read);
        return reply.StartsWith("HTTP/1.", StringComparison.Ordinal) && reply.Split('\n')[0].Contains(" 200 ", StringComparison.Ordinal);
    }

    // Docker Hub's registry endpoint answers an unauthenticated /v2/ with 401; no answer at all means no registry.
    private static bool CanPull()
    {
        try
        {
            using var http = new HttpClient { Timeout = ProbeTimeout };
            using var response = http.GetAsync("https://registry-1.docker.io/v2/").GetAwaiter().GetResult();
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
