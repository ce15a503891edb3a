using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.Topology;

namespace HealthFlow.Query.Api.Alerts;

/// <summary>
/// The stream tickets every query-api task has redeemed, in `stream-tickets`: one conditional put per ticket, so of
/// two tasks given the same ticket (a replay, a copied URL) exactly one opens a stream. The item outlives the ticket
/// (TTL `expiresAt`); by the time DynamoDB deletes it, the ticket has long been refused for its age.
/// </summary>
public sealed class StreamTicketLedger(IAmazonDynamoDB dynamo) : IStreamTicketLedger
{
    private static readonly TableDefinition Table = HealthFlowTopology.Tables.StreamTickets;

    public async Task<bool> TryRedeemAsync(string ticketId, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = Table.Name,
                Item = new()
                {
                    [Table.PartitionKey.Name] = new AttributeValue { S = ticketId },
                    [Table.TimeToLiveAttribute!] = new AttributeValue { N = keepUntil.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
                },
                ConditionExpression = "attribute_not_exists(#id)",
                ExpressionAttributeNames = new() { ["#id"] = Table.PartitionKey.Name },
                ReturnValues = ReturnValue.NONE,
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }
}
