using System.Security.Claims;
using HealthFlow.Fhir;
using HealthFlow.PatientAccess;
using HealthFlow.ServiceDefaults.Authentication;
using Hl7.Fhir.Model;

namespace HealthFlow.Query.Api.Fhir;

/// <summary>
/// The one place that decides which patient a FHIR read is about, and whether the caller may read that
/// patient. Every FHIR read goes through <see cref="AuthorizeAsync"/>: the search and Patient endpoints
/// through <see cref="Filter"/> (the patient comes from the route or the patient search parameter), an
/// Observation read once it has found whose Observation it is. FHIR clients expect OperationOutcome,
/// so the failures are OperationOutcome rather than the JSON API's problem+json.
/// It is asynchronous and gets the HttpContext so that a rule needing a lookup (care teams) or a record
/// of the access (audit) can be added here, once, for every FHIR read.
/// </summary>
public static class FhirPatientScope
{
    private const string ItemKey = "healthflow.fhir.patient";

    /// <summary>The patient the filter resolved for this request.</summary>
    public static Guid PatientOf(HttpContext context) =>
        context.Items.TryGetValue(ItemKey, out var value) && value is Guid patientId
            ? patientId
            : throw new InvalidOperationException("The FHIR patient scope filter did not run for this endpoint.");

    /// <summary>
    /// Null when the caller may read the patient's data (a patient themself, a clinician their care teams'
    /// patients); otherwise the OperationOutcome reply: 401 when not signed in, else a 404 worded as for an id
    /// that does not exist (<paramref name="notFoundText"/>), recorded in the audit trail as denied.
    /// </summary>
    public static async ValueTask<FhirResult?> AuthorizeAsync(HttpContext context, Guid patientId, string? notFoundText = null, Guid? resourceId = null)
    {
        if (Authorize(context.User, patientId) is { StatusCode: StatusCodes.Status401Unauthorized } unauthorized)
        {
            return unauthorized;
        }

        if (await context.RequestServices.GetRequiredService<PatientScopes>().MayReadAsync(context.User, patientId, context.RequestAborted))
        {
            return null;
        }

        context.RecordDenied(patientId, resourceId);
        return FhirResults.NotFound(notFoundText ?? $"There is no patient {patientId}.");
    }

    /// <summary>The ids a FHIR reply carries, for its audit record: a Bundle's entries, or the one resource.</summary>
    public static IReadOnlyList<string> ResourceIdsOf(Resource resource) => resource is Bundle bundle
        ? [.. bundle.Entry.Select(e => e.Resource is { } r ? $"{r.TypeName}/{r.Id}" : e.FullUrl).OfType<string>()]
        : [$"{resource.TypeName}/{resource.Id}"];

    /// <summary>Whether the caller is signed in at all: the answer before anything about the request is revealed.</summary>
    public static FhirResult? RequireSignIn(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true ? null : Authorize(context.User, Guid.Empty);

    private static FhirResult? Authorize(ClaimsPrincipal user, Guid patientId)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return FhirResults.Error(StatusCodes.Status401Unauthorized, OperationOutcome.IssueType.Login,
                "Sign in first: send Authorization: Bearer <token> from POST /api/auth/login.");
        }

        return user.MayRead(patientId)
            ? null
            : FhirResults.Error(StatusCodes.Status403Forbidden, OperationOutcome.IssueType.Forbidden, "Patients can read only their own records.");
    }

    /// <summary>Resolves the patient from the route's patientId or the patient search parameter, then authorizes.</summary>
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var resolved = Resolve(context);
        if (resolved.Error is { } error)
        {
            // An anonymous caller learns that it must sign in before it learns anything about its query.
            return RequireSignIn(context) ?? error;
        }

        if (await AuthorizeAsync(context, resolved.PatientId) is { } denied)
        {
            return denied;
        }

        context.Items[ItemKey] = resolved.PatientId;
        var result = await next(invocation);
        if (result is FhirResult { StatusCode: StatusCodes.Status200OK } ok)
        {
            context.RecordDisclosed(resolved.PatientId, ResourceIdsOf(ok.Resource));
        }

        return result;
    }

    private static (Guid PatientId, FhirResult? Error) Resolve(HttpContext context)
    {
        if (context.Request.RouteValues.TryGetValue("patientId", out var routeValue))
        {
            return Guid.TryParse(routeValue as string, out var id)
                ? (id, null)
                : (Guid.Empty, FhirResults.NotFound($"There is no patient {routeValue}."));
        }

        var values = context.Request.Query[FhirCapabilities.PatientParameter];
        if (values.Count != 1 || string.IsNullOrEmpty(values[0]))
        {
            return (Guid.Empty, FhirResults.InvalidParameter(FhirCapabilities.PatientParameter,
                "Give exactly one patient: patient={id} or patient=Patient/{id}. Searches across patients are not supported."));
        }

        var reference = values[0]!;
        var id2 = reference.StartsWith("Patient/", StringComparison.Ordinal) ? reference["Patient/".Length..] : reference;
        return Guid.TryParse(id2, out var patientId)
            ? (patientId, null)
            : (Guid.Empty, FhirResults.InvalidParameter(FhirCapabilities.PatientParameter, "patient must be a patient id or Patient/{id}."));
    }
}
