using HealthFlow.Auth.Api.Tokens;
using HealthFlow.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthFlow.Auth.Api;

public sealed record StreamTicketResponse(string Ticket, int ExpiresIn);

/// <summary>
/// POST /api/alerts/stream-ticket: the gateway routes it here, to the holder of the signing key, although
/// the stream itself is query-api's. The browser sends its access token in the header and gets a ticket for
/// the one URL that must carry a credential.
/// </summary>
public static class StreamTicketEndpoints
{
    public static IEndpointRouteBuilder MapStreamTicketEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost(StreamTickets.Path, Issue)
            .RequireAuthorization(HealthFlowPolicies.Clinician)
            .WithTags("Alerts")
            .WithName("IssueAlertStreamTicket")
            .WithSummary("A 30-second, single-use ticket for GET /api/alerts/stream?ticket=…, for clients that cannot send headers.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static Ok<StreamTicketResponse> Issue(HttpContext context, StreamTicketIssuer tickets)
    {
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new StreamTicketResponse(tickets.Issue(context.User), StreamTickets.LifetimeSeconds));
    }
}
