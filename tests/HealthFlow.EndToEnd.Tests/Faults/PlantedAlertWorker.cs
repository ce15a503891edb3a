using Amazon;
using Amazon.Extensions.NETCore.Setup;
using Amazon.Runtime;
using HealthFlow.Aws;
using HealthFlow.Aws.EventStore;
using HealthFlow.Aws.Messaging;
using HealthFlow.Aws.Topology;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
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
/// conflict as "raised already". Run it only while the AppHost's alert-worker is stopped.
/// </summary>
public sealed class PlantedAlertWorker : IDisposable
{
    private readonly IHost _host;

    private PlantedAlertWorker(IHost host) => _host = host;

    public static async Task<PlantedAlertWorker> StartAsync(Uri awsEndpoint)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "planted-alert-worker" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["HealthFlow:Outbox:RelayEnabled"] = "false" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var aws = new AWSOptions { Region = RegionEndpoint.USEast1, Credentials = new BasicAWSCredentials("test", "test") };
        aws.DefaultClientConfig.ServiceURL = awsEndpoint.GetLeftPart(UriPartial.Authority);
        builder.Services.AddDefaultAWSOptions(aws);
        builder.AddHealthFlowEventStore();
        builder.AddHealthFlowSqs();
        builder.Services.AddEventConsumers(consumers => consumers
            .Queue(HealthFlowTopology.Queues.AlertEvaluation)
            .Consume<ObservationSubmitted, AppendsAgainOnConflict>());
        var host = builder.Build();
        await host.StartAsync();
        return new PlantedAlertWorker(host);
    }

    public void Dispose()
    {
        _host.StopAsync().GetAwaiter().GetResult();
        _host.Dispose();
    }

    private sealed class AppendsAgainOnConflict(IEventStore eventStore) : IConsumer<ObservationSubmitted>
    {
        public async Task Consume(ConsumeContext<ObservationSubmitted> context)
        {
            var observation = context.Message;
            if (AlertEvaluator.Decide(observation.Vitals, new AlertRulesOptions()) is not { } alert)
            {
                return;
            }

            var alertId = AlertId.For(observation.ObservationId);
            var stream = StreamId.ForAlert(alertId);
            AlertRaised raised = new(
                alertId, observation.PatientId, observation.ObservationId, alert.Severity, alert.Rule, alert.Reasons,
                alert.Score, alert.News2, alert.Partial, DateTimeOffset.UtcNow, alert.Rules);
            var cause = EventMetadataFactory.CausedBy(context.Envelope());
            try
            {
                await eventStore.AppendAsync(stream, ExpectedVersion.NoStream, [raised], cause, context.CancellationToken);
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
