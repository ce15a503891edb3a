using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using HealthFlow.LocalAws.Access;
using HealthFlow.LocalAws.DynamoDb;
using HealthFlow.LocalAws.EventBridge;
using HealthFlow.LocalAws.Sqs;

namespace HealthFlow.LocalAws.Protocol;

/// <summary>
/// Routes every AWS JSON-protocol request by its X-Amz-Target header: SQS and EventBridge are served
/// here, DynamoDB is forwarded to dynalite. The signature must be right (SigV4Verifier), and the
/// caller's access key id must be allowed the call (AccessPolicy).
/// </summary>
internal sealed partial class AwsJsonEndpoint(
    SigV4Verifier signatures,
    SqsService sqs,
    EventBridgeService eventBridge,
    DynamoDbForwarder dynamoDb,
    AccessPolicy access,
    Faults.FaultInjector faults,
    ILogger<AwsJsonEndpoint> logger)
{
    public const string SqsTargetPrefix = "AmazonSQS.";
    public const string EventBridgeTargetPrefix = "AWSEvents.";
    public const string DynamoDbTargetPrefix = "DynamoDB_20120810.";

    private const string SqsContentType = "application/x-amz-json-1.0";
    private const string EventBridgeContentType = "application/x-amz-json-1.1";

    public static bool IsAwsRequest(HttpContext context) =>
        context.Request.Headers.ContainsKey("X-Amz-Target");

    public async Task HandleAsync(HttpContext context)
    {
        string target = context.Request.Headers["X-Amz-Target"].ToString();
        long started = Stopwatch.GetTimestamp();

        var refused = await signatures.VerifyAsync(context, ServiceOf(target)).ConfigureAwait(false)
            ?? await AuthorizeAsync(context, target).ConfigureAwait(false);
        if (refused is not null)
        {
            await WriteErrorAsync(context, target.StartsWith(EventBridgeTargetPrefix, StringComparison.Ordinal) ? EventBridgeContentType : SqsContentType, refused)
                .ConfigureAwait(false);
            LogCall(target, context.Response.StatusCode, started);
            return;
        }

        if (target.StartsWith(DynamoDbTargetPrefix, StringComparison.Ordinal))
        {
            await faults.BeforeDynamoDbAsync(context, target[DynamoDbTargetPrefix.Length..]).ConfigureAwait(false);
            await dynamoDb.ForwardAsync(context).ConfigureAwait(false);
            LogCall(target, context.Response.StatusCode, started);
            return;
        }

        bool isSqs = target.StartsWith(SqsTargetPrefix, StringComparison.Ordinal);
        bool isEvents = !isSqs && target.StartsWith(EventBridgeTargetPrefix, StringComparison.Ordinal);
        string contentType = isEvents ? EventBridgeContentType : SqsContentType;
        try
        {
            if (isSqs)
                await sqs.HandleAsync(target[SqsTargetPrefix.Length..], new SqsJsonWire(context, new AwsResponder(context, SqsContentType))).ConfigureAwait(false);
            else if (isEvents)
                await eventBridge.HandleAsync(target[EventBridgeTargetPrefix.Length..], new AwsResponder(context, EventBridgeContentType)).ConfigureAwait(false);
            else
                throw new AwsServiceException("UnknownOperationException", $"Unknown X-Amz-Target '{target}'.");
        }
        catch (AwsServiceException error)
        {
            await WriteErrorAsync(context, contentType, error).ConfigureAwait(false);
        }
        catch (JsonException error)
        {
            // Malformed or mistyped JSON: AWS answers with the Coral SerializationException.
            await WriteErrorAsync(context, contentType, new AwsServiceException(
                "com.amazon.coral.service#SerializationException", error.Message, isSqs ? "SerializationException" : null)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (e.g. it stopped while long-polling); nothing to answer.
        }

        LogCall(target, context.Response.StatusCode, started);
    }

    private static string ServiceOf(string target) =>
        target.StartsWith(DynamoDbTargetPrefix, StringComparison.Ordinal) ? "dynamodb"
        : target.StartsWith(SqsTargetPrefix, StringComparison.Ordinal) ? "sqs"
        : target.StartsWith(EventBridgeTargetPrefix, StringComparison.Ordinal) ? "events"
        : "unknown";

    /// <summary>The access check (AccessPolicy). Only a service's call pays for reading the body twice.</summary>
    private async Task<AwsServiceException?> AuthorizeAsync(HttpContext context, string target)
    {
        if (!access.Enforced || AccessPolicy.CallerKeyId(context.Request) == AccessPolicy.AdministratorKeyId)
            return null;
        var service = ServiceOf(target);
        var operation = service == "unknown" ? target : target[(target.IndexOf('.') + 1)..];

        context.Request.EnableBuffering();
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            body = document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : EmptyObject;
        }
        catch (JsonException)
        {
            body = EmptyObject;
        }

        context.Request.Body.Position = 0;
        if (service == "dynamodb" && DynamoDbRequestShape.Check(operation, body) is { } malformed)
            return malformed;
        try
        {
            return access.Authorize(context, service, () => AccessRequests.FromJson(service, operation, body));
        }
        catch (Exception error) when (error is InvalidOperationException or KeyNotFoundException or ArgumentException or FormatException)
        {
            // A shape the access check cannot read (JsonElement throws on a wrong kind) is the caller's error, not a 500.
            return new AwsServiceException("com.amazon.coral.service#SerializationException", $"The request could not be read: {error.Message}",
                service == "sqs" ? "SerializationException" : null);
        }
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private static async Task WriteErrorAsync(HttpContext context, string contentType, AwsServiceException error)
    {
        if (context.Response.HasStarted)
            return;
        var response = context.Response;
        response.StatusCode = error.StatusCode;
        response.ContentType = contentType;
        response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        if (error.QueryErrorCode is not null)
            response.Headers["x-amzn-query-error"] = $"{error.QueryErrorCode};{(error.SenderFault ? "Sender" : "Receiver")}";
        var body = JsonSerializer.SerializeToUtf8Bytes(new AwsErrorBody(error.Type, error.Message), ProtocolJsonContext.Default.AwsErrorBody);
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private void LogCall(string target, int status, long started)
    {
        if (logger.IsEnabled(LogLevel.Debug))
            LogRequest(target, status, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Target} {Status} {ElapsedMs:0.000}ms")]
    private partial void LogRequest(string target, int status, double elapsedMs);
}

/// <summary>Writes one JSON reply with a Content-Length (no chunking) and a request id.</summary>
internal readonly struct AwsResponder(HttpContext context, string contentType)
{
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    public CancellationToken Aborted => context.RequestAborted;

    public Task WriteAsync<T>(T value, JsonTypeInfo<T> typeInfo) =>
        WriteBytesAsync(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));

    public Task WriteEmptyAsync() => WriteBytesAsync(EmptyObject);

    public Task WriteBytesAsync(byte[] body)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>Reads the request body as <typeparamref name="T"/>; an empty body is an empty request.</summary>
    public async ValueTask<T> ReadAsync<T>(JsonTypeInfo<T> typeInfo) where T : new()
    {
        if (context.Request.ContentLength == 0)
            return new T();
        return await JsonSerializer.DeserializeAsync(context.Request.Body, typeInfo, context.RequestAborted).ConfigureAwait(false) ?? new T();
    }
}

internal sealed record AwsErrorBody(
    [property: System.Text.Json.Serialization.JsonPropertyName("__type")] string Type,
    [property: System.Text.Json.Serialization.JsonPropertyName("message")] string Message);

[System.Text.Json.Serialization.JsonSerializable(typeof(AwsErrorBody))]
internal sealed partial class ProtocolJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
