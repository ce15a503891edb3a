using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace HealthFlow.Cdk.Tests;

/// <summary>
/// No Docker engine here, so the images cannot be built in a test. What can be checked: every
/// file a Dockerfile copies is in the build context the CDK staged (the root .dockerignore
/// decides that), build outputs are not, and each image runs as non-root on port 8080.
/// </summary>
[Collection(CdkCollection.Name)]
public sealed partial class ImageBuildTests(SynthesizedStack stack)
{
    [Fact]
    public void Every_service_image_is_built_from_its_own_dockerfile_with_the_repository_as_context()
    {
        var images = DockerImageAssets().ToArray();
        Assert.Equal(ServiceCatalog.All.Select(s => s.Dockerfile).Order(), images.Select(i => i.Dockerfile).Order());
        Assert.All(images, image => Assert.Equal("linux/amd64", image.Platform));
    }

    [Fact]
    public void The_staged_build_context_holds_everything_each_dockerfile_copies()
    {
        foreach (var image in DockerImageAssets())
        {
            var dockerfile = Path.Combine(image.Context, image.Dockerfile);
            Assert.True(File.Exists(dockerfile), $"{image.Dockerfile} is missing from its own build context");

            foreach (var source in CopySources(File.ReadAllLines(dockerfile)))
            {
                var path = Path.Combine(image.Context, source.TrimEnd('/'));
                Assert.True(File.Exists(path) || Directory.Exists(path), $"{image.Dockerfile} copies {source}, which the build context lacks");
            }
        }
    }

    [Fact]
    public void Build_contexts_leave_out_build_outputs_dependencies_and_unrelated_folders()
    {
        foreach (var image in DockerImageAssets())
        {
            var entries = Directory.EnumerateFileSystemEntries(image.Context, "*", SearchOption.AllDirectories)
                .Select(e => Path.GetRelativePath(image.Context, e).Replace('\\', '/'))
                .ToArray();
            Assert.DoesNotContain(entries, e => Regex.IsMatch(e, "(^|/)(bin|obj|node_modules|dist)(/|$)"));
            Assert.DoesNotContain(entries, e => e.StartsWith("tests/", StringComparison.Ordinal) || e.StartsWith("tools/", StringComparison.Ordinal));
            Assert.DoesNotContain(entries, e => e.StartsWith("infra/", StringComparison.Ordinal) && !e.StartsWith("infra/HealthFlow.Cdk", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Every_image_runs_as_a_non_root_user_and_exposes_8080_with_a_health_check()
    {
        foreach (var service in ServiceCatalog.All)
        {
            var lines = File.ReadAllLines(Path.Combine(stack.RepositoryRoot, service.Dockerfile));
            var finalStage = lines.Skip(Array.FindLastIndex(lines, l => l.StartsWith("FROM ", StringComparison.Ordinal))).ToArray();

            var user = Assert.Single(finalStage, l => l.StartsWith("USER ", StringComparison.Ordinal));
            Assert.DoesNotMatch("USER (root|0)$", user);
            Assert.Contains("EXPOSE 8080", finalStage);
            Assert.Contains(finalStage, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        }
    }

    private IEnumerable<(string Dockerfile, string Context, string Platform)> DockerImageAssets()
    {
        var manifest = Directory.GetFiles(stack.OutputDirectory, "*.assets.json").Single();
        var images = JsonNode.Parse(File.ReadAllText(manifest))!["dockerImages"]!.AsObject();
        return images.Select(image => (
            (string)image.Value!["source"]!["dockerFile"]!,
            Path.Combine(stack.OutputDirectory, (string)image.Value["source"]!["directory"]!),
            (string)image.Value["source"]!["platform"]!));
    }

    /// <summary>The sources of every COPY from the build context (not --from another stage), line continuations joined.</summary>
    private static IEnumerable<string> CopySources(IEnumerable<string> lines)
    {
        var joined = string.Join("\n", lines).Replace("\\\n", " ", StringComparison.Ordinal);
        foreach (Match match in CopyInstruction().Matches(joined))
        {
            var arguments = match.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (arguments.Any(a => a.StartsWith("--from", StringComparison.Ordinal)))
            {
                continue;
            }

            foreach (var source in arguments.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).SkipLast(1))
            {
                yield return source;
            }
        }
    }

    [GeneratedRegex(@"^COPY\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex CopyInstruction();
}
