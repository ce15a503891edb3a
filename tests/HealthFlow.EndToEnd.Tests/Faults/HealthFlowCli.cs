using System.Diagnostics;

namespace HealthFlow.EndToEnd.Tests.Faults;

public sealed record CliRun(int ExitCode, string Output, string Errors)
{
    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Errors}";
}

/// <summary>Runs the built `healthflow` operator CLI as an operator would, against the system's AWS endpoint.</summary>
public sealed class HealthFlowCli(Uri awsEndpoint)
{
    private static readonly string Assembly = BuiltProject.EntryAssembly(new Projects.HealthFlow_Cli(), "healthflow");

    public Task<CliRun> RunAsync(params string[] args) =>
        RunAsync(["--aws-endpoint", awsEndpoint.ToString()], new Dictionary<string, string?>(), args);

    /// <summary>As <see cref="RunAsync(string[])"/>, with <paramref name="input"/> on standard input (a password).</summary>
    public Task<CliRun> RunWithInputAsync(string input, params string[] args) =>
        RunAsync(["--aws-endpoint", awsEndpoint.ToString()], new Dictionary<string, string?>(), args, input);

    /// <summary>
    /// Runs the CLI with the given arguments only and no AWS settings in its environment but
    /// <paramref name="environment"/>, as on a developer's machine next to the AppHost.
    /// </summary>
    public Task<CliRun> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        RunAsync([], environment, args);

    private static async Task<CliRun> RunAsync(string[] endpointArgs, IReadOnlyDictionary<string, string?> environment, string[] args, string? input = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Assembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var arg in endpointArgs)
        {
            start.ArgumentList.Add(arg);
        }

        if (endpointArgs.Length == 0)
        {
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
            {
                start.Environment.Remove(name);
            }
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        // Not the dashboard of the test's AppHost: the CLI's spans are not under test here.
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the healthflow CLI.");
        if (input is not null)
        {
            await process.StandardInput.WriteLineAsync(input);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"healthflow {string.Join(' ', args)} did not finish in 2 minutes.");
        }

        return new CliRun(process.ExitCode, await output, await errors);
    }
}
