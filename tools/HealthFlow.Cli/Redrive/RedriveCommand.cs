using System.CommandLine;
using System.Globalization;
using Amazon.SQS;
using HealthFlow.Topology;

namespace HealthFlow.Cli.Redrive;

/// <summary>`healthflow redrive &lt;queue&gt;`: moves the messages of `&lt;queue&gt;-dlq` back to `&lt;queue&gt;`.</summary>
internal static class RedriveCommand
{
    public static Command Create()
    {
        var queue = new Argument<string>("queue") { Description = "The source queue, e.g. alert-evaluation; its dead letters are in the queue's DLQ." };
        queue.AcceptOnlyFromAmong([.. HealthFlowTopology.Queues.All.Select(q => q.Name)]);
        var dryRun = new Option<bool>("--dry-run") { Description = "List the dead letters without moving them." };
        var max = new Option<int?>("--max") { Description = "Move (or list) at most this many messages." };
        var endpoint = CliHost.AwsEndpointOption();
        var command = new Command("redrive", "Move messages from a queue's dead-letter queue back to the queue, after the fault is fixed.")
        {
            queue,
            dryRun,
            max,
            endpoint,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            HealthFlowTopology.Queues.All.Single(q => q.Name == parse.GetRequiredValue(queue)),
            parse.GetValue(dryRun),
            parse.GetValue(max),
            parse.GetValue(endpoint),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(QueueDefinition queue, bool dryRun, int? max, Uri? awsEndpoint, CancellationToken cancellationToken)
    {
        await using var host = CliHost.Create(awsEndpoint);
        using var activity = CliHost.ActivitySource.StartActivity("redrive " + queue.Name);
        RedriveResult result;
        try
        {
            result = await host.Get<DeadLetterRedriver>().RedriveAsync(queue.Name, queue.DeadLetterQueueName, dryRun, max, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (ex is AmazonSQSException || CliErrors.Describe(ex) is not null))
        {
            Console.Error.WriteLine($"Redrive of {queue.DeadLetterQueueName} failed: "
                + (CliErrors.Describe(ex) ?? $"{((AmazonSQSException)ex).ErrorCode}: {ex.Message}"));
            return 1;
        }

        foreach (var message in result.Messages)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {message.MessageId}  received {message.ReceiveCount}x (this listing included)  sent {message.SentAt:u}  {message.Summary}"));
        }

        Console.WriteLine(dryRun
            ? $"{result.Messages.Count} message(s) in {queue.DeadLetterQueueName} (dry run: nothing moved)."
            : $"Moved {result.Moved} message(s) from {queue.DeadLetterQueueName} to {queue.Name}" + (result.Failed > 0 ? $"; {result.Failed} failed and stay in the DLQ." : "."));
        return result.Failed > 0 ? 1 : 0;
    }
}
