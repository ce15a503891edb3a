using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using HealthFlow.Topology;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthFlow.EventStore;

/// <summary>
/// Ready once a table the service uses answers a read: a GetItem of a key that never exists. The
/// AppHost and the load balancer wait for /health, so the AWS SDK's first-call costs (credentials,
/// endpoint rules, the connection, the marshallers' JIT) are paid here, not by the first check-in.
/// A read the service is granted anyway: the check needs no access of its own (an event-store writer passes
/// its stream prefix, because it may read only its own streams: dynamodb:LeadingKeys, HealthFlowAccess). Once it has
/// answered, the check stays healthy without calling again: a DynamoDB blip must not make every task
/// fail its health check at once and be replaced; the requests themselves report such errors.
/// </summary>
internal sealed class DynamoDbHealthCheck(IAmazonDynamoDB dynamo, TableDefinition table, string keyPrefix = "") : IHealthCheck
{
    private readonly string _absentKey = keyPrefix + "health-check";
    private volatile bool _answered;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_answered)
            return HealthCheckResult.Healthy();

        var key = new Dictionary<string, AttributeValue> { [table.PartitionKey.Name] = Value(table.PartitionKey) };
        if (table.SortKey is { } sortKey)
            key[sortKey.Name] = Value(sortKey);
        try
        {
            await dynamo.GetItemAsync(new GetItemRequest { TableName = table.Name, Key = key }, cancellationToken).ConfigureAwait(false);
            _answered = true;
            return HealthCheckResult.Healthy();
        }
        catch (AmazonDynamoDBException ex)
        {
            return HealthCheckResult.Unhealthy($"DynamoDB table {table.Name} did not answer.", ex);
        }
    }

    private AttributeValue Value(KeyAttribute attribute) =>
        attribute.Type == Topology.KeyType.Number ? new AttributeValue { N = "0" } : new AttributeValue { S = _absentKey };
}

public static class DynamoDbHealthCheckExtensions
{
    /// <summary>
    /// Adds a readiness check that reads <paramref name="table"/> (see <see cref="DynamoDbHealthCheck"/>), at a
    /// partition key starting with <paramref name="keyPrefix"/>.
    /// </summary>
    public static IServiceCollection AddDynamoDbHealthCheck(this IServiceCollection services, TableDefinition table, string keyPrefix = "")
    {
        var name = $"dynamodb-{table.Name}";
        services.AddKeyedSingleton(name, (sp, _) => new DynamoDbHealthCheck(sp.GetRequiredService<IAmazonDynamoDB>(), table, keyPrefix));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            name, sp => sp.GetRequiredKeyedService<DynamoDbHealthCheck>(name), HealthStatus.Unhealthy, ["ready"]));
        return services;
    }
}
