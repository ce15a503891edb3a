using HealthFlow.Domain.Patients;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthFlow.Query.Api.Audit;

/// <summary>GET /api/audit: the audit trail, for admins only. There is no endpoint that changes it.</summary>
public static class AuditEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", ListAsync)
            .RequireAuthorization(HealthFlowPolicies.Admin)
            .WithTags("Audit")
            .WithName("ListAuditRecords")
            .WithSummary("Who was given (or refused) which patient's data, newest first, by patientId or actor, optionally from/to.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static async Task<Results<Ok<Page<AuditRecordView>>, ValidationProblem>> ListAsync(
        AuditReadModel audit,
        CancellationToken cancellationToken,
        Guid? patientId = null,
        string? actor = null,
        DateTimeOffset? from = null,
        DateTimeOffset? to = null,
        int? limit = null,
        string? cursor = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (patientId is null && actor is null)
        {
            errors["patientId"] = ["Give a patientId or an actor: the trail is read by patient or by user."];
        }

        if (actor is not null && !RegistrationValidator.IsWellFormedUsername(actor))
        {
            errors["actor"] = ["Actor must be a username."];
        }

        if (from > to)
        {
            errors["from"] = ["From must not be after to."];
        }

        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"Limit must be from 1 to {MaxLimit}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        try
        {
            return TypedResults.Ok(await audit.ListAsync(
                new AuditQuery(patientId, actor is null ? null : RegistrationValidator.NormalizeUsername(actor), from, to, limit ?? DefaultLimit, cursor),
                cancellationToken));
        }
        catch (InvalidCursorException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = [e.Message] });
        }
    }
}
