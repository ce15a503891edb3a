using System.Globalization;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.EventBridge;
using HealthFlow.Topology;
using Microsoft.Extensions.Logging;
using DynamoKeyType = Amazon.DynamoDBv2.KeyType;

namespace HealthFlow.Provisioning;

/// <summary>A queue as provisioned: what consumers and rule targets need to address it.</summary>
public sealed record ProvisionedQueue(string Name, string Url, string Arn);

/// <summary>
/// Creates every table, queue, DLQ, the bus, the rules and their targets described by
/// <see cref="HealthFlowTopology"/>, idempotently: what exists is updated to match, never recreated.
/// Runs against any endpoint the SDK is pointed at (LocalAws, LocalStack, AWS).
/// </summary>
public sealed class TopologyProvisioner(
    IAmazonDynamoDB dynamo,
    IAmazonSQS sqs,
    EventBridgeClient events,
    ILogger<TopologyProvisioner> logger,
    TimeProvider? timeProvider = null)
{
    // SQS's maximum: a dead letter should outlive the message's retention on its source queue.
    private static readonly TimeSpan DeadLetterRetention = TimeSpan.FromDays(14);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task ProvisionAsync(CancellationToken cancellationToken = default)
    {
        await Task.WhenAll(HealthFlowTopology.Tables.All.Select(table => EnsureTableAsync(table, cancellationToken))).ConfigureAwait(false);
        await EnsureEventBusAsync(HealthFlowTopology.EventBusName, cancellationToken).ConfigureAwait(false);
        foreach (var queue in HealthFlowTopology.Queues.All)
            await EnsureQueueAsync(queue, cancellationToken).ConfigureAwait(false);
        await EnsureQueueAsync(HealthFlowTopology.Delivery.DeadLetterQueueName, new Dictionary<string, string>
        {
            ["MessageRetentionPeriod"] = Seconds(DeadLetterRetention),
        }, cancellationToken).ConfigureAwait(false);
        foreach (var rule in HealthFlowTopology.Rules.All)
            await EnsureRuleAsync(rule, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Topology provisioned: {Tables} tables, {Queues} queues with DLQs, bus {Bus}, {Rules} rules",
            HealthFlowTopology.Tables.All.Count, HealthFlowTopology.Queues.All.Count, HealthFlowTopology.EventBusName, HealthFlowTopology.Rules.All.Count);
    }

    /// <summary>Creates the table (on-demand, every GSI projecting ALL) or adds missing GSIs, then waits until all are ACTIVE.</summary>
    public async Task EnsureTableAsync(TableDefinition table, CancellationToken cancellationToken = default)
    {
        var existing = await DescribeTableAsync(table.Name, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            try
            {
                await dynamo.CreateTableAsync(new CreateTableRequest
                {
                    TableName = table.Name,
                    BillingMode = BillingMode.PAY_PER_REQUEST,
                    AttributeDefinitions = AttributeDefinitions(table),
                    KeySchema = KeySchema(table.PartitionKey, table.SortKey),
                    GlobalSecondaryIndexes = table.Indexes.Count == 0 ? null : table.Indexes.Select(ToCreate).ToList(),
                }, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Created table {Table}", table.Name);
            }
            catch (ResourceInUseException)
            {
                // Another provisioner created it a moment ago.
            }
        }
        else
        {
            var present = (existing.GlobalSecondaryIndexes ?? []).Select(i => i.IndexName).ToHashSet(StringComparer.Ordinal);
            foreach (var index in table.Indexes.Where(i => !present.Contains(i.Name)))
            {
                // DynamoDB builds one new GSI per UpdateTable at a time.
                await WaitUntilActiveAsync(table.Name, cancellationToken).ConfigureAwait(false);
                await dynamo.UpdateTableAsync(new UpdateTableRequest
                {
                    TableName = table.Name,
                    AttributeDefinitions = AttributeDefinitions(table),
                    GlobalSecondaryIndexUpdates = [new GlobalSecondaryIndexUpdate { Create = ToCreateAction(index) }],
                }, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Added index {Index} to table {Table}", index.Name, table.Name);
            }
        }

        await WaitUntilActiveAsync(table.Name, cancellationToken).ConfigureAwait(false);
        if (table.TimeToLiveAttribute is { } ttl)
            await EnsureTimeToLiveAsync(table.Name, ttl, cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureTimeToLiveAsync(string tableName, string attribute, CancellationToken cancellationToken)
    {
        try
        {
            var current = await dynamo.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = tableName }, cancellationToken).ConfigureAwait(false);
            var status = current.TimeToLiveDescription?.TimeToLiveStatus;
            if ((status == TimeToLiveStatus.ENABLED || status == TimeToLiveStatus.ENABLING)
                && current.TimeToLiveDescription?.AttributeName == attribute)
            {
                return;
            }

            await dynamo.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
            {
                TableName = tableName,
                TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = attribute, Enabled = true },
            }, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Enabled TTL on {Table}.{Attribute}", tableName, attribute);
        }
        catch (AmazonDynamoDBException ex) when (ex.ErrorCode == "UnknownOperationException")
        {
            // Some DynamoDB implementations (dynalite) lack the TTL API. Expiry is a storage
            // optimisation here (readers check expiresAt themselves), so carry on without it.
            logger.LogWarning("The DynamoDB endpoint does not support TTL; {Table}.{Attribute} will not expire on its own", tableName, attribute);
        }
    }

    /// <summary>Creates the queue's DLQ and the queue with its RedrivePolicy, or updates their attributes to match.</summary>
    public async Task<ProvisionedQueue> EnsureQueueAsync(QueueDefinition queue, CancellationToken cancellationToken = default)
    {
        var deadLetter = await EnsureQueueAsync(queue.DeadLetterQueueName, new Dictionary<string, string>
        {
            ["MessageRetentionPeriod"] = Seconds(DeadLetterRetention),
        }, cancellationToken).ConfigureAwait(false);

        var redrive = new JsonObject
        {
            ["deadLetterTargetArn"] = deadLetter.Arn,
            ["maxReceiveCount"] = queue.MaxReceiveCount,
        };
        return await EnsureQueueAsync(queue.Name, new Dictionary<string, string>
        {
            ["VisibilityTimeout"] = Seconds(queue.VisibilityTimeout),
            ["MessageRetentionPeriod"] = Seconds(queue.MessageRetention),
            ["RedrivePolicy"] = redrive.ToJsonString(),
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ProvisionedQueue> EnsureQueueAsync(string name, Dictionary<string, string> attributes, CancellationToken cancellationToken)
    {
        string url;
        try
        {
            url = (await sqs.GetQueueUrlAsync(name, cancellationToken).ConfigureAwait(false)).QueueUrl;
            await sqs.SetQueueAttributesAsync(url, attributes, cancellationToken).ConfigureAwait(false);
        }
        catch (QueueDoesNotExistException)
        {
            url = (await sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name, Attributes = attributes }, cancellationToken).ConfigureAwait(false)).QueueUrl;
            logger.LogInformation("Created queue {Queue}", name);
        }

        return new ProvisionedQueue(name, url, await QueueArnAsync(url, cancellationToken).ConfigureAwait(false));
    }

    public async Task EnsureEventBusAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            await events.DescribeEventBusAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (EventBridgeException ex) when (ex.ErrorCode == "ResourceNotFoundException")
        {
            try
            {
                await events.CreateEventBusAsync(new CreateEventBusRequest(name), cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Created event bus {Bus}", name);
            }
            catch (EventBridgeException race) when (race.ErrorCode == "ResourceAlreadyExistsException")
            {
            }
        }
    }

    /// <summary>
    /// Puts the rule (PutRule is an upsert), makes its queue the only target and lets EventBridge
    /// send to the queue. The target queue must exist (<see cref="EnsureQueueAsync(QueueDefinition, CancellationToken)"/>).
    /// </summary>
    public async Task EnsureRuleAsync(RuleDefinition rule, CancellationToken cancellationToken = default)
    {
        var queueUrl = (await sqs.GetQueueUrlAsync(rule.Target.Name, cancellationToken).ConfigureAwait(false)).QueueUrl;
        var queueArn = await QueueArnAsync(queueUrl, cancellationToken).ConfigureAwait(false);

        var ruleArn = (await events.PutRuleAsync(
            new PutRuleRequest(rule.Name, rule.EventPattern, rule.EventBusName, RuleState.Enabled), cancellationToken).ConfigureAwait(false)).RuleArn;

        var deadLetterUrl = (await sqs.GetQueueUrlAsync(rule.Delivery.DeadLetterQueueName, cancellationToken).ConfigureAwait(false)).QueueUrl;
        var deadLetterArn = await QueueArnAsync(deadLetterUrl, cancellationToken).ConfigureAwait(false);

        var targetId = rule.Target.Name;
        var target = new Target(targetId, queueArn,
            DeadLetterConfig: new DeadLetterConfig(deadLetterArn),
            RetryPolicy: new RetryPolicy(rule.Delivery.MaximumRetryAttempts, (int)rule.Delivery.MaximumEventAge.TotalSeconds));
        var put = await events.PutTargetsAsync(
            new PutTargetsRequest(rule.Name, [target], rule.EventBusName), cancellationToken).ConfigureAwait(false);
        if (put.FailedEntryCount > 0)
        {
            var failure = put.FailedEntries?.FirstOrDefault();
            throw new InvalidOperationException($"Rule {rule.Name} did not accept target {targetId}: {failure?.ErrorCode} {failure?.ErrorMessage}");
        }

        var stale = (await events.ListTargetsByRuleAsync(new ListTargetsByRuleRequest(rule.Name, rule.EventBusName), cancellationToken).ConfigureAwait(false))
            .Targets.Where(t => t.Id != targetId).Select(t => t.Id).ToList();
        if (stale.Count > 0)
        {
            await events.RemoveTargetsAsync(new RemoveTargetsRequest(rule.Name, stale, rule.EventBusName), cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Removed targets {Targets} no longer in the topology from rule {Rule}", stale, rule.Name);
        }

        await AllowRuleToSendAsync(queueUrl, queueArn, rule.Name, ruleArn, cancellationToken).ConfigureAwait(false);
    }

    // On AWS a queue accepts EventBridge deliveries only if its policy says so. One statement per
    // rule (Sid = rule name), so rules sharing a queue do not overwrite one another.
    private async Task AllowRuleToSendAsync(string queueUrl, string queueArn, string ruleName, string ruleArn, CancellationToken cancellationToken)
    {
        var current = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = queueUrl,
            AttributeNames = ["Policy"],
        }, cancellationToken).ConfigureAwait(false);

        var policy = current.Policy is { Length: > 0 } json && JsonNode.Parse(json) is JsonObject parsed
            ? parsed
            : new JsonObject { ["Version"] = "2012-10-17" };
        var statements = policy["Statement"] as JsonArray ?? [];
        var sid = "eventbridge-" + ruleName;
        var existing = statements.OfType<JsonObject>().FirstOrDefault(s => (string?)s["Sid"] == sid);
        var statement = new JsonObject
        {
            ["Sid"] = sid,
            ["Effect"] = "Allow",
            ["Principal"] = new JsonObject { ["Service"] = "events.amazonaws.com" },
            ["Action"] = "sqs:SendMessage",
            ["Resource"] = queueArn,
            ["Condition"] = new JsonObject { ["ArnEquals"] = new JsonObject { ["aws:SourceArn"] = ruleArn } },
        };
        if (existing is not null && JsonNode.DeepEquals(existing, statement))
            return;
        if (existing is not null)
            statements.Remove(existing);
        statements.Add(statement);
        policy["Statement"] = statements.DeepClone();

        await sqs.SetQueueAttributesAsync(queueUrl, new Dictionary<string, string> { ["Policy"] = policy.ToJsonString() }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> QueueArnAsync(string queueUrl, CancellationToken cancellationToken)
    {
        var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = queueUrl,
            AttributeNames = ["QueueArn"],
        }, cancellationToken).ConfigureAwait(false);
        return attributes.QueueARN ?? throw new InvalidOperationException($"Queue {queueUrl} reported no QueueArn.");
    }

    private Task<TableDescription?> DescribeTableAsync(string tableName, CancellationToken cancellationToken) =>
        DescribeTableAsync(dynamo, tableName, cancellationToken);

    private static async Task<TableDescription?> DescribeTableAsync(IAmazonDynamoDB dynamo, string tableName, CancellationToken cancellationToken)
    {
        try
        {
            return (await dynamo.DescribeTableAsync(tableName, cancellationToken).ConfigureAwait(false)).Table;
        }
        catch (Amazon.DynamoDBv2.Model.ResourceNotFoundException)
        {
            return null;
        }
    }

    private Task WaitUntilActiveAsync(string tableName, CancellationToken cancellationToken) =>
        WaitUntilActiveAsync(dynamo, tableName, TableActiveTimeout, _time, cancellationToken);

    /// <summary>How long a table (and its indexes) may take to become ACTIVE before provisioning gives up.</summary>
    public TimeSpan TableActiveTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Waits until the table and every index of it are ACTIVE. CreateTable and UpdateTable return while the table is
    /// still CREATING or UPDATING (on AWS for seconds, in dynalite for a moment), and a write before then fails with
    /// ResourceNotFoundException; every creator of a table, the tests' included, waits here.
    /// </summary>
    /// <exception cref="TimeoutException">Not ACTIVE within <paramref name="timeout"/>; the message says what it still was.</exception>
    public static async Task WaitUntilActiveAsync(
        IAmazonDynamoDB dynamo, string tableName, TimeSpan timeout, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        var time = timeProvider ?? TimeProvider.System;
        var deadline = time.GetUtcNow() + timeout;
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var table = await DescribeTableAsync(dynamo, tableName, cancellationToken).ConfigureAwait(false);
            if (table is not null
                && table.TableStatus == TableStatus.ACTIVE
                && (table.GlobalSecondaryIndexes ?? []).All(i => i.IndexStatus == IndexStatus.ACTIVE))
            {
                return;
            }

            if (time.GetUtcNow() >= deadline)
            {
                var status = table is null ? "not found"
                    : string.Join(", ", new[] { $"table {table.TableStatus}" }
                        .Concat((table.GlobalSecondaryIndexes ?? []).Where(i => i.IndexStatus != IndexStatus.ACTIVE).Select(i => $"index {i.IndexName} {i.IndexStatus}")));
                throw new TimeoutException(
                    $"Table {tableName} did not become ACTIVE within {timeout} ({status}). Provisioning again resumes the wait.");
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }

    private static List<AttributeDefinition> AttributeDefinitions(TableDefinition table) =>
        new[] { table.PartitionKey, table.SortKey }
            .Concat(table.Indexes.SelectMany(i => new[] { i.PartitionKey, i.SortKey }))
            .OfType<KeyAttribute>()
            .DistinctBy(k => k.Name)
            .Select(k => new AttributeDefinition(k.Name, k.Type == Topology.KeyType.Number ? ScalarAttributeType.N : ScalarAttributeType.S))
            .ToList();

    private static List<KeySchemaElement> KeySchema(KeyAttribute partitionKey, KeyAttribute? sortKey)
    {
        var schema = new List<KeySchemaElement> { new(partitionKey.Name, DynamoKeyType.HASH) };
        if (sortKey is not null)
            schema.Add(new KeySchemaElement(sortKey.Name, DynamoKeyType.RANGE));
        return schema;
    }

    private static GlobalSecondaryIndex ToCreate(GlobalIndex index) => new()
    {
        IndexName = index.Name,
        KeySchema = KeySchema(index.PartitionKey, index.SortKey),
        Projection = new Projection { ProjectionType = ProjectionType.ALL },
    };

    private static CreateGlobalSecondaryIndexAction ToCreateAction(GlobalIndex index) => new()
    {
        IndexName = index.Name,
        KeySchema = KeySchema(index.PartitionKey, index.SortKey),
        Projection = new Projection { ProjectionType = ProjectionType.ALL },
    };

    private static string Seconds(TimeSpan span) => ((long)span.TotalSeconds).ToString(CultureInfo.InvariantCulture);
}
