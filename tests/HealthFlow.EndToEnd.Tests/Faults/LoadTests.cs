using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using HealthFlow.Cli.Api;
using HealthFlow.Cli.Bench;
using HealthFlow.Domain.Events;
using Xunit.Abstractions;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// A bounded load test through the gateway, on loopback only: 200 concurrent clients check in back to
/// back. Nothing may answer 5xx, and every accepted check-in must be in the event store exactly once.
/// It runs 20 s by default to keep `dotnet test` short; set HEALTHFLOW_LOAD_TEST_SECONDS=60 for the full run.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class LoadTests(AppHostFixture system, ITestOutputHelper output) : IDisposable
{
    private const int Clients = 200;
    private const int Patients = 50;

    private readonly HealthFlowApiClient _api = new(system.GatewayUrl, maxConnections: Clients + 16);
    private readonly SystemEventStore _store = new(system.AwsEndpointUrl);
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);

    private static TimeSpan Duration =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("HEALTHFLOW_LOAD_TEST_SECONDS"), CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? seconds
            : 20);

    [Fact]
    public async Task Two_hundred_concurrent_clients_get_no_server_error_and_every_accepted_check_in_is_stored_once()
    {
        Assert.True(system.GatewayUrl.IsLoopback, "the load test only ever targets a gateway on this machine");
        var patients = await FaultPatients.RegisterAsync(_api, "load", Patients);
        var accepted = new ConcurrentDictionary<Guid, ConcurrentBag<Guid>>();
        var answers = new ConcurrentDictionary<string, int>();
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            // Four clients per patient, as when several devices of one household upload at once.
            var patient = patients[client % Patients];
            for (long n = client; clock.Elapsed < Duration; n += Clients)
            {
                var outcome = await _api.CheckInAsync(patient.AccessToken, CheckInMix.NormalCheckIn(n), idempotencyKey: null, CancellationToken.None);
                answers.AddOrUpdate(outcome.Status is { } status ? ((int)status).ToString(CultureInfo.InvariantCulture) : "network error: " + outcome.Error, 1, (_, c) => c + 1);
                if (outcome.Accepted)
                {
                    accepted.GetOrAdd(patient.PatientId!.Value, _ => []).Add(outcome.ObservationId!.Value);
                }
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        var total = accepted.Values.Sum(ids => ids.Count);
        output.WriteLine($"{Clients} clients for {seconds:0.0} s: {total} check-ins accepted ({total / seconds:0} per second); answers {string.Join(", ", answers.Select(a => $"{a.Key} × {a.Value}"))}");

        Assert.Equal([((int)HttpStatusCode.Accepted).ToString(CultureInfo.InvariantCulture)], answers.Keys);
        var observations = await _store.ObservationsByPatientAsync();
        foreach (var patient in patients)
        {
            var stored = observations[patient.PatientId!.Value]
                .Select(e => e.DataAs<ObservationSubmitted>().ObservationId)
                .ToList();
            Assert.Equal(accepted.GetValueOrDefault(patient.PatientId!.Value, []).Order(), stored.Order());
        }

        // Leave a quiet system to the tests that follow.
        await _quiescence.WaitAsync(TimeSpan.FromMinutes(3));
    }

    public void Dispose()
    {
        _api.Dispose();
        _store.Dispose();
        _quiescence.Dispose();
    }
}
