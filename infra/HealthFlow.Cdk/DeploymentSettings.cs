using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Constructs;
using HealthFlow.Domain.Alerts;

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
    public const string DemoKey = "healthflow:demo";
    public const string AllowHttpKey = "healthflow:allowHttp";
    public const string BackupRetentionDaysKey = "healthflow:backupRetentionDays";
    public const string RegionKey = "healthflow:region";
    public const string EscalationHighAfterKey = "healthflow:escalation:highAfter";
    public const string EscalationMediumAfterKey = "healthflow:escalation:mediumAfter";
    public const string EscalationLowMediumAfterKey = "healthflow:escalation:lowMediumAfter";
    public const string NotificationSenderKey = "healthflow:notifications:from";

    /// <summary>Daily table backups are kept this long unless the operator says otherwise.</summary>
    public const int DefaultBackupRetentionDays = 35;

    /// <summary>
    /// ACM certificate for HTTPS on the ALB; plain HTTP redirects to it. Required: without it synthesis fails,
    /// unless <see cref="AllowHttp"/> or <see cref="Demo"/> says plain HTTP is meant.
    /// </summary>
    public string? CertificateArn { get; init; }

    /// <summary>Serve plain HTTP when there is no certificate (passwords and patient data in clear text: demos only).</summary>
    public bool AllowHttp { get; init; }

    /// <summary>Throws unless the stack serves HTTPS, or plain HTTP was asked for explicitly.</summary>
    public void RequireHttpsUnlessAllowed()
    {
        if (CertificateArn is not { Length: > 0 } && !AllowHttp && !Demo)
        {
            throw new InvalidOperationException(
                $"No certificate: the ALB would serve passwords and patient data over plain HTTP. Pass -c {CertificateArnKey}=<ACM certificate ARN>, "
                + $"or, for a demo, -c {AllowHttpKey}=true (or -c {DemoKey}=true).");
        }
    }

    /// <summary>Where the DLQ and message-age alarms are emailed (optional; the SNS topic exists either way).</summary>
    public string? AlarmEmail { get; init; }

    /// <summary>
    /// First deployment only: run no auth-api task until the operator has put the signing key in its secret
    /// (auth-api cannot start with the placeholder value). See README, "The JWT signing key".
    /// </summary>
    public bool HoldAuthApi { get; init; }

    /// <summary>A throw-away stack: no deletion protection on the ALB and the tables, so `cdk destroy` goes through.</summary>
    public bool Demo { get; init; }

    /// <summary>How long AWS Backup keeps each daily recovery point of the tables.</summary>
    public int BackupRetentionDays { get; init; } = DefaultBackupRetentionDays;

    /// <summary>
    /// How long an alert may stay unacknowledged before alert-worker escalates it, per severity (README, "Clinical
    /// safety"): EscalationPolicy's defaults unless the operator passes e.g. `-c healthflow:escalation:highAfter=00:10:00`
    /// (`never` switches a severity off). Written into alert-worker's task definition as `Escalation__*`.
    /// </summary>
    public EscalationPolicy Escalation { get; init; } = new();

    /// <summary>
    /// The address notifier's emails come from: an identity verified in Amazon SES in the stack's region
    /// (`-c healthflow:notifications:from=alerts@your-domain`). README, "Notifications".
    /// </summary>
    public string NotificationSender { get; init; } = DefaultNotificationSender;

    public const string DefaultNotificationSender = "healthflow-alerts@example.org";

    /// <summary>
    /// The region the stack is for: `-c healthflow:region=...`, else the one the cdk CLI resolved
    /// (CDK_DEFAULT_REGION: AWS_REGION, the profile, or us-east-1). The ALB's access-log bucket policy
    /// names the region's ELB log-delivery account, so the template cannot be region-agnostic.
    /// </summary>
    public static string Region(Node node) =>
        node.TryGetContext(RegionKey) as string
        ?? System.Environment.GetEnvironmentVariable("CDK_DEFAULT_REGION")
        ?? throw new InvalidOperationException(
            $"No AWS region: pass -c {RegionKey}=<region> or configure one for the AWS CLI (AWS_REGION or a profile). "
            + "The ALB's access-log bucket policy names the region's ELB log-delivery account.");

    public static DeploymentSettings FromContext(Node node) => new()
    {
        CertificateArn = node.TryGetContext(CertificateArnKey) as string,
        AlarmEmail = node.TryGetContext(AlarmEmailKey) as string,
        HoldAuthApi = Flag(node, HoldAuthApiKey),
        Demo = Flag(node, DemoKey),
        AllowHttp = Flag(node, AllowHttpKey),
        BackupRetentionDays = node.TryGetContext(BackupRetentionDaysKey) switch
        {
            null => DefaultBackupRetentionDays,
            double days => (int)days,
            int days => days,
            string text => int.Parse(text, System.Globalization.CultureInfo.InvariantCulture),
            var other => throw new ArgumentException($"{BackupRetentionDaysKey} must be a number of days, not {other}."),
        },
        Escalation = EscalationFromContext(node),
        NotificationSender = node.TryGetContext(NotificationSenderKey) as string ?? DefaultNotificationSender,
    };

    private static EscalationPolicy EscalationFromContext(Node node)
    {
        var defaults = new EscalationPolicy();
        var policy = new EscalationPolicy
        {
            HighAfter = Delay(node, EscalationHighAfterKey, defaults.HighAfter),
            MediumAfter = Delay(node, EscalationMediumAfterKey, defaults.MediumAfter),
            LowMediumAfter = Delay(node, EscalationLowMediumAfterKey, defaults.LowMediumAfter),
        };
        var errors = policy.Validate(new ValidationContext(policy)).Select(e => e.ErrorMessage).ToList();
        return errors.Count == 0 ? policy : throw new ArgumentException(string.Join(" ", errors));
    }

    private static TimeSpan? Delay(Node node, string key, TimeSpan? fallback) => node.TryGetContext(key) switch
    {
        null => fallback,
        "" or "never" => null,
        string text => TimeSpan.Parse(text, CultureInfo.InvariantCulture),
        var other => throw new ArgumentException($"{key} must be a time such as 00:15:00, or never; not {other}."),
    };

    // `-c key=true` arrives as a string, cdk.json's `true` as a bool.
    private static bool Flag(Node node, string key) => node.TryGetContext(key) switch
    {
        bool value => value,
        string text => bool.Parse(text),
        _ => false,
    };
}
