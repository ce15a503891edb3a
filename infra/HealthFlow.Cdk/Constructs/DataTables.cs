using Amazon.CDK;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.KMS;
using Constructs;
using HealthFlow.Topology;
using Attribute = Amazon.CDK.AWS.DynamoDB.Attribute;
using TopologyKeyType = HealthFlow.Topology.KeyType;

namespace HealthFlow.Cdk.Constructs;

/// <summary>
/// Every DynamoDB table of the topology: on-demand, point-in-time recovery, encrypted with the
/// customer-managed data key, TTL where the topology defines it, deletion protection unless the stack
/// is a throw-away demo. Physical names are the topology's, because the services address tables by those names.
/// </summary>
public sealed class DataTables : Construct
{
    private readonly Dictionary<string, Table> _tables = [];

    public DataTables(Construct scope, string id, RemovalPolicy removalPolicy, IKey encryptionKey, bool deletionProtection) : base(scope, id)
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
                Encryption = TableEncryption.CUSTOMER_MANAGED,
                EncryptionKey = encryptionKey,
                TimeToLiveAttribute = definition.TimeToLiveAttribute,
                RemovalPolicy = removalPolicy,
                // The event store is the system of record, and rebuilding a read model takes the service down for a while.
                DeletionProtection = deletionProtection,
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

    public Table this[string tableName] => _tables[tableName];

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
