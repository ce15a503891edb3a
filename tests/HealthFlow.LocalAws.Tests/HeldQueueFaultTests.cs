using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Amazon.SQS.Model;

namespace HealthFlow.LocalAws.Tests;

/// <summary>
/// The held-queue fault (<c>/_localaws/faults</c>): a held queue keeps its messages and answers every receive as an
/// empty queue until the faults are set again; then a waiting long poll gets them.
/// </summary>
[Collection(LocalAwsCollection.Name)]
public sealed class HeldQueueFaultTests(LocalAwsFixture aws) : IAsyncLifetime
{
    private readonly HttpClient _faults = new() { BaseAddress = new Uri(aws.Server.BaseUrl, "/_localaws/faults") };

    [Fact]
    public async Task A_held_queue_delivers_nothing_until_released_and_then_its_waiting_long_poll_gets_the_message()
    {
        var held = await CreateQueueAsync("held");
        var free = await CreateQueueAsync("free");
        await aws.Sqs.SendMessageAsync(held.Url, "deadline");
        await aws.Sqs.SendMessageAsync(free.Url, "other queue");
        (await _faults.PutAsJsonAsync("", new { heldQueue = held.Name })).EnsureSuccessStatusCode();
        Assert.Equal(held.Name, (await _faults.GetFromJsonAsync<JsonObject>(""))!["heldQueue"]!.GetValue<string>());

        Assert.Equal(["other queue"], await BodiesAsync(free.Url, waitSeconds: 0));
        Assert.Empty(await BodiesAsync(held.Url, waitSeconds: 0));
        var poll = BodiesAsync(held.Url, waitSeconds: 20);
        Assert.Empty(await BodiesAsync(held.Url, waitSeconds: 1));
        // The message is still there, visible: held, not taken.
        var counts = await aws.Sqs.GetQueueAttributesAsync(held.Url, ["ApproximateNumberOfMessages"]);
        Assert.Equal(1, counts.ApproximateNumberOfMessages);
        Assert.False(poll.IsCompleted, "a long poll on a held queue answered while it was held");

        (await _faults.DeleteAsync("")).EnsureSuccessStatusCode();
        Assert.Equal(["deadline"], await poll);
    }

    [Fact]
    public async Task A_held_queue_that_is_held_again_stays_held_and_other_faults_release_it()
    {
        var held = await CreateQueueAsync("again");
        await aws.Sqs.SendMessageAsync(held.Url, "deadline");
        (await _faults.PutAsJsonAsync("", new { heldQueue = held.Name })).EnsureSuccessStatusCode();
        (await _faults.PutAsJsonAsync("", new { heldQueue = held.Name })).EnsureSuccessStatusCode();
        Assert.Empty(await BodiesAsync(held.Url, waitSeconds: 0));

        (await _faults.PutAsJsonAsync("", new { putEventsDelayMs = 0 })).EnsureSuccessStatusCode();
        Assert.Equal(["deadline"], await BodiesAsync(held.Url, waitSeconds: 0));
    }

    [Theory]
    [InlineData("""{"heldQueue":""}""")]
    [InlineData("""{"heldQueue":"alert escalation"}""")]
    [InlineData("""{"heldQueue":"https://sqs/000000000000/alert-escalation"}""")]
    public async Task A_held_queue_that_is_not_a_queue_name_gets_a_problem_naming_the_field(string body)
    {
        var response = await _faults.PutAsync("", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(problem["errors"]!.AsObject().ContainsKey("heldQueue"), $"the problem names heldQueue: {problem}");
    }

    private async Task<(string Name, string Url)> CreateQueueAsync(string prefix)
    {
        var name = LocalAwsFixture.UniqueName(prefix);
        return (name, (await aws.Sqs.CreateQueueAsync(name)).QueueUrl);
    }

    private async Task<List<string>> BodiesAsync(string queueUrl, int waitSeconds) =>
        ((await aws.Sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queueUrl, WaitTimeSeconds = waitSeconds, MaxNumberOfMessages = 10 })).Messages ?? [])
            .Select(m => m.Body)
            .ToList();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _faults.DeleteAsync("");
        _faults.Dispose();
    }
}

/// <summary>Faults set at start are checked as those set at run time are.</summary>
public sealed class FaultStartSettingsTests
{
    [Fact]
    public void LocalAws_refuses_to_start_with_a_held_queue_that_is_not_a_queue_name()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            LocalAwsServer.CreateApplication([], options => options.Faults = new Faults.FaultSettings(HeldQueue: "not a queue")));

        Assert.Contains("heldQueue", error.Message);
    }
}
