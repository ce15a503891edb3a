using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Topology;
using static HealthFlow.ReadModels.DynamoItems;

namespace HealthFlow.ReadModels;

/// <summary>A login. <see cref="PatientId"/> is set for patients only. The hash is ASP.NET Core Identity's format.</summary>
public sealed record UserRecord(
    string Username,
    string PasswordHash,
    string Role,
    Guid? PatientId,
    string DisplayName,
    DateTimeOffset CreatedAt)
{
    // Keeps the hash out of logs that print the record.
    public override string ToString() => $"UserRecord {{ Username = {Username}, Role = {Role}, PatientId = {PatientId} }}";
}

/// <summary>
/// The `users` table (auth-api only). Item layout:
/// <code>
/// username      S  key (normalised: ASCII lower case)
/// passwordHash  S  PasswordHasher&lt;T&gt; v3 format (PBKDF2)
/// role          S  patient | clinician
/// patientId     S  patients only
/// displayName   S
/// createdAt     S  SortableTime
/// </code>
/// </summary>
public sealed class UserStore(IAmazonDynamoDB dynamo)
{
    private static readonly string TableName = HealthFlowTopology.Tables.Users.Name;

    /// <summary>Creates the user unless the username exists (a conditional put, so two racing sign-ups cannot both win).</summary>
    /// <returns>False when the username is taken.</returns>
    public async Task<bool> TryCreateAsync(UserRecord user, CancellationToken cancellationToken)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["username"] = S(user.Username),
            ["passwordHash"] = S(user.PasswordHash),
            ["role"] = S(user.Role),
            ["displayName"] = S(user.DisplayName),
            ["createdAt"] = S(SortableTime.Format(user.CreatedAt)),
        };
        item.SetIfPresent("patientId", user.PatientId?.ToString());
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = TableName,
                Item = item,
                ConditionExpression = "attribute_not_exists(username)",
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    public async Task<UserRecord?> FindAsync(string username, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            Key = new() { ["username"] = S(username) },
            ConsistentRead = true,
        }, cancellationToken);
        if (response.Item is not { Count: > 0 } item)
        {
            return null;
        }

        return new UserRecord(
            item.GetString("username"),
            item.GetString("passwordHash"),
            item.GetString("role"),
            item.GetOptionalString("patientId") is { } id ? Guid.Parse(id) : null,
            item.GetString("displayName"),
            item.GetTime("createdAt"));
    }

    /// <summary>Upgrades a hash made with older parameters; conditional so a concurrent change is not overwritten.</summary>
    public async Task<bool> ReplacePasswordHashAsync(string username, string currentHash, string newHash, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = new() { ["username"] = S(username) },
                UpdateExpression = "SET passwordHash = :new",
                ConditionExpression = "passwordHash = :current",
                ExpressionAttributeValues = new() { [":new"] = S(newHash), [":current"] = S(currentHash) },
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }
}
