using Amazon.CDK;
using Amazon.CDK.AWS.S3;
using Constructs;

namespace HealthFlow.Cdk.Constructs;

/// <summary>
/// The S3 bucket for the logs AWS delivers itself: the ALB's access logs (under <see cref="LoadBalancerPrefix"/>)
/// and the VPC flow logs (under <see cref="FlowLogPrefix"/>). Encrypted with S3-managed keys because ELB
/// access-log delivery supports no other server-side encryption; private, TLS only, versioned, kept a year
/// like the log groups, and kept when the stack is deleted.
/// </summary>
public sealed class LogArchive : Construct
{
    public const string LoadBalancerPrefix = "alb";
    public const string FlowLogPrefix = "vpc-flow-logs/";

    public LogArchive(Construct scope, string id) : base(scope, id)
    {
        Bucket = new Bucket(this, "Bucket", new BucketProps
        {
            Encryption = BucketEncryption.S3_MANAGED,
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            EnforceSSL = true,
            Versioned = true,
            RemovalPolicy = RemovalPolicy.RETAIN,
            LifecycleRules =
            [
                new LifecycleRule
                {
                    Expiration = Duration.Days(FargateContainerService.LogRetentionDays),
                    NoncurrentVersionExpiration = Duration.Days(1),
                },
            ],
        });
    }

    public Bucket Bucket { get; }
}
