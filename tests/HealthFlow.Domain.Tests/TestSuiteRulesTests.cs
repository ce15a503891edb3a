namespace HealthFlow.Domain.Tests;

/// <summary>Rules every test in the repository follows, checked over the test sources themselves.</summary>
public sealed class TestSuiteRulesTests
{
    private static readonly string TestsFolder = Path.Combine(RepositoryRoot(), "tests");

    // xunit's Assert.All called as such (not AssertNonEmpty.All, not written inside a string).
    private static readonly System.Text.RegularExpressions.Regex BareAssertAll = new(@"(?<![\w.""])Assert\.All\(");

    [Fact]
    public void No_test_asserts_over_a_collection_it_never_required_to_hold_anything()
    {
        var sources = TestSources().Where(path => Path.GetFileName(path) != "AssertNonEmpty.cs").ToList();
        Assert.NotEmpty(sources);
        // The rule's own negative control: a bare call is found, the non-empty one is not.
        Assert.Matches(BareAssertAll, "        Assert" + ".All(items, item => Assert.True(item));");
        Assert.DoesNotMatch(BareAssertAll, "        AssertNonEmpty.All(items, item => Assert.True(item));");

        // Assert.All passes on an empty collection; AssertNonEmpty.All does not.
        var offenders = sources.Where(path => BareAssertAll.IsMatch(File.ReadAllText(path)))
            .Select(path => Path.GetRelativePath(TestsFolder, path))
            .ToList();

        Assert.True(offenders.Count == 0, $"Use AssertNonEmpty.All instead of Assert.All in: {string.Join(", ", offenders)}");
    }

    [Fact]
    public void Every_table_a_test_creates_is_waited_for_until_it_is_ACTIVE()
    {
        // DynamoDB (and dynalite) answer CreateTable while the table is still CREATING; a write at once may find no
        // table on a loaded machine. Tests create tables through DynamoDbTables.CreateActiveAsync, which waits.
        string[] allowed = ["LocalAwsFixture.cs", "TableActivationTests.cs", "RequestAuthenticationTests.cs"];
        var offenders = TestSources()
            .Where(path => !allowed.Contains(Path.GetFileName(path)) && File.ReadAllText(path).Contains(".CreateTableAsync(", StringComparison.Ordinal))
            .Select(path => Path.GetRelativePath(TestsFolder, path))
            .ToList();

        Assert.True(offenders.Count == 0, $"Create tables with DynamoDbTables.CreateActiveAsync in: {string.Join(", ", offenders)}");
    }

    [Fact]
    public void The_end_to_end_collections_never_run_side_by_side()
    {
        // Several end-to-end tests change what every service shares (LocalAws's faults and revocations, a deleted
        // table, a killed service) and put it back in `finally`; they are safe only because no other test runs
        // meanwhile. xunit runs the tests of one collection one at a time; this keeps collections from overlapping.
        var settings = System.Text.Json.Nodes.JsonNode.Parse(
            File.ReadAllText(Path.Combine(TestsFolder, "HealthFlow.EndToEnd.Tests", "xunit.runner.json")))!;

        Assert.False(settings["parallelizeTestCollections"]?.GetValue<bool>() ?? true);
    }

    [Fact]
    public void AssertNonEmpty_All_fails_on_an_empty_collection_where_Assert_All_passes()
    {
        Xunit.Assert.All(Array.Empty<int>(), _ => Assert.Fail("never called"));

        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertNonEmpty.All(Array.Empty<int>(), _ => { }));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertNonEmpty.All([1, 2], n => Assert.Equal(1, n)));
        AssertNonEmpty.All([1, 1], n => Assert.Equal(1, n));
    }

    private static List<string> TestSources() =>
        Directory.EnumerateFiles(TestsFolder, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && Path.GetFileName(path) != nameof(TestSuiteRulesTests) + ".cs")
            .ToList();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HealthFlow.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No HealthFlow.sln above {AppContext.BaseDirectory}.");
    }
}
