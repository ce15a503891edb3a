using Microsoft.Playwright;
using Xunit.Abstractions;

namespace HealthFlow.EndToEnd.Tests.Browser;

/// <summary>
/// Where browser screenshots go: `$HEALTHFLOW_TEST_ARTIFACTS/screenshots` when CI sets it, otherwise
/// `test-artifacts/screenshots` under the test output folder. Each saved path is written to the test output.
/// </summary>
public static class ScreenshotArtifacts
{
    public static string Directory { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("HEALTHFLOW_TEST_ARTIFACTS") is { Length: > 0 } root
            ? root
            : Path.Combine(AppContext.BaseDirectory, "test-artifacts"),
        "screenshots");

    public static async Task SaveAsync(IPage page, string name, ITestOutputHelper output)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"Screenshot: {path}");
    }
}
