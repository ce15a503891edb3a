using Amazon.CDK;
using Amazon.CDK.AWS.Backup;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.KMS;
using Constructs;
using HealthFlow.Topology;

namespace HealthFlow.Cdk.Constructs;

/// <summary>
/// A daily AWS Backup of every table, on top of point-in-time recovery: PITR covers the last 35 days at
/// one-second granularity but lives and dies with the table; recovery points sit in their own vault,
/// with their own retention, and survive a deleted table.
/// </summary>
public sealed class TableBackups : Construct
{
    public TableBackups(Construct scope, string id, DataTables tables, IKey encryptionKey, int retentionDays) : base(scope, id)
    {
        if (retentionDays < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(retentionDays), retentionDays, "Backups must be kept at least one day.");
        }

        Vault = new BackupVault(this, "Vault", new BackupVaultProps
        {
            EncryptionKey = encryptionKey,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });

        Plan = new BackupPlan(this, "Plan", new BackupPlanProps
        {
            BackupVault = Vault,
            BackupPlanRules =
            [
                new BackupPlanRule(new BackupPlanRuleProps
                {
                    RuleName = "Daily",
                    // 03:00 UTC, a quiet hour for a European deployment; a backup does not consume table capacity.
                    ScheduleExpression = Schedule.Cron(new CronOptions { Hour = "3", Minute = "0" }),
                    DeleteAfter = Duration.Days(retentionDays),
                }),
            ],
        });

        Plan.AddSelection("Tables", new BackupSelectionOptions
        {
            Resources = [.. HealthFlowTopology.Tables.All.Select(t => BackupResource.FromDynamoDbTable(tables[t]))],
        });
    }

    public BackupVault Vault { get; }

    public BackupPlan Plan { get; }
}
