using Amazon;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;
using HealthFlow.Messaging;
using HealthFlow.Topology;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// A test double of alert-worker with a planted bug, to show that a check can fail: it consumes
/// <c>alert-evaluation</c> through the real SQS transport and event store, decides with the real rules, and on a
/// conflict appends <c>AlertRaised</c> again at the stream's current version, where the real worker takes the
/// conflict as "raised already". Run it only while the AppHost's alert-worker is stopped: it stands in for it, and
/// relays alert-worker's commits from the outbox as it would. It sends no escalation deadlines.
/// </summary>
public sealed class PlantedAlertWorker : IDisposable
{
    private readonly IHost _host;
    private readonly CrashPoint _crashPoint;
    private bool _stopped;

    private PlantedAlertWorker(IHost host, CrashPoint crashPoint) => (_host, _crashPoint) = (host, crashPoint);

    public static async Task<PlantedAlertWorker> StartAsync(Uri awsEndpoint)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "planted-alert-worker" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["HealthFlow:Outbox:Service"] = "alert-worker" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var aws = new AWSOptions { Region = RegionEndpoint.USEast1, Credentials = new BasicAWSCredentials("test", "test") };
        aws.DefaultClientConfig.ServiceURL = awsEndpoint.GetLeftPart(UriPartial.Authority);
        builder.Services.AddDefaultAWSOptions(aws);
        builder.AddHealthFlowEventStore();
        builder.AddHealthFlowSqs();
        builder.Services.AddEventConsumers(consumers => consumers
            .Queue(HealthFlowTopology.Queues.AlertEvaluation)
            .Consume<ObservationSubmitted, AppendsAgainOnConflict>());
        var crashPoint = new CrashPoint();
        builder.Services.AddSingleton(crashPoint);
        var host = builder.Build();
        await host.StartAsync();
        return new PlantedAlertWorker(host, crashPoint);
    }

    /// <summary>
    /// A SIGKILL that lands where a crash costs a redelivery: the next alarming check-in's alert is appended and its
    /// message not yet deleted. Its consumer is held there, and the host is then stopped without letting anything in
    /// flight finish or any handled message be deleted. Returns the check-in whose message was held.
    /// </summary>
    public async Task<Guid> CrashAsync()
    {
        var held = await _crashPoint.ArmAsync();
        _stopped = true;
        try
        {
            // A cancelled token: the consumers are cancelled at once and the queued deletes dropped, as a kill would.
            var stopping = _host.StopAsync(new CancellationToken(canceled: true));
            _crashPoint.Kill();
            await stopping;
        }
        catch (OperationCanceledException)
        {
        }

        return held;
    }

    public void Dispose()
    {
        if (!_stopped)
        {
            _host.StopAsync().GetAwaiter().GetResult();
        }

        _host.Dispose();
    }

    /// <summary>Where <see cref="CrashAsync"/> waits for a consumer to be between its append and its acknowledgement.</summary>
    private sealed class CrashPoint
    {
        private readonly CancellationTokenSource _killed = new();
        private TaskCompletionSource<Guid>? _armed;

        public CancellationToken Killed => _killed.Token;

        public void Kill() => _killed.Cancel();

        public Task<Guid> ArmAsync()
        {
            var armed = new TaskCompletionSource<Guid>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _armed, armed);
            return armed.Task;
        }

        /// <summary>True for the one consumer that takes the crash; it then waits until the host is stopped.</summary>
        public bool TakeCrash(Guid observationId) => Volatile.Read(ref _armed)?.TrySetResult(observationId) == true;
    }

    private sealed class AppendsAgainOnConflict(IEventStore eventStore, CrashPoint crashPoint) : IConsumer<EventEnvelope<ObservationSubmitted>>
    {
        public async Task Consume(ConsumeContext<EventEnvelope<ObservationSubmitted>> context)
        {
            var observation = context.Message.Event;
            if (AlertEvaluator.Decide(observation.Vitals, new AlertRulesOptions()) is not { } alert)
            {
                return;
            }

            var alertId = AlertId.For(observation.ObservationId);
            var stream = StreamId.ForAlert(alertId);
            AlertRaised raised = new(
                alertId, observation.PatientId, observation.ObservationId, alert.Severity, alert.Rule, alert.Reasons,
                alert.Score, alert.News2, alert.Partial, DateTimeOffset.UtcNow, alert.Rules);
            var cause = EventMetadataFactory.CausedBy(context.Message);
            try
            {
                await eventStore.AppendAsync(stream, ExpectedVersion.NoStream, [raised], cause, context.CancellationToken);
                if (crashPoint.TakeCrash(observation.ObservationId))
                {
                    using var killed = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, crashPoint.Killed);
                    await Task.Delay(Timeout.Infinite, killed.Token);
                }
            }
            catch (ConcurrencyConflictException)
            {
                // The planted bug: "someone else wrote first, so write again after them".
                var version = 0L;
                await foreach (var envelope in eventStore.ReadStreamAsync(stream, 1, context.CancellationToken))
                {
                    version = envelope.Version;
                }

                await eventStore.AppendAsync(stream, version, [raised], cause, context.CancellationToken);
            }
        }
    }
}
