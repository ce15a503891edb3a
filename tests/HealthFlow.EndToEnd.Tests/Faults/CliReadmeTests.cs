namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>The README's operator commands, as written, with no AWS settings beyond where LocalAws listens.</summary>
[Collection(AppHostCollection.Name)]
public sealed class CliReadmeTests(AppHostFixture system)
{
    private readonly HealthFlowCli _cli = new(system.AwsEndpointUrl);

    // The test AppHost's LocalAws listens on a free port, not 4566, so only the endpoint is given, the standard way.
    private Dictionary<string, string?> NextToTheAppHost() => new() { ["AWS_ENDPOINT_URL"] = system.AwsEndpointUrl.ToString() };

    [Fact]
    public async Task Replay_as_the_README_shows_it_rebuilds_the_observations_with_no_credentials_configured()
    {
        var run = await _cli.RunWithEnvironmentAsync(NextToTheAppHost(), "replay", "observations");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("observations: deleted", run.Output);
        Assert.DoesNotContain("   at ", run.Errors);
    }

    [Fact]
    public async Task Redrive_as_the_README_shows_it_moves_dead_letters_back_with_no_credentials_configured()
    {
        var run = await _cli.RunWithEnvironmentAsync(NextToTheAppHost(), "redrive", "alert-evaluation");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("from alert-evaluation-dlq to alert-evaluation", run.Output);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_one_line_with_the_fix_and_a_failing_exit_code()
    {
        var run = await _cli.RunWithEnvironmentAsync(new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9" }, "redrive", "alert-evaluation");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Single(run.Errors.Trim().Split('\n'));
        Assert.Contains("cannot reach the AWS endpoint", run.Errors);
        Assert.Contains("Start the AppHost", run.Errors);
    }

    [Fact]
    public async Task Missing_credentials_are_one_line_with_the_fix_and_a_failing_exit_code()
    {
        var run = await _cli.RunWithEnvironmentAsync(new Dictionary<string, string?> { ["AWS_PROFILE"] = "healthflow-no-such-profile" }, "replay", "observations");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Single(run.Errors.Trim().Split('\n'));
        Assert.Contains("no AWS credentials", run.Errors);
        Assert.DoesNotContain("   at ", run.Errors);
    }
}
