using HealthFlow.ReadModels.Projections;
using HealthFlow.Topology;

namespace HealthFlow.Cli.Replay;

/// <summary>A read model as replay sees it: its table, and whether its puts may be written behind in batches.</summary>
/// <param name="WrittenOncePerEvent">
/// Every item of the table is written by exactly one event (a patient by PatientRegistered, an
/// observation by its ObservationSubmitted). Replaying into the emptied table, the projection's
/// "only if newer" condition then always holds, so an unconditional batched put writes exactly what
/// the conditional put would have. Alerts are changed by later events (AlertAcknowledged, AlertEscalated), so
/// their writes keep their conditions and go one by one.
/// </param>
public sealed record ReadModelTable(string ReadModel, TableDefinition Table, bool WrittenOncePerEvent)
{
    public IReadOnlyList<string> KeyAttributes { get; } =
        Table.SortKey is { } sortKey ? [Table.PartitionKey.Name, sortKey.Name] : [Table.PartitionKey.Name];
}

public static class ReadModelTables
{
    public const string All = "all";

    /// <summary>In dependency order: alerts carry the patient's name, so patients come first.</summary>
    public static IReadOnlyList<ReadModelTable> Replayable { get; } =
    [
        new(PatientProjection.ReadModelName, HealthFlowTopology.Tables.Patients, WrittenOncePerEvent: true),
        new(ObservationProjection.ReadModelName, HealthFlowTopology.Tables.Observations, WrittenOncePerEvent: true),
        new(AlertProjection.ReadModelName, HealthFlowTopology.Tables.Alerts, WrittenOncePerEvent: false),
        new(CareTeamProjection.ReadModelName, HealthFlowTopology.Tables.CareTeams, WrittenOncePerEvent: false),
        // Not the audit trail: replay wipes the table first, and the trail is never wiped. A lost audit table can
        // still be rebuilt from the audit- streams of the event store into an empty table.
    ];

    public static IReadOnlyList<string> Names { get; } = [.. Replayable.Select(t => t.ReadModel), All];

    public static IReadOnlyList<ReadModelTable> Resolve(string name) =>
        name == All
            ? Replayable
            : [Replayable.SingleOrDefault(t => t.ReadModel == name)
                ?? throw new ArgumentException($"Unknown read model '{name}'. Use one of: {string.Join(", ", Names)}.", nameof(name))];
}
