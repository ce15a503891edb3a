using System.Text.Json;
using HealthFlow.EventBridge;

namespace HealthFlow.LocalAws.Tests;

/// <summary>
/// Every AWS-validated case in Conformance/eventbridge-patterns through TestEventPattern. The file name
/// says the expected outcome: no suffix matches, _NEG does not, _EXC is an invalid pattern.
/// </summary>
[Collection(LocalAwsCollection.Name)]
public sealed class EventPatternConformanceTests(LocalAwsFixture aws)
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Conformance", "eventbridge-patterns");

    private static readonly JsonDocumentOptions Json5 = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.json5").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    [Fact]
    public void The_conformance_cases_are_present()
    {
        Assert.True(Cases().Count >= 78, $"Expected the AWS-validated cases in {Folder}.");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task TestEventPattern_agrees_with_AWS(string caseName)
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, caseName + ".json5")), Json5);
        var eventJson = JsonSerializer.Serialize(document.RootElement.GetProperty("Event"));
        var patternJson = JsonSerializer.Serialize(document.RootElement.GetProperty("EventPattern"));

        if (caseName.EndsWith("_EXC", StringComparison.Ordinal))
        {
            var error = await Assert.ThrowsAsync<EventBridgeException>(() => aws.EventBridge.TestEventPatternAsync(patternJson, eventJson));
            Assert.Equal("InvalidEventPatternException", error.ErrorCode);
            Assert.StartsWith("Event pattern is not valid. Reason: ", error.ErrorMessage);
        }
        else
        {
            bool expected = !caseName.EndsWith("_NEG", StringComparison.Ordinal);
            Assert.Equal(expected, await aws.EventBridge.TestEventPatternAsync(patternJson, eventJson));
        }
    }
}
