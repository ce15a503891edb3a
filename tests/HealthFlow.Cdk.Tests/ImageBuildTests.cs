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
    public void Every_dotnet_service_is_built_from_the_one_dockerfile_with_its_project_as_build_argument()
    {
        var images = DockerImageAssets().ToArray();
        Assert.Equal(
            ServiceCatalog.All.Select(s => $"{s.Dockerfile} {s.Project}").Order(),
            images.Select(i => $"{i.Dockerfile} {i.BuildArgs.GetValueOrDefault("PROJECT")}").Order());
        AssertNonEmpty.All(ServiceCatalog.Backend, s => Assert.Equal(ServiceCatalog.DotnetDockerfile, s.Dockerfile));
        AssertNonEmpty.All(ServiceCatalog.Backend, s => Assert.True(File.Exists(Path.Combine(stack.RepositoryRoot, "services", s.Project!, s.Project + ".csproj"))));
        AssertNonEmpty.All(images, image => Assert.Equal("linux/amd64", image.Platform));
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(stack.RepositoryRoot, "services"), "Dockerfile", SearchOption.AllDirectories),
            f => Path.GetDirectoryName(f) != Path.Combine(stack.RepositoryRoot, "services"));
    }

    [Fact]
    public void The_staged_build_context_holds_everything_each_dockerfile_copies()
    {
        foreach (var image in DockerImageAssets())
        {
            var dockerfile = Path.Combine(image.Context, image.Dockerfile);
            Assert.True(File.Exists(dockerfile), $"{image.Dockerfile} is missing from its own build context");

            foreach (var source in CopySources(File.ReadAllLines(dockerfile), image.BuildArgs))
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

    private IEnumerable<(string Dockerfile, string Context, string Platform, Dictionary<string, string> BuildArgs)> DockerImageAssets()
    {
        var manifest = Directory.GetFiles(stack.OutputDirectory, "*.assets.json").Single();
        var images = JsonNode.Parse(File.ReadAllText(manifest))!["dockerImages"]!.AsObject();
        return images.Select(image => (
            (string)image.Value!["source"]!["dockerFile"]!,
            Path.Combine(stack.OutputDirectory, (string)image.Value["source"]!["directory"]!),
            (string)image.Value["source"]!["platform"]!,
            image.Value["source"]!["dockerBuildArgs"]?.AsObject().ToDictionary(a => a.Key, a => (string)a.Value!) ?? []));
    }

    /// <summary>
    /// The sources of every COPY from the build context (not --from another stage), line continuations joined,
    /// with the build arguments substituted.
    /// </summary>
    private static IEnumerable<string> CopySources(IEnumerable<string> lines, IReadOnlyDictionary<string, string> buildArgs)
    {
        var joined = buildArgs.Aggregate(
            string.Join("\n", lines).Replace("\\\n", " ", StringComparison.Ordinal),
            (text, arg) => text.Replace("${" + arg.Key + "}", arg.Value, StringComparison.Ordinal));
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
