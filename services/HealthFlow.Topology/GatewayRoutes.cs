namespace HealthFlow.Topology;

// The public HTTP surface: which service answers which path. The local YARP
// gateway and the ALB listener rules are both generated from this list, so
// they cannot drift. Patterns use ALB syntax (`*` matches any characters);
// the gateway translates them to YARP route templates. Order is priority.
// Methods, when given, narrow a route to those HTTP methods (an ALB
// http-request-method condition; YARP's Match.Methods): FHIR's base URL is
// one path space whose writes are command-api's and whose reads are query-api's.

public sealed record ServiceRoute(string Service, int Priority, IReadOnlyList<string> PathPatterns, IReadOnlyList<string>? Methods = null);

public static class GatewayRoutes
{
    public const string AuthApi = "auth-api";
    public const string CommandApi = "command-api";
    public const string QueryApi = "query-api";

    public static IReadOnlyList<ServiceRoute> All { get; } =
    [
        new(CommandApi, 10, ["/api/alerts/*/acknowledge"]),
        new(AuthApi, 15, ["/api/alerts/stream-ticket"]),
        new(AuthApi, 20, ["/api/auth/*", "/login"]),
        new(CommandApi, 30, ["/api/observations", "/api/observations/*", "/observations"]),
        // Care teams are an admin's commands, plus the list of them that command-api reads back for the admin page.
        new(CommandApi, 35, ["/api/care-teams", "/api/care-teams/*"]),
        // A clinician's own notification settings: read and written by command-api, their only owner.
        new(CommandApi, 37, ["/api/clinicians/me/notification-settings"]),
        new(QueryApi, 40, ["/api/alerts", "/api/alerts/*", "/alerts"]),
        // A patient's monitoring plan is set by command-api and read back from the read model by query-api.
        new(CommandApi, 45, ["/api/patients/*/monitoring-plan"], Methods: ["PUT"]),
        new(QueryApi, 50, ["/api/patients", "/api/patients/*"]),
        new(QueryApi, 55, ["/api/audit"]),
        new(QueryApi, 57, ["/api/worklist"]),
        new(CommandApi, 60, ["/fhir/r4", "/fhir/r4/Observation"], Methods: ["POST"]),
        new(QueryApi, 70, ["/fhir/r4/*"]),
    ];
}
