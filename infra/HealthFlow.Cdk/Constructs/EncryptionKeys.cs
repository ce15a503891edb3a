using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Constructs;

namespace HealthFlow.Cdk.Constructs;

/// <summary>
/// HealthFlow's customer-managed KMS keys, one per kind of data, each rotated yearly by KMS and kept when
/// the stack is deleted (what they encrypted may outlive the stack). A key per kind limits what one key
/// policy mistake exposes, and CloudTrail shows per key who decrypted what. The keys sit directly in the
/// stack (`LogsKey`, `DataKey`, ...), so the logs key keeps the logical id it had before the others existed.
/// </summary>
public sealed class EncryptionKeys
{
    private readonly Construct _scope;

    public EncryptionKeys(Construct scope)
    {
        _scope = scope;
        var stack = Stack.Of(scope);

        Data = CustomerKey("Data", "Encrypts HealthFlow's DynamoDB tables and their AWS Backup recovery points");
        Messaging = CustomerKey("Messaging", "Encrypts HealthFlow's SQS queues and the alarm topic");
        Secrets = CustomerKey("Secrets", "Encrypts auth-api's JWT signing key and notifier's SMTP credentials in Secrets Manager");
        Logs = CustomerKey("Logs", "Encrypts HealthFlow's CloudWatch log groups");

        // CloudWatch Logs may use the logs key for this account's log groups only.
        Logs.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Principals = [new ServicePrincipal($"logs.{stack.Region}.amazonaws.com")],
            Actions = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["ArnLike"] = new Dictionary<string, object>
                {
                    ["kms:EncryptionContext:aws:logs:arn"] = $"arn:{stack.Partition}:logs:{stack.Region}:{stack.Account}:log-group:*",
                },
            },
        }));

        // CloudWatch alarms publish to the encrypted alarm topic: SNS asks KMS for a data key on their behalf.
        Messaging.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Principals = [new ServicePrincipal("cloudwatch.amazonaws.com")],
            Actions = ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = stack.Account },
            },
        }));
    }

    /// <summary>The tables and the backup vault.</summary>
    public Key Data { get; }

    /// <summary>The work queues, the DLQs and the alarm topic.</summary>
    public Key Messaging { get; }

    /// <summary>The JWT signing key's secret.</summary>
    public Key Secrets { get; }

    /// <summary>Every log group.</summary>
    public Key Logs { get; }

    private Key CustomerKey(string id, string description)
    {
        var key = new Key(_scope, id + "Key", new KeyProps
        {
            Description = description,
            EnableKeyRotation = true,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        // Only AWS services may create grants on the key (Control Tower CT.KMS.PR.3): DynamoDB and AWS Backup
        // create theirs for a resource; no person or application needs one.
        key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Effect = Effect.DENY,
            Principals = [new AnyPrincipal()],
            Actions = ["kms:CreateGrant"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["BoolIfExists"] = new Dictionary<string, object>
                {
                    ["kms:GrantIsForAWSResource"] = "false",
                    ["aws:PrincipalIsAWSService"] = "false",
                },
            },
        }));
        return key;
    }
}
