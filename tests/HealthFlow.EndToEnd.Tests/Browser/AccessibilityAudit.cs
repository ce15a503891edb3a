using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace HealthFlow.EndToEnd.Tests.Browser;

/// <summary>
/// Runs axe-core (the npm package in frontend/node_modules, installed by `npm ci`) in a page, against
/// WCAG 2 A and AA, and records every violation with the page state it was found in. A test audits each
/// state it visits and asserts at the end, so one run reports them all.
/// </summary>
public sealed class AccessibilityAudit(ITestOutputHelper output)
{
    private static readonly Lazy<string> AxeScript = new(() =>
    {
        var path = Path.Combine(RepositoryRoot(), "frontend", "node_modules", "axe-core", "axe.min.js");
        return File.Exists(path)
            ? File.ReadAllText(path)
            : throw new FileNotFoundException($"axe-core is not installed at {path}: run `npm ci` in frontend/ (.ci/run does).", path);
    });

    private readonly List<string> _violations = [];

    public IReadOnlyList<string> Violations => _violations;

    public async Task CheckAsync(IPage page, string state)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
        {
            await page.AddScriptTagAsync(new PageAddScriptTagOptions { Content = AxeScript.Value });
        }

        var json = await page.EvaluateAsync<string>("""
            async () => {
              const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
              return JSON.stringify(result.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')) })));
            }
            """);
        using var violations = JsonDocument.Parse(json);
        foreach (var violation in violations.RootElement.EnumerateArray())
        {
            var nodes = violation.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()).ToList();
            _violations.Add($"{state}: {violation.GetProperty("id").GetString()} ({violation.GetProperty("impact").GetString()}, {nodes.Count} nodes: {string.Join("; ", nodes.Take(3))})");
        }

        output.WriteLine($"axe, {state}: {violations.RootElement.GetArrayLength()} violations.");
    }

    public void AssertNone() => Assert.True(_violations.Count == 0, "WCAG 2 A/AA violations:\n" + string.Join("\n", _violations));

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HealthFlow.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("HealthFlow.sln not found above the test output.");
    }
}
