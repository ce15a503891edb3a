using Microsoft.Playwright;

namespace HealthFlow.EndToEnd.Tests.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright, launched once per test class. A browser is never downloaded:
/// .ci/run installs the `chromium` package. Without it the tests are skipped (see <see cref="BrowserFactAttribute"/>),
/// or fail with that instruction when HEALTHFLOW_REQUIRE_BROWSER=1.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    /// <summary>Debian's Chromium; HEALTHFLOW_CHROMIUM_PATH points elsewhere (another distribution, or a check of the skip).</summary>
    public static readonly string ChromiumPath = Environment.GetEnvironmentVariable("HEALTHFLOW_CHROMIUM_PATH") is { Length: > 0 } path
        ? path
        : "/usr/bin/chromium";

    // Without the background-networking flags Chromium keeps dialling Google's hosts, which this machine refuses.
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public static bool IsInstalled => File.Exists(ChromiumPath);

    public async Task InitializeAsync()
    {
        if (!IsInstalled && !BrowserFactAttribute.IsRequired)
        {
            // Every test of the class is skipped; there is nothing to launch.
            return;
        }

        if (!IsInstalled)
        {
            throw new InvalidOperationException(
                $"{ChromiumPath} is missing. Install Debian's Chromium with `apt-get install -y chromium` (.ci/run does).");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>
    /// A fresh, isolated browser profile (its own sessionStorage), like a second person at another machine; a desktop's
    /// 1280 × 900 unless a test asks for another screen (a phone's 360 × 740).
    /// </summary>
    public async Task<IPage> NewPageAsync(ViewportSize? viewport = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-GB",
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
