using System.Security.Claims;
using System.Text;
using System.Text.Json;
using HealthFlow.Domain.Alerts;
using HealthFlow.PatientAccess;
using HealthFlow.ReadModels;
using HealthFlow.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace HealthFlow.Query.Api.Alerts;

public static class AlertEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;
    private const int ReplayPageSize = 100;

    /// <summary>
    /// The resume position as a query parameter, for EventSource: it cannot send headers, and a client that reopens
    /// the stream with a new ticket opens a new URL, for which the browser sends no Last-Event-ID of its own.
    /// </summary>
    public const string LastEventIdParameter = "lastEventId";

    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder app)
    {
        foreach (var path in new[] { "/api/alerts", "/alerts" })
        {
            app.MapGet(path, ListAsync)
                .RequireAuthorization(HealthFlowPolicies.Clinician)
                .WithTags("Alerts")
                .WithName(path == "/alerts" ? "ListAlertsLegacy" : "ListAlerts")
                .WithSummary("The alerts of the clinician's care-team patients, newest first, with the patient's name.")
                .ProducesProblem(StatusCodes.Status401Unauthorized)
                .ProducesProblem(StatusCodes.Status403Forbidden)
                .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
                .WithPatientDataAudit();
        }

        app.MapGet("/api/alerts/stream", StreamAsync)
            .RequireAuthorization(HealthFlowPolicies.Clinician)
            .WithTags("Alerts")
            .WithName("StreamAlerts")
            .WithSummary("Server-Sent Events of new and changed alerts.")
            .WithDescription("Each event is `event: alert`, `id:` its position and `data:` the alert as in the list. "
                + "Every HeartbeatSeconds (15 by default) without an alert the stream sends `event: heartbeat` with `data: {\"serverTime\":...}`, so a client can tell a quiet stream from a dead one. "
                + "Reconnect with `Last-Event-ID` (or `?lastEventId=` beside the ticket, for EventSource) to resume within 15 minutes and 500 changes (of every care team: the feed is read in order, then filtered); beyond that, or for an unreadable id, the stream sends `event: reset` and the client reloads its list. "
                + "When the access token that opened the stream expires (for a ticket: the token it was issued for), the stream sends `event: expired` and ends: renew the token and reconnect. "
                + "Clients that cannot send headers (EventSource) pass a ticket from POST /api/alerts/stream-ticket as `?ticket=`.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            // Each delivered batch is recorded by the stream itself (RecordDisclosedAsync) before it is written.
            .WithPatientDataAudit();

        return app;
    }

    private static async Task<Results<Ok<Page<AlertView>>, ValidationProblem>> ListAsync(
        AlertReadModel alerts,
        ClaimsPrincipal user,
        PatientScopes scopes,
        CancellationToken cancellationToken,
        string? status = null,
        Guid? patientId = null,
        string? severity = null,
        int? limit = null,
        string? cursor = null) =>
        // A patientId outside the clinician's teams filters to nothing: an empty page, as for an unknown patient.
        await ListAlertsAsync(alerts, status, patientId, severity, limit, cursor, (await scopes.ForAsync(user, cancellationToken)).Patients, cancellationToken);

    /// <summary>Validates the list parameters and queries; shared with GET /api/patients/{id}/alerts.</summary>
    internal static async Task<Results<Ok<Page<AlertView>>, ValidationProblem>> ListAlertsAsync(
        AlertReadModel alerts, string? status, Guid? patientId, string? severity, int? limit, string? cursor, IReadOnlySet<Guid>? scope, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        status ??= AlertStatuses.Open;
        if (!AlertStatuses.QueryValues.Contains(status))
        {
            errors["status"] = [$"Status must be one of: {string.Join(", ", AlertStatuses.QueryValues)}."];
        }

        if (severity is not null && !Severities.All.Contains(severity))
        {
            errors["severity"] = [$"Severity must be one of: {string.Join(", ", Severities.All)}."];
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
            return TypedResults.Ok(await alerts.ListAsync(
                new AlertQuery(status, patientId, severity, limit ?? DefaultLimit, cursor, scope), cancellationToken));
        }
        catch (InvalidCursorException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = [e.Message] });
        }
    }

    private static async Task StreamAsync(
        HttpContext context,
        AlertFeed feed,
        PatientScopes scopes,
        AlertReadModel alerts,
        IOptions<AlertStreamOptions> streamOptions,
        IOptions<JsonOptions> jsonOptions,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        var json = jsonOptions.Value.SerializerOptions;
        // The stream discloses patient data for as long as it is open, so it is open no longer than the token
        // that opened it is valid: at expiry it says so (`expired`) and ends, and the client renews and resumes.
        using var tokenExpiry = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        if (StreamTickets.StreamExpiresAt(context.User) is { } expiresAt)
        {
            var remaining = expiresAt - timeProvider.GetUtcNow();
            tokenExpiry.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-store";
        // Tells nginx-style proxies not to buffer the stream.
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();

        // Only the clinician's care-team patients, kept current while the stream is open (LiveScope).
        using var scope = await LiveScope.StartAsync(scopes, context.User, cancellationToken);
        // Subscribe before catching up, so nothing written in between is lost; duplicates are skipped below.
        using var subscription = feed.Subscribe(scope.Admit);
        scope.OfferLateChangesTo(subscription.Offer);
        await WriteAsync(response, "retry: 3000\n: connected\n\n", cancellationToken);

        var sent = new HashSet<string>(StringComparer.Ordinal);
        // The browser's own reconnect sends the header; a client reopening with a new ticket passes the query value.
        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        if (lastEventId.Length == 0)
        {
            lastEventId = context.Request.Query[LastEventIdParameter].ToString();
        }

        if (lastEventId.Length > 0)
        {
            // Resume within a bounded window and a bounded number of changes READ, whoever's they are: the feed
            // has one order for every care team, and a small team's clinician must not make this instance read
            // a busy hospital's quarter of an hour. Past either bound, say so, and the client reloads its list.
            var position = lastEventId.Length <= 128 ? feed.ResumeFrom(lastEventId) : null;
            var maxRead = streamOptions.Value.MaxReplayedEvents;
            var read = 0;
            while (position is not null)
            {
                if (read >= maxRead)
                {
                    position = null;
                    break;
                }

                var pageSize = Math.Min(ReplayPageSize, maxRead - read);
                var missed = await alerts.ReadFeedAsync(position, pageSize, cancellationToken);
                read += missed.Count;
                feed.RecordReplayRead(missed.Count);
                // The lookback rereads a little before the client's position; what it has seen is not resent.
                var batch = missed.Where(change => change.UpdatedKey != lastEventId && scope.Includes(change.Alert.PatientId)).ToList();
                if (!await DeliverAsync(context, batch, json, cancellationToken))
                {
                    return;
                }

                foreach (var change in batch)
                {
                    sent.Add(DedupeKey(change));
                }

                if (missed.Count < pageSize)
                {
                    break;
                }

                position = missed[^1].UpdatedKey;
            }

            if (position is null)
            {
                await WriteAsync(response, "event: reset\ndata: {}\n\n", cancellationToken);
            }
        }

        var heartbeat = TimeSpan.FromSeconds(streamOptions.Value.HeartbeatSeconds);
        var nextHeartbeat = timeProvider.GetUtcNow() + heartbeat;
        var reader = subscription.Changes;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (tokenExpiry.IsCancellationRequested)
            {
                await WriteAsync(response, "event: expired\ndata: {}\n\n", cancellationToken);
                return;
            }

            // Due from the last write, not from the last wake-up: changes this stream filters out must not
            // postpone the heartbeat the client's watchdog waits for.
            var untilHeartbeat = nextHeartbeat - timeProvider.GetUtcNow();
            if (untilHeartbeat <= TimeSpan.Zero)
            {
                await WriteAsync(response, Heartbeat(timeProvider), cancellationToken);
                nextHeartbeat = timeProvider.GetUtcNow() + heartbeat;
                continue;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, tokenExpiry.Token);
            wait.CancelAfter(untilHeartbeat);
            bool more;
            try
            {
                more = await reader.WaitToReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The heartbeat is written at the top of the loop, or the expiry is.
                continue;
            }

            if (!more)
            {
                // The feed dropped this connection for falling behind; the client reconnects with Last-Event-ID.
                return;
            }

            var delivery = new List<AlertChange>();
            while (reader.TryRead(out var change))
            {
                if ((sent.Count > 0 && sent.Remove(DedupeKey(change))) || !scope.Includes(change.Alert.PatientId))
                {
                    continue;
                }

                delivery.Add(change);
            }

            if (!await DeliverAsync(context, delivery, json, cancellationToken))
            {
                return;
            }

            if (delivery.Count > 0)
            {
                nextHeartbeat = timeProvider.GetUtcNow() + heartbeat;
            }
        }
    }

    /// <summary>
    /// Writes one batch of changes after its audit records are stored. If they cannot be, the stream ends
    /// without sending them, and the client resumes from its Last-Event-ID later.
    /// </summary>
    private static async Task<bool> DeliverAsync(HttpContext context, IReadOnlyList<AlertChange> batch, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return true;
        }

        try
        {
            await context.RecordDisclosedAsync(batch.Select(change => change.Alert));
        }
        catch (AuditUnavailableException)
        {
            return false;
        }

        await WriteAsync(context.Response, string.Concat(batch.Select(change => Format(change, json))), cancellationToken);
        return true;
    }

    /// <summary>
    /// A named event, not an SSE comment: EventSource surfaces only events, and the client's watchdog must see the
    /// stream alive while no alert changes.
    /// </summary>
    private static string Heartbeat(TimeProvider timeProvider) =>
        $"event: heartbeat\ndata: {{\"serverTime\":\"{timeProvider.GetUtcNow():O}\"}}\n\n";

    private static string DedupeKey(AlertChange change) => $"{change.Alert.AlertId}#{change.Version}";

    private static string Format(AlertChange change, JsonSerializerOptions json) =>
        $"id: {change.UpdatedKey}\nevent: alert\ndata: {JsonSerializer.Serialize(change.Alert, json)}\n\n";

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
