using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace HealthFlow.EndToEnd.Tests;

/// <summary>
/// Sends generated bad input to every endpoint through the gateway: bodies (huge strings, Unicode edge
/// cases, lone surrogates, NULs, wrong types, huge and negative numbers, deep nesting, duplicate
/// properties), headers (Authorization, Idempotency-Key, Last-Event-ID) and query parameters (cursors,
/// limits, dates). The seed is fixed, so a failure names a case that can be replayed.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class FuzzTests(AppHostFixture system, ITestOutputHelper output) : IDisposable
{
    private const int Seed = 20_261_130;
    private const int Cases = 1_200;
    private const int Parallelism = 4;

    // The client encodes headers as UTF-8 so non-ASCII header values reach the gateway rather than failing here.
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        AllowAutoRedirect = false,
    })
    {
        BaseAddress = system.GatewayUrl,
        Timeout = TimeSpan.FromSeconds(30),
    };

    private readonly HealthFlowApi _api = new(system.CreateGatewayClient());
    private readonly SystemQuiescence _quiescence = new(system.AwsEndpointUrl);

    [Fact]
    public async Task Generated_bad_input_never_gets_a_server_error_and_stores_no_rejected_check_in()
    {
        var patient = await _api.RegisterPatientAsync();
        var admin = await _api.LoginAdminAsync();
        // A clinician of the fuzz test's own: its logins are fuzzed (wrong passwords, its name in other letter cases),
        // which may back the account off, and no other test may be the one locked out. Its ward holds the fuzz patient
        // and one more, so a page of one has a real cursor to mutate.
        var clinician = await CareTeamClinic.CreateClinicianAsync(_api, admin);
        var team = await CareTeamClinic.CreateTeamAsync(_api, admin, "Fuzz ward");
        var secondPatient = await _api.RegisterPatientAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await _api.PostAsync(admin, $"/api/care-teams/{team}/clinicians", new { clinicianId = clinician.Username })).StatusCode);
        foreach (var member in new[] { patient, secondPatient })
        {
            Assert.Equal(HttpStatusCode.NoContent, (await _api.PostAsync(admin, $"/api/care-teams/{team}/patients", new { patientId = member.PatientId })).StatusCode);
        }

        var realCursor = await Eventually.GetAsync(
            async () => (await _api.GetJsonAsync(clinician, "/api/patients?limit=1"))["nextCursor"]?.GetValue<string>(),
            "a cursor past the first of the fuzz ward's two patients");
        var generator = new FuzzInput(new Random(Seed), patient, clinician, realCursor, admin, team);

        var cases = Enumerable.Range(0, Cases).Select(generator.Next).ToList();
        var results = new FuzzResult[cases.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, cases.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism },
            async (i, _) => results[i] = await SendAsync(cases[i]));

        var serverErrors = results.Where(r => r.Status >= 500).ToList();
        // A retry with a reused Idempotency-Key answers with the first observation, so distinct ids count.
        var acceptedCheckIns = results
            .Where(r => r.Case.IsCheckInAsPatient && r.Status is >= 200 and < 300)
            .Select(r => r.AcceptedCheckInId())
            .Distinct()
            .Count();
        var rejectedCheckIns = results.Count(r => r.Case.IsCheckInAsPatient && r.Status is >= 400 and < 500);
        // The JSON API answers problem+json; the FHIR endpoints answer OperationOutcome, except where the
        // shared HTTP plumbing (gateway header checks, body limits) refuses the request before any endpoint.
        var badRequestsWithoutProblem = results
            .Where(r => r.Status == (int)HttpStatusCode.BadRequest
                && r.ContentType != "application/problem+json"
                && !(r.Case.IsFhir && r.ContentType == "application/fhir+json"))
            .ToList();

        output.WriteLine($"{cases.Count} cases (seed {Seed}) over {cases.Select(c => c.Endpoint).Distinct().Count()} endpoints.");
        foreach (var group in results.GroupBy(r => r.Status).OrderBy(g => g.Key))
        {
            output.WriteLine($"  {group.Key}: {group.Count()}");
        }

        output.WriteLine($"Check-ins as the fuzz patient: {acceptedCheckIns} accepted, {rejectedCheckIns} rejected.");

        foreach (var group in serverErrors.GroupBy(r => r.Case.Endpoint))
        {
            output.WriteLine($"  5xx on {group.Key}: {group.Count()}");
        }

        Assert.True(serverErrors.Count == 0,
            $"{serverErrors.Count} of {cases.Count} cases got a 5xx:\n" + string.Join("\n", serverErrors.Take(20).Select(r => r.Describe())));
        Assert.True(badRequestsWithoutProblem.Count == 0,
            "400s without problem+json:\n" + string.Join("\n", badRequestsWithoutProblem.Take(20).Select(r => r.Describe())));

        // Nothing that was refused is stored: the fuzz patient's observations are exactly the accepted ones.
        await _quiescence.WaitAsync();
        var observations = await CountObservationsAsync(patient);
        Assert.Equal(acceptedCheckIns, observations);
    }

    private async Task<FuzzResult> SendAsync(FuzzCase fuzzCase)
    {
        using var request = new HttpRequestMessage(fuzzCase.Method, fuzzCase.Path);
        if (fuzzCase.Body is not null)
        {
            request.Content = new ByteArrayContent(fuzzCase.Body);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", fuzzCase.ContentType ?? "application/json");
        }

        foreach (var (name, value) in fuzzCase.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        // An accepted event stream never ends: the headers are the answer, then the connection is dropped.
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var contentType = response.Content.Headers.ContentType?.MediaType;
        var text = contentType == "text/event-stream" ? "" : await response.Content.ReadAsStringAsync();
        return new FuzzResult(fuzzCase, (int)response.StatusCode, contentType, text, response.Headers.Location?.OriginalString);
    }

    private async Task<int> CountObservationsAsync(HealthFlowApi.Session patient)
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var page = await _api.GetJsonAsync(patient, $"/api/patients/{patient.PatientId}/observations?limit=100"
                + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            count += page["items"]!.AsArray().Count;
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        return count;
    }

    public void Dispose()
    {
        _http.Dispose();
        _api.Http.Dispose();
        _quiescence.Dispose();
    }
}

public sealed record FuzzCase(
    int Number,
    string Endpoint,
    HttpMethod Method,
    string Path,
    byte[]? Body,
    string? ContentType,
    IReadOnlyList<(string Name, string Value)> Headers,
    bool IsCheckInAsPatient)
{
    public bool IsFhir => Endpoint.StartsWith("/fhir/", StringComparison.Ordinal);

    public override string ToString()
    {
        var body = Body is null ? "" : Encoding.UTF8.GetString(Body);
        body = body.Length > 160 ? body[..160] + $"… ({Body!.Length} bytes)" : body;
        var headers = string.Join(", ", Headers.Select(h => $"{h.Name}: {(h.Value.Length > 60 ? h.Value[..60] + "…" : h.Value)}"));
        var path = Path.Length > 200 ? Path[..200] + "…" : Path;
        return $"#{Number} {Method} {path} [{headers}{(ContentType is null ? "" : $", Content-Type: {ContentType}")}] {body}";
    }
}

public sealed record FuzzResult(FuzzCase Case, int Status, string? ContentType, string Text, string? Location)
{
    public string Describe() => $"{Status} for {Case}: {(Text.Length > 300 ? Text[..300] : Text)}";

    /// <summary>
    /// The check-in an accepted submission made: the JSON API's observationId; for FHIR, the check-in id that
    /// starts each created Observation's id ({checkInId}-{kind}), from the Location or the transaction response.
    /// </summary>
    public Guid AcceptedCheckInId()
    {
        const string observation = "Observation/";
        var location = Case.IsFhir
            ? Location ?? JsonNode.Parse(Text)!["entry"]![0]!["response"]!["location"]!.GetValue<string>()
            : null;
        return location is null
            ? JsonNode.Parse(Text)!["observationId"]!.GetValue<Guid>()
            : Guid.Parse(location.AsSpan(location.IndexOf(observation, StringComparison.Ordinal) + observation.Length, 36));
    }
}

/// <summary>Generates one request at a time from a seeded Random: an endpoint, then bad values for what it reads.</summary>
public sealed class FuzzInput(
    Random random, HealthFlowApi.Session patient, HealthFlowApi.Session clinician, string? realCursor, HealthFlowApi.Session admin, Guid team)
{
    private static readonly string[] CheckInFields =
        ["score", "heartRate", "respiratoryRate", "oxygenSaturation", "onSupplementalOxygen", "systolicBp", "diastolicBp",
         "temperature", "consciousness", "measuredAt", "note"];

    private static readonly string[] AuthFields = ["username", "password", "displayName", "role"];

    // Stand-ins for the fuzz test's own clinician's username, as written and in another letter case.
    private const string OwnClinician = "own-clinician";
    private const string OwnClinicianUpperCase = "OWN-CLINICIAN";

    // JSON texts of values, written by hand where a serializer would refuse or normalise them.
    private static readonly string[] JsonValues =
    [
        "null", "true", "false", "0", "-1", "7", "7.5", "1e400", "-1e400", "1e-400", "99999999999999999999999999",
        "-2147483649", "2147483648", "9.999999999999999999999999999999", "[]", "{}", "[1,2,3]", "{\"a\":1}",
        "\"\"", "\" \"", "\"7\"", "\"alert\"", "\"2025-05-01T08:30:00Z\"", "\"2999-01-01T00:00:00Z\"", "\"0001-01-01T00:00:00+14:00\"",
        "\"\\udfff\"", "\"\\ud800\"", "\"a\\udfffb\"", "\"\\ud800\\ud800\"", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ufeff\"",
        "\"\\u202e\"", "\"e\\u0301\"", "\"😀\"", "\"Ω≈ç√∫\"", "\"\\\\\"", "\"<script>alert(1)</script>\"", "\"' OR 1=1 --\"",
        "\"../../etc/passwd\"", "\"%00\"", "\"${jndi:ldap://x}\"", OwnClinician, OwnClinicianUpperCase, "\"\\u212Aelvin\"",
    ];

    private static readonly string[] Garbage =
    [
        "", " ", "0", "-1", "abc", "%00", "%FF", "%ED%BF%BF", "%C0%AF", "..%2F..%2F", "%F0%9F%98%80", "null", "[]", "{}",
        "00000000-0000-0000-0000-000000000000", "2025-13-45", "2025-05-01T08:30:00Z", "9999-12-31T23:59:59Z", "1e400",
        "99999999999999999999", "2147483648", "%27%20OR%201%3D1", "*", "open", "all", "high", "HIGH",
    ];

    private readonly List<Func<int, FuzzCase>> _endpoints = [];

    public FuzzCase Next(int number)
    {
        if (_endpoints.Count == 0)
        {
            _endpoints.AddRange(
            [
                n => AuthBody(n, "/api/auth/register"),
                n => AuthBody(n, "/api/auth/login"),
                n => AuthBody(n, "/login"),
                n => CheckIn(n, "/api/observations"),
                n => CheckIn(n, "/observations"),
                Acknowledge,
                n => Query(n, "/api/alerts", "/api/alerts", clinician, ["status", "patientId", "severity", "limit", "cursor"]),
                n => Query(n, "/alerts", "/alerts", clinician, ["status", "patientId", "severity", "limit", "cursor"]),
                n => Query(n, "/api/patients", "/api/patients", clinician, ["limit", "cursor"]),
                n => Query(n, "/api/patients/{id}", $"/api/patients/{PatientSegment()}", Pick(patient, clinician), []),
                n => Query(n, "/api/patients/{id}/observations", $"/api/patients/{PatientSegment()}/observations", Pick(patient, clinician), ["from", "to", "limit", "cursor"]),
                n => Query(n, "/api/patients/{id}/observations/{id}", $"/api/patients/{PatientSegment()}/observations/{GuidSegment()}", Pick(patient, clinician), []),
                n => Query(n, "/api/patients/{id}/alerts", $"/api/patients/{PatientSegment()}/alerts", Pick(patient, clinician), ["status", "severity", "limit", "cursor"]),
                Stream,
                n => AdminBody(n, "/api/auth/clinicians", HttpMethod.Post, "/api/auth/clinicians", AuthFields),
                n => AdminBody(n, "/api/care-teams", HttpMethod.Post, "/api/care-teams", ["name"]),
                n => AdminBody(n, "/api/care-teams/{id}/clinicians", Pick(HttpMethod.Post, HttpMethod.Delete), $"/api/care-teams/{TeamSegment()}/clinicians", ["clinicianId"]),
                n => AdminBody(n, "/api/care-teams/{id}/patients", Pick(HttpMethod.Post, HttpMethod.Delete), $"/api/care-teams/{TeamSegment()}/patients", ["patientId"]),
                n => Query(n, "/api/care-teams", "/api/care-teams", Pick(admin, clinician), []),
                n => Query(n, "/api/audit", "/api/audit", admin, ["patientId", "actor", "from", "to", "limit", "cursor"]),
                n => FhirCheckIn(n, "/fhir/r4/Observation", transaction: false),
                n => FhirCheckIn(n, "/fhir/r4", transaction: true),
                n => Query(n, "/fhir/r4/metadata", "/fhir/r4/metadata", clinician, []),
                n => Query(n, "/fhir/r4/Patient/{id}", $"/fhir/r4/Patient/{PatientSegment()}", Pick(patient, clinician), []),
                n => Query(n, "/fhir/r4/Patient/{id}/$everything", $"/fhir/r4/Patient/{PatientSegment()}/$everything", Pick(patient, clinician), []),
                n => Query(n, "/fhir/r4/Observation", "/fhir/r4/Observation", Pick(patient, clinician), ["patient", "_count", "_sort", "cursor"]),
                n => Query(n, "/fhir/r4/Observation/{id}", $"/fhir/r4/Observation/{GuidSegment()}-{Pick("heart-rate", "news2-total", "x")}", Pick(patient, clinician), []),
                n => Query(n, "/fhir/r4/Flag", "/fhir/r4/Flag", Pick(patient, clinician), ["patient", "_count", "_sort", "cursor"]),
            ]);
        }

        return _endpoints[random.Next(_endpoints.Count)](number);
    }

    private FuzzCase AuthBody(int number, string path)
    {
        var body = random.Next(4) == 0 ? MalformedBody() : Encoding.UTF8.GetBytes(ObjectBody(AuthFields, nameFromUsername: true));
        return new FuzzCase(number, path, HttpMethod.Post, path, body, ContentType(), MaybeAuthorization(null), false);
    }

    private FuzzCase AdminBody(int number, string endpoint, HttpMethod method, string path, string[] fields)
    {
        var body = random.Next(4) == 0 ? MalformedBody() : Encoding.UTF8.GetBytes(ObjectBody(fields, nameFromUsername: true));
        return new FuzzCase(number, endpoint, method, path, body, ContentType(), MaybeAuthorization(admin), false);
    }

    private string TeamSegment() => random.Next(3) switch
    {
        0 => Uri.EscapeDataString(Pick(Garbage)),
        1 => Guid.NewGuid().ToString(),
        _ => team.ToString(),
    };

    private FuzzCase CheckIn(int number, string path)
    {
        var body = random.Next(5) == 0 ? MalformedBody() : Encoding.UTF8.GetBytes(ObjectBody(CheckInFields, nameFromUsername: false));
        var headers = new List<(string, string)>();
        var asPatient = random.Next(4) != 0;
        headers.Add(("Authorization", asPatient ? Bearer(patient) : BadAuthorization()));
        if (random.Next(2) == 0)
        {
            headers.Add(("Idempotency-Key", IdempotencyKey()));
        }

        var contentType = ContentType();
        // Only a request the API could accept as this patient's counts towards the stored observations.
        return new FuzzCase(number, path, HttpMethod.Post, path, body, contentType, headers, asPatient);
    }

    private static readonly (string Code, string Unit, int Min, int Max)[] FhirVitals =
    [
        ("8867-4", "/min", 20, 300), ("9279-1", "/min", 3, 80), ("59408-5", "%", 50, 100), ("8310-5", "Cel", 30, 42),
        ("8480-6", "mm[Hg]", 50, 300), ("2339-0", "mmol/L", 1, 20),
    ];

    /// <summary>
    /// A FHIR Observation (or a transaction Bundle of them) shaped as a device would send it, with any
    /// element sometimes replaced by a bad value; untouched, it is a valid check-in and is stored.
    /// </summary>
    private FuzzCase FhirCheckIn(int number, string path, bool transaction)
    {
        string Slot(string valid) => random.Next(6) == 0 ? Value(username: false) : valid;

        string Observation()
        {
            var (code, unit, min, max) = Pick(FhirVitals);
            var effective = DateTimeOffset.UtcNow.AddMinutes(-random.Next(1, 600)).ToString("yyyy-MM-ddTHH:mm:ssZ");
            return "{\"resourceType\":\"Observation\",\"status\":" + Slot("\"final\"")
                + ",\"code\":{\"coding\":[{\"system\":" + Slot("\"http://loinc.org\"") + ",\"code\":" + Slot(Quote(code)) + "}]}"
                + ",\"subject\":{\"reference\":" + Slot(Quote($"Patient/{patient.PatientId}")) + "}"
                + ",\"effectiveDateTime\":" + Slot(Quote(effective))
                + ",\"valueQuantity\":{\"value\":" + Slot(random.Next(min, max + 1).ToString()) + ",\"unit\":" + Slot(Quote(unit))
                + ",\"system\":\"http://unitsofmeasure.org\",\"code\":" + Slot(Quote(unit)) + "}}";
        }

        string body;
        if (random.Next(6) == 0)
        {
            var malformed = MalformedBody();
            return new FuzzCase(number, path, HttpMethod.Post, path, malformed, ContentType(), [("Authorization", Bearer(patient))], true);
        }

        if (transaction)
        {
            var entries = Enumerable.Range(0, random.Next(0, 4))
                .Select(_ => "{\"resource\":" + Observation() + ",\"request\":{\"method\":" + Slot("\"POST\"") + ",\"url\":" + Slot("\"Observation\"") + "}}");
            body = "{\"resourceType\":\"Bundle\",\"type\":" + Slot("\"transaction\"") + ",\"entry\":[" + string.Join(",", entries) + "]}";
        }
        else
        {
            body = Observation();
        }

        var asPatient = random.Next(4) != 0;
        var headers = new List<(string, string)> { ("Authorization", asPatient ? Bearer(patient) : Pick(BadAuthorization(), Bearer(clinician))) };
        if (random.Next(3) == 0)
        {
            headers.Add((Pick("Idempotency-Key", "If-None-Exist"), IdempotencyKey()));
        }

        var contentType = random.Next(3) == 0 ? "application/fhir+json" : ContentType();
        return new FuzzCase(number, path, HttpMethod.Post, path, Encoding.UTF8.GetBytes(body), contentType, headers, asPatient);
    }

    private FuzzCase Acknowledge(int number)
    {
        var id = random.Next(3) == 0 ? Uri.EscapeDataString(Pick(Garbage)) : Guid.NewGuid().ToString();
        var path = $"/api/alerts/{id}/acknowledge";
        var body = random.Next(3) == 0 ? MalformedBody() : Encoding.UTF8.GetBytes(ObjectBody(["note"], nameFromUsername: false));
        return new FuzzCase(number, "/api/alerts/{id}/acknowledge", HttpMethod.Post, path, body, ContentType(), MaybeAuthorization(clinician), false);
    }

    private FuzzCase Query(int number, string endpoint, string path, HealthFlowApi.Session session, string[] parameters)
    {
        var query = new List<string>();
        foreach (var name in parameters.Where(_ => random.Next(2) == 0))
        {
            query.Add($"{name}={QueryValue(name)}");
        }

        if (random.Next(8) == 0)
        {
            query.Add($"{Pick(Garbage)}={Pick(Garbage)}");
        }

        var fullPath = query.Count == 0 ? path : $"{path}?{string.Join("&", query)}";
        return new FuzzCase(number, endpoint, HttpMethod.Get, fullPath, null, null, MaybeAuthorization(session), false);
    }

    private FuzzCase Stream(int number)
    {
        var headers = new List<(string, string)>(MaybeAuthorization(clinician));
        if (random.Next(3) != 0)
        {
            headers.Add(("Last-Event-ID", LastEventId()));
        }

        var query = random.Next(4) switch
        {
            0 => "?access_token=" + Uri.EscapeDataString(BadAuthorization()),
            1 => "?ticket=" + Pick(Garbage),
            _ => "",
        };
        return new FuzzCase(number, "/api/alerts/stream", HttpMethod.Get, "/api/alerts/stream" + query, null, null, headers, false);
    }

    private string ObjectBody(string[] fields, bool nameFromUsername)
    {
        var properties = new List<string>();
        var count = random.Next(0, 6);
        for (var i = 0; i < count; i++)
        {
            var name = random.Next(6) switch
            {
                0 => Pick(Garbage),
                1 => "patientId",
                _ => Pick(fields),
            };
            properties.Add($"{Quote(name)}:{Value(nameFromUsername)}");
        }

        // Duplicate properties: the second one must not silently win.
        if (properties.Count > 0 && random.Next(5) == 0)
        {
            properties.Add(properties[random.Next(properties.Count)]);
        }

        // Sometimes a valid check-in part, so the rest of the body decides.
        if (!nameFromUsername && random.Next(3) == 0)
        {
            properties.Add($"\"score\":{random.Next(1, 11)}");
        }

        return "{" + string.Join(",", properties) + "}";
    }

    private string Value(bool username) => random.Next(10) switch
    {
        0 => Quote(string.Concat(Enumerable.Repeat(Pick("a", "é", "😀", "\0"), random.Next(2) == 0 ? 5_000 : 600))),
        1 => DeepNesting(),
        2 when username => Quote(new string('a', 5_000)),
        _ => Pick(JsonValues) switch
        {
            OwnClinician => Quote(clinician.Username),
            OwnClinicianUpperCase => Quote(clinician.Username.ToUpperInvariant()),
            var value => value,
        },
    };

    private string DeepNesting()
    {
        var depth = Pick([10, 70, 1_000]);
        return random.Next(2) == 0
            ? new string('[', depth) + new string(']', depth)
            : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
    }

    private byte[] MalformedBody() => random.Next(10) switch
    {
        0 => [],
        1 => "{\"score\": 9"u8.ToArray(),
        2 => "[{\"score\": 9}]"u8.ToArray(),
        3 => "\"score\""u8.ToArray(),
        4 => [0xFF, 0xFE, 0x7B, 0x7D],
        5 => [0x7B, 0x22, 0xED, 0xBF, 0xBF, 0x22, 0x3A, 0x31, 0x7D], // {"<CESU-8 surrogate>":1}
        6 => Encoding.UTF8.GetBytes($"{{\"note\":\"{new string('x', 70_000)}\",\"score\":9}}"),
        7 => "score=9"u8.ToArray(),
        8 => "{\"score\":9,}"u8.ToArray(),
        _ => "\0\0\0\0"u8.ToArray(),
    };

    private string? ContentType() => random.Next(8) switch
    {
        0 => "text/plain",
        1 => "application/x-www-form-urlencoded",
        2 => "application/json; charset=latin1",
        3 => "application/json; charset=\u00e9",
        _ => "application/json",
    };

    private IReadOnlyList<(string, string)> MaybeAuthorization(HealthFlowApi.Session? session) => random.Next(4) switch
    {
        0 => [],
        1 => [("Authorization", BadAuthorization())],
        _ => session is null ? [] : [("Authorization", Bearer(session))],
    };

    private static string Bearer(HealthFlowApi.Session session) => "Bearer " + session.AccessToken;

    private string BadAuthorization() => random.Next(10) switch
    {
        0 => "Bearer",
        1 => "Bearer " + new string('a', 5_000),
        2 => "Basic Y2xpbmljaWFuMTpkZW1v",
        3 => "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZSI6ImNsaW5pY2lhbiJ9.",
        4 => "Bearer " + patient.AccessToken[..^4] + "AAAA",
        5 => "Bearer " + clinician.AccessToken.Replace('.', '!'),
        6 => "Bearer \u00e9\u00e9",
        7 => "Bearer ..",
        8 => "bearer " + patient.AccessToken + " extra",
        _ => Pick(Garbage),
    };

    private string IdempotencyKey() => random.Next(8) switch
    {
        0 => "",
        1 => new string('k', 300),
        2 => "key with spaces",
        3 => "k\u00e9y",
        4 => "k\tey",
        5 => Guid.NewGuid().ToString(),
        6 => "fuzz-reused-key",
        _ => new string('k', 255),
    };

    private string LastEventId() => random.Next(10) switch
    {
        0 => "0",
        1 => "-1",
        2 => new string('9', 128),
        3 => new string('9', 129),
        4 => "2025-05-01T08:30:00.0000000Z#x",
        5 => "9999-12-31T23:59:59.9999999Z",
        6 => "\u00e9",
        7 => "%00",
        8 => "#",
        _ => Pick(Garbage),
    };

    private string QueryValue(string name) => name switch
    {
        "cursor" => random.Next(6) switch
        {
            0 when realCursor is not null => realCursor,
            1 when realCursor is not null => realCursor[..^2] + "AA",
            2 => Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"_\":{\"patientId\":\"x\",\"sk\":\"y\"}}")).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            3 => new string('A', 5_000),
            _ => Pick(Garbage),
        },
        "limit" or "_count" => Pick(["0", "-1", "101", "1", "100", "2147483648", "1.5", "abc", ""]),
        "_sort" => Pick(["-date", "date", "", "-date,-date", "_id"]),
        "patient" => random.Next(3) switch
        {
            0 => patient.PatientId.ToString()!,
            1 => $"Patient/{patient.PatientId}",
            _ => Uri.EscapeDataString(Pick(Garbage)),
        },
        "patientId" => random.Next(2) == 0 ? patient.PatientId.ToString()! : Pick(Garbage),
        _ => Pick(Garbage),
    };

    private string PatientSegment() => random.Next(4) switch
    {
        0 => Uri.EscapeDataString(Pick(Garbage)),
        1 => Guid.NewGuid().ToString(),
        _ => patient.PatientId.ToString()!,
    };

    private string GuidSegment() => random.Next(2) == 0 ? Guid.NewGuid().ToString() : Uri.EscapeDataString(Pick(Garbage));

    private static string Quote(string text) => JsonValue.Create(text).ToJsonString();

    private T Pick<T>(params T[] values) => values[random.Next(values.Length)];
}
