using System.Diagnostics;
using System.Text.Json;
using Amazon.SQS.Model;
using HealthFlow.EventStore;
using MassTransit;
using MassTransit.Mediator;
using Microsoft.Extensions.Logging;

namespace HealthFlow.Messaging;

internal enum DispatchResult
{
    /// <summary>The consumer succeeded: delete the message.</summary>
    Handled,

    /// <summary>The consumer still failed after MassTransit's retries: leave it for SQS to redeliver.</summary>
    Failed,

    /// <summary>Not an event this queue's consumers read (unreadable, or a type nobody here consumes): give it to the DLQ.</summary>
    Undeliverable,
}

/// <summary>What became of one message, and the span that settling it continues.</summary>
internal readonly record struct Dispatched(DispatchResult Result, ActivityContext Trace);

/// <summary>
/// Turns one SQS message into a MassTransit message: reads the EventBridge envelope, picks the
/// message type by detail-type, decodes the event once into an <see cref="EventEnvelope{TEvent}"/>, continues the
/// producer's trace, and sends it through the mediator, whose consume pipeline (retry, filters, scoped consumer)
/// does the rest. The envelope is the message: nothing travels as headers but MassTransit's own.
/// </summary>
internal sealed class MediatorDispatcher(SqsQueue queue, EventTypeMap types, IMediator mediator, ILogger logger, TimeProvider time)
{
    private readonly KeyValuePair<string, object?> _queueTag = new("queue", queue.Name);

    public async Task<Dispatched> DispatchAsync(Message message, int receiveCount, CancellationToken cancellationToken)
    {
        if (!EventMessage.TryParse(message.Body, out var envelope, out var error))
        {
            HealthFlowTelemetry.MessagesFailed.Add(1, _queueTag);
            logger.LogError("Message {MessageId} on {Queue} is not a HealthFlow event ({Error}); giving it to the DLQ", message.MessageId, queue.Name, error);
            return new(DispatchResult.Undeliverable, default);
        }

        if (!types.TryGet(envelope.Type, out var binding))
        {
            HealthFlowTelemetry.MessagesUnknown.Add(1, _queueTag);
            logger.LogWarning("No consumer for {EventType} on {Queue}; giving event {EventId} to the DLQ, from where it can be redriven",
                envelope.Type, queue.Name, envelope.EventId);
            return new(DispatchResult.Undeliverable, default);
        }

        object typed;
        try
        {
            typed = binding.Decode(envelope);
        }
        catch (JsonException ex)
        {
            HealthFlowTelemetry.MessagesFailed.Add(1, _queueTag);
            logger.LogError(ex, "{EventType} {EventId} on {Queue} cannot be read; giving it to the DLQ", envelope.Type, envelope.EventId, queue.Name);
            return new(DispatchResult.Undeliverable, default);
        }

        // Continue the producer's trace: the span that appended the event is this span's parent, and
        // MassTransit's receive and consume spans open under this one.
        ActivityContext.TryParse(envelope.Metadata.Traceparent, envelope.Metadata.Tracestate, isRemote: true, out var parent);
        using var activity = HealthFlowTelemetry.ActivitySource.StartActivity($"receive {queue.Name}", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "aws_sqs");
        activity?.SetTag("messaging.operation.type", "receive");
        activity?.SetTag("messaging.destination.name", queue.Name);
        activity?.SetTag("messaging.message.id", message.MessageId);
        activity?.SetTag("healthflow.event_id", envelope.EventId.ToString());
        activity?.SetTag("healthflow.event_type", envelope.Type);
        activity?.SetTag("healthflow.stream_id", envelope.StreamId);
        activity?.SetTag("healthflow.receive_count", receiveCount);

        var started = time.GetTimestamp();
        try
        {
            await mediator.Send(typed, binding.MessageType, Pipe.Execute<SendContext>(context =>
                {
                    context.MessageId = envelope.EventId;
                    // SQS's receive count, as MassTransit's redelivery count: a consumer can tell a first delivery from a later one.
                    if (receiveCount > 1)
                        context.Headers.Set(MessageHeaders.RedeliveryCount, receiveCount - 1);
                }), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            HealthFlowTelemetry.MessagesFailed.Add(1, _queueTag);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.AddException(ex);
            logger.LogWarning(ex, "Consuming {EventType} {EventId} from {Queue} failed after retries (receive {ReceiveCount} of {MaxReceiveCount}); it will be redelivered",
                envelope.Type, envelope.EventId, queue.Name, receiveCount, queue.Definition.MaxReceiveCount);
            return new(DispatchResult.Failed, activity?.Context ?? default);
        }
        finally
        {
            HealthFlowTelemetry.HandlerDuration.Record(time.GetElapsedTime(started).TotalSeconds, _queueTag);
        }

        HealthFlowTelemetry.MessagesHandled.Add(1, _queueTag);
        return new(DispatchResult.Handled, activity?.Context ?? default);
    }
}
