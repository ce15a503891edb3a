using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// A service started by the test as a separate process with its own settings, so the test can SIGKILL it at a
/// moment of its choosing, run it with a configuration the AppHost does not use, or run it from its publish
/// output with exactly the environment of its task definition (the deploy rehearsal).
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private const int KeptOutputLines = 60;

    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private ServiceProcess(string name, Process process, Uri url)
    {
        Name = name;
        _process = process;
        Url = url;
    }

    public string Name { get; }

    public Uri Url { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the process wrote (stdout and stderr), for a failure's reason.</summary>
    public string RecentOutput
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public static Task<ServiceProcess> StartCommandApiAsync(IReadOnlyDictionary<string, string> environment) =>
        StartBuiltAsync(BuiltProject.EntryAssembly(new Projects.HealthFlow_Command_Api(), "HealthFlow.Command.Api"), environment);

    public static Task<ServiceProcess> StartQueryApiAsync(IReadOnlyDictionary<string, string> environment) =>
        StartBuiltAsync(BuiltProject.EntryAssembly(new Projects.HealthFlow_Query_Api(), "HealthFlow.Query.Api"), environment);

    /// <summary>A second alert-worker beside the AppHost's: a replica competing for the same queues, as a second ECS task would.</summary>
    public static Task<ServiceProcess> StartAlertWorkerAsync(IReadOnlyDictionary<string, string> environment) =>
        StartBuiltAsync(BuiltProject.EntryAssembly(new Projects.HealthFlow_AlertWorker(), "HealthFlow.AlertWorker"), environment);

    public static Task<ServiceProcess> StartGatewayAsync(IReadOnlyDictionary<string, string> environment) =>
        StartBuiltAsync(BuiltProject.EntryAssembly(new Projects.HealthFlow_Gateway(), "HealthFlow.Gateway"), environment);

    public static Task<ServiceProcess> StartAuthApiAsync(IReadOnlyDictionary<string, string> environment) =>
        StartBuiltAsync(BuiltProject.EntryAssembly(new Projects.HealthFlow_Auth_Api(), "HealthFlow.Auth.Api"), environment);

    /// <summary>A LocalAws of the test's own, on a free port, enforcing the declared access; empty until provisioned.</summary>
    public static Task<ServiceProcess> StartLocalAwsAsync()
    {
        var port = FreePort();
        var start = StartInfo(BuiltProject.EntryAssembly(new Projects.HealthFlow_LocalAws(), "HealthFlow.LocalAws"));
        start.Environment["LocalAws__Port"] = $"{port}";
        start.Environment["LocalAws__EnforceAccess"] = "true";
        return StartAsync("localaws", start, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>A service from the test build, in Development, with the test's environment plus <paramref name="environment"/>.</summary>
    private static Task<ServiceProcess> StartBuiltAsync(string assembly, IReadOnlyDictionary<string, string> environment)
    {
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = StartInfo(assembly);
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

        return StartAsync(Path.GetFileNameWithoutExtension(assembly), start, url);
    }

    /// <summary>
    /// A service as its container runs it: `dotnet <assembly>` in the folder it was published to, with no
    /// environment but the operating system's basics (PATH, HOME, the dotnet root) and <paramref name="environment"/>,
    /// which must say which port to listen on (ASPNETCORE_HTTP_PORTS, as the task definition does).
    /// </summary>
    public static Task<ServiceProcess> StartPublishedAsync(string name, string assembly, int port, IReadOnlyDictionary<string, string> environment)
    {
        var start = StartInfo(assembly);
        foreach (var variable in start.Environment.Keys.Where(k => k is not ("PATH" or "HOME" or "TMPDIR" or "DOTNET_ROOT")).ToList())
        {
            start.Environment.Remove(variable);
        }

        foreach (var (variable, value) in environment)
        {
            start.Environment[variable] = value;
        }

        return StartAsync(name, start, new Uri($"http://127.0.0.1:{port}"));
    }

    private static ProcessStartInfo StartInfo(string assembly)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            // The content root: appsettings.json sits next to the assembly.
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(assembly);
        return start;
    }

    private static async Task<ServiceProcess> StartAsync(string name, ProcessStartInfo start, Uri url)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}.");
        var service = new ServiceProcess(name, process, url);
        // Drain the output so a chatty process never blocks on a full pipe; keep the tail for failure reasons.
        process.OutputDataReceived += (_, line) => service.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => service.Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await service.WaitUntilHealthyAsync();
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var lastAnswer = "no answer";
        try
        {
            await Eventually.UntilAsync(async () =>
            {
                if (_process.HasExited)
                {
                    // Let the output readers catch up with what the process wrote before it exited.
                    _process.WaitForExit();
                    throw new ServiceFailedException($"{Name} exited with {_process.ExitCode} while starting. Its last output:\n{RecentOutput}");
                }

                try
                {
                    using var response = await http.GetAsync("/health");
                    lastAnswer = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            }, $"the separate {Name} to be healthy", TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException e)
        {
            throw new ServiceFailedException($"{Name} never became healthy (/health: {lastAnswer}). Its last output:\n{RecentOutput}", e);
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > KeptOutputLines)
            {
                _output.Dequeue();
            }
        }
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A separate service exited or never became healthy; the message says why, with its last output.</summary>
public sealed class ServiceFailedException(string message, Exception? inner = null) : Exception(message, inner);
