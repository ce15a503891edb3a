using HealthFlow.Fhir;
using HealthFlow.Fhir.Out;
using HealthFlow.PatientAccess;
using HealthFlow.ReadModels;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Primitives;
using Task = System.Threading.Tasks.Task;

namespace HealthFlow.Query.Api.Fhir;

/// <summary>
/// FHIR R4 reads under /fhir/r4 (writes are command-api's, FhirWriteEndpoints): the CapabilityStatement,
/// Patient, Observation read and search, Flag and CarePlan search and Patient/$everything, all built from the read
/// models the JSON API reads, with the same authorization (FhirPatientScope).
/// </summary>
public static class FhirReadEndpoints
{
    /// <summary>The most check-ins and alerts $everything returns; past it, the Bundle says it is incomplete.</summary>
    public const int EverythingMaxPages = 10;

    private static readonly HashSet<string> ReservedParameters = new(StringComparer.Ordinal) { "_format", "_pretty" };

    public static IEndpointRouteBuilder MapFhirReadEndpoints(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup(FhirCapabilities.BasePath).WithTags("FHIR R4");

        fhir.MapGet("/metadata", (TimeProvider time) => FhirResults.Ok(FhirCapabilities.Statement(time.GetUtcNow())))
            .AllowAnonymous()
            .WithName("FhirCapabilityStatement")
            .WithSummary("The CapabilityStatement: what this FHIR endpoint supports. Anonymous, as FHIR servers allow.")
            .ProducesFhir(StatusCodes.Status200OK);

        // Every read below is about one patient; FhirPatientScope decides which and whether the caller may see it.
        // The audit filter runs outside the scope filter, so it records the scope's refusals as well as what was sent.
        var scoped = fhir.MapGroup("").WithPatientDataAudit().AddEndpointFilter(FhirPatientScope.Filter);

        scoped.MapGet("/Patient/{patientId}", GetPatientAsync)
            .WithName("FhirReadPatient")
            .WithSummary("One patient as a FHIR Patient.")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        scoped.MapGet("/Patient/{patientId}/$everything", EverythingAsync)
            .WithName("FhirPatientEverything")
            .WithSummary("The patient, their monitoring plan (CarePlan and Goals), the Observations of every check-in and the Flag of every alert, as one Bundle (the \"Download FHIR bundle\" of the clinician app).")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        scoped.MapGet("/Observation", SearchObservationsAsync)
            .WithName("FhirSearchObservations")
            .WithSummary("A patient's check-ins as vital-sign Observations, newest first: patient, _count (check-ins per page), _sort=-date, cursor.")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);

        scoped.MapGet("/Flag", SearchFlagsAsync)
            .WithName("FhirSearchFlags")
            .WithSummary("A patient's alerts as Flags, newest first: patient, _count, cursor.")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);

        scoped.MapGet("/CarePlan", SearchCarePlansAsync)
            .WithName("FhirSearchCarePlans")
            .WithSummary("A patient's monitoring plan in force as a CarePlan, with its Goals included: patient. Empty while none was set.")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);

        // The patient is known only once the Observation is found, so this one authorizes in the handler.
        fhir.MapGet("/Observation/{id}", ReadObservationAsync)
            .WithPatientDataAudit()
            .WithName("FhirReadObservation")
            .WithSummary("One Observation by id ({checkInId}-{kind}).")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        // The audit trail, for admins: who was given or refused this patient's data, newest first.
        fhir.MapGet("/AuditEvent", SearchAuditEventsAsync)
            .WithName("FhirSearchAuditEvents")
            .WithSummary("A patient's audit trail as AuditEvents, newest first (admins only): patient, _count, cursor.")
            .ProducesFhir(StatusCodes.Status200OK, StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);

        // Anything else under the base is a FHIR request too, and gets a FHIR answer.
        fhir.Map("/{**rest}", (HttpContext context) => FhirResults.Error(
                StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotSupported,
                $"{context.Request.Method} {context.Request.Path} is not supported here; see {FhirCapabilities.BasePath}/metadata."))
            .WithName("FhirUnsupported")
            .ExcludeFromDescription();

        return app;
    }

    private static async Task<FhirResult> GetPatientAsync(HttpContext context, PatientReadModel patients, CancellationToken cancellationToken)
    {
        var patientId = FhirPatientScope.PatientOf(context);
        return await patients.GetAsync(patientId, cancellationToken) is { } patient
            ? FhirResults.Ok(PatientResource.From(patient))
            : FhirResults.NotFound($"There is no patient {patientId}.");
    }

    private static async Task<FhirResult> ReadObservationAsync(
        string id, HttpContext context, ObservationReadModel observations, CancellationToken cancellationToken)
    {
        // {checkInId}-{slug}: a GUID is 36 characters.
        if (FhirPatientScope.RequireSignIn(context) is { } unauthorized)
        {
            return unauthorized;
        }

        if (id.Length <= 37 || id[36] != '-' || !Guid.TryParse(id.AsSpan(0, 36), out var checkInId))
        {
            return FhirResults.NotFound($"There is no Observation {id}.");
        }

        var checkIn = await observations.FindAsync(checkInId, cancellationToken);
        if (checkIn is not null && await FhirPatientScope.AuthorizeAsync(context, checkIn.PatientId, $"There is no Observation {id}.", checkInId) is { } denied)
        {
            return denied;
        }

        // Eventually consistent: a just-submitted check-in answers 404 until the projection has stored it.
        if (checkIn is not null && CheckInObservations.From(checkIn).FirstOrDefault(o => o.Id == id) is { } observation)
        {
            context.RecordDisclosed(checkIn.PatientId, FhirPatientScope.ResourceIdsOf(observation));
            return FhirResults.Ok(observation);
        }

        return FhirResults.NotFound($"There is no Observation {id}.");
    }

    private static async Task<FhirResult> SearchObservationsAsync(
        HttpContext context, ObservationReadModel observations, TimeProvider time, CancellationToken cancellationToken)
    {
        if (ReadSearch(context.Request, out var count, out var cursor) is { } invalid)
        {
            return invalid;
        }

        var patientId = FhirPatientScope.PatientOf(context);
        return await SearchPageAsync(
            context, time, patientId, count, "Observation",
            () => observations.ListAsync(patientId, null, null, count, cursor, cancellationToken),
            CheckInObservations.From);
    }

    private static async Task<FhirResult> SearchAuditEventsAsync(
        HttpContext context, AuditReadModel audit, TimeProvider time, CancellationToken cancellationToken)
    {
        if (FhirPatientScope.RequireSignIn(context) is { } unauthorized)
        {
            return unauthorized;
        }

        if (!context.User.IsInRole(HealthFlow.ServiceDefaults.Authentication.HealthFlowRoles.Admin))
        {
            return FhirResults.Error(StatusCodes.Status403Forbidden, OperationOutcome.IssueType.Forbidden, "Only admins read the audit trail.");
        }

        var reference = context.Request.Query[FhirCapabilities.PatientParameter].ToString();
        var id = reference.StartsWith("Patient/", StringComparison.Ordinal) ? reference["Patient/".Length..] : reference;
        if (!Guid.TryParse(id, out var patientId))
        {
            return FhirResults.InvalidParameter(FhirCapabilities.PatientParameter, "Give one patient: patient={id} or patient=Patient/{id}.");
        }

        if (ReadSearch(context.Request, out var count, out var cursor) is { } invalid)
        {
            return invalid;
        }

        return await SearchPageAsync(
            context, time, patientId, count, "AuditEvent",
            () => audit.ListAsync(new AuditQuery(patientId, null, null, null, count, cursor), cancellationToken),
            record => [AuditEventResource.From(record)]);
    }

    private static async Task<FhirResult> SearchFlagsAsync(
        HttpContext context, AlertReadModel alerts, TimeProvider time, CancellationToken cancellationToken)
    {
        if (ReadSearch(context.Request, out var count, out var cursor) is { } invalid)
        {
            return invalid;
        }

        var patientId = FhirPatientScope.PatientOf(context);
        return await SearchPageAsync(
            context, time, patientId, count, "Flag",
            () => alerts.ListAsync(new AlertQuery(AlertStatuses.All, patientId, null, count, cursor), cancellationToken),
            alert => [AlertFlag.From(alert)]);
    }

    /// <summary>One CarePlan per patient (the plan in force), so one page: the CarePlan matches, its Goals are included.</summary>
    private static async Task<FhirResult> SearchCarePlansAsync(
        HttpContext context, PatientReadModel patients, TimeProvider time, CancellationToken cancellationToken)
    {
        if (ReadSearch(context.Request, out var count, out _) is { } invalid)
        {
            return invalid;
        }

        var patientId = FhirPatientScope.PatientOf(context);
        var bundle = SearchSet(context.Request, time, null, patientId, count, "CarePlan");
        if (await patients.GetPlanAsync(patientId, cancellationToken) is { } plan)
        {
            var resources = MonitoringCarePlan.From(plan);
            bundle.Entry.Add(Match(context.Request, resources[0]));
            bundle.Entry.AddRange(resources.Skip(1).Select(goal => Match(context.Request, goal, Bundle.SearchEntryMode.Include)));
        }

        bundle.Total = bundle.Entry.Count(e => e.Search?.Mode == Bundle.SearchEntryMode.Match);
        return FhirResults.Ok(bundle);
    }

    /// <summary>One page of a read model as a searchset Bundle; a tampered cursor is a 400 naming it.</summary>
    private static async Task<FhirResult> SearchPageAsync<T>(
        HttpContext context, TimeProvider time, Guid patientId, int count, string type,
        Func<Task<Page<T>>> readPage, Func<T, IEnumerable<Resource>> toResources)
    {
        Page<T> page;
        try
        {
            page = await readPage();
        }
        catch (InvalidCursorException e)
        {
            return FhirResults.InvalidParameter(FhirCapabilities.CursorParameter, e.Message);
        }

        var bundle = SearchSet(context.Request, time, page.NextCursor, patientId, count, type);
        foreach (var resource in page.Items.SelectMany(toResources))
        {
            bundle.Entry.Add(Match(context.Request, resource));
        }

        return FhirResults.Ok(bundle);
    }

    private static async Task<FhirResult> EverythingAsync(
        HttpContext context,
        PatientReadModel patients,
        ObservationReadModel observations,
        AlertReadModel alerts,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var patientId = FhirPatientScope.PatientOf(context);
        if (await patients.GetAsync(patientId, cancellationToken) is not { } patient)
        {
            return FhirResults.NotFound($"There is no patient {patientId}.");
        }

        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Timestamp = time.GetUtcNow() };
        bundle.Link.Add(new Bundle.LinkComponent { Relation = "self", Url = BaseUrl(context.Request) + context.Request.Path });
        bundle.Entry.Add(Match(context.Request, PatientResource.From(patient)));
        if (await patients.GetPlanAsync(patientId, cancellationToken) is { } plan)
        {
            bundle.Entry.AddRange(MonitoringCarePlan.From(plan).Select(r => Match(context.Request, r)));
        }

        // Bounded like every read: at most EverythingMaxPages pages of each; past that the Bundle says so.
        var complete = true;
        string? cursor = null;
        for (var pages = 0; pages < EverythingMaxPages; pages++)
        {
            var page = await observations.ListAsync(patientId, null, null, FhirCapabilities.MaxCount, cursor, cancellationToken);
            bundle.Entry.AddRange(page.Items.SelectMany(CheckInObservations.From).Select(o => Match(context.Request, o)));
            cursor = page.NextCursor;
            if (cursor is null)
            {
                break;
            }
        }

        complete &= cursor is null;
        cursor = null;
        for (var pages = 0; pages < EverythingMaxPages; pages++)
        {
            var page = await alerts.ListAsync(new AlertQuery(AlertStatuses.All, patientId, null, FhirCapabilities.MaxCount, cursor), cancellationToken);
            bundle.Entry.AddRange(page.Items.Select(a => Match(context.Request, AlertFlag.From(a))));
            cursor = page.NextCursor;
            if (cursor is null)
            {
                break;
            }
        }

        complete &= cursor is null;
        if (!complete)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                Resource = Outcomes.Information(
                    $"Only the newest {EverythingMaxPages * FhirCapabilities.MaxCount} check-ins and alerts are included; page through Observation and Flag searches for older ones."),
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Outcome },
            });
        }

        bundle.Total = bundle.Entry.Count(e => e.Search?.Mode == Bundle.SearchEntryMode.Match);
        return FhirResults.Ok(bundle);
    }

    private static FhirResult? ReadSearch(HttpRequest request, out int count, out string? cursor)
    {
        count = FhirCapabilities.DefaultCount;
        cursor = null;
        foreach (var (name, values) in request.Query)
        {
            switch (name)
            {
                case FhirCapabilities.PatientParameter:
                    break;
                case FhirCapabilities.CountParameter:
                    if (values.Count != 1 || !int.TryParse(values[0], out count) || count is < 1 or > FhirCapabilities.MaxCount)
                    {
                        return FhirResults.InvalidParameter(name, $"_count must be a whole number from 1 to {FhirCapabilities.MaxCount}.");
                    }

                    break;
                case FhirCapabilities.SortParameter:
                    if (values.Count != 1 || values[0] != FhirCapabilities.NewestFirst)
                    {
                        return FhirResults.InvalidParameter(name, $"Only _sort={FhirCapabilities.NewestFirst} (newest first) is supported.");
                    }

                    break;
                case FhirCapabilities.CursorParameter:
                    if (values.Count != 1)
                    {
                        return FhirResults.InvalidParameter(name, "Give one cursor, from a Bundle's next link.");
                    }

                    cursor = values[0];
                    break;
                default:
                    if (!ReservedParameters.Contains(name))
                    {
                        return FhirResults.InvalidParameter(name,
                            $"Unsupported search parameter '{name}'. Supported: {FhirCapabilities.PatientParameter}, {FhirCapabilities.CountParameter}, {FhirCapabilities.SortParameter}={FhirCapabilities.NewestFirst}.");
                    }

                    break;
            }
        }

        return null;
    }

    private static Bundle SearchSet(HttpRequest request, TimeProvider time, string? nextCursor, Guid patientId, int count, string type)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Timestamp = time.GetUtcNow() };
        var search = $"{BaseUrl(request)}{FhirCapabilities.BasePath}/{type}?{FhirCapabilities.PatientParameter}={patientId:D}"
            + $"&{FhirCapabilities.CountParameter}={count}&{FhirCapabilities.SortParameter}={FhirCapabilities.NewestFirst}";
        var cursor = request.Query[FhirCapabilities.CursorParameter];
        bundle.Link.Add(new Bundle.LinkComponent
        {
            Relation = "self",
            Url = StringValues.IsNullOrEmpty(cursor) ? search : $"{search}&{FhirCapabilities.CursorParameter}={Uri.EscapeDataString(cursor!)}",
        });
        if (nextCursor is not null)
        {
            bundle.Link.Add(new Bundle.LinkComponent
            {
                Relation = "next",
                Url = $"{search}&{FhirCapabilities.CursorParameter}={Uri.EscapeDataString(nextCursor)}",
            });
        }

        return bundle;
    }

    private static Bundle.EntryComponent Match(HttpRequest request, Resource resource, Bundle.SearchEntryMode mode = Bundle.SearchEntryMode.Match) => new()
    {
        FullUrl = $"{BaseUrl(request)}{FhirCapabilities.BasePath}/{resource.TypeName}/{resource.Id}",
        Resource = resource,
        Search = new Bundle.SearchComponent { Mode = mode },
    };

    /// <summary>
    /// The scheme and host the client used. Behind the gateway or the ALB that is X-Forwarded-Proto and the
    /// Host the proxy passes on (X-Forwarded-Host from YARP); a value that is not a plain host falls back.
    /// </summary>
    private static string BaseUrl(HttpRequest request)
    {
        var forwarded = request.Headers["X-Forwarded-Proto"].ToString();
        var scheme = forwarded is "http" or "https" ? forwarded : request.Scheme;
        var host = request.Headers["X-Forwarded-Host"].ToString().Split(',')[0].Trim();
        if (host.Length == 0 || Uri.CheckHostName(new HostString(host).Host) == UriHostNameType.Unknown)
        {
            host = request.Host.Value ?? "localhost";
        }

        return $"{scheme}://{host}";
    }
}
