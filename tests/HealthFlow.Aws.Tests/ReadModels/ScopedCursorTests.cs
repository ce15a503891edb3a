using System.Buffers.Text;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Aws.Tests.Infrastructure;
using HealthFlow.ReadModels;

namespace HealthFlow.Aws.Tests.ReadModels;

/// <summary>
/// A clinician's lists read an index of every care team's items and keep their own; when the page cap ends a
/// page early, its cursor must not carry the key of the other team's item the reading stopped on.
/// </summary>
public sealed class ScopedCursorTests(LocalAwsFixture aws) : IClassFixture<LocalAwsFixture>
{
    // 2,401 items newest first, the caller's at 0, 1,200 and 2,400: 1,199 other teams' items between them, more than
    // one request reads of a lane (8 pages of 101), so a request that reaches them stops on another team's item.
    private const int Total = 2401;
    private static readonly int[] InScope = [0, 1200, 2400];
    private static readonly DateTimeOffset Newest = new(2090, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_clinicians_patient_pages_that_stop_early_carry_no_other_teams_patient_and_still_list_each_of_theirs_once()
    {
        var patients = Enumerable.Range(0, Total).Select(i => (Id: Guid.NewGuid(), RegisteredAt: SortableTime.Format(Newest.AddSeconds(-i)))).ToList();
        await PutAllAsync(aws.Dynamo, "patients", patients.Select(p => new Dictionary<string, AttributeValue>
        {
            ["patientId"] = S(p.Id.ToString()),
            ["username"] = S("u" + p.Id.ToString("N")[..10]),
            ["displayName"] = S("Patient"),
            ["registeredAt"] = S(p.RegisteredAt),
            ["listKey"] = S(PatientReadModel.ListKeyValue),
            ["streamId"] = S($"patient-{p.Id}"),
            ["lastVersion"] = N(1),
        }));
        var mine = InScope.Select(i => patients[i].Id).ToHashSet();
        var foreign = patients.Where(p => !mine.Contains(p.Id)).SelectMany(p => new[] { p.Id.ToString(), p.RegisteredAt }).ToList();
        var readModel = new PatientReadModel(aws.Dynamo);

        var (listed, cursors) = await PageThroughAsync(cursor => readModel.ListAsync(10, cursor, default, mine), p => p.PatientId);

        Assert.Equal(InScope.Select(i => patients[i].Id), listed);
        Assert.True(cursors.Count >= 2, $"expected pages the cap ended early, got {cursors.Count} cursors");
        AssertNonEmpty.All(cursors, cursor => AssertNamesNone(cursor, foreign));
    }

    [Theory]
    [InlineData(AlertStatuses.All, null, 250)]
    [InlineData(AlertStatuses.Open, "high", 500)]
    public async Task A_clinicians_alert_pages_that_stop_early_carry_no_other_teams_alert_and_still_list_each_of_theirs_once(string status, string? severity, int offsetMilliseconds)
    {
        // The cases share a table: each raises its alerts at times of its own.
        var newest = Newest.AddMilliseconds(offsetMilliseconds);
        var myPatient = Guid.NewGuid();
        var alerts = Enumerable.Range(0, Total).Select(i => (
            AlertId: Guid.NewGuid(),
            PatientId: InScope.Contains(i) ? myPatient : Guid.NewGuid(),
            RaisedAt: SortableTime.Format(newest.AddSeconds(-i)),
            // Two lanes when listing all: every tenth alert is acknowledged.
            Status: status == AlertStatuses.All && i % 10 == 1 ? AlertStatuses.Acknowledged : AlertStatuses.Open)).ToList();
        await PutAllAsync(aws.Dynamo, "alerts", alerts.Select(a => new Dictionary<string, AttributeValue>
        {
            ["alertId"] = S(a.AlertId.ToString()),
            ["patientId"] = S(a.PatientId.ToString()),
            ["patientName"] = S("Patient"),
            ["observationId"] = S(Guid.NewGuid().ToString()),
            ["severity"] = S("high"),
            ["rule"] = S("news2"),
            ["reasons"] = new AttributeValue { L = [S("respiratoryRate 26 → 3")] },
            ["status"] = S(a.Status),
            ["raisedAt"] = S(a.RaisedAt),
            ["raisedKey"] = S($"{a.RaisedAt}#{a.AlertId:D}"),
            ["feed"] = S("alerts"),
            ["updatedAt"] = S(a.RaisedAt),
            ["updatedKey"] = S($"{a.RaisedAt}#{a.AlertId:D}"),
            ["lastVersion"] = N(1),
        }));
        var foreign = alerts.Where(a => a.PatientId != myPatient)
            .SelectMany(a => new[] { a.AlertId.ToString(), a.PatientId.ToString(), a.RaisedAt }).ToList();
        var readModel = new AlertReadModel(aws.Dynamo);
        var scope = new HashSet<Guid> { myPatient };

        var (listed, cursors) = await PageThroughAsync(
            cursor => readModel.ListAsync(new AlertQuery(status, null, severity, 10, cursor, scope), default), a => a.AlertId);

        Assert.Equal(InScope.Select(i => alerts[i].AlertId), listed);
        Assert.True(cursors.Count >= 2, $"expected pages the cap ended early, got {cursors.Count} cursors");
        AssertNonEmpty.All(cursors, cursor => AssertNamesNone(cursor, foreign));
    }

    private static async Task<(List<Guid> Listed, List<string> Cursors)> PageThroughAsync<T>(Func<string?, Task<Page<T>>> list, Func<T, Guid> id)
    {
        var listed = new List<Guid>();
        var cursors = new List<string>();
        string? cursor = null;
        do
        {
            var page = await list(cursor);
            listed.AddRange(page.Items.Select(id));
            cursor = page.NextCursor;
            if (cursor is not null)
            {
                cursors.Add(cursor);
            }
        }
        while (cursor is not null && cursors.Count < 100);

        Assert.Null(cursor);
        return (listed, cursors);
    }

    private static void AssertNamesNone(string cursor, IReadOnlyList<string> foreign)
    {
        var decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        var leaked = foreign.Where(value => decoded.Contains(value, StringComparison.Ordinal)).ToList();
        Assert.True(leaked.Count == 0, $"the cursor {decoded} names other teams' keys: {string.Join(", ", leaked)}");
    }

    private static async Task PutAllAsync(IAmazonDynamoDB dynamo, string table, IEnumerable<Dictionary<string, AttributeValue>> items)
    {
        foreach (var batch in items.Chunk(25))
        {
            var pending = new Dictionary<string, List<WriteRequest>> { [table] = [.. batch.Select(item => new WriteRequest(new PutRequest(item)))] };
            while (pending.Count > 0)
            {
                pending = (await dynamo.BatchWriteItemAsync(pending)).UnprocessedItems ?? [];
            }
        }
    }

    private static AttributeValue S(string value) => new() { S = value };

    private static AttributeValue N(long value) => new() { N = value.ToString(System.Globalization.CultureInfo.InvariantCulture) };
}
