using System.ComponentModel.DataAnnotations;
using HealthFlow.Auth.Api;

namespace HealthFlow.Auth.Tests;

public sealed class LoginRateLimitOptionsTests
{
    [Fact]
    public void A_first_block_longer_than_the_longest_is_refused_on_start()
    {
        var errors = Validate(new LoginRateLimitOptions { FirstBackoffSeconds = 901, MaxBackoffSeconds = 900 });

        var error = Assert.Single(errors);
        Assert.Contains(nameof(LoginRateLimitOptions.FirstBackoffSeconds), error.MemberNames);
    }

    [Fact]
    public void The_defaults_block_for_one_second_first_and_fifteen_minutes_at_most()
    {
        var options = new LoginRateLimitOptions();

        Assert.Empty(Validate(options));
        Assert.Equal((5, 1, 900), (options.FreeFailuresPerAccount, options.FirstBackoffSeconds, options.MaxBackoffSeconds));
    }

    private static List<ValidationResult> Validate(LoginRateLimitOptions options)
    {
        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true);
        return errors;
    }
}
