using Amazon.CDK;
using Amazon.CDK.AWS.DynamoDB;
using Constructs;
using HealthFlow.Aws.Topology;
using Attribute = Amazon.CDK.AWS.DynamoDB.Attribute;
using TopologyKeyType = HealthFlow.Aws.Topology.KeyType;

namespace HealthFlow.Cdk.Constructs;

/// <summary>
/// Every DynamoDB table of the topology: on-demand, point-in-time recovery, KMS encryption
/// (AWS-managed key), TTL where the topology defines it. Physical names are the topology's,
/// because the services address tables by those names.
/// </summary>
public sealed class DataTables : Construct
{
    private readonly Dictionary<string, Table> _tables = [];

    public DataTables(Construct scope, string id, RemovalPolicy removalPolicy) : base(scope, id)
    {
        foreach (var definition in HealthFlowTopology.Tables.All)
        {
            var table = new Table(this, definition.Name, new TableProps
            {
                TableName = definition.Name,
                PartitionKey = ToAttribute(definition.PartitionKey),
                SortKey = definition.SortKey is null ? null : ToAttribute(definition.SortKey),
                BillingMode = BillingMode.PAY_PER_REQUEST,
                PointInTimeRecovery = true,
                Encryption = TableEncryption.AWS_MANAGED,
                TimeToLiveAttribute = definition.TimeToLiveAttribute,
                RemovalPolicy = removalPolicy,
                // The event store is the system of record; every read model can be rebuilt from it.
                DeletionProtection = definition == HealthFlowTopology.Tables.Events,
            });

            foreach (var index in definition.Indexes)
            {
                table.AddGlobalSecondaryIndex(new GlobalSecondaryIndexProps
                {
                    IndexName = index.Name,
                    PartitionKey = ToAttribute(index.PartitionKey),
                    SortKey = index.SortKey is null ? null : ToAttribute(index.SortKey),
                    // Every index serves whole items (outbox commits to republish, pages of read-model rows);
                    // a KEYS_ONLY index would bring back the N+1 reads the design forbids.
                    ProjectionType = ProjectionType.ALL,
                });
            }

            _tables.Add(definition.Name, table);
        }
    }

    public Table this[TableDefinition definition] => _tables[definition.Name];

    private static Attribute ToAttribute(KeyAttribute key) => new()
    {
        Name = key.Name,
        Type = key.Type switch
        {
            TopologyKeyType.String => AttributeType.STRING,
            TopologyKeyType.Number => AttributeType.NUMBER,
            _ => throw new ArgumentOutOfRangeException(nameof(key), key.Type, "Unknown key type"),
        },
    };
}
