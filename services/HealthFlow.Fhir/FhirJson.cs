using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HealthFlow.Fhir;

/// <summary>FHIR's JSON format, through the Firely SDK's System.Text.Json converters.</summary>
public static class FhirJson
{
    public static readonly JsonSerializerOptions Options = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    public static string Serialize(Resource resource) => JsonSerializer.Serialize(resource, resource.GetType(), Options);
}

/// <summary>A FHIR resource as an HTTP reply in application/fhir+json.</summary>
public sealed class FhirResult(Resource resource, int statusCode, string? location = null) : IResult, IStatusCodeHttpResult
{
    public Resource Resource { get; } = resource;

    public int? StatusCode { get; } = statusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = $"{FhirMediaTypes.Json}; charset=utf-8";
        if (location is not null)
        {
            httpContext.Response.Headers.Location = location;
        }

        await JsonSerializer.SerializeAsync(httpContext.Response.Body, Resource, Resource.GetType(), FhirJson.Options, httpContext.RequestAborted);
    }
}

public static class FhirEndpointMetadata
{
    /// <summary>Declares the statuses an endpoint answers, each with an application/fhir+json body, for the OpenAPI document.</summary>
    public static RouteHandlerBuilder ProducesFhir(this RouteHandlerBuilder builder, params int[] statusCodes)
    {
        foreach (var statusCode in statusCodes)
        {
            builder.Produces(statusCode, responseType: typeof(object), contentType: FhirMediaTypes.Json);
        }

        return builder;
    }
}

/// <summary>FHIR replies: resources, and errors as OperationOutcome.</summary>
public static class FhirResults
{
    public static FhirResult Ok(Resource resource) => new(resource, StatusCodes.Status200OK);

    public static FhirResult Created(Resource resource, string location) => new(resource, StatusCodes.Status201Created, location);

    public static FhirResult Outcome(int statusCode, OperationOutcome outcome) => new(outcome, statusCode);

    public static FhirResult Error(int statusCode, OperationOutcome.IssueType type, string text, params string[] expression) =>
        new(Outcomes.Error(type, text, expression), statusCode);

    public static FhirResult NotFound(string text) => Error(StatusCodes.Status404NotFound, OperationOutcome.IssueType.NotFound, text);

    public static FhirResult InvalidParameter(string name, string text) =>
        new(new OperationOutcome { Issue = [Outcomes.HttpIssue(OperationOutcome.IssueType.Invalid, text, name)] }, StatusCodes.Status400BadRequest);

    public static FhirResult Invalid(string text, params string[] expression) =>
        Error(StatusCodes.Status400BadRequest, OperationOutcome.IssueType.Invalid, text, expression);
}

public static class Outcomes
{
    public static OperationOutcome Error(OperationOutcome.IssueType type, string text, params string[] expression) => new()
    {
        Issue = [Issue(type, text, expression)],
    };

    public static OperationOutcome.IssueComponent Issue(OperationOutcome.IssueType type, string text, params string[] expression) => new()
    {
        Severity = OperationOutcome.IssueSeverity.Error,
        Code = type,
        Details = new CodeableConcept { Text = text },
        Diagnostics = text,
        Expression = [.. expression],
        // Deprecated in R4, and still what many clients read.
        Location = [.. expression],
    };

    /// <summary>An issue with a query parameter or header: FHIR locates those as "http." + name.</summary>
    public static OperationOutcome.IssueComponent HttpIssue(OperationOutcome.IssueType type, string text, string name) => new()
    {
        Severity = OperationOutcome.IssueSeverity.Error,
        Code = type,
        Details = new CodeableConcept { Text = text },
        Diagnostics = text,
        Location = [$"http.{name}"],
    };

    public static OperationOutcome Information(string text) => new()
    {
        Issue =
        [
            new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Information,
                Code = OperationOutcome.IssueType.Informational,
                Details = new CodeableConcept { Text = text },
            },
        ],
    };
}
