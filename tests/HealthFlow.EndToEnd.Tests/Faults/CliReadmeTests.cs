using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.SQS;
using HealthFlow.Domain;
using HealthFlow.Domain.Events;
using HealthFlow.Topology;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>The README's operator commands, as written, with no AWS settings beyond where LocalAws listens.</summary>
[Collection(AppHostCollection.Name)]
public sealed class CliReadmeTests(AppHostFixture system) : IDisposable
{
    private readonly HealthFlowCli _cli = new(system.AwsEndpointUrl);
    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly AwsAccess _aws = new(system.AwsEndpointUrl);
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);
    private readonly AmazonSQSClient _sqs = new(
        new BasicAWSCredentials("test", "test"),
        new AmazonSQSConfig { ServiceURL = system.AwsEndpointUrl.ToString(), AuthenticationRegion = "us-east-1" });

    // The test AppHost's LocalAws listens on a free port, not 4566, so only the endpoint is given, the standard way.
    private Dictionary<string, string?> NextToTheAppHost() => new() { ["AWS_ENDPOINT_URL"] = system.AwsEndpointUrl.ToString() };

    [Fact]
    public async Task Replay_as_the_README_shows_it_rebuilds_the_observations_with_no_credentials_configured()
    {
        // A check-in whose row exists before the replay wipes the table, and must exist again after it.
        var patient = await _api.RegisterPatientAsync();
        var observationId = await _api.CheckInAsync(patient, new { score = 3 });
        await ObservationRowAsync(patient, observationId);
        // The replay wipes a table every test reads: first let every earlier test's check-ins land, so that no
        // projection write races the wipe (tests of this collection run one at a time, so none starts meanwhile).
        await _quiescence.WaitAsync();

        var run = await _cli.RunWithEnvironmentAsync(NextToTheAppHost(), "replay", "observations");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("   at ", run.Errors);
        var figures = Regex.Match(run.Output, @"observations: deleted ([\d,]+) items .*wrote ([\d,]+) items");
        Assert.True(figures.Success, run.ToString());
        Assert.True(Count(figures.Groups[1]) >= 1, $"the wipe deleted the rows that existed: {run.Output}");
        Assert.True(Count(figures.Groups[2]) >= 1, $"the replay wrote rows back: {run.Output}");
        await ObservationRowAsync(patient, observationId);
    }

    [Fact]
    public async Task Redrive_as_the_README_shows_it_moves_dead_letters_back_with_no_credentials_configured()
    {
        // A dead letter of our own: a check-in's event as EventBridge delivers it, parked in the DLQ.
        var patient = await _api.RegisterPatientAsync();
        var observationId = await _api.CheckInAsync(patient, new { score = 9 });
        var submitted = await _aws.EventStore.ReadStreamAsync(StreamId.ForObservation(observationId))
            .SingleAsync(e => e.Type == EventTypes.ObservationSubmitted);
        var queue = HealthFlowTopology.Queues.AlertEvaluation;
        var deadLetters = (await _sqs.GetQueueUrlAsync(queue.DeadLetterQueueName)).QueueUrl;
        await _sqs.SendMessageAsync(deadLetters, EventBridgeDelivery(submitted));

        var run = await _cli.RunWithEnvironmentAsync(NextToTheAppHost(), "redrive", queue.Name);

        Assert.True(run.ExitCode == 0, run.ToString());
        var moved = Regex.Match(run.Output, $@"Moved ([\d,]+) message\(s\) from {queue.DeadLetterQueueName} to {queue.Name}");
        Assert.True(moved.Success, run.ToString());
        Assert.True(Count(moved.Groups[1]) >= 1, $"our dead letter was moved: {run.Output}");
        // Back in its queue it is consumed (a redelivery, so it changes nothing), and nothing is left behind.
        await _quiescence.WaitAsync();
        var left = await _sqs.GetQueueAttributesAsync(deadLetters, ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]);
        Assert.Equal(0, left.ApproximateNumberOfMessages + left.ApproximateNumberOfMessagesNotVisible);
    }

    private static int Count(Group figure) => int.Parse(figure.Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    private async Task ObservationRowAsync(HealthFlowApi.Session patient, Guid observationId) =>
        await Eventually.UntilAsync(
            async () => (await _api.ObservationsAsync(patient, patient.PatientId!.Value))
                .Any(o => o["observationId"]!.GetValue<string>() == observationId.ToString()),
            $"observation {observationId} in the observations read model");

    /// <summary>The message EventBridge puts in a rule's target queue: its envelope, with the stored event as the detail.</summary>
    private static string EventBridgeDelivery(EventEnvelope stored) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["version"] = "0",
        ["id"] = Guid.NewGuid().ToString(),
        ["detail-type"] = stored.Type,
        ["source"] = "healthflow.command-api",
        ["account"] = "000000000000",
        ["time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["region"] = "us-east-1",
        ["resources"] = Array.Empty<string>(),
        ["detail"] = JsonSerializer.SerializeToElement(stored, DomainJson.Options),
    });

    [Fact]
    public async Task An_unreachable_endpoint_is_one_line_with_the_fix_and_a_failing_exit_code()
    {
        var run = await _cli.RunWithEnvironmentAsync(new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9" }, "redrive", "alert-evaluation");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Single(run.Errors.Trim().Split('\n'));
        Assert.Contains("cannot reach the AWS endpoint", run.Errors);
        Assert.Contains("Start the AppHost", run.Errors);
    }

    [Fact]
    public async Task Missing_credentials_are_one_line_with_the_fix_and_a_failing_exit_code()
    {
        var run = await _cli.RunWithEnvironmentAsync(new Dictionary<string, string?> { ["AWS_PROFILE"] = "healthflow-no-such-profile" }, "replay", "observations");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Single(run.Errors.Trim().Split('\n'));
        Assert.Contains("no AWS credentials", run.Errors);
        Assert.DoesNotContain("   at ", run.Errors);
    }

    public void Dispose()
    {
        _api.Http.Dispose();
        _aws.Dispose();
        _quiescence.Dispose();
        _sqs.Dispose();
    }
}
