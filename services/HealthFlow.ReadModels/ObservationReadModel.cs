using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Domain.Events;
using HealthFlow.Topology;
using static HealthFlow.ReadModels.DynamoItems;

namespace HealthFlow.ReadModels;

/// <summary>One check-in as the patient and clinicians read it back.</summary>
public sealed record ObservationView(
    Guid ObservationId,
    Guid PatientId,
    DateTimeOffset MeasuredAt,
    DateTimeOffset SubmittedAt,
    int? Score,
    int? HeartRate,
    int? RespiratoryRate,
    int? OxygenSaturation,
    bool? OnSupplementalOxygen,
    int? SystolicBp,
    int? DiastolicBp,
    decimal? Temperature,
    Consciousness? Consciousness,
    string? Note) : IPatientRecord
{
    Guid IPatientRecord.ResourceId => ObservationId;
}

/// <summary>
/// The `observations` table. Item layout:
/// <code>
/// patientId      S  partition key
/// sk             S  measuredAt#observationId (SortableTime): time-ordered, unique
/// observationId  S  key of `by-observation-id`
/// measuredAt, submittedAt  S  SortableTime
/// score, heartRate, respiratoryRate, oxygenSaturation, systolicBp, diastolicBp, temperature  N  when measured
/// onSupplementalOxygen BOOL, consciousness S, note S  when given
/// streamId S, lastVersion N  the event applied (one event per item)
/// </code>
/// </summary>
public sealed class ObservationReadModel(IAmazonDynamoDB dynamo)
{
    private static readonly TableDefinition Table = HealthFlowTopology.Tables.Observations;
    private static readonly string[] TableKey = ["patientId", "sk"];

    public static IReadOnlyDictionary<string, IReadOnlyCollection<string>> CursorLanes { get; } =
        new Dictionary<string, IReadOnlyCollection<string>> { [PageCursor.SingleLane] = TableKey };

    public static string SortKey(DateTimeOffset measuredAt, Guid observationId) =>
        $"{SortableTime.Format(measuredAt)}#{observationId:D}";

    /// <returns>False when skipped as a duplicate.</returns>
    public Task<bool> ApplySubmittedAsync(ObservationSubmitted submitted, string streamId, long version, CancellationToken cancellationToken)
    {
        var vitals = submitted.Vitals;
        var item = new Dictionary<string, AttributeValue>
        {
            ["patientId"] = S(submitted.PatientId.ToString()),
            ["sk"] = S(SortKey(submitted.MeasuredAt, submitted.ObservationId)),
            ["observationId"] = S(submitted.ObservationId.ToString()),
            ["measuredAt"] = S(SortableTime.Format(submitted.MeasuredAt)),
            ["submittedAt"] = S(SortableTime.Format(submitted.SubmittedAt)),
            ["streamId"] = S(streamId),
            ["lastVersion"] = N(version),
        };
        item.SetIfPresent("score", vitals.Score);
        item.SetIfPresent("heartRate", vitals.HeartRate);
        item.SetIfPresent("respiratoryRate", vitals.RespiratoryRate);
        item.SetIfPresent("oxygenSaturation", vitals.OxygenSaturation);
        item.SetIfPresent("onSupplementalOxygen", vitals.OnSupplementalOxygen);
        item.SetIfPresent("systolicBp", vitals.SystolicBp);
        item.SetIfPresent("diastolicBp", vitals.DiastolicBp);
        item.SetIfPresent("temperature", vitals.Temperature);
        item.SetIfPresent("consciousness", vitals.Consciousness?.ToString().ToLowerInvariant());
        item.SetIfPresent("note", submitted.Note);
        return ReadModelWrites.PutIfNewerAsync(dynamo, Table.Name, "patientId", item, version, cancellationToken);
    }

    /// <summary>A patient's observations measured in [from, to], newest first.</summary>
    /// <exception cref="InvalidCursorException"/>
    public Task<Page<ObservationView>> ListAsync(
        Guid patientId, DateTimeOffset? from, DateTimeOffset? to, int limit, string? cursor, CancellationToken cancellationToken)
    {
        // '#' < '0' < '~': "time#" .. "time~" brackets every observation id measured at that instant.
        var lower = from is { } f ? SortableTime.Format(f) + "#" : "0";
        var upper = to is { } t ? SortableTime.Format(t) + "~" : "~";
        return dynamo.QueryPageAsync(
            () => new QueryRequest
            {
                TableName = Table.Name,
                KeyConditionExpression = "patientId = :patient AND sk BETWEEN :lower AND :upper",
                ExpressionAttributeValues = new()
                {
                    [":patient"] = S(patientId.ToString()),
                    [":lower"] = S(lower),
                    [":upper"] = S(upper),
                },
                ScanIndexForward = false,
                Limit = limit + 1,
            },
            PageCursor.Decode(cursor, CursorLanes, PageCursor.Pin("patientId", patientId.ToString())),
            TableKey,
            limit,
            Map,
            cancellationToken);
    }

    public async Task<ObservationView?> GetAsync(Guid patientId, Guid observationId, CancellationToken cancellationToken) =>
        await FindAsync(observationId, cancellationToken) is { } observation && observation.PatientId == patientId ? observation : null;

    /// <summary>A check-in by its id alone (FHIR reads name an Observation, not its patient); the caller checks who may see it.</summary>
    public async Task<ObservationView?> FindAsync(Guid observationId, CancellationToken cancellationToken)
    {
        var response = await dynamo.QueryAsync(new QueryRequest
        {
            TableName = Table.Name,
            IndexName = HealthFlowTopology.Indexes.ObservationsById,
            KeyConditionExpression = "observationId = :id",
            ExpressionAttributeValues = new() { [":id"] = S(observationId.ToString()) },
        }, cancellationToken);
        var item = response.Items?.FirstOrDefault();
        return item is null ? null : Map(item);
    }

    private static ObservationView Map(Dictionary<string, AttributeValue> item) => new(
        item.GetGuid("observationId"),
        item.GetGuid("patientId"),
        item.GetTime("measuredAt"),
        item.GetTime("submittedAt"),
        item.GetOptionalInt("score"),
        item.GetOptionalInt("heartRate"),
        item.GetOptionalInt("respiratoryRate"),
        item.GetOptionalInt("oxygenSaturation"),
        item.GetOptionalBool("onSupplementalOxygen"),
        item.GetOptionalInt("systolicBp"),
        item.GetOptionalInt("diastolicBp"),
        item.GetOptionalDecimal("temperature"),
        item.GetOptionalString("consciousness") is { } c ? Enum.Parse<Consciousness>(c, ignoreCase: true) : null,
        item.GetOptionalString("note"));
}
