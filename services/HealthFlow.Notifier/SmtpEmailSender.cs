using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace HealthFlow.Notifier;

/// <summary>Hands one message to the mail server; returns once the server accepted it, throws if it did not.</summary>
public interface IEmailSender
{
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>MailKit's SMTP client, one connection per message: notifications are rare, and a kept connection would go stale.</summary>
public sealed class SmtpEmailSender(IOptions<SmtpOptions> options) : IEmailSender
{
    /// <summary>How a message sent through SES's SMTP interface names its configuration set.</summary>
    public const string SesConfigurationSetHeader = "X-SES-CONFIGURATION-SET";

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var smtp = options.Value;
        if (smtp.ConfigurationSet is { Length: > 0 } configurationSet)
        {
            message.Headers.Replace(SesConfigurationSetHeader, configurationSet);
        }

        using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        var security = smtp.Security switch
        {
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            SmtpSecurity.None => SecureSocketOptions.None,
            _ => SecureSocketOptions.StartTls,
        };
        await client.ConnectAsync(smtp.Host, smtp.Port, security, cancellationToken);
        if (smtp.Username is { Length: > 0 } username)
        {
            await client.AuthenticateAsync(username, smtp.Password ?? "", cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        try
        {
            await client.DisconnectAsync(quit: true, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or MailKit.ProtocolException or SmtpCommandException)
        {
            // Accepted is sent: a failure to say goodbye must not make the caller record a failure and send again.
        }
    }
}
