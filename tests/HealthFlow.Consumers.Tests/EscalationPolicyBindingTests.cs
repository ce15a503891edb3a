using HealthFlow.Domain.Alerts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthFlow.Consumers.Tests;

/// <summary>alert-worker's escalation policy as configuration and environment variables bind it (README, "Clinical safety").</summary>
public sealed class EscalationPolicyBindingTests
{
    private static EscalationPolicy Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddOptions<EscalationPolicy>().BindConfiguration(EscalationPolicy.SectionName).ValidateDataAnnotations().ValidateOnStart();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<EscalationPolicy>>().Value;
    }

    [Fact]
    public void Times_bind_from_configuration_and_an_empty_value_means_never()
    {
        var policy = Bind(new()
        {
            ["Escalation:HighAfter"] = "00:00:04",
            ["Escalation:MediumAfter"] = "",
            ["Escalation:LowMediumAfter"] = "02:00:00",
        });

        Assert.Equal((TimeSpan.FromSeconds(4), (TimeSpan?)null, TimeSpan.FromHours(2)), (policy.HighAfter, policy.MediumAfter, policy.LowMediumAfter));
    }

    [Fact]
    public void A_deadline_of_zero_is_refused_at_start_naming_the_setting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new() { ["Escalation:HighAfter"] = "00:00:00" }));

        Assert.Contains(nameof(EscalationPolicy.HighAfter), error.Message, StringComparison.Ordinal);
    }
}
