using Microsoft.Extensions.Configuration;

namespace HealthFlow.AppHost;

/// <summary>
/// What each service is told locally, besides where AWS is and who it signs as: written once for both ways the
/// AppHost runs it, from source (Program.cs) and from its image (`--containers`, <see cref="ServiceContainers"/>),
/// so the two modes cannot drift apart.
/// </summary>
public static class LocalServiceSettings
{
    /// <summary>maildev's SMTP port (HealthFlowResources.AddMailDev) unless `MailDev:SmtpPort` says otherwise.</summary>
    public const int DefaultMailDevSmtpPort = 1025;

    public static Dictionary<string, string> For(string service, IConfiguration configuration)
    {
        // New patients join "Demo ward" locally; `--CareTeams:NewPatientsJoinDemoWard false` leaves them in no team.
        // command-api decides removals against that join, projections puts it in the read model: both get the same value.
        var newPatientsJoinDemoWard = configuration.GetValue("CareTeams:NewPatientsJoinDemoWard", true) ? "true" : "false";
        // Audit records name the client's address, from the gateway's X-Forwarded-For.
        const string ForwardedHeaders = "ASPNETCORE_FORWARDEDHEADERS_ENABLED";
        return service switch
        {
            "auth-api" => new()
            {
                ["Auth__SeedDemoClinician"] = "true",
                ["Auth__AutoRegisterOnLogin"] = "true",
                // Locally every client is 127.0.0.1 behind the gateway: limit logins per user, not per address.
                ["Auth__LoginRateLimit__PerIpPermitLimit"] = "100000",
                ["Auth__LoginRateLimit__RegisterPerIpPermitLimit"] = "100000",
                [ForwardedHeaders] = "true",
            },
            "command-api" => new()
            {
                // The local demo's care team, "Demo ward", with clinician1 in it.
                ["CareTeams__SeedDemoWard"] = "true",
                ["CareTeams__NewPatientsJoinDemoWard"] = newPatientsJoinDemoWard,
                [ForwardedHeaders] = "true",
            },
            "query-api" => new() { [ForwardedHeaders] = "true" },
            // The escalation policy as the AppHost was given it (`--Escalation:HighAfter=00:00:30` shortens a deadline).
            "alert-worker" => Section(configuration, "Escalation"),
            "projections" => new() { ["CareTeams__NewPatientsJoinDemoWard"] = newPatientsJoinDemoWard },
            // maildev (AddMailDev) on this machine: no TLS, no credentials; the links point at the local clinician app.
            "notifier" => new()
            {
                ["Smtp__Host"] = "127.0.0.1",
                ["Smtp__Port"] = configuration.GetValue("MailDev:SmtpPort", DefaultMailDevSmtpPort).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Smtp__Security"] = "None",
                ["Smtp__From"] = "healthflow@localhost.localdomain",
                ["Notifications__ClinicianAppUrl"] = $"http://localhost:{configuration.GetValue("WebApps:ClinicianPort", 5174)}",
            },
            _ => throw new ArgumentOutOfRangeException(nameof(service), service, "Not a HealthFlow service."),
        };
    }

    /// <summary>A configuration section as environment variables (`Section__Key`), as .NET configuration reads them back.</summary>
    private static Dictionary<string, string> Section(IConfiguration configuration, string section) =>
        configuration.GetSection(section).AsEnumerable(makePathsRelative: true)
            .Where(setting => setting.Value is not null)
            .ToDictionary(setting => $"{section}__{setting.Key.Replace(":", "__", StringComparison.Ordinal)}", setting => setting.Value!);
}
