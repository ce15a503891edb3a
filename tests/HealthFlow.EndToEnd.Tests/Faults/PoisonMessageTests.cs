using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.Cli.Api;
using HealthFlow.Topology;
using Microsoft.Extensions.DependencyInjection;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// The operator's drill for a message its consumer cannot handle: the patients table is lost, so every
/// PatientRegistered fails in the projection; after five receives SQS parks it in the DLQ. The operator
/// fixes the fault (`healthflow provision` recreates the table), redrives the DLQ, and replays what the
/// lost table held. Runs in the shared collection (one test at a time) and restores everything it breaks.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class PoisonMessageTests(AppHostFixture system) : IDisposable
{
    private static readonly QueueDefinition Queue = HealthFlowTopology.Queues.PatientProjection;
    private static readonly TableDefinition Table = HealthFlowTopology.Tables.Patients;

    private readonly HealthFlowApiClient _api = new(system.GatewayUrl);
    private readonly SystemEventStore _aws = new(system.AwsEndpointUrl);
    private readonly HealthFlowCli _cli = new(system.AwsEndpointUrl);

    private IAmazonSQS Sqs => _aws.Services.GetRequiredService<IAmazonSQS>();

    private IAmazonDynamoDB Dynamo => _aws.Services.GetRequiredService<IAmazonDynamoDB>();

    [Fact]
    public async Task A_message_that_fails_five_times_is_dead_lettered_and_redrive_delivers_it_after_the_fix()
    {
        var clinician = await FaultPatients.ClinicianAsync(_api);
        var earlier = (await FaultPatients.RegisterAsync(_api, "before", 1))[0];
        await Eventually.UntilAsync(async () => await NameOfAsync(clinician, earlier) is not null, "the earlier patient to be projected");
        var queueUrl = (await Sqs.GetQueueUrlAsync(Queue.Name)).QueueUrl;
        var deadLetterUrl = (await Sqs.GetQueueUrlAsync(Queue.DeadLetterQueueName)).QueueUrl;
        LoginResult poisoned;
        // The table goes away for every service: first let every earlier test's work land, so that nothing but this
        // test's own registration can meet the missing table (tests of this collection run one at a time).
        using (var quiescence = new SystemQuiescence(system.AwsEndpointUrl))
        {
            await quiescence.WaitAsync();
        }

        try
        {
            // Five failed receives in seconds instead of five visibility timeouts of 30 s.
            await Sqs.SetQueueAttributesAsync(queueUrl, new Dictionary<string, string> { ["VisibilityTimeout"] = "1" });
            await Dynamo.DeleteTableAsync(Table.Name);
            await Eventually.UntilAsync(async () => !await TableExistsAsync(), "the patients table to be gone");

            poisoned = (await FaultPatients.RegisterAsync(_api, "poison", 1))[0];

            var listing = await Eventually.GetAsync(async () =>
            {
                var run = await _cli.RunAsync("redrive", Queue.Name, "--dry-run");
                Assert.True(run.ExitCode == 0, run.ToString());
                return run.Output.Contains($"patient-{poisoned.PatientId}", StringComparison.Ordinal) ? run : null;
            }, "the registration to be dead-lettered", TimeSpan.FromSeconds(90));
            var line = listing.Output.Split('\n').Single(l => l.Contains($"patient-{poisoned.PatientId}", StringComparison.Ordinal));
            Assert.Contains("PatientRegistered", line);
            // Five failed deliveries, plus the listing's own receive from the DLQ.
            Assert.Contains($"received {HealthFlowTopology.MaxReceiveCount + 1}x", line);
        }
        finally
        {
            // The fix: the table back, and the queue's settings back to the topology's.
            var provision = await _cli.RunAsync("provision");
            Assert.True(provision.ExitCode == 0, provision.ToString());
        }

        var redrive = await _cli.RunAsync("redrive", Queue.Name);
        Assert.True(redrive.ExitCode == 0, redrive.ToString());
        Assert.Contains($"from {Queue.DeadLetterQueueName} to {Queue.Name}", redrive.Output);
        Assert.Equal("poison patient 0", await Eventually.GetAsync(() => NameOfAsync(clinician, poisoned), "the redriven registration to be projected"));
        Assert.Equal(0, await VisibleAsync(deadLetterUrl));

        // The recreated table is empty: everything it held before comes back from the event store.
        Assert.Null(await NameOfAsync(clinician, earlier));
        var replay = await _cli.RunAsync("replay", "patients");
        Assert.True(replay.ExitCode == 0, replay.ToString());
        Assert.Equal("before patient 0", await NameOfAsync(clinician, earlier));
    }

    private Task<string?> NameOfAsync(LoginResult clinician, LoginResult patient) =>
        _api.GetPatientNameAsync(clinician.AccessToken, patient.PatientId!.Value, CancellationToken.None);

    private async Task<bool> TableExistsAsync()
    {
        try
        {
            await Dynamo.DescribeTableAsync(Table.Name);
            return true;
        }
        catch (Amazon.DynamoDBv2.Model.ResourceNotFoundException)
        {
            return false;
        }
    }

    private async Task<int> VisibleAsync(string queueUrl) =>
        (await Sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = queueUrl, AttributeNames = ["ApproximateNumberOfMessages"] }))
            .ApproximateNumberOfMessages;

    public void Dispose()
    {
        _api.Dispose();
        _aws.Dispose();
    }
}
