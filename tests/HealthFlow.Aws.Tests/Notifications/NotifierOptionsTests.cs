using HealthFlow.Notifier.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HealthFlow.Aws.Tests.Notifications;

/// <summary>notifier refuses to start with a mail server it could not use; nothing AWS is needed to tell.</summary>
public sealed class NotifierOptionsTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["Smtp:Host"] = "email-smtp.eu-west-1.amazonaws.com",
        ["Smtp:Port"] = "587",
        ["Smtp:Username"] = "AKIA-SMTP",
        ["Smtp:Password"] = "secret",
        ["Smtp:From"] = "alerts@ward.example.org",
        ["Notifications:ClinicianAppUrl"] = "https://healthflow.example.org/clinician",
    };

    [Fact]
    public async Task Valid_settings_start()
    {
        using var host = Host(Valid);

        await host.StartAsync();
        await host.StopAsync();
    }

    [Theory]
    [InlineData("Smtp:Host", "", "Host")]
    [InlineData("Smtp:From", "not an address", "From")]
    [InlineData("Smtp:Password", "", "Password")]
    [InlineData("Smtp:Security", "None", "Security")]
    [InlineData("Notifications:ClinicianAppUrl", "", "ClinicianAppUrl")]
    public async Task A_setting_notifier_could_not_send_with_stops_the_start_naming_it(string key, string value, string named)
    {
        using var host = Host(new Dictionary<string, string?>(Valid) { [key] = value });

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
    }

    private static IHost Host(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddNotifierOptions();
        return builder.Build();
    }
}
