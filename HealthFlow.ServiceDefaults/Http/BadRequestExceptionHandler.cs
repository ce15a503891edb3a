using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace HealthFlow.ServiceDefaults.Http;

/// <summary>
/// Turns request-binding failures into problem+json: 400 naming the JSON field that failed to parse,
/// 413 for bodies over the limit, 415 for a non-JSON content type.
/// </summary>
internal sealed class BadRequestExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest || httpContext.Response.HasStarted)
        {
            return false;
        }

        if (badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // The rest of the body is unread: the connection cannot be reused (see RejectOversizeBodies).
            httpContext.Response.Headers.Connection = "close";
        }

        IResult result = badRequest.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => TypedResults.Problem(
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Payload too large",
                detail: $"Request bodies are limited to {HealthFlowHttpExtensions.MaxRequestBodyBytes / 1024} KB."),
            StatusCodes.Status415UnsupportedMediaType => TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                detail: "Send the body as application/json."),
            StatusCodes.Status400BadRequest => TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [FieldOf(badRequest)] = [DescribeBindingFailure(badRequest)] },
                title: "The request is not valid."),
            _ => TypedResults.Problem(statusCode: badRequest.StatusCode, detail: "The request could not be read."),
        };

        await result.ExecuteAsync(httpContext);
        return true;
    }

    /// <summary>`$.heartRate` → `heartRate`; a body that is not JSON at all → `body`; a bad query or route value → its name.</summary>
    internal static string FieldOf(BadHttpRequestException exception)
    {
        if (exception.InnerException is JsonException { Path: { } path } && path.Length > 2 && path.StartsWith("$.", StringComparison.Ordinal))
        {
            return path[2..];
        }

        if (exception.InnerException is JsonException || exception.Message.Contains("request body", StringComparison.OrdinalIgnoreCase))
        {
            return "body";
        }

        // Minimal APIs say e.g. `Failed to bind parameter "int limit" from "abc".`
        var message = exception.Message;
        var open = message.IndexOf('"');
        var close = open >= 0 ? message.IndexOf('"', open + 1) : -1;
        if (open >= 0 && close > open)
        {
            var parameter = message[(open + 1)..close];
            var space = parameter.LastIndexOf(' ');
            return space >= 0 ? parameter[(space + 1)..] : parameter;
        }

        return "request";
    }

    private static string DescribeBindingFailure(BadHttpRequestException exception) => exception.InnerException switch
    {
        JsonException => "The value is not valid JSON of the expected type.",
        _ when exception.Message.Contains("Required parameter", StringComparison.Ordinal) => "A value is required.",
        _ => "The value is not valid.",
    };
}
