using HealthFlow.Domain.Patients;

namespace HealthFlow.Domain.Tests;

public class RegistrationValidatorTests
{
    private const string GoodPassword = "correct horse";

    [Fact]
    public void A_valid_registration_is_normalised()
    {
        var validation = RegistrationValidator.Validate("Alice.Smith_2", GoodPassword, "  Alice Smith ");

        Assert.True(validation.IsValid);
        Assert.Equal(new Registration("alice.smith_2", GoodPassword, "Alice Smith"), validation.Registration);
    }

    [Theory]
    [InlineData("abc", true)]
    [InlineData("a-b", true)]
    [InlineData("ABC", true)]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345", true)]
    [InlineData("ab", false)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456", false)]
    [InlineData("alice smith", false)]
    [InlineData("alice@example", false)]
    [InlineData("zoë", false)]
    [InlineData("\u212Aelvin", false)] // Kelvin sign, which lower-cases to 'k'
    [InlineData(" alice", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Username_is_3_to_32_letters_digits_dots_underscores_or_hyphens(string? username, bool accepted)
    {
        var validation = RegistrationValidator.Validate(username, GoodPassword, "Alice");

        Assert.Equal(accepted, validation.IsValid);
        if (!accepted)
        {
            Assert.Equal(["username"], validation.Errors.Keys);
        }
    }

    [Theory]
    [InlineData(7, false)]
    [InlineData(8, true)]
    [InlineData(128, true)]
    [InlineData(129, false)]
    public void Password_is_8_to_128_characters(int length, bool accepted)
    {
        var validation = RegistrationValidator.Validate("alice", new string('p', length), "Alice");

        Assert.Equal(accepted, validation.IsValid);
        if (!accepted)
        {
            Assert.Equal(["password"], validation.Errors.Keys);
        }
    }

    [Fact]
    public void A_missing_password_is_rejected() =>
        Assert.Equal(["password"], RegistrationValidator.Validate("alice", null, "Alice").Errors.Keys);

    [Theory]
    [InlineData("A", true)]
    [InlineData("   A   ", true)]
    [InlineData("", false)]
    [InlineData("    ", false)]
    [InlineData(null, false)]
    [InlineData("Alice\u0000", false)]
    public void Display_name_is_1_to_100_characters_after_trimming(string? displayName, bool accepted)
    {
        var validation = RegistrationValidator.Validate("alice", GoodPassword, displayName);

        Assert.Equal(accepted, validation.IsValid);
        if (!accepted)
        {
            Assert.Equal(["displayName"], validation.Errors.Keys);
        }
    }

    [Theory]
    [InlineData(100, true)]
    [InlineData(101, false)]
    public void Display_name_length_is_counted_after_trimming(int length, bool accepted) =>
        Assert.Equal(accepted, RegistrationValidator.Validate("alice", GoodPassword, $"  {new string('n', length)}  ").IsValid);

    [Fact]
    public void Every_invalid_field_is_reported_at_once() =>
        Assert.Equal(["username", "password", "displayName"], RegistrationValidator.Validate("a", "short", "").Errors.Keys);

    [Theory]
    [InlineData("Alice", "alice")]
    [InlineData("CLINICIAN1", "clinician1")]
    [InlineData("\u212Aelvin", "\u212Aelvin")]
    public void Login_names_are_normalised_like_registered_ones(string username, string normalised) =>
        Assert.Equal(normalised, RegistrationValidator.NormalizeUsername(username));

    [Fact]
    public void A_registration_never_prints_its_password() =>
        Assert.DoesNotContain(GoodPassword, new Registration("alice", GoodPassword, "Alice").ToString());
}
