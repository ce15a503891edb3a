using System.Net;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>`healthflow admin`: how a deployment, which seeds no one, gets the admin who sets up its clinics.</summary>
[Collection(AppHostCollection.Name)]
public sealed class AdminCommandTests(AppHostFixture system)
{
    [Fact]
    public async Task An_operator_creates_the_first_admin_who_can_then_create_teams_and_not_twice()
    {
        var cli = new HealthFlowCli(system.AwsEndpointUrl);
        var api = new HealthFlowApi(system.CreateGatewayClient());
        var username = "a" + Guid.NewGuid().ToString("N")[..12];
        const string password = "first-admin-password";

        var created = await cli.RunWithInputAsync(password, "admin", "--username", username, "--display-name", "Clinic Admin");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.DoesNotContain(password, created.Output + created.Errors, StringComparison.Ordinal);

        var admin = await api.LoginAsync(username, password);
        Assert.Equal("admin", admin.Role);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync(admin, "/api/care-teams", new { name = "First ward" })).StatusCode);

        var again = await cli.RunWithInputAsync("another-password", "admin", "--username", username);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("taken", again.Errors, StringComparison.Ordinal);
        var tooShort = await cli.RunWithInputAsync("short", "admin", "--username", "b" + username);
        Assert.Equal(1, tooShort.ExitCode);
        Assert.Contains("password", tooShort.Errors, StringComparison.Ordinal);
    }
}
