using System.Diagnostics;
using System.Net;
using HealthFlow.Cli.Api;
using HealthFlow.Cli.Bench;
using HealthFlow.Domain.CheckIns;

namespace HealthFlow.Cli.Chaos;

/// <summary>A signed-in user whose token is renewed before it expires, so a long soak outlives any one token.</summary>
internal sealed class ChaosSession(HealthFlowApiClient api, string username, string password)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private LoginResult? _login;
    private long _renewAt;

    public string Username => username;

    public Guid? PatientId => _login?.PatientId;

    public async Task<string> TokenAsync(CancellationToken cancellationToken)
    {
        if (_login is { } current && Stopwatch.GetTimestamp() < Volatile.Read(ref _renewAt))
        {
            return current.AccessToken;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_login is null || Stopwatch.GetTimestamp() >= _renewAt)
            {
                _login = await api.LoginAsync(username, password, cancellationToken);
                // Renewed at two thirds of its life: a request in flight never carries an expired token.
                _renewAt = Stopwatch.GetTimestamp() + (long)(_login.ExpiresIn * 2 / 3.0 * Stopwatch.Frequency);
            }

            return _login.AccessToken;
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>
/// The clients of a chaos run: patients checking in at a paced rate (a share alarming, a share invalid, a share
/// retrying with the same Idempotency-Key after a short client timeout), clinicians acknowledging open alerts and
/// reading patients, observations, FHIR and lists while holding live streams open, and an admin moving patients
/// between care teams. Every request and its answer goes into the <see cref="ChaosHistory"/>; every choice comes
/// from the seed.
/// </summary>
public sealed class ChaosWorkload
{
    private const double AlarmingShare = 0.25;
    private const double InvalidShare = 0.05;
    private const double ImpatientShare = 0.1;
    private const int MaxInFlight = 256;
    private static readonly TimeSpan ImpatientTimeout = TimeSpan.FromMilliseconds(40);

    private readonly ChaosSettings _settings;
    private readonly HealthFlowApiClient _api;
    private readonly HealthFlowApiClient _impatient;
    private readonly ChaosHistory _history;
    private readonly string _runId;
    private readonly List<ChaosSession> _patients = [];
    private readonly List<AlertStream> _streams = [];
    private readonly List<Task> _streaming = [];
    private ChaosSession _clinician = null!;
    private ChaosSession _admin = null!;
    private Guid _team;

    public ChaosWorkload(ChaosSettings settings, HealthFlowApiClient api, HealthFlowApiClient impatient, ChaosHistory history, string runId)
    {
        _settings = settings;
        _api = api;
        _impatient = impatient;
        _history = history;
        _runId = runId;
    }

    public int StreamReconnects => _streams.Sum(s => s.Reconnects);

    public int PatientsSignedIn => _patients.Count;

    /// <summary>Registers the run's patients and its care team; every new patient also joins Demo ward, so the clinician sees them.</summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        _clinician = new ChaosSession(_api, _settings.Clinician, _settings.ClinicianPassword);
        _admin = new ChaosSession(_api, _settings.Admin, _settings.AdminPassword);
        await _clinician.TokenAsync(cancellationToken);
        _team = await _api.CreateCareTeamAsync(await _admin.TokenAsync(cancellationToken), $"chaos {_runId}", cancellationToken);
        for (var i = 0; i < _settings.Patients; i++)
        {
            var username = $"chaos-{_runId}-{i}";
            var password = "chaos-password-" + _runId;
            await _api.RegisterAsync(username, password, $"Chaos Patient {i}", cancellationToken);
            var session = new ChaosSession(_api, username, password);
            await session.TokenAsync(cancellationToken);
            _patients.Add(session);
        }
    }

    /// <summary>Runs every client until <paramref name="stop"/>; the streams stay open until <paramref name="streamsStop"/>, so late changes still reach them.</summary>
    public async Task RunAsync(CancellationToken stop, CancellationToken streamsStop)
    {
        for (var n = 1; n <= _settings.Streams; n++)
        {
            var stream = new AlertStream(_api, await _clinician.TokenAsync(stop));
            _streams.Add(stream);
            var number = n;
            _streaming.Add(stream.RunAsync(
                alert => _history.Record(new StreamDelivery(_clinician.Username, number, alert.AlertId, alert.PatientId, alert.Status, DateTimeOffset.UtcNow)),
                streamsStop));
            await stream.Connected.WaitAsync(TimeSpan.FromSeconds(30), stop);
        }

        var random = new Random(_settings.Seed);
        var clients = new List<Task>
        {
            CheckInsAsync(new Random(random.Next()), stop),
            AdminAsync(new Random(random.Next()), stop),
        };
        for (var c = 0; c < _settings.ClinicianClients; c++)
        {
            clients.Add(ClinicianAsync(new Random(random.Next()), stop));
        }

        await Task.WhenAll(clients);
    }

    /// <summary>Completes once every stream has ended, after <c>streamsStop</c> of <see cref="RunAsync"/> is cancelled.</summary>
    public Task StreamsEnded => Task.WhenAll(_streaming);

    /// <summary>Open loop, as bench's: check-in n is due at n / rate, whatever happened to earlier ones.</summary>
    private async Task CheckInsAsync(Random random, CancellationToken stop)
    {
        using var inFlight = new SemaphoreSlim(MaxInFlight);
        var requests = new List<Task>();
        var clock = Stopwatch.StartNew();
        for (long n = 0; !stop.IsCancellationRequested; n++)
        {
            var due = TimeSpan.FromSeconds(n / _settings.Rate) - clock.Elapsed;
            if (due > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(due, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (stop.IsCancellationRequested)
                {
                    break;
                }
            }

            // Every choice is drawn here, in order, so a seed replays the same run whatever the timing.
            var patient = _patients[random.Next(_patients.Count)];
            var draw = random.NextDouble();
            var body = draw < InvalidShare ? new CheckInBody { Score = 11 }
                : draw < InvalidShare + AlarmingShare ? CheckInMix.AlarmingCheckIn(n)
                : CheckInMix.NormalCheckIn(n);
            var impatient = random.NextDouble() < ImpatientShare;
            var keyBytes = new byte[16];
            random.NextBytes(keyBytes);
            var key = new Guid(keyBytes).ToString();
            if (!inFlight.Wait(0))
            {
                continue;
            }

            requests.Add(Task.Run(async () =>
            {
                try
                {
                    await CheckInAsync(patient, body, key, impatient, body.Score != 11 && draw < InvalidShare + AlarmingShare);
                }
                finally
                {
                    inFlight.Release();
                }
            }, CancellationToken.None));
        }

        await Task.WhenAll(requests);
    }

    /// <summary>One check-in; when the impatient client gives up, the same key is sent again until an answer comes.</summary>
    private async Task CheckInAsync(ChaosSession patient, CheckInBody body, string key, bool impatient, bool alarming)
    {
        if (await TokenAsync(patient, CancellationToken.None) is not { } token)
        {
            return;
        }

        var keyedId = ObservationId.For(patient.PatientId!.Value, key);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var client = impatient && attempt == 1 ? _impatient : _api;
            var started = DateTimeOffset.UtcNow;
            var outcome = await client.CheckInAsync(token, body, key, CancellationToken.None);
            _history.Record(new ChaosOperation(_history.NextSequence(), OperationKinds.CheckIn, patient.Username, started, DateTimeOffset.UtcNow,
                (int?)outcome.Status, patient.PatientId, outcome.ObservationId ?? keyedId, IdempotencyKey: key, Alarming: alarming));
            if (outcome.Status is not null && !outcome.ServerError)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
        }
    }

    /// <summary>
    /// The session's token, or null when it could not be renewed (auth-api killed mid-login): the client skips a turn,
    /// as a user whose app failed to sign in would, and the history holds no request it did not make.
    /// </summary>
    private static async Task<string?> TokenAsync(ChaosSession session, CancellationToken stop)
    {
        try
        {
            return await session.TokenAsync(stop);
        }
        catch (Exception ex) when (ex is ApiException or HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }

    private async Task ClinicianAsync(Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var draw = random.NextDouble();
            var patient = _patients[random.Next(_patients.Count)].PatientId!.Value;
            var pick = random.Next(6);
            if (await TokenAsync(_clinician, stop) is not { } token)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            if (draw < 0.5)
            {
                await AcknowledgeOneAsync(token, random, stop);
            }
            else
            {
                (string Path, Guid? Patient)[] reads =
                [
                    ($"/api/patients/{patient:D}", patient),
                    ($"/api/patients/{patient:D}/observations?limit=5", patient),
                    ($"/api/patients/{patient:D}/alerts?limit=5", patient),
                    ($"/fhir/r4/Patient/{patient:D}", patient),
                    ("/api/patients?limit=20", null),
                    ("/api/worklist", null),
                ];
                var (path, patientId) = reads[pick];
                await ReadAsync(token, path, patientId, stop);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(50, 250)), stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task AcknowledgeOneAsync(string token, Random random, CancellationToken stop)
    {
        AlertPage page;
        try
        {
            page = await _api.ListAlertsAsync(token, "open", 20, null, stop);
        }
        catch (Exception ex) when (ex is ApiException or HttpRequestException or OperationCanceledException)
        {
            // Unanswered, or the run stopped: the list chose nothing to acknowledge, and nothing was changed.
            return;
        }

        // Only this run's alerts: the clinician's ward may hold others' that this run must not touch.
        var ours = page.Items.Where(a => _patients.Any(p => p.PatientId == a.PatientId)).ToList();
        if (ours.Count == 0)
        {
            return;
        }

        var alert = ours[random.Next(ours.Count)];
        var started = DateTimeOffset.UtcNow;
        var status = await _api.AcknowledgeAsync(token, alert.AlertId, "chaos", CancellationToken.None);
        _history.Record(new ChaosOperation(_history.NextSequence(), OperationKinds.Acknowledge, _clinician.Username, started, DateTimeOffset.UtcNow,
            (int?)status, alert.PatientId, alert.ObservationId, alert.AlertId));
    }

    private async Task ReadAsync(string token, string path, Guid? patientId, CancellationToken stop)
    {
        var correlationId = $"chaos-{_runId}-{_history.NextSequence()}";
        var started = DateTimeOffset.UtcNow;
        var read = await _api.ReadAsync(token, path, correlationId, CancellationToken.None);
        _history.Record(new ChaosOperation(_history.NextSequence(), OperationKinds.Read, _clinician.Username, started, DateTimeOffset.UtcNow,
            (int?)read.Status, patientId, CorrelationId: correlationId, Path: path, Items: read.Items));
    }

    /// <summary>The admin moves a patient into the run's team, or out again, every second or so.</summary>
    private async Task AdminAsync(Random random, CancellationToken stop)
    {
        var members = new HashSet<Guid>();
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 1500)), stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (stop.IsCancellationRequested)
            {
                break;
            }

            var patient = _patients[random.Next(_patients.Count)].PatientId!.Value;
            var assign = !members.Contains(patient);
            var started = DateTimeOffset.UtcNow;
            if (await TokenAsync(_admin, stop) is not { } token)
            {
                continue;
            }

            var status = await _api.MovePatientAsync(token, _team, patient, assign, CancellationToken.None);
            if (status == HttpStatusCode.NoContent)
            {
                _ = assign ? members.Add(patient) : members.Remove(patient);
            }

            _history.Record(new ChaosOperation(_history.NextSequence(), assign ? OperationKinds.MoveIn : OperationKinds.MoveOut, _admin.Username, started,
                DateTimeOffset.UtcNow, (int?)status, patient));
        }
    }
}
