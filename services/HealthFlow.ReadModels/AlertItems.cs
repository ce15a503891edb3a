using Amazon.DynamoDBv2.Model;
using HealthFlow.Topology;

namespace HealthFlow.ReadModels;

// Item layout of the `alerts` table: one item per alert, written by AlertWrites, read by AlertReadModel.
//
// | attribute      | type | meaning                                                                         |
// |----------------|------|---------------------------------------------------------------------------------|
// | alertId        | S    | partition key                                                                   |
// | patientId      | S    | partition of `by-patient`                                                       |
// | patientName    | S    | the patient's display name, copied by the projection                            |
// | observationId  | S    | the check-in that raised the alert; absent for a missed check-in                |
// | missedDueAt    | S    | a missed check-in's window due time (SortableTime); absent for any other alert   |
// | severity, rule | S    | AlertRaised's severity and rule; rules L of S: its rules (AllRules)             |
// | reasons        | L    | of S: AlertRaised's reasons                                                     |
// | score, news2   | N    | when set                                                                        |
// | partial        | BOOL | AlertRaised's partial flag                                                      |
// | planVersion    | N    | the monitoring plan version the check-in was judged by; absent: the defaults    |
// | status         | S    | `open` or `acknowledged`: partition of `by-status`                              |
// | raisedAt       | S    | SortableTime                                                                    |
// | raisedKey      | S    | raisedAt#alertId: sort key of `by-status` and `by-patient`                      |
// | acknowledgedAt | S    | once acknowledged, with acknowledgedBy S and acknowledgementNote S (when given) |
// | escalatedAt    | S    | once escalated (AlertEscalated), with escalationLevel N; absent: not escalated  |
// | feed           | S    | always `alerts`: the single partition of `by-update`                            |
// | updatedAt      | S    | when the projection last wrote the item (or AlertFeedStamps restamped it)       |
// | updatedKey     | S    | updatedAt#alertId: sort key of `by-update`, the SSE position                    |
// | streamId       | S    | alert-{id}; lastVersion N: the last event applied (idempotency checkpoint)      |

/// <summary>The `alerts` item layout: its keys, and the view an item maps to.</summary>
public static class AlertItems
{
    internal const string FeedValue = "alerts";
    internal static readonly TableDefinition Table = HealthFlowTopology.Tables.Alerts;
    internal static readonly string[] ByStatusKey = ["alertId", "status", "raisedKey"];
    internal static readonly string[] ByPatientKey = ["alertId", "patientId", "raisedKey"];

    /// <summary>A position in the `by-update` feed.</summary>
    public static string UpdatedKey(DateTimeOffset updatedAt, Guid alertId) => $"{SortableTime.Format(updatedAt)}#{alertId:D}";

    internal static string RaisedKey(string raisedAt, Guid alertId) => $"{raisedAt}#{alertId:D}";

    internal static Dictionary<string, AttributeValue> Key(Guid alertId) => new() { ["alertId"] = DynamoItems.S(alertId.ToString()) };

    internal static AlertView ToView(Dictionary<string, AttributeValue> item) => new(
        item.GetGuid("alertId"),
        item.GetGuid("patientId"),
        item.GetString("patientName"),
        item.GetOptionalString("observationId") is { } observationId ? Guid.Parse(observationId) : null,
        item.GetString("severity"),
        item.GetString("rule"),
        item.ContainsKey("rules") ? item.GetStringList("rules") : [item.GetString("rule")],
        item.GetStringList("reasons"),
        item.GetOptionalInt("score"),
        item.GetOptionalInt("news2"),
        item.GetOptionalBool("partial") ?? false,
        item.GetString("status"),
        item.GetTime("raisedAt"),
        item.GetOptionalTime("acknowledgedAt"),
        item.GetOptionalString("acknowledgedBy"),
        item.GetOptionalString("acknowledgementNote"),
        item.ContainsKey("escalatedAt"),
        item.GetOptionalTime("escalatedAt"),
        item.GetOptionalInt("escalationLevel"),
        item.GetOptionalInt("planVersion"),
        item.GetOptionalTime("missedDueAt"));
}
