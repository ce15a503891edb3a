using Amazon.DynamoDBv2.Model;
using HealthFlow.ReadModels;

namespace HealthFlow.Aws.Tests.ReadModels;

public sealed class PageCursorTests
{
    private static readonly Dictionary<string, IReadOnlyCollection<string>> Lanes = new()
    {
        [PageCursor.SingleLane] = ["patientId", "sk"],
    };

    [Fact]
    public void A_cursor_round_trips_the_key_to_continue_after()
    {
        var key = new Dictionary<string, AttributeValue> { ["patientId"] = new() { S = "p-1" }, ["sk"] = new() { S = "2025-05-01T08:30:00.0000000Z#o-1" } };

        var cursor = PageCursor.Decode(PageCursor.Encode(new Dictionary<string, Dictionary<string, AttributeValue>?> { [PageCursor.SingleLane] = key }), Lanes);

        var start = cursor.StartKey(PageCursor.SingleLane);
        Assert.NotNull(start);
        Assert.Equal("p-1", start["patientId"].S);
        Assert.Equal("2025-05-01T08:30:00.0000000Z#o-1", start["sk"].S);
    }

    [Theory]
    [InlineData("not base64 !")]
    [InlineData("bm90IGpzb24")] // "not json"
    [InlineData("e30")] // {}
    [InlineData("eyJfIjp7InBhdGllbnRJZCI6InAtMSJ9fQ")] // {"_":{"patientId":"p-1"}}: a key attribute missing
    [InlineData("eyJvdGhlciI6bnVsbH0")] // {"other":null}: a lane this query does not have
    public void A_cursor_this_query_did_not_return_is_rejected(string cursor) =>
        Assert.Throws<InvalidCursorException>(() => PageCursor.Decode(cursor, Lanes));

    [Fact]
    public void A_cursor_for_another_partition_is_rejected()
    {
        var key = new Dictionary<string, AttributeValue> { ["patientId"] = new() { S = "p-1" }, ["sk"] = new() { S = "2025-05-01T08:30:00.0000000Z#o-1" } };
        var cursor = PageCursor.Encode(new Dictionary<string, Dictionary<string, AttributeValue>?> { [PageCursor.SingleLane] = key });

        Assert.NotNull(PageCursor.Decode(cursor, Lanes, PageCursor.Pin("patientId", "p-1")).StartKey(PageCursor.SingleLane));
        Assert.Throws<InvalidCursorException>(() => PageCursor.Decode(cursor, Lanes, PageCursor.Pin("patientId", "p-2")));
    }

    [Fact]
    public void No_cursor_starts_from_the_beginning() =>
        Assert.Null(PageCursor.Decode(null, Lanes).StartKey(PageCursor.SingleLane));
}
