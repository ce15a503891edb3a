using Constructs;

namespace HealthFlow.Cdk;

/// <summary>
/// The few choices an operator makes per deployment, read from CDK context (`-c key=value` or cdk.json).
/// Everything else (names, keys, queues, routes) comes from the topology.
/// </summary>
public sealed record DeploymentSettings
{
    public const string CertificateArnKey = "healthflow:certificateArn";
    public const string AlarmEmailKey = "healthflow:alarmEmail";
    public const string HoldAuthApiKey = "healthflow:holdAuthApi";

    /// <summary>ACM certificate for HTTPS on the ALB. Without it the ALB listens on plain HTTP (demo only).</summary>
    public string? CertificateArn { get; init; }

    /// <summary>Where the DLQ and message-age alarms are emailed (optional; the SNS topic exists either way).</summary>
    public string? AlarmEmail { get; init; }

    /// <summary>
    /// First deployment only: run no auth-api task until the operator has put the signing key in its secret
    /// (auth-api cannot start with the placeholder value). See README, "The JWT signing key".
    /// </summary>
    public bool HoldAuthApi { get; init; }

    public static DeploymentSettings FromContext(Node node) => new()
    {
        CertificateArn = node.TryGetContext(CertificateArnKey) as string,
        AlarmEmail = node.TryGetContext(AlarmEmailKey) as string,
        HoldAuthApi = node.TryGetContext(HoldAuthApiKey) switch
        {
            bool value => value,
            string text => bool.Parse(text),
            _ => false,
        },
    };
}
