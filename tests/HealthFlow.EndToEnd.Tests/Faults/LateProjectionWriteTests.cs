using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HealthFlow.Topology;
using HealthFlow.Cli.Api;
using HealthFlow.Domain.CheckIns;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// A projection write that lands late (LocalAws holds it on its way to DynamoDB) appears in the `by-update`
/// feed behind positions the live tails have already passed. The clinician's live inbox must still show it.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class LateProjectionWriteTests(AppHostFixture system) : IDisposable
{
    // query-api's AlertStream:LookbackMilliseconds, as the test AppHost runs it (the default).
    private static readonly TimeSpan FeedLookback = TimeSpan.FromSeconds(3);
    private static readonly CheckInBody Alarming = new() { Score = 9 };

    private readonly HealthFlowApiClient _api = new(system.GatewayUrl);
    private readonly HttpClient _localAws = new() { BaseAddress = system.AwsEndpointUrl };
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);

    [Fact]
    public async Task An_alert_whose_projection_write_lands_behind_later_ones_still_reaches_the_live_inbox()
    {
        var patients = await FaultPatients.RegisterAsync(_api, "late-write", 2);
        var (late, onTime) = (patients[0], patients[1]);
        var clinician = await FaultPatients.ClinicianAsync(_api);
        // The held write must be this test's: no earlier test's work, nor an escalation of an earlier test's alert
        // (its deadline delayed for seconds, then written to the same table), may still be on its way.
        await _quiescence.WaitForEscalationDeadlinesAsync(TimeSpan.FromMinutes(1));

        var received = new ConcurrentDictionary<Guid, AlertSummary>();
        using var stop = new CancellationTokenSource();
        var stream = new AlertStream(_api, clinician.AccessToken);
        // A missed check-in's alert (ObservationId null) is no check-in's: not one this test waits for.
        var reading = stream.RunAsync(alert =>
        {
            if (alert.ObservationId is { } observationId)
            {
                received[observationId] = alert;
            }
        }, stop.Token);
        await stream.Connected.WaitAsync(TimeSpan.FromSeconds(30));

        // The next write to `alerts` is held: the alert projection has stamped the late patient's alert and
        // is waiting for DynamoDB to take it.
        await SetFaultsAsync(new { lateWriteTable = HealthFlowTopology.Tables.Alerts.Name, lateWriteCount = 1, lateWriteMaxDelayMs = 60_000 });
        try
        {
            var lateAlert = await CheckInAsync(late);
            await Eventually.UntilAsync(async () => await LateWritesLeftAsync() == 0, "the late patient's alert write to be held");
            var stampedBefore = DateTimeOffset.UtcNow;

            // A later alert lands and is pushed, more than the feed's lookback after the held stamp: from now on
            // the tails reread only positions after the held one.
            var afterTheLookback = stampedBefore + FeedLookback + TimeSpan.FromMilliseconds(500) - DateTimeOffset.UtcNow;
            await Task.Delay(afterTheLookback > TimeSpan.Zero ? afterTheLookback : TimeSpan.Zero);
            var onTimeAlert = await CheckInAsync(onTime);
            await Eventually.UntilAsync(() => Task.FromResult(received.ContainsKey(onTimeAlert)), "the later alert on the live stream", TimeSpan.FromSeconds(30));
            Assert.False(received.ContainsKey(lateAlert), "the held alert cannot have been pushed before its write landed");

            // The held write lands now, stamped seconds in the past.
            (await _localAws.DeleteAsync("/_localaws/faults")).EnsureSuccessStatusCode();
            await Eventually.UntilAsync(() => Task.FromResult(received.ContainsKey(lateAlert)), "the late alert on the live stream", TimeSpan.FromSeconds(20));
            Assert.Equal(late.PatientId, received[lateAlert].PatientId);
        }
        finally
        {
            (await _localAws.DeleteAsync("/_localaws/faults")).EnsureSuccessStatusCode();
            await stop.CancelAsync();
            await reading;
        }
    }

    private async Task<Guid> CheckInAsync(LoginResult patient)
    {
        var outcome = await _api.CheckInAsync(patient.AccessToken, Alarming, null, CancellationToken.None);
        Assert.True(outcome.Accepted, $"check-in answered {outcome.Status} {outcome.Error}");
        return outcome.ObservationId!.Value;
    }

    private async Task SetFaultsAsync(object faults) =>
        (await _localAws.PutAsJsonAsync("/_localaws/faults", faults)).EnsureSuccessStatusCode();

    private async Task<int> LateWritesLeftAsync() =>
        (await _localAws.GetFromJsonAsync<JsonObject>("/_localaws/faults"))!["lateWriteCount"]!.GetValue<int>();

    public void Dispose()
    {
        _api.Dispose();
        _localAws.Dispose();
        _quiescence.Dispose();
    }
}
