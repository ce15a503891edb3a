using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.SQS.Model;
using HealthFlow.EventBridge;
using Microsoft.Extensions.DependencyInjection;

namespace HealthFlow.LocalAws.Tests;

[Collection(LocalAwsCollection.Name)]
public sealed class EventBridgeConformanceTests(LocalAwsFixture aws)
{
    private EventBridgeClient Events => aws.EventBridge;

    /// <summary>A fresh bus with one rule whose only target is a fresh queue.</summary>
    private async Task<(string Bus, string QueueUrl)> RouteAsync(string pattern)
    {
        var bus = LocalAwsFixture.UniqueName("bus");
        await Events.CreateEventBusAsync(new CreateEventBusRequest(bus));
        var queueUrl = (await aws.Sqs.CreateQueueAsync(LocalAwsFixture.UniqueName("target"))).QueueUrl;
        var queueArn = (await aws.Sqs.GetQueueAttributesAsync(queueUrl, ["QueueArn"])).Attributes["QueueArn"];
        await Events.PutRuleAsync(new PutRuleRequest("route", pattern, bus));
        var targets = await Events.PutTargetsAsync(new PutTargetsRequest("route", [new Target("queue", queueArn)], bus));
        Assert.Equal(0, targets.FailedEntryCount);
        return (bus, queueUrl);
    }

    private async Task<int> DepthAsync(string queueUrl) =>
        int.Parse((await aws.Sqs.GetQueueAttributesAsync(queueUrl, ["ApproximateNumberOfMessages"])).Attributes["ApproximateNumberOfMessages"]);

    [Fact]
    public async Task PutEvents_delivers_the_standard_envelope_to_the_matching_rules_queue()
    {
        var (bus, queueUrl) = await RouteAsync("""{"source":[{"prefix":"healthflow."}],"detail-type":["ObservationSubmitted"]}""");
        var time = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

        var result = await Events.PutEventsAsync(
        [
            new PutEventsRequestEntry("healthflow.command-api", "ObservationSubmitted", """{"eventId":"e-1","data":{"score":9}}""", bus, ["arn:aws:x:1"], time),
            new PutEventsRequestEntry("healthflow.command-api", "AlertAcknowledged", """{"eventId":"e-2"}""", bus),
        ]);

        Assert.Equal(0, result.FailedEntryCount);
        AssertNonEmpty.All(result.Entries, e => Assert.True(e.Succeeded));
        Assert.Equal(1, await DepthAsync(queueUrl));
        var message = Assert.Single((await aws.Sqs.ReceiveMessageAsync(queueUrl)).Messages);
        var envelope = JsonNode.Parse(message.Body)!.AsObject();
        Assert.Equal("0", (string?)envelope["version"]);
        Assert.Equal(result.Entries[0].EventId, (string?)envelope["id"]);
        Assert.Equal("ObservationSubmitted", (string?)envelope["detail-type"]);
        Assert.Equal("healthflow.command-api", (string?)envelope["source"]);
        Assert.Equal("000000000000", (string?)envelope["account"]);
        Assert.Equal("us-east-1", (string?)envelope["region"]);
        Assert.Equal("2025-03-04T05:06:07Z", (string?)envelope["time"]);
        Assert.Equal(["arn:aws:x:1"], envelope["resources"]!.AsArray().Select(r => (string?)r));
        Assert.Equal(9, (int)envelope["detail"]!["data"]!["score"]!);
    }

    public static TheoryData<string, string, string> Patterns => new()
    {
        // pattern, detail that matches, detail that does not
        { """{"detail":{"severity":["high"]}}""", """{"severity":"high"}""", """{"severity":"low"}""" },
        { """{"detail":{"patientId":[{"prefix":"p-"}]}}""", """{"patientId":"p-42"}""", """{"patientId":"x-42"}""" },
        { """{"detail":{"status":[{"anything-but":["acknowledged","closed"]}]}}""", """{"status":"open"}""", """{"status":"closed"}""" },
        { """{"detail":{"note":[{"exists":true}]}}""", """{"note":"dizzy"}""", """{"score":3}""" },
        { """{"detail":{"note":[{"exists":false}]}}""", """{"score":3}""", """{"note":"dizzy"}""" },
        { """{"detail":{"score":[{"numeric":[">",7,"<=",10]}]}}""", """{"score":8}""", """{"score":7}""" },
        { """{"detail":{"reasons":{"rule":["news2"]}}}""", """{"reasons":[{"rule":"score"},{"rule":"news2"}]}""", """{"reasons":[{"rule":"score"}]}""" },
        { """{"detail":{"$or":[{"score":[{"numeric":[">=",8]}]},{"news2":[{"numeric":[">=",5]}]}]}}""", """{"news2":6}""", """{"score":3,"news2":1}""" },
    };

    [Theory]
    [MemberData(nameof(Patterns))]
    public async Task Rules_route_only_the_events_their_pattern_matches(string pattern, string matching, string notMatching)
    {
        var (bus, queueUrl) = await RouteAsync(pattern);

        var result = await Events.PutEventsAsync(
        [
            new PutEventsRequestEntry("healthflow.test", "Probe", matching, bus),
            new PutEventsRequestEntry("healthflow.test", "Probe", notMatching, bus),
        ]);

        Assert.Equal(0, result.FailedEntryCount);
        Assert.Equal(1, await DepthAsync(queueUrl));
        var delivered = Assert.Single((await aws.Sqs.ReceiveMessageAsync(queueUrl)).Messages);
        Assert.Equal(result.Entries[0].EventId, (string?)JsonNode.Parse(delivered.Body)!["id"]);
    }

    [Fact]
    public async Task PutEvents_reports_failed_entries_and_delivers_the_rest()
    {
        var (bus, queueUrl) = await RouteAsync("""{"source":["healthflow.test"]}""");

        var result = await Events.PutEventsAsync(
        [
            new PutEventsRequestEntry("healthflow.test", "Good", "{}", bus),
            new PutEventsRequestEntry("healthflow.test", "NoBus", "{}", "no-such-bus"),
            new PutEventsRequestEntry("healthflow.test", "Bad", "not json", bus),
        ]);

        Assert.Equal(2, result.FailedEntryCount);
        Assert.NotNull(result.Entries[0].EventId);
        Assert.Equal("ResourceNotFoundException", result.Entries[1].ErrorCode);
        Assert.Equal("MalformedDetail", result.Entries[2].ErrorCode);
        Assert.Equal(1, await DepthAsync(queueUrl));
    }

    [Fact]
    public async Task Disabled_rule_delivers_nothing()
    {
        var bus = LocalAwsFixture.UniqueName("bus");
        await Events.CreateEventBusAsync(new CreateEventBusRequest(bus));
        var queueUrl = (await aws.Sqs.CreateQueueAsync(LocalAwsFixture.UniqueName("off"))).QueueUrl;
        var queueArn = (await aws.Sqs.GetQueueAttributesAsync(queueUrl, ["QueueArn"])).Attributes["QueueArn"];
        await Events.PutRuleAsync(new PutRuleRequest("off", """{"source":["s"]}""", bus, RuleState.Disabled));
        await Events.PutTargetsAsync(new PutTargetsRequest("off", [new Target("q", queueArn)], bus));

        await Events.PutEventsAsync([new PutEventsRequestEntry("s", "T", "{}", bus)]);

        Assert.Equal(0, await DepthAsync(queueUrl));
    }

    [Fact]
    public async Task Rules_and_targets_can_be_listed_and_described()
    {
        var bus = LocalAwsFixture.UniqueName("bus");
        var created = await Events.CreateEventBusAsync(new CreateEventBusRequest(bus, "HealthFlow events"));
        var rule = await Events.PutRuleAsync(new PutRuleRequest("alerts", """{"detail-type":["AlertRaised"]}""", bus));
        await Events.PutTargetsAsync(new PutTargetsRequest("alerts", [new Target("projection", "arn:aws:sqs:us-east-1:000000000000:alert-projection")], bus));

        var described = await Events.DescribeEventBusAsync(bus);
        var rules = await Events.ListRulesAsync(new ListRulesRequest(bus));
        var targets = await Events.ListTargetsByRuleAsync(new ListTargetsByRuleRequest("alerts", bus));

        Assert.Equal($"arn:aws:events:us-east-1:000000000000:event-bus/{bus}", created.EventBusArn);
        Assert.Equal(created.EventBusArn, described.Arn);
        Assert.Equal("HealthFlow events", described.Description);
        Assert.NotNull(described.CreationTime);
        Assert.Equal($"arn:aws:events:us-east-1:000000000000:rule/{bus}/alerts", rule.RuleArn);
        var listed = Assert.Single(rules.Rules);
        Assert.Equal(("alerts", RuleState.Enabled, bus), (listed.Name, listed.State, listed.EventBusName));
        Assert.Equal("""{"detail-type":["AlertRaised"]}""", listed.EventPattern);
        Assert.Equal("arn:aws:sqs:us-east-1:000000000000:alert-projection", Assert.Single(targets.Targets).Arn);
        Assert.Equal("default", (await Events.DescribeEventBusAsync("default")).Name);
    }

    [Fact]
    public async Task Invalid_pattern_is_rejected_with_InvalidEventPatternException()
    {
        var error = await Assert.ThrowsAsync<EventBridgeException>(() =>
            Events.PutRuleAsync(new PutRuleRequest("broken", """{"detail":{"score":[{"numeric":[">"]}]}}""")));

        Assert.Equal("InvalidEventPatternException", error.ErrorCode);
    }

    [Fact]
    public async Task Unknown_bus_and_rule_raise_ResourceNotFoundException()
    {
        var noBus = await Assert.ThrowsAsync<EventBridgeException>(() => Events.DescribeEventBusAsync("no-such-bus"));
        var noRule = await Assert.ThrowsAsync<EventBridgeException>(() =>
            Events.PutTargetsAsync(new PutTargetsRequest("no-such-rule", [new Target("t", "arn:aws:sqs:us-east-1:000000000000:q")])));

        Assert.Equal("ResourceNotFoundException", noBus.ErrorCode);
        Assert.Equal("ResourceNotFoundException", noRule.ErrorCode);
    }

    [Fact]
    public async Task Creating_an_existing_bus_raises_ResourceAlreadyExistsException()
    {
        var bus = LocalAwsFixture.UniqueName("bus");
        await Events.CreateEventBusAsync(new CreateEventBusRequest(bus));

        var error = await Assert.ThrowsAsync<EventBridgeException>(() => Events.CreateEventBusAsync(new CreateEventBusRequest(bus)));

        Assert.Equal("ResourceAlreadyExistsException", error.ErrorCode);
    }

    [Fact]
    public async Task Client_registered_through_IHttpClientFactory_signs_and_reaches_the_endpoint()
    {
        var services = new ServiceCollection();
        services.AddEventBridgeClient(options =>
        {
            options.ServiceUrl = aws.Server.BaseUrl;
            options.Region = LocalAwsFixture.Region;
            options.Credentials = new Amazon.Runtime.BasicAWSCredentials("test", "test");
        });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<EventBridgeClient>();

        bool matched = await client.TestEventPatternAsync(
            """{"source":["healthflow.auth-api"]}""",
            """{"id":"1","account":"000000000000","source":"healthflow.auth-api","time":"2025-01-01T00:00:00Z","region":"us-east-1","detail-type":"PatientRegistered","detail":{}}""");

        Assert.True(matched);
    }
}
