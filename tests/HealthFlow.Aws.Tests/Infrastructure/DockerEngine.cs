using System.Net.Sockets;
using System.Text;

namespace HealthFlow.Aws.Tests.Infrastructure;

/// <summary>
/// Whether a Docker engine answers, decided once per test run in well under a second, so that
/// tests needing Testcontainers skip with a reason instead of failing or hanging.
/// </summary>
public static class DockerEngine
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromMilliseconds(500);
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
            using var socket = new Socket(endpoint.AddressFamily == AddressFamily.Unix ? AddressFamily.Unix : AddressFamily.InterNetwork,
                SocketType.Stream, endpoint.AddressFamily == AddressFamily.Unix ? ProtocolType.Unspecified : ProtocolType.Tcp);
            socket.ConnectAsync(endpoint, cancel.Token).AsTask().GetAwaiter().GetResult();
            socket.SendAsync("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"u8.ToArray(), SocketFlags.None, cancel.Token).AsTask().GetAwaiter().GetResult();
            var buffer = new byte[512];
            var read = socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token).AsTask().GetAwaiter().GetResult();
            var reply = Encoding.ASCII.GetString(buffer, 0, read);
            return reply.StartsWith("HTTP/1.", StringComparison.Ordinal) && reply.Contains(" 200 ", StringComparison.Ordinal)
                ? null
                : $"The Docker engine at {display} did not answer /_ping with 200.";
        }
        catch (Exception ex)
        {
            return $"No Docker engine answered at {display} within {ProbeTimeout.TotalMilliseconds} ms ({ex.GetType().Name}).";
        }
    }
}
