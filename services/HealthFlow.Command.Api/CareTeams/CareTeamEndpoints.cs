using HealthFlow.Domain;
using HealthFlow.Domain.CareTeams;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using HealthFlow.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

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
        members.MapPost("/patients", (Guid careTeamId, PatientMemberRequest request, CareTeamCommands commands, IOptions<DemoWardOptions> options, HttpContext context, CancellationToken ct) =>
                ChangePatientAsync(careTeamId, request, assign: true, commands, options, context, ct))
            .WithName("AssignPatient").WithSummary("Adds a patient to the team.");
        members.MapDelete("/patients", (Guid careTeamId, [FromBody] PatientMemberRequest request, CareTeamCommands commands, IOptions<DemoWardOptions> options, HttpContext context, CancellationToken ct) =>
                ChangePatientAsync(careTeamId, request, assign: false, commands, options, context, ct))
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
        var errors = CareTeam.ValidateName(request.Name, out var name);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var id = await commands.CreateAsync(Guid.CreateVersion7(), name, context.User.GetUserId(), context.GetCorrelationId(), cancellationToken);
        return TypedResults.Created($"/api/care-teams/{id}", new CareTeamCreatedResponse(id));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangeClinicianAsync(
        Guid careTeamId, ClinicianMemberRequest request, bool assign, CareTeamCommands commands, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = CareTeam.ValidateClinicianId(request.ClinicianId);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // Canonical case at the edge: the token's subject is the stored (lower-case) username, and so is the member.
        var clinician = CareTeam.ClinicianIdOf(request.ClinicianId!);
        return await commands.ChangeAsync(careTeamId, context, cancellationToken, (team, by, at) =>
            assign ? team.AssignClinician(clinician, by, at) : team.RemoveClinician(clinician, by, at));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangePatientAsync(
        Guid careTeamId, PatientMemberRequest request, bool assign, CareTeamCommands commands, IOptions<DemoWardOptions> options, HttpContext context, CancellationToken cancellationToken)
    {
        if (request.PatientId is not { } patientId || patientId == Guid.Empty)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [CareTeamFields.PatientId] = ["PatientId is required."] });
        }

        var registered = await commands.PatientExistsAsync(patientId, cancellationToken);
        if (assign && !registered)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [CareTeamFields.PatientId] = [$"There is no patient {patientId}."] });
        }

        var joinedByDefault = DemoWard.JoinedByDefault(careTeamId, options.Value.NewPatientsJoinDemoWard, registered);
        return await commands.ChangeAsync(careTeamId, context, cancellationToken, (team, by, at) =>
            assign ? team.AssignPatient(patientId, by, at, joinedByDefault) : team.RemovePatient(patientId, by, at, joinedByDefault));
    }
}

/// <summary>Runs care-team commands against careteam-{id}: read, decide, append at the version read.</summary>
public sealed class CareTeamCommands(IEventStore eventStore, TimeProvider timeProvider)
{
    private const int MaxAttempts = 5;

    public async Task<Guid> CreateAsync(Guid careTeamId, string name, string by, string correlationId, CancellationToken cancellationToken)
    {
        await eventStore.AppendAsync(
            StreamId.ForCareTeam(careTeamId),
            ExpectedVersion.NoStream,
            [new CareTeamCreated(careTeamId, name, by, timeProvider.GetUtcNow())],
            EventMetadataFactory.FromCurrentActivity(correlationId, userId: by),
            cancellationToken);
        return careTeamId;
    }

    /// <summary>Whether the patient registered (patient-{id} has a commit): an admin cannot assign an id that names no one.</summary>
    public async Task<bool> PatientExistsAsync(Guid patientId, CancellationToken cancellationToken) =>
        await eventStore.GetVersionAsync(StreamId.ForPatient(patientId), cancellationToken) > ExpectedVersion.NoStream;

    /// <summary>204 whether or not the decision changed anything (assigning twice is harmless); 404 for an unknown team.</summary>
    public async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangeAsync(
        Guid careTeamId, HttpContext context, CancellationToken cancellationToken, Func<CareTeam, string, DateTimeOffset, IDomainEvent?> decide)
    {
        var stream = StreamId.ForCareTeam(careTeamId);
        var by = context.User.GetUserId();
        for (var attempt = 1; ; attempt++)
        {
            var events = new List<EventEnvelope>();
            await foreach (var envelope in eventStore.ReadStreamAsync(stream, 1, cancellationToken))
            {
                events.Add(envelope);
            }

            if (CareTeam.From(events) is not { } team)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no care team {careTeamId}.");
            }

            if (decide(team, by, timeProvider.GetUtcNow()) is not { } decided)
            {
                return TypedResults.NoContent();
            }

            try
            {
                await eventStore.AppendAsync(stream, events[^1].Version, [decided],
                    EventMetadataFactory.FromCurrentActivity(context.GetCorrelationId(), userId: by), cancellationToken);
                return TypedResults.NoContent();
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                // Another admin changed the team meanwhile: decide again on the new state.
            }
            catch (ConcurrencyConflictException)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: "The team is changing too often; try again.");
            }
        }
    }
}
