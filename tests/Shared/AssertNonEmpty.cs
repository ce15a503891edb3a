namespace HealthFlow.Testing;

/// <summary>
/// <c>Assert.All</c> passes on an empty collection, so a check whose query found nothing to check passes too: a
/// filter that matched nothing, a list read before anything arrived. Every test in this repository asserts over
/// a collection through <see cref="All"/>, which first requires something to check
/// (<c>TestSuiteRulesTests</c> keeps it that way).
/// </summary>
public static class AssertNonEmpty
{
    public static void All<T>(IEnumerable<T> collection, Action<T> action)
    {
        var items = collection.ToList();
        Xunit.Assert.NotEmpty(items);
        Xunit.Assert.All(items, action);
    }
}
