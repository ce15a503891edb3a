using System.Diagnostics;
using System.Text.Json;

namespace HealthFlow.LocalAws.Tests;

/// <summary>
/// Runs Debian's <c>aws</c> (aws-cli 2.9.19, which speaks SQS's query protocol) against LocalAws, as a
/// developer would with <c>--endpoint-url</c>. Only /usr/bin/aws counts: another aws on the PATH may be
/// a newer CLI that speaks the JSON protocol, which would not test what these tests are for.
/// </summary>
internal static class AwsCli
{
    public const string Path = "/usr/bin/aws";
    private const string RequireVariable = "HEALTHFLOW_REQUIRE_AWSCLI";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Why the CLI tests cannot run here, or null. CI sets HEALTHFLOW_REQUIRE_AWSCLI=1, so there they fail instead.</summary>
    public static string? SkipReason =>
        File.Exists(Path) || Environment.GetEnvironmentVariable(RequireVariable) == "1"
            ? null
            : $"{Path} is not installed (apt-get install -y awscli); set {RequireVariable}=1 to make its absence a failure.";

    /// <summary>Runs <c>aws --endpoint-url … --output json &lt;arguments&gt;</c> with the LocalStack-style test credentials.</summary>
    public static async Task<CliResult> RunAsync(string endpointUrl, params string[] arguments)
    {
        if (!File.Exists(Path))
            throw new InvalidOperationException($"{RequireVariable}=1 but {Path} is missing: install Debian's awscli package.");

        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--endpoint-url", endpointUrl, "--output", "json", "--no-cli-pager", .. arguments])
            start.ArgumentList.Add(argument);
        start.Environment["AWS_ACCESS_KEY_ID"] = "test";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        start.Environment["AWS_DEFAULT_REGION"] = LocalAwsFixture.Region;
        // The developer's own profile and settings must not leak into the test.
        start.Environment["AWS_CONFIG_FILE"] = "/nonexistent/healthflow-aws-config";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/healthflow-aws-credentials";
        foreach (var name in (string[])["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_PAGER"])
            start.Environment.Remove(name);

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"aws {string.Join(' ', arguments)} did not finish within {Timeout.TotalSeconds} s.");
        }

        return new CliResult(string.Join(' ', arguments), process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>One CLI run. <see cref="Json"/> is its output; the CLI prints nothing for an empty result.</summary>
internal sealed record CliResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json
    {
        get
        {
            Assert.True(ExitCode == 0, $"aws {Command} exited with {ExitCode}: {Stderr}");
            return Stdout.Trim().Length == 0 ? default : JsonDocument.Parse(Stdout).RootElement.Clone();
        }
    }
}

/// <summary>A fact that needs Debian's aws CLI; skipped with the reason where it is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AwsCliFactAttribute : FactAttribute
{
    public AwsCliFactAttribute() => Skip = AwsCli.SkipReason;
}
