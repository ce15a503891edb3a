using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// A service (command-api, auth-api) started by the test as a separate process with its own settings, so the
/// test can SIGKILL it at a moment of its choosing, or run it with a configuration the AppHost does not use.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServiceProcess(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static Task<ServiceProcess> StartCommandApiAsync(IReadOnlyDictionary<string, string> environment) =>
        StartAsync(BuiltProject.EntryAssembly(new Projects.HealthFlow_Command_Api(), "HealthFlow.Command.Api"), environment);

    public static Task<ServiceProcess> StartAuthApiAsync(IReadOnlyDictionary<string, string> environment) =>
        StartAsync(BuiltProject.EntryAssembly(new Projects.HealthFlow_Auth_Api(), "HealthFlow.Auth.Api"), environment);

    private static async Task<ServiceProcess> StartAsync(string assembly, IReadOnlyDictionary<string, string> environment)
    {
        var service = Path.GetFileNameWithoutExtension(assembly);
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            // The content root: appsettings.json sits next to the assembly.
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(assembly);
        foreach (var inherited in new[] { "OTEL_EXPORTER_OTLP_ENDPOINT", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "AWS_ENDPOINT_URL" })
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["ASPNETCORE_URLS"] = url.ToString();
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {service}.");
        // Drain the output so a chatty process never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var api = new ServiceProcess(process, url);
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.UntilAsync(async () =>
        {
            Assert.False(process.HasExited, $"{service} exited with {(process.HasExited ? process.ExitCode : 0)} while starting.");
            try
            {
                return (await http.GetAsync("/health")).StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, $"the separate {service} to be healthy", TimeSpan.FromSeconds(90));
        return api;
    }

    /// <summary>SIGKILL: the process gets no chance to finish anything.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
