using System.CommandLine;
using System.Diagnostics;
using System.Net.Sockets;
using Amazon.Runtime;
using HealthFlow.EventBridge;
using HealthFlow.Provisioning;
using HealthFlow.Topology;
using Microsoft.Extensions.Logging;

namespace HealthFlow.Cli.Provisioning;

/// <summary>
/// `healthflow provision`: creates every table, queue, DLQ, the bus and the rules of the topology,
/// idempotently. The AppHost runs it before any service starts.
/// </summary>
internal static class ProvisionCommand
{
    public static Command Create()
    {
        var endpoint = CliHost.AwsEndpointOption();
        var timeout = new Option<int>("--timeout")
        {
            Description = "Seconds to keep retrying while the AWS endpoint is still starting.",
            DefaultValueFactory = _ => 60,
        };
        var command = new Command("provision", "Create or update every table, queue, DLQ, bus and rule of the HealthFlow topology.")
        {
            endpoint,
            timeout,
        };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(endpoint), TimeSpan.FromSeconds(parse.GetValue(timeout)), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Uri? awsEndpoint, TimeSpan retryFor, CancellationToken cancellationToken)
    {
        await using var host = CliHost.Create(awsEndpoint, LogLevel.Information);
        var provisioner = host.Get<TopologyProvisioner>();
        using var activity = CliHost.ActivitySource.StartActivity("provision");
        var started = Stopwatch.StartNew();
        var delay = TimeSpan.FromMilliseconds(250);

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await provisioner.ProvisionAsync(cancellationToken);
                Console.WriteLine($"Provisioned the HealthFlow topology in {started.Elapsed.TotalSeconds:0.0} s "
                    + $"({HealthFlowTopology.Tables.All.Count} tables, {HealthFlowTopology.Queues.All.Count} queues with DLQs, "
                    + $"bus '{HealthFlowTopology.EventBusName}', {HealthFlowTopology.Rules.All.Count} rules).");
                return 0;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsTransient(ex) && started.Elapsed + delay < retryFor)
            {
                Console.Error.WriteLine($"Attempt {attempt}: the AWS endpoint is not ready ({Innermost(ex).Message}); retrying in {delay.TotalSeconds:0.##} s.");
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                Console.Error.WriteLine($"Provisioning failed after {attempt} attempt(s) and {started.Elapsed.TotalSeconds:0.0} s: {ex.GetType().Name}: {ex.Message}");
                if (IsTransient(ex))
                {
                    Console.Error.WriteLine("Is the AWS endpoint running? It is AWS_ENDPOINT_URL or --aws-endpoint.");
                }

                return 1;
            }
        }
    }

    /// <summary>Connection failures, timeouts, 5xx and throttling: what an endpoint still starting (or busy) answers.</summary>
    internal static bool IsTransient(Exception exception) => exception switch
    {
        HttpRequestException or SocketException or TimeoutException or IOException => true,
        TaskCanceledException { InnerException: TimeoutException } => true,
        EventBridgeException eventBridge => eventBridge.IsTransient,
        AmazonServiceException { StatusCode: >= System.Net.HttpStatusCode.InternalServerError } => true,
        AmazonServiceException { ErrorCode: "ThrottlingException" or "ProvisionedThroughputExceededException" or "RequestLimitExceeded" } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsTransient),
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };

    private static Exception Innermost(Exception exception) =>
        exception.InnerException is { } inner ? Innermost(inner) : exception;
}
