using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using HealthFlow.Cli.Api;
using HealthFlow.Cli.Replay;
using HealthFlow.Domain;
using HealthFlow.Provisioning;
using HealthFlow.Topology;

namespace HealthFlow.Cli.Bench;

/// <summary>One simulated patient: its id and access token.</summary>
public sealed record BenchPatient(Guid PatientId, string AccessToken);

/// <summary>
/// `healthflow bench`: drives the running system through the gateway and measures it against the raw
/// DynamoDB floor. Phases: sign-in, paced check-ins (latencies), saturation (peak ingest), drain, floor, replay.
/// </summary>
public sealed class BenchRunner(
    BenchSettings settings,
    HealthFlowApiClient api,
    IAmazonDynamoDB dynamo,
    IAmazonSQS sqs,
    TopologyProvisioner provisioner,
    ReadModelReplayer replayer)
{
    private const int MaxInFlight = 512;

    // Each sampled check-in is polled until readable; a few probes at a time keep the measuring from
    // loading the system it measures (unbounded probes multiply exactly when the lag grows).
    private const int MaxLagProbes = 4;
    private static readonly TimeSpan LagPollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LagProbeTimeout = TimeSpan.FromSeconds(30);

    private readonly string _runId = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString("x", CultureInfo.InvariantCulture);

    // Alert latency, matched by observation id. The alert can reach the stream before the POST's
    // answer is read, so whichever side comes second computes the latency.
    private readonly ConcurrentDictionary<Guid, long> _posted = new();
    private readonly ConcurrentDictionary<Guid, long> _alerted = new();
    private readonly LatencyRecorder _alertLatency = new();
    private long _alertsExpected;

    private Func<string> _status = () => "starting";

    public async Task<BenchReport> RunAsync(string commandLine, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        using var progress = ProgressLine.Every(TimeSpan.FromSeconds(1), () => _status());

        Say($"Bench {_runId}: signing in clinician1 and {settings.Patients} patients through {settings.Gateway}");
        var clinician = await api.LoginAsync("clinician1", "demo", cancellationToken);
        var patients = await SignInPatientsAsync(cancellationToken);
        await DrainQueuesAsync(cancellationToken);

        using var streamStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stream = new AlertStream(api, clinician.AccessToken);
        var streaming = stream.RunAsync(OnAlert, streamStop.Token);
        await stream.Connected.WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);

        Say($"Paced: {settings.Rate:0} check-ins/s for {settings.Duration.TotalSeconds:0} s, {settings.AlarmingShare:P0} alarming");
        var lag = new LatencyRecorder();
        var paced = await RunPacedAsync(patients, lag, cancellationToken);
        await DrainAlertsAsync(cancellationToken);
        await streamStop.CancelAsync();
        await streaming;
        var alerts = new AlertLatency(
            Interlocked.Read(ref _alertsExpected), _alertLatency.Count, Interlocked.Read(ref _alertsExpected) - _alertLatency.Count,
            "SSE GET /api/alerts/stream", stream.Reconnects, _alertLatency.Snapshot());

        SaturatedIngest? saturated = null;
        if (settings.SaturationDuration > TimeSpan.Zero)
        {
            Say($"Saturation: {settings.Concurrency} clients checking in back to back for {settings.SaturationDuration.TotalSeconds:0} s");
            saturated = await RunSaturatedAsync(patients, cancellationToken);
        }

        await DrainQueuesAsync(cancellationToken);

        var floors = new StorageFloor(dynamo, provisioner, Say);
        Say($"Floor: raw conditional PutItem, {settings.Concurrency} writers for {settings.FloorDuration.TotalSeconds:0} s");
        _status = () => "  PutItem floor";
        var floor = await floors.MeasurePutItemAsync(await ReadLatestCommitAsync(patients[0], cancellationToken), settings.Concurrency, settings.FloorDuration, cancellationToken);

        ReplayFigures? replay = null;
        FloorResult? batchFloor = null;
        if (settings.Replay)
        {
            var replaySettings = new ReplaySettings();
            Say($"Floor: raw BatchWriteItem, {replaySettings.ConcurrentBatches} requests in flight (as replay) for {settings.FloorDuration.TotalSeconds:0} s");
            _status = () => "  BatchWriteItem floor";
            batchFloor = await floors.MeasureBatchWriteAsync(
                await ReadObservationItemAsync(patients[0], cancellationToken), replaySettings.ConcurrentBatches, settings.FloorDuration, cancellationToken);
            Say("Replay: rebuilding the observations read model from the event store");
            replay = BenchReport.From(await ReplayObservationsAsync(replaySettings, cancellationToken));
        }

        _status = () => "  writing the report";
        var projectionLag = lag.Snapshot();
        return new BenchReport(
            _runId,
            startedAt,
            commandLine,
            $"{Environment.MachineName}, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}",
            BenchSettingsView.Of(settings),
            floor,
            batchFloor,
            paced,
            saturated,
            alerts,
            projectionLag,
            replay,
            BenchReport.RatiosOf(floor, batchFloor, paced, saturated, alerts, projectionLag, replay),
            BenchReport.TargetsOf(floor, saturated, settings.Rate, alerts, replay));
    }

    private async Task<BenchPatient[]> SignInPatientsAsync(CancellationToken cancellationToken)
    {
        var patients = new BenchPatient[settings.Patients];
        var done = 0;
        _status = () => $"  signed in {Volatile.Read(ref done)}/{settings.Patients} patients";
        await Parallel.ForEachAsync(Enumerable.Range(0, settings.Patients), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var username = $"bench-{_runId}-{i}";
            var session = await api.RegisterOrLoginAsync(username, "bench-password-" + _runId, $"Bench Patient {i}", ct);
            patients[i] = new BenchPatient(session.PatientId ?? throw new ApiException($"{username} has no patient id."), session.AccessToken);
            // A first check-in warms every service on the path (JIT, connection pools) before anything is measured.
            var warmUp = await api.CheckInAsync(session.AccessToken, CheckInMix.NormalCheckIn(i), idempotencyKey: null, ct);
            if (!warmUp.Accepted)
            {
                throw new ApiException($"The warm-up check-in of {username} was refused: {(int?)warmUp.Status} {warmUp.Error}");
            }

            Interlocked.Increment(ref done);
        });
        return patients;
    }

    /// <summary>
    /// Open loop: check-in n is due at n / rate, whatever happened to earlier ones, so a slow system
    /// cannot slow the arrivals down and hide its own latency.
    /// </summary>
    private async Task<PacedIngest> RunPacedAsync(BenchPatient[] patients, LatencyRecorder lag, CancellationToken cancellationToken)
    {
        var mix = new CheckInMix(settings.AlarmingShare);
        var postLatency = new LatencyRecorder();
        using var inFlight = new SemaphoreSlim(MaxInFlight);
        long sent = 0, accepted = 0, rejected = 0, serverErrors = 0, networkErrors = 0, overloaded = 0;
        var requests = new List<Task>();
        var lagProbes = new ConcurrentBag<Task>();
        using var lagSlots = new SemaphoreSlim(MaxLagProbes);
        var clock = Stopwatch.StartNew();
        var total = (long)Math.Round(settings.Rate * settings.Duration.TotalSeconds);
        _status = () => string.Create(CultureInfo.InvariantCulture,
            $"  paced {clock.Elapsed.TotalSeconds,5:0.0} s: sent {Interlocked.Read(ref sent):N0}/{total:N0}, accepted {Interlocked.Read(ref accepted):N0} "
            + $"({ProgressLine.Rate(Interlocked.Read(ref accepted) / clock.Elapsed.TotalSeconds)}), errors {Interlocked.Read(ref serverErrors) + Interlocked.Read(ref networkErrors) + Interlocked.Read(ref rejected)}, "
            + $"in flight {MaxInFlight - inFlight.CurrentCount}, alerts {_alertLatency.Count:N0}/{Interlocked.Read(ref _alertsExpected):N0}, lag samples {lag.Count}");

        for (long n = 0; n < total; n++)
        {
            var due = TimeSpan.FromSeconds(n / settings.Rate) - clock.Elapsed;
            if (due > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(due, cancellationToken);
            }

            if (!inFlight.Wait(0))
            {
                // More than MaxInFlight outstanding: the system is not keeping up. Counted, not queued.
                overloaded++;
                continue;
            }

            var patient = patients[n % patients.Length];
            var sampleLag = n % settings.LagSampleEvery == 0;
            Interlocked.Increment(ref sent);
            requests.Add(Task.Run(async () =>
            {
                try
                {
                    var (checkIn, alarming) = mix.Next();
                    var started = Stopwatch.GetTimestamp();
                    var outcome = await api.CheckInAsync(patient.AccessToken, checkIn, idempotencyKey: null, cancellationToken);
                    postLatency.Add(Stopwatch.GetElapsedTime(started));
                    if (outcome.Accepted)
                    {
                        Interlocked.Increment(ref accepted);
                        var observationId = outcome.ObservationId!.Value;
                        if (alarming)
                        {
                            Interlocked.Increment(ref _alertsExpected);
                            _posted[observationId] = started;
                            MatchAlert(observationId);
                        }

                        if (sampleLag && lagSlots.Wait(0))
                        {
                            lagProbes.Add(ProbeProjectionLagAsync(patient, observationId, started, lag, lagSlots, cancellationToken));
                        }
                    }
                    else if (outcome.ServerError)
                    {
                        Interlocked.Increment(ref serverErrors);
                    }
                    else if (outcome.Status is null)
                    {
                        Interlocked.Increment(ref networkErrors);
                    }
                    else
                    {
                        Interlocked.Increment(ref rejected);
                    }
                }
                finally
                {
                    inFlight.Release();
                }
            }, cancellationToken));
        }

        await Task.WhenAll(requests);
        var seconds = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(lagProbes);
        return new PacedIngest(settings.Rate, seconds, sent, accepted, rejected, serverErrors, networkErrors, overloaded, accepted / seconds, postLatency.Snapshot());
    }

    /// <summary>Closed loop: each client sends its next check-in as soon as the previous one is answered.</summary>
    private async Task<SaturatedIngest> RunSaturatedAsync(BenchPatient[] patients, CancellationToken cancellationToken)
    {
        var postLatency = new LatencyRecorder();
        long accepted = 0, failed = 0;
        var clock = Stopwatch.StartNew();
        _status = () => string.Create(CultureInfo.InvariantCulture,
            $"  saturation {clock.Elapsed.TotalSeconds,5:0.0} s: accepted {Interlocked.Read(ref accepted):N0} ({ProgressLine.Rate(Interlocked.Read(ref accepted) / clock.Elapsed.TotalSeconds)}), failed {Interlocked.Read(ref failed):N0}");

        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(client => Task.Run(async () =>
        {
            // Clients spread over the patients; with more clients than patients, some share a stream, as families do.
            var patient = patients[client % patients.Length];
            for (long n = client; clock.Elapsed < settings.SaturationDuration; n += settings.Concurrency)
            {
                var started = Stopwatch.GetTimestamp();
                var outcome = await api.CheckInAsync(patient.AccessToken, CheckInMix.NormalCheckIn(n), idempotencyKey: null, cancellationToken);
                postLatency.Add(Stopwatch.GetElapsedTime(started));
                if (outcome.Accepted)
                {
                    Interlocked.Increment(ref accepted);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }, cancellationToken)));

        var seconds = clock.Elapsed.TotalSeconds;
        return new SaturatedIngest(settings.Concurrency, seconds, accepted, failed, accepted / seconds, postLatency.Snapshot());
    }

    private void OnAlert(AlertSummary alert)
    {
        // A missed check-in's alert has no observation: it measures no check-in's latency.
        if (alert.ObservationId is { } observationId && _alerted.TryAdd(observationId, Stopwatch.GetTimestamp()))
        {
            MatchAlert(observationId);
        }
    }

    private void MatchAlert(Guid observationId)
    {
        if (_alerted.TryGetValue(observationId, out var seenAt) && _posted.TryRemove(observationId, out var postedAt))
        {
            _alertLatency.Add(Stopwatch.GetElapsedTime(postedAt, seenAt));
        }
    }

    private async Task ProbeProjectionLagAsync(
        BenchPatient patient, Guid observationId, long postedAt, LatencyRecorder lag, SemaphoreSlim slot, CancellationToken cancellationToken)
    {
        try
        {
            await PollUntilReadableAsync(patient, observationId, postedAt, lag, cancellationToken);
        }
        finally
        {
            slot.Release();
        }
    }

    private async Task PollUntilReadableAsync(BenchPatient patient, Guid observationId, long postedAt, LatencyRecorder lag, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(LagProbeTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            try
            {
                if (await api.ObservationVisibleAsync(patient.AccessToken, patient.PatientId, observationId, cancellationToken))
                {
                    lag.Add(Stopwatch.GetElapsedTime(postedAt));
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or ApiException)
            {
                // A failed probe is retried like a miss; a lag that never resolves is simply not sampled.
            }

            await Task.Delay(LagPollInterval, cancellationToken);
        }
    }

    private async Task DrainAlertsAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        _status = () => $"  waiting for alerts {clock.Elapsed.TotalSeconds,4:0} s: {_alertLatency.Count:N0}/{Interlocked.Read(ref _alertsExpected):N0}";
        while (_alertLatency.Count < Interlocked.Read(ref _alertsExpected) && clock.Elapsed < DrainTimeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    /// <summary>Waits until every HealthFlow queue is empty, so the floor and the replay run on an idle system.</summary>
    private async Task DrainQueuesAsync(CancellationToken cancellationToken)
    {
        var urls = new List<string>();
        foreach (var queue in HealthFlowTopology.Queues.All)
        {
            urls.Add((await sqs.GetQueueUrlAsync(queue.Name, cancellationToken)).QueueUrl);
        }

        var clock = Stopwatch.StartNew();
        long backlog = long.MaxValue;
        _status = () => $"  draining the queues {clock.Elapsed.TotalSeconds,4:0} s: {Volatile.Read(ref backlog):N0} messages left";
        while (clock.Elapsed < DrainTimeout)
        {
            long total = 0;
            foreach (var url in urls)
            {
                var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
                {
                    QueueUrl = url,
                    AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                }, cancellationToken);
                total += attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible;
            }

            Volatile.Write(ref backlog, total);
            if (total == 0)
            {
                Say($"  queues drained in {clock.Elapsed.TotalSeconds:0.0} s");
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        Say($"  queues still hold {backlog:N0} messages after {DrainTimeout.TotalSeconds:0} s; measuring anyway");
    }

    /// <summary>The latest commit of a bench patient, as the event store wrote it: the PutItem floor's payload.</summary>
    private async Task<Dictionary<string, AttributeValue>> ReadLatestCommitAsync(BenchPatient patient, CancellationToken cancellationToken)
    {
        var events = HealthFlowTopology.Tables.Events;
        var response = await dynamo.QueryAsync(new QueryRequest
        {
            TableName = events.Name,
            KeyConditionExpression = "#stream = :stream",
            ExpressionAttributeNames = new() { ["#stream"] = events.PartitionKey.Name },
            ExpressionAttributeValues = new() { [":stream"] = new AttributeValue { S = StreamId.ForPatient(patient.PatientId).Value } },
            ScanIndexForward = false,
            Limit = 1,
        }, cancellationToken);
        return response.Items is [var latest, ..]
            ? latest
            : throw new InvalidOperationException($"No commit found for bench patient {patient.PatientId} in `{events.Name}`: is --aws-endpoint the system's endpoint?");
    }

    /// <summary>A bench patient's newest observation, as the projection wrote it: the BatchWriteItem floor's payload.</summary>
    private async Task<Dictionary<string, AttributeValue>> ReadObservationItemAsync(BenchPatient patient, CancellationToken cancellationToken)
    {
        var observations = HealthFlowTopology.Tables.Observations;
        var response = await dynamo.QueryAsync(new QueryRequest
        {
            TableName = observations.Name,
            KeyConditionExpression = "#patient = :patient",
            ExpressionAttributeNames = new() { ["#patient"] = observations.PartitionKey.Name },
            ExpressionAttributeValues = new() { [":patient"] = new AttributeValue { S = patient.PatientId.ToString() } },
            ScanIndexForward = false,
            Limit = 1,
        }, cancellationToken);
        return response.Items is [var latest, ..]
            ? latest
            : throw new InvalidOperationException($"No observation of bench patient {patient.PatientId} in `{observations.Name}`.");
    }

    private async Task<ReplayResult> ReplayObservationsAsync(ReplaySettings replaySettings, CancellationToken cancellationToken)
    {
        var table = ReadModelTables.Resolve(ReadModels.Projections.ObservationProjection.ReadModelName).Single();
        var progress = new ReplayProgress { ReadModel = table.ReadModel };
        _status = () => $"  replay {progress.Phase} {progress.Clock.Elapsed.TotalSeconds,5:0.0} s: read {progress.EventsRead:N0} events, applied {progress.EventsApplied:N0}";
        return await replayer.ReplayAsync(table, replaySettings, progress, cancellationToken);
    }

    private static void Say(string line) => Console.Error.WriteLine(line);
}
