using System.ComponentModel.DataAnnotations;
using HealthFlow.Domain.Alerts;

namespace HealthFlow.Domain.Tests;

public class AlertRulesOptionsTests
{
    private static List<ValidationResult> Validate(AlertRulesOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void Defaults_are_the_design_thresholds_and_valid()
    {
        var options = new AlertRulesOptions();

        Assert.Equal((7, 7, 5), (options.ScoreThreshold, options.News2HighThreshold, options.News2MediumThreshold));
        Assert.Empty(Validate(options));
    }

    [Theory]
    [InlineData(-1, 7, 5, nameof(AlertRulesOptions.ScoreThreshold))]
    [InlineData(11, 7, 5, nameof(AlertRulesOptions.ScoreThreshold))]
    [InlineData(7, 21, 5, nameof(AlertRulesOptions.News2HighThreshold))]
    [InlineData(7, 7, 0, nameof(AlertRulesOptions.News2MediumThreshold))]
    [InlineData(7, 5, 6, nameof(AlertRulesOptions.News2MediumThreshold))]
    public void Out_of_range_or_inverted_thresholds_fail_validation_naming_the_setting(int score, int high, int medium, string setting)
    {
        var results = Validate(new AlertRulesOptions { ScoreThreshold = score, News2HighThreshold = high, News2MediumThreshold = medium });

        Assert.Contains(results, r => r.MemberNames.Contains(setting));
    }

    [Fact]
    public void A_missed_check_in_is_low_medium_by_default_and_any_other_severity_name_fails_validation()
    {
        Assert.Equal(Severities.LowMedium, new AlertRulesOptions().CheckInMissedSeverity);
        Assert.Empty(Validate(new AlertRulesOptions { CheckInMissedSeverity = Severities.Medium }));
        Assert.Contains(Validate(new AlertRulesOptions { CheckInMissedSeverity = "urgent" }),
            r => r.MemberNames.Contains(nameof(AlertRulesOptions.CheckInMissedSeverity)));
    }
}
