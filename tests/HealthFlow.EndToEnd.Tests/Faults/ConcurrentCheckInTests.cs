using System.Net;
using HealthFlow.Cli.Api;
using HealthFlow.Domain.CheckIns;
using HealthFlow.Domain.Events;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>One patient's check-ins arriving all at once: each is its own stream, so none waits for, or loses to, another.</summary>
[Collection(AppHostCollection.Name)]
public sealed class ConcurrentCheckInTests(AppHostFixture system) : IDisposable
{
    private const int CheckIns = 20;

    private readonly HealthFlowApiClient _api = new(system.GatewayUrl, maxConnections: CheckIns + 4);
    private readonly SystemEventStore _store = new(system.AwsEndpointUrl);

    [Fact]
    public async Task Twenty_concurrent_check_ins_of_one_patient_are_all_stored_once_each_in_its_own_stream()
    {
        var patient = (await FaultPatients.RegisterAsync(_api, "burst", 1))[0];
        var patientId = patient.PatientId!.Value;
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var posts = Enumerable.Range(0, CheckIns).Select(async i =>
        {
            await go.Task;
            return await _api.CheckInAsync(patient.AccessToken, new CheckInBody { HeartRate = 60 + i }, idempotencyKey: null, CancellationToken.None);
        }).ToList();
        go.SetResult();
        var outcomes = await Task.WhenAll(posts);

        AssertNonEmpty.All(outcomes, o => Assert.Equal(HttpStatusCode.Accepted, o.Status));
        var accepted = outcomes.Select(o => o.ObservationId!.Value).ToHashSet();
        Assert.Equal(CheckIns, accepted.Count);

        var events = await _store.ObservationsOfAsync(patientId);
        AssertNonEmpty.All(events, e => Assert.Equal((1L, $"observation-{e.DataAs<ObservationSubmitted>().ObservationId:D}"), (e.Version, e.StreamId)));
        var stored = events.Select(e => e.DataAs<ObservationSubmitted>()).ToList();
        Assert.Equal(accepted.Order(), stored.Select(o => o.ObservationId).Order());
        Assert.Equal(Enumerable.Range(60, CheckIns).Select(hr => (int?)hr).Order(), stored.Select(o => o.Vitals.HeartRate).Order());

        await Eventually.UntilAsync(
            async () => (await _api.ListObservationsAsync(patient.AccessToken, patientId, 50, CancellationToken.None)).Count == CheckIns,
            "every check-in to be readable");
        var listed = await _api.ListObservationsAsync(patient.AccessToken, patientId, 50, CancellationToken.None);
        Assert.Equal(accepted.Order(), listed.Select(o => o.ObservationId).Order());
    }

    public void Dispose()
    {
        _api.Dispose();
        _store.Dispose();
    }
}
