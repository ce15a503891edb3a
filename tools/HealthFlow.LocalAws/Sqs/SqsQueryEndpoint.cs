using System.Diagnostics;
using HealthFlow.LocalAws.Protocol;

namespace HealthFlow.LocalAws.Sqs;

/// <summary>
/// Routes SQS query-protocol requests: form-encoded <c>Action=…</c> posted to / or to a queue URL,
/// or the same fields as a GET query string. The protocol is chosen per request; the queues are the
/// ones the JSON protocol serves (<see cref="SqsService"/>).
/// </summary>
internal sealed partial class SqsQueryEndpoint(SigV4Verifier signatures, SqsService sqs, Access.AccessPolicy access, ILogger<SqsQueryEndpoint> logger)
{
    public static bool IsQueryRequest(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method))
            return request.Query.ContainsKey("Action");
        return HttpMethods.IsPost(request.Method) && (request.HasFormContentType || request.Query.ContainsKey("Action"));
    }

    public async Task HandleAsync(HttpContext context)
    {
        long started = Stopwatch.GetTimestamp();
        string action = string.Empty;
        try
        {
            if (await signatures.VerifyAsync(context, "sqs").ConfigureAwait(false) is { } refused)
                throw refused;
            var parameters = await ReadParametersAsync(context.Request).ConfigureAwait(false);
            action = parameters.GetValueOrDefault("Action") ?? string.Empty;
            if (action.Length == 0)
                throw SqsErrors.MissingAction();
            if (access.Authorize(context, "sqs", () => [Access.AccessRequests.FromSqsQuery(action, parameters, context.Request.Path.Value)]) is { } denied)
                throw denied;
            await sqs.HandleAsync(action, new SqsQueryWire(context, action, parameters)).ConfigureAwait(false);
        }
        catch (AwsServiceException error)
        {
            await WriteErrorAsync(context, error).ConfigureAwait(false);
        }
        catch (InvalidDataException error)
        {
            // A form that cannot be read (e.g. over the form size limits).
            await WriteErrorAsync(context, SqsErrors.MalformedQueryString(error.Message)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (e.g. it stopped while long-polling); nothing to answer.
        }

        if (logger.IsEnabled(LogLevel.Debug))
            LogRequest(action, context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>The query string's fields, then the form's (which win), by exact name.</summary>
    private static async Task<Dictionary<string, string>> ReadParametersAsync(HttpRequest request)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in request.Query)
            parameters[name] = value.ToString();
        if (request.HasFormContentType)
        {
            foreach (var (name, value) in await request.ReadFormAsync(request.HttpContext.RequestAborted).ConfigureAwait(false))
                parameters[name] = value.ToString();
        }

        return parameters;
    }

    /// <summary>AWS's query-protocol error: the legacy code (e.g. AWS.SimpleQueueService.NonExistentQueue) in an ErrorResponse.</summary>
    private static Task WriteErrorAsync(HttpContext context, AwsServiceException error)
    {
        if (context.Response.HasStarted)
            return Task.CompletedTask;
        string code = error.QueryErrorCode ?? error.Type[(error.Type.IndexOf('#') + 1)..];
        return SqsQueryWire.WriteReplyAsync(context, error.StatusCode, xml =>
        {
            xml.WriteStartElement("ErrorResponse", SqsQueryWire.XmlNamespace);
            xml.WriteStartElement("Error");
            xml.WriteElementString("Type", error.SenderFault ? "Sender" : "Receiver");
            xml.WriteElementString("Code", code);
            // Messages may echo input (an id, a name) that XML cannot hold.
            xml.WriteElementString("Message", SqsCharacters.Printable(error.Message));
            xml.WriteElementString("Detail", string.Empty);
            xml.WriteEndElement();
            xml.WriteElementString("RequestId", SqsQueryWire.RequestId(context));
        });
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "SQS query {Action} {Status} {ElapsedMs:0.000}ms")]
    private partial void LogRequest(string action, int status, double elapsedMs);
}
