using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Domain.Notifications;
using HealthFlow.Topology;
using static HealthFlow.ReadModels.DynamoItems;

namespace HealthFlow.ReadModels;

/// <summary>
/// The `notification-settings` table: one item per clinician, replaced whole by the clinician's PUT (command-api)
/// and read by notifier. Item layout:
/// <code>
/// clinician  S     key: the clinician's username
/// email      S     where email notifications go
/// events     L(S)  the kinds wanted (NotificationKinds)
/// onCall     BOOL  on call now; nobody off call is notified
/// updatedAt  S     ISO 8601, when the clinician last saved them
/// </code>
/// Settings are configuration the clinician owns, not a clinical fact: the last write wins and no history is kept
/// (docs/adr/0008).
/// </summary>
public sealed class NotificationSettingsStore(IAmazonDynamoDB dynamo, TimeProvider timeProvider)
{
    private static readonly string TableName = HealthFlowTopology.Tables.NotificationSettings.Name;

    /// <summary>The clinician's settings, or <see cref="NotificationSettings.None"/> when they never saved any.</summary>
    public async Task<NotificationSettings> GetAsync(string clinician, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            Key = new() { ["clinician"] = S(clinician) },
            ConsistentRead = true,
        }, cancellationToken);
        return response.Item is { Count: > 0 } item
            ? new NotificationSettings(item.GetString("email"), item.GetStringList("events"), item.GetOptionalBool("onCall") ?? false)
            : NotificationSettings.None;
    }

    public async Task PutAsync(string clinician, NotificationSettings settings, CancellationToken cancellationToken) =>
        await dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = TableName,
            Item = new()
            {
                ["clinician"] = S(clinician),
                ["email"] = S(settings.Email),
                ["events"] = StringList(settings.Events),
                ["onCall"] = Bool(settings.OnCall),
                ["updatedAt"] = S(SortableTime.Format(timeProvider.GetUtcNow())),
            },
        }, cancellationToken);
}
