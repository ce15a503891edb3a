using System.Text.Json.Serialization.Metadata;
using HealthFlow.LocalAws.Protocol;

namespace HealthFlow.LocalAws.Sqs;

/// <summary>
/// One SQS wire format for one request: reads the typed request from it and writes the typed result
/// back. <see cref="SqsService"/> sees only this, so both protocols share every rule and all state.
/// </summary>
internal abstract class SqsWire(HttpContext context)
{
    /// <summary>The scheme and authority queue URLs are built from, e.g. http://localhost:4566.</summary>
    public string Origin { get; } = $"{context.Request.Scheme}://{context.Request.Host.Value}";

    public CancellationToken Aborted => Context.RequestAborted;

    protected HttpContext Context { get; } = context;

    public abstract ValueTask<T> ReadAsync<T>() where T : class, new();

    public abstract Task WriteAsync<T>(T result) where T : class;

    /// <summary>Answers an action that has no result (DeleteMessage, PurgeQueue, ...).</summary>
    public abstract Task WriteEmptyAsync();
}

/// <summary>The JSON protocol (awsJson1_0): the shapes are serialized as they are.</summary>
internal sealed class SqsJsonWire(HttpContext context, AwsResponder responder) : SqsWire(context)
{
    public override ValueTask<T> ReadAsync<T>() => responder.ReadAsync(TypeInfo<T>());

    public override Task WriteAsync<T>(T result) => responder.WriteAsync(result, TypeInfo<T>());

    public override Task WriteEmptyAsync() => responder.WriteEmptyAsync();

    private static JsonTypeInfo<T> TypeInfo<T>() =>
        SqsJsonContext.Default.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
        ?? throw new InvalidOperationException($"{typeof(T).Name} is not registered in {nameof(SqsJsonContext)}.");
}
