using System.CommandLine;
using System.Globalization;
using Amazon.DynamoDBv2;
using HealthFlow.EventStore;

namespace HealthFlow.Cli.Outbox;

/// <summary>
/// `healthflow outbox list` and `healthflow outbox replay &lt;streamId&gt; &lt;version&gt;`: the commits the outbox relay
/// set aside because they could not be published, and publishing one once the cause is fixed.
/// </summary>
internal static class OutboxCommand
{
    public static Command Create()
    {
        var listEndpoint = CliHost.AwsEndpointOption();
        var list = new Command("list", "List the commits the outbox relay parked (could not publish): stream, version, events, reason.")
        {
            listEndpoint,
        };
        list.SetAction((parse, cancellationToken) => ListAsync(parse.GetValue(listEndpoint), cancellationToken));

        var stream = new Argument<string>("streamId") { Description = "The parked commit's stream, e.g. observation-0190…, as `outbox list` shows it." };
        var version = new Argument<long>("version") { Description = "The parked commit's version." };
        var replayEndpoint = CliHost.AwsEndpointOption();
        var replay = new Command("replay", "Publish a parked commit to the bus and take it out of the outbox; if the bus refuses it again it stays parked.")
        {
            stream,
            version,
            replayEndpoint,
        };
        replay.SetAction((parse, cancellationToken) => ReplayAsync(
            parse.GetRequiredValue(stream), parse.GetValue(version), parse.GetValue(replayEndpoint), cancellationToken));

        return new Command("outbox", "The commits the outbox relay set aside because they could never be published: list them, replay one.")
        {
            list,
            replay,
        };
    }

    private static async Task<int> ListAsync(Uri? awsEndpoint, CancellationToken cancellationToken)
    {
        await using var host = CliHost.Create(awsEndpoint);
        var count = 0;
        try
        {
            await foreach (var commit in host.Get<OutboxParking>().ListAsync(cancellationToken))
            {
                count++;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {commit.StreamId} {commit.Version}  committed {commit.CommittedAt:u}  {string.Join(", ", commit.EventTypes)}  {commit.Reason}"));
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (ex is AmazonDynamoDBException || CliErrors.Describe(ex) is not null))
        {
            Console.Error.WriteLine("Listing the parked commits failed: " + (CliErrors.Describe(ex) ?? ex.Message));
            return 1;
        }

        Console.WriteLine($"{count} parked commit(s).");
        return 0;
    }

    private static async Task<int> ReplayAsync(string streamId, long version, Uri? awsEndpoint, CancellationToken cancellationToken)
    {
        await using var host = CliHost.Create(awsEndpoint);
        using var activity = CliHost.ActivitySource.StartActivity("outbox replay");
        ReplayOutcome outcome;
        try
        {
            outcome = await host.Get<OutboxParking>().ReplayAsync(streamId, version, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (ex is AmazonDynamoDBException || CliErrors.Describe(ex) is not null))
        {
            Console.Error.WriteLine($"Replaying {streamId} {version} failed: " + (CliErrors.Describe(ex) ?? ex.Message));
            return 1;
        }

        switch (outcome)
        {
            case ReplayOutcome.Replayed replayed:
                Console.WriteLine($"Published {streamId} {version} ({replayed.Events} event(s)); it left the outbox.");
                return 0;
            case ReplayOutcome.StillRefused refused:
                Console.Error.WriteLine($"{streamId} {version} was refused again and stays parked: {refused.Reason}");
                return 1;
            default:
                Console.Error.WriteLine($"{streamId} {version} is not parked (no such commit, published already, or still the relay's).");
                return 1;
        }
    }
}
