using HealthFlow.Domain.Notifications;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace HealthFlow.Command.Api.Notifications;

/// <summary>
/// The body of <c>PUT /api/clinicians/me/notification-settings</c> and the answer of both methods: where to send
/// (email), which events (<see cref="NotificationKinds"/>), and whether the clinician is on call now.
/// </summary>
public sealed record NotificationSettingsBody(string? Email, IReadOnlyList<string?>? Events, bool? OnCall);

public static class NotificationSettingsEndpoints
{
    public const string Path = "/api/clinicians/me/notification-settings";

    public static IEndpointRouteBuilder MapNotificationSettingsEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Path)
            .RequireAuthorization(HealthFlowPolicies.Clinician)
            .WithTags("Notification settings");

        group.MapGet("", GetAsync)
            .WithName("GetNotificationSettings")
            .WithSummary("The signed-in clinician's notification settings; never set: no address, no events, not on call.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapPut("", PutAsync)
            .WithName("SetNotificationSettings")
            .WithSummary("Replaces the signed-in clinician's notification settings.")
            .WithDescription("Only an on-call clinician is notified. events lists what they want to be told about: " +
                "high-alert, missed-check-in; an escalation reaches every on-call clinician of the patient's care teams, whatever they chose.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return app;
    }

    private static async Task<Ok<NotificationSettingsBody>> GetAsync(NotificationSettingsStore store, HttpContext context, CancellationToken cancellationToken) =>
        TypedResults.Ok(BodyOf(await store.GetAsync(context.User.GetUserId(), cancellationToken)));

    private static async Task<Results<Ok<NotificationSettingsBody>, ValidationProblem>> PutAsync(
        [FromBody] NotificationSettingsBody? body, NotificationSettingsStore store, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = NotificationSettingsValidator.Validate(body?.Email, body?.Events, body?.OnCall);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var settings = new NotificationSettings(body!.Email!, [.. body.Events!.Select(e => e!)], body.OnCall!.Value);
        await store.PutAsync(context.User.GetUserId(), settings, cancellationToken);
        return TypedResults.Ok(BodyOf(settings));
    }

    private static NotificationSettingsBody BodyOf(NotificationSettings settings) => new(settings.Email, settings.Events, settings.OnCall);
}
