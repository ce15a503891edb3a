namespace HealthFlow.EndToEnd.Tests.Browser;

/// <summary>
/// A browser test. Where Debian's Chromium is missing (a fresh clone on a bare machine), it is skipped with
/// the reason, so `dotnet test` still passes; CI sets HEALTHFLOW_REQUIRE_BROWSER=1 (.ci/run does, after
/// installing Chromium) and then a missing browser fails the test instead of skipping it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string RequireBrowserVariable = "HEALTHFLOW_REQUIRE_BROWSER";

    public BrowserFactAttribute()
    {
        if (!ChromiumFixture.IsInstalled && !IsRequired)
        {
            Skip = $"{ChromiumFixture.ChromiumPath} is missing: install Debian's Chromium (`apt-get install -y chromium`) to run the browser tests. "
                + $"Set {RequireBrowserVariable}=1 to make this a failure (.ci/run does).";
        }
    }

    public static bool IsRequired => Environment.GetEnvironmentVariable(RequireBrowserVariable) == "1";
}
