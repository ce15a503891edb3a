using System.ComponentModel.DataAnnotations;

namespace HealthFlow.Notifier;

/// <summary>Section "Smtp": the mail server notifier sends through (maildev locally, Amazon SES's SMTP endpoint on AWS).</summary>
public sealed class SmtpOptions : IValidatableObject
{
    public const string SectionName = "Smtp";

    [Required]
    public string Host { get; set; } = "";

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary>
    /// How the connection is secured: <c>StartTls</c> (required; SES on 587), <c>SslOnConnect</c> (465), or
    /// <c>None</c> (a local development server only; refused for any other host).
    /// </summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Both or neither: SES's SMTP credentials (from Secrets Manager on AWS); none for maildev.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>The sender address (a verified SES identity on AWS).</summary>
    [Required, EmailAddress]
    public string From { get; set; } = "";

    /// <summary>Amazon SES's configuration set for every message (its bounce and complaint handling); none locally.</summary>
    public string? ConfigurationSet { get; set; }

    /// <summary>How long one connect-and-send may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("Username and Password go together: set both, or neither.", [nameof(Username), nameof(Password)]);
        }

        if (Security == SmtpSecurity.None && !IsLoopback(Host))
        {
            yield return new ValidationResult($"Security None is for a local mail server only, not {Host}.", [nameof(Security)]);
        }
    }

    private static bool IsLoopback(string host) =>
        host is "localhost" || (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address));
}

public enum SmtpSecurity { StartTls, SslOnConnect, None }

/// <summary>Section "Notifications": what a message links to and how long one send may hold its intent.</summary>
public sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    /// <summary>The clinician app's base URL; each message links to the alert there (details only after sign-in).</summary>
    [Required, Url]
    public string ClinicianAppUrl { get; set; } = "";

    /// <summary>
    /// How long a claimed intent belongs to the delivery that claimed it. Another delivery of the same event waits
    /// (is retried) until it has passed, so two copies of an event never send at once; past it, an intent left
    /// without an outcome (its sender died) is taken over and sent again. Longer than a send may take (Smtp:Timeout).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ClaimFor { get; set; } = TimeSpan.FromSeconds(60);
}
