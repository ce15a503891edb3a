using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace HealthFlow.Command.Api.CareTeams;

public sealed record CreateCareTeamRequest(string? Name);

public sealed record CareTeamCreatedResponse(Guid CareTeamId);

public sealed record ClinicianMemberRequest(string? ClinicianId);

public sealed record PatientMemberRequest(Guid? PatientId);

public sealed record CareTeamList(IReadOnlyList<CareTeamView> Items);

/// <summary>
/// Care teams: an admin's commands (each an event on careteam-{id}) and the list of teams, which an admin sees
/// whole and a clinician as their own teams. The list is read from the care-team read model, so a change shows
/// there once projected (typically well under a second).
/// </summary>
public static class CareTeamEndpoints
{
    public static IEndpointRouteBuilder MapCareTeamEndpoints(this IEndpointRouteBuilder app)
    {
        var teams = app.MapGroup("/api/care-teams")
            .WithTags("Care teams")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        teams.MapGet("/", ListAsync)
            .RequireAuthorization(HealthFlowPolicies.AdminOrClinician)
            .WithName("ListCareTeams")
            .WithSummary("Every care team for an admin; a clinician's own teams for a clinician.");

        teams.MapPost("/", CreateAsync)
            .RequireAuthorization(HealthFlowPolicies.Admin)
            .WithName("CreateCareTeam")
            .WithSummary("Creates a care team.")
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        var members = teams.MapGroup("/{careTeamId:guid}")
            .RequireAuthorization(HealthFlowPolicies.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        members.MapPost("/clinicians", (Guid careTeamId, ClinicianMemberRequest request, CareTeamCommands commands, HttpContext context, CancellationToken ct) =>
                ChangeClinicianAsync(careTeamId, request, assign: true, commands, context, ct))
            .WithName("AssignClinician").WithSummary("Adds a clinician (by username) to the team.");
        members.MapDelete("/clinicians", (Guid careTeamId, [FromBody] ClinicianMemberRequest request, CareTeamCommands commands, HttpContext context, CancellationToken ct) =>
                ChangeClinicianAsync(careTeamId, request, assign: false, commands, context, ct))
            .WithName("RemoveClinician").WithSummary("Removes a clinician from the team.");
        members.MapPost("/patients", (Guid careTeamId, PatientMemberRequest request, CareTeamCommands commands, HttpContext context, CancellationToken ct) =>
                ChangePatientAsync(careTeamId, request, assign: true, commands, context, ct))
            .WithName("AssignPatient").WithSummary("Adds a patient to the team.");
        members.MapDelete("/patients", (Guid careTeamId, [FromBody] PatientMemberRequest request, CareTeamCommands commands, HttpContext context, CancellationToken ct) =>
                ChangePatientAsync(careTeamId, request, assign: false, commands, context, ct))
            .WithName("RemovePatient").WithSummary("Removes a patient from the team.");
        return app;
    }

    private static async Task<Ok<CareTeamList>> ListAsync(HttpContext context, CareTeamReadModel careTeams, CancellationToken cancellationToken)
    {
        var user = context.User;
        var ids = user.IsInRole(HealthFlowRoles.Admin)
            ? await careTeams.AllTeamIdsAsync(cancellationToken)
            : await careTeams.TeamsOfClinicianAsync(user.GetUserId(), cancellationToken);
        var teams = await Task.WhenAll(ids.Select(id => careTeams.GetAsync(id, cancellationToken)));
        return TypedResults.Ok(new CareTeamList([.. teams.OfType<CareTeamView>().OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase)]));
    }

    private static async Task<Results<Created<CareTeamCreatedResponse>, ValidationProblem>> CreateAsync(
        CreateCareTeamRequest request, CareTeamCommands commands, HttpContext context, CancellationToken cancellationToken)
    {
        var command = new CreateCareTeam(Guid.CreateVersion7(), request.Name, context.User.GetUserId(), context.GetCorrelationId());
        return await commands.CreateAsync(command, cancellationToken) switch
        {
            CareTeamResult.Done { CareTeamId: var id } => TypedResults.Created($"/api/care-teams/{id}", new CareTeamCreatedResponse(id)),
            CareTeamResult.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors),
            var result => throw new InvalidOperationException($"Unhandled care-team result {result}."),
        };
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangeClinicianAsync(
        Guid careTeamId, ClinicianMemberRequest request, bool assign, CareTeamCommands commands, HttpContext context, CancellationToken cancellationToken) =>
        Answer(careTeamId, await commands.ChangeClinicianAsync(
            new ChangeClinician(careTeamId, request.ClinicianId, assign, context.User.GetUserId(), context.GetCorrelationId()), cancellationToken));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangePatientAsync(
        Guid careTeamId, PatientMemberRequest request, bool assign, CareTeamCommands commands, HttpContext context, CancellationToken cancellationToken) =>
        Answer(careTeamId, await commands.ChangePatientAsync(
            new ChangePatient(careTeamId, request.PatientId, assign, context.User.GetUserId(), context.GetCorrelationId()), cancellationToken));

    /// <summary>204 whether or not the command changed anything (assigning twice is harmless); 404 for an unknown team.</summary>
    private static Results<NoContent, ValidationProblem, ProblemHttpResult> Answer(Guid careTeamId, CareTeamResult result) => result switch
    {
        CareTeamResult.Done => TypedResults.NoContent(),
        CareTeamResult.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors),
        CareTeamResult.UnknownTeam => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no care team {careTeamId}."),
        CareTeamResult.StillChanging => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: "The team is changing too often; try again."),
        _ => throw new InvalidOperationException($"Unhandled care-team result {result}."),
    };
}
