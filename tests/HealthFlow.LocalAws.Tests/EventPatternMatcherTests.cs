using System.Text.Json;
using HealthFlow.LocalAws.EventBridge;

namespace HealthFlow.LocalAws.Tests;

/// <summary>Matcher behaviour the AWS-validated files do not pin down, checked directly on the compiled pattern.</summary>
public sealed class EventPatternMatcherTests
{
    private static bool Matches(string pattern, string detail)
    {
        using var document = JsonDocument.Parse($$"""{"source":"s","detail-type":"t","detail":{{detail}}}""");
        return EventPattern.Parse(pattern).Matches(FlatEvent.From(document.RootElement));
    }

    [Theory]
    [InlineData("""{"sku":"a","qty":2}""", true)]
    [InlineData("""{"sku":"a","qty":1},{"sku":"b","qty":2}""", false)]
    [InlineData("""{"sku":"b","qty":1},{"sku":"a","qty":2}""", true)]
    public void Fields_matched_inside_an_array_of_objects_come_from_the_same_element(string items, bool expected)
    {
        Assert.Equal(expected, Matches("""{"detail":{"items":{"sku":["a"],"qty":[2]}}}""", $$"""{"items":[{{items}}]}"""));
    }

    [Theory]
    [InlineData("""{"wildcard":"a*b"}""", "ab", true)]
    [InlineData("""{"wildcard":"a*b"}""", "a-x-b", true)]
    [InlineData("""{"wildcard":"a*b"}""", "a-x-c", false)]
    [InlineData("""{"wildcard":"a\\*b"}""", "a*b", true)]
    [InlineData("""{"wildcard":"a\\*b"}""", "axb", false)]
    [InlineData("""{"cidr":"10.0.0.0/24"}""", "10.0.0.255", true)]
    [InlineData("""{"cidr":"10.0.0.0/24"}""", "10.0.1.1", false)]
    [InlineData("""{"equals-ignore-case":"HIGH"}""", "high", true)]
    [InlineData("""{"suffix":".json"}""", "events.json", true)]
    [InlineData("""{"anything-but":{"prefix":"test-"}}""", "test-1", false)]
    public void String_operators_match_as_on_AWS(string expression, string value, bool expected)
    {
        Assert.Equal(expected, Matches($$$"""{"detail":{"f":[{{{expression}}}]}}""", JsonSerializer.Serialize(new { f = value })));
    }

    [Theory]
    [InlineData("""{"f":5.0}""", true)]
    [InlineData("""{"f":"5"}""", false)]
    [InlineData("""{"f":[1,5,9]}""", true)]
    public void Exact_numbers_compare_by_value_and_never_match_strings(string detail, bool expected)
    {
        Assert.Equal(expected, Matches("""{"detail":{"f":[5]}}""", detail));
    }

    [Theory]
    [InlineData("""{"a":1}""", true)]
    [InlineData("""{"b":"x","c":true}""", true)]
    [InlineData("""{"b":"x"}""", false)]
    public void Or_combines_alternatives_at_any_level(string detail, bool expected)
    {
        Assert.Equal(expected, Matches("""{"detail":{"$or":[{"a":[1]},{"b":["x"],"c":[true]}]}}""", detail));
    }

    [Theory]
    [InlineData("""{"detail":{"$or":[{"a":[1]}]}}""")]
    [InlineData("""{"detail":{"f":[{"numeric":["<",1,">",0]}]}}""")]
    [InlineData("""{"detail":{"f":[{"numeric":[">",5,"<",1]}]}}""")]
    [InlineData("""{"detail":{"f":[{"prefix":"a","suffix":"b"}]}}""")]
    [InlineData("""{"detail":{"f":[{"unknown-operator":"a"}]}}""")]
    [InlineData("""{"detail":{"f":[["nested"]]}}""")]
    [InlineData("""[]""")]
    [InlineData("""not json""")]
    public void Malformed_patterns_are_rejected(string pattern)
    {
        var error = Assert.Throws<InvalidEventPatternException>(() => EventPattern.Parse(pattern));
        Assert.StartsWith("Event pattern is not valid. Reason: ", error.Message);
    }
}
