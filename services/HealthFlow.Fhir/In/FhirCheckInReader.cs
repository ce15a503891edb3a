using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthFlow.Domain.CheckIns;
using HealthFlow.Domain.Events;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;

namespace HealthFlow.Fhir.In;

/// <summary>What a FHIR submission holds: one Observation (<c>POST Observation</c>) or a transaction Bundle (<c>POST /</c>).</summary>
public enum FhirSubmission { Observation, Transaction }

public abstract record FhirCheckInRead
{
    private FhirCheckInRead()
    {
    }

    /// <param name="CheckIn">Validated by <see cref="CheckInValidator"/>, as a JSON check-in is.</param>
    /// <param name="EntrySlugs">Per submitted Observation (in order), the slug of the id its reading has when read back ({observationId}-{slug}).</param>
    /// <param name="ConditionalKey">The entries' <c>ifNoneExist</c> conditions, when a transaction carries them.</param>
    public sealed record Accepted(CheckIn CheckIn, IReadOnlyList<string> EntrySlugs, string? ConditionalKey) : FhirCheckInRead;

    /// <summary>Nothing may be stored: every issue names its element. Malformed when the body is not FHIR JSON at all (400), rather than FHIR that HealthFlow cannot accept (422).</summary>
    public sealed record Rejected(OperationOutcome Outcome, bool Malformed = false) : FhirCheckInRead;
}

/// <summary>
/// Reads FHIR vital-sign Observations into one check-in. The Observations become the fields of a JSON
/// check-in body (the same shape <c>POST /api/observations</c> takes), which <see cref="CheckInValidator"/>
/// then judges, so both doors share one set of rules; each field remembers the FHIRPath of the element
/// it came from, and a validation error is reported there (e.g. <c>Bundle.entry[1].resource.valueQuantity.value</c>).
/// Codes are those of <see cref="VitalSignCodes"/> and <see cref="CheckInCodes"/>, units UCUM only.
/// </summary>
public static class FhirCheckInReader
{
    public static FhirCheckInRead Read(byte[] body, FhirSubmission submission, Guid patientId, DateTimeOffset now)
    {
        var root = submission == FhirSubmission.Transaction ? "Bundle" : "Observation";
        var (resource, rejected) = Parse(body, submission, root);
        if (resource is null)
        {
            return rejected!;
        }

        var issues = new List<OperationOutcome.IssueComponent>();
        var builder = new CheckInBody(patientId);
        var conditions = new List<string>();

        if (resource is Bundle bundle)
        {
            if (bundle.Type != Bundle.BundleType.Transaction)
            {
                issues.Add(Outcomes.Issue(OperationOutcome.IssueType.NotSupported, "Submit a transaction Bundle (type 'transaction').", "Bundle.type"));
            }

            if (bundle.Entry.Count == 0)
            {
                issues.Add(Outcomes.Issue(OperationOutcome.IssueType.Required, "The Bundle has no entries: send at least one vital-sign Observation.", "Bundle.entry"));
            }

            for (var i = 0; i < bundle.Entry.Count; i++)
            {
                var entry = bundle.Entry[i];
                var path = $"Bundle.entry[{i}]";
                if (entry.Request is not { } request
                    || request.Method != Bundle.HTTPVerb.POST
                    || !string.Equals(request.Url?.TrimStart('/'), "Observation", StringComparison.Ordinal))
                {
                    issues.Add(Outcomes.Issue(OperationOutcome.IssueType.NotSupported,
                        "Each entry must create an Observation: request.method POST and request.url 'Observation'.", $"{path}.request"));
                    continue;
                }

                if (request.IfNoneExist is { Length: > 0 } condition)
                {
                    conditions.Add(condition);
                }

                if (entry.Resource is not Observation observation)
                {
                    issues.Add(Outcomes.Issue(OperationOutcome.IssueType.NotSupported, "Each entry's resource must be an Observation.", $"{path}.resource"));
                    continue;
                }

                builder.Add(observation, $"{path}.resource", issues);
            }
        }
        else
        {
            builder.Add((Observation)resource, "Observation", issues);
        }

        if (issues.Count > 0)
        {
            return Reject(issues);
        }

        var validation = CheckInValidator.Validate(builder.ToJson(), now);
        if (!validation.IsValid)
        {
            return Reject([.. validation.Errors.SelectMany(error => error.Value.Select(message =>
                Outcomes.Issue(OperationOutcome.IssueType.Value, message, builder.ExpressionOf(error.Key, root))))]);
        }

        var conditionalKey = conditions.Count > 0 ? string.Join("&", conditions.Order(StringComparer.Ordinal)) : null;
        return new FhirCheckInRead.Accepted(validation.CheckIn, builder.Slugs, conditionalKey);
    }

    private static (Resource? Resource, FhirCheckInRead.Rejected? Rejected) Parse(byte[] body, FhirSubmission submission, string root)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("resourceType", out var type)
                || type.ValueKind != JsonValueKind.String
                || type.GetString() != root)
            {
                return (null, Reject([Outcomes.Issue(OperationOutcome.IssueType.Invalid,
                    submission == FhirSubmission.Transaction
                        ? "POST a transaction Bundle here (resourceType 'Bundle'); single Observations go to Observation."
                        : "POST one Observation here (resourceType 'Observation'); Bundles go to the base URL.",
                    "resourceType")]));
            }

            Resource resource = submission == FhirSubmission.Transaction
                ? JsonSerializer.Deserialize<Bundle>(body, FhirJson.Options)!
                : JsonSerializer.Deserialize<Observation>(body, FhirJson.Options)!;
            return (resource, null);
        }
        catch (DeserializationFailedException e)
        {
            return (null, new FhirCheckInRead.Rejected(e.ToOperationOutcome(), Malformed: true));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException or OverflowException)
        {
            return (null, Reject([Outcomes.Issue(OperationOutcome.IssueType.Structure, $"The body is not valid FHIR JSON: {Describe(e)}", root)]) with { Malformed = true });
        }
    }

    // The parser's message may quote the offending text, which can be anything; keep it short and printable.
    private static string Describe(Exception e) =>
        new string([.. e.Message.Take(200).Where(c => !char.IsControl(c) && !char.IsSurrogate(c))]);

    private static FhirCheckInRead.Rejected Reject(IEnumerable<OperationOutcome.IssueComponent> issues) =>
        new(new OperationOutcome { Issue = [.. issues] });

    /// <summary>The JSON check-in being assembled, with the FHIRPath each field came from.</summary>
    private sealed class CheckInBody(Guid patientId)
    {
        private readonly JsonObject _json = [];
        private readonly Dictionary<string, string> _expressions = new(StringComparer.Ordinal);
        private readonly List<string> _notes = [];
        private readonly List<string> _slugs = [];
        private string? _effective;
        private string? _effectivePath;
        private string? _firstPath;

        public IReadOnlyList<string> Slugs => _slugs;

        public JsonElement ToJson()
        {
            if (_effective is not null)
            {
                _json[CheckInFields.MeasuredAt] = _effective;
            }

            if (_notes.Count > 0)
            {
                _json[CheckInFields.Note] = string.Join("\n", _notes.Distinct(StringComparer.Ordinal));
            }

            return JsonSerializer.SerializeToElement(_json);
        }

        public string ExpressionOf(string field, string root) => _expressions.TryGetValue(field, out var expression)
            ? expression
            : field == CheckInFields.MeasuredAt ? _effectivePath ?? root
            : field == CheckInFields.Note ? $"{_firstPath ?? root}.note"
            : field == CheckInFields.Measurements && root == "Bundle" ? "Bundle.entry"
            : _firstPath ?? root;

        public void Add(Observation observation, string path, List<OperationOutcome.IssueComponent> issues)
        {
            _firstPath ??= path;
            if (observation.Status is not (ObservationStatus.Final or ObservationStatus.Amended or ObservationStatus.Corrected))
            {
                issues.Add(Outcomes.Issue(OperationOutcome.IssueType.Value, "status must be final, amended or corrected: a check-in reports finished readings.", $"{path}.status"));
            }

            if (observation.Subject is { } subject && subject.Reference != $"Patient/{patientId:D}")
            {
                issues.Add(Outcomes.Issue(OperationOutcome.IssueType.Forbidden,
                    $"subject must be your own patient record (Patient/{patientId:D}) or left out: the patient is taken from the access token.", $"{path}.subject"));
            }

            ReadEffective(observation, path, issues);
            foreach (var annotation in observation.Note)
            {
                if (annotation.Text is { Length: > 0 } text)
                {
                    _notes.Add(text);
                }
            }

            var coding = observation.Code?.Coding.FirstOrDefault(IsSupported);
            if (coding is null)
            {
                issues.Add(Outcomes.Issue(OperationOutcome.IssueType.CodeInvalid,
                    $"Unsupported code {Describe(observation.Code)}. Supported: LOINC {string.Join(", ", SupportedLoinc)} and {CodeSystems.HealthFlow} {string.Join(", ", SupportedLocal)}.",
                    $"{path}.code"));
                return;
            }

            if (coding.System == CodeSystems.Loinc && coding.Code == VitalSignCodes.BloodPressurePanelCode)
            {
                ReadPanel(observation, path, issues);
                _slugs.Add(VitalSignCodes.SystolicBp.Slug);
                return;
            }

            if (coding.System == CodeSystems.Loinc)
            {
                var vital = AllVitals.First(v => v.AcceptedCodes.Contains(coding.Code));
                ReadQuantity(observation.Value, vital, path, $"{path}.code", issues);
                _slugs.Add(vital.Slug);
                return;
            }

            ReadLocal(observation, coding.Code!, path, issues);
            _slugs.Add(coding.Code!);
        }

        private void ReadEffective(Observation observation, string path, List<OperationOutcome.IssueComponent> issues)
        {
            var (value, elementPath) = observation.Effective switch
            {
                FhirDateTime dateTime => (dateTime.Value, $"{path}.effectiveDateTime"),
                Instant instant => (instant.Value?.ToString("o", CultureInfo.InvariantCulture), $"{path}.effectiveInstant"),
                null => (null, null),
                _ => ("unsupported", $"{path}.effective"),
            };

            if (value is null)
            {
                return;
            }

            if (_effective is null)
            {
                (_effective, _effectivePath) = (value, elementPath);
            }
            else if (_effective != value)
            {
                issues.Add(Outcomes.Issue(OperationOutcome.IssueType.Value,
                    $"All Observations of one check-in must share one effective time ({_effective} at {_effectivePath}).", elementPath!));
            }
        }

        private void ReadPanel(Observation observation, string path, List<OperationOutcome.IssueComponent> issues)
        {
            if (observation.Value is not null)
            {
                issues.Add(Outcomes.Issue(OperationOutcome.IssueType.Invalid, "A blood pressure panel carries its values in component, not value[x].", $"{path}.value"));
            }

            for (var i = 0; i < observation.Component.Count; i++)
            {
                var component = observation.Component[i];
                var componentPath = $"{path}.component[{i}]";
                var coding = component.Code?.Coding.FirstOrDefault(c => c.System == CodeSystems.Loinc
                    && VitalSignCodes.BloodPressureComponents.Any(v => v.Code == c.Code));
                if (coding is null)
                {
                    issues.Add(Outcomes.Issue(OperationOutcome.IssueType.CodeInvalid,
                        $"Unsupported component code {Describe(component.Code)}. Supported: LOINC {VitalSignCodes.SystolicBp.Code} (systolic) and {VitalSignCodes.DiastolicBp.Code} (diastolic).",
                        $"{componentPath}.code"));
                    continue;
                }

                var vital = VitalSignCodes.BloodPressureComponents.First(v => v.Code == coding.Code);
                if (component.Value is null && component.DataAbsentReason is not null)
                {
                    continue;
                }

                ReadQuantity(component.Value, vital, componentPath, $"{componentPath}.code", issues);
            }
        }

        private void ReadQuantity(DataType? value, VitalSignCode vital, string path, string codePath, List<OperationOutcome.IssueComponent> issues)
        {
            if (value is null)
            {
                issues.Add(Outcomes.Issue(OperationOutcome.IssueType.Required, $"{vital.Display} needs a valueQuantity in {vital.Unit}.", $"{path}.valueQuantity"));
                return;
            }

            if (value is not Quantity quantity)
            {
                issues.Add(Outcomes.Issue(OperationOutcome.IssueType.Value, $"{vital.Display} must be a valueQuantity in {vital.Unit}.", $"{path}.value"));
                return;
            }

            var quantityPath = $"{path}.valueQuantity";
            if (!CheckUnit(quantity, vital.Unit, vital.Display, quantityPath, issues))
            {
                return;
            }

            if (quantity.Value is not { } number)
            {
                issues.Add(Outcomes.Issue(OperationOutcome.IssueType.Required, $"{vital.Display} needs a value.", $"{quantityPath}.value"));
                return;
            }

            Set(vital.Field, Number(number), $"{quantityPath}.value", codePath, issues);
        }

        private void ReadLocal(Observation observation, string code, string path, List<OperationOutcome.IssueComponent> issues)
        {
            switch (code, observation.Value)
            {
                case (CheckInCodes.SymptomScore, Integer { Value: { } score }):
                    Set(CheckInFields.Score, score, $"{path}.valueInteger", $"{path}.code", issues);
                    break;
                case (CheckInCodes.SymptomScore, Quantity quantity):
                    if (CheckUnit(quantity, "{score}", "The symptom score", $"{path}.valueQuantity", issues))
                    {
                        Set(CheckInFields.Score, quantity.Value is { } v ? Number(v) : null, $"{path}.valueQuantity.value", $"{path}.code", issues);
                    }

                    break;
                case (CheckInCodes.SupplementalOxygen, FhirBoolean { Value: { } onOxygen }):
                    Set(CheckInFields.OnSupplementalOxygen, onOxygen, $"{path}.valueBoolean", $"{path}.code", issues);
                    break;
                case (CheckInCodes.Consciousness, CodeableConcept concept):
                    var level = concept.Coding.FirstOrDefault(c => c.System == CodeSystems.Acvpu && CheckInCodes.Acvpu.Values.Any(a => a.Code == c.Code));
                    if (level is null)
                    {
                        issues.Add(Outcomes.Issue(OperationOutcome.IssueType.CodeInvalid,
                            $"Consciousness must be coded in {CodeSystems.Acvpu}: {string.Join(", ", CheckInCodes.Acvpu.Values.Select(a => $"{a.Code} ({a.Display})"))}.",
                            $"{path}.valueCodeableConcept"));
                        break;
                    }

                    var consciousness = CheckInCodes.Acvpu.First(a => a.Value.Code == level.Code).Key;
                    Set(CheckInFields.Consciousness, consciousness.ToString().ToLowerInvariant(), $"{path}.valueCodeableConcept", $"{path}.code", issues);
                    break;
                case (CheckInCodes.News2Total, _):
                    issues.Add(Outcomes.Issue(OperationOutcome.IssueType.NotSupported,
                        "NEWS2 is computed by HealthFlow from the vital signs; submit the vital signs instead.", $"{path}.code"));
                    break;
                default:
                    var expected = code switch
                    {
                        CheckInCodes.SymptomScore => "valueInteger",
                        CheckInCodes.SupplementalOxygen => "valueBoolean",
                        _ => "valueCodeableConcept",
                    };
                    issues.Add(Outcomes.Issue(OperationOutcome.IssueType.Value, $"{code} must be given as {expected}.", $"{path}.value"));
                    break;
            }
        }

        private static bool CheckUnit(Quantity quantity, string ucum, string what, string path, List<OperationOutcome.IssueComponent> issues)
        {
            // "<90 %" says only that the reading was below 90: storing 90 would score it as a value nobody measured.
            if (quantity.Comparator is { } comparator)
            {
                issues.Add(Outcomes.Issue(OperationOutcome.IssueType.Value,
                    $"{what} must be a measured value, not a bound ('{comparator.GetLiteral()}'): a reading that is only a bound cannot be scored.",
                    $"{path}.comparator"));
                return false;
            }

            // FHIR's qty-3: a code means nothing without the system it is a code in.
            if (quantity.Code is not null && quantity.System is null)
            {
                issues.Add(Outcomes.Issue(OperationOutcome.IssueType.Required,
                    $"A unit code needs its system (FHIR rule qty-3): give system {CodeSystems.Ucum}.",
                    $"{path}.system"));
                return false;
            }

            if (quantity.System is { } system && system != CodeSystems.Ucum)
            {
                issues.Add(Outcomes.Issue(OperationOutcome.IssueType.CodeInvalid, $"Units must be UCUM ({CodeSystems.Ucum}), not {system}.", $"{path}.system"));
                return false;
            }

            if (quantity.Code is { } code)
            {
                if (code != ucum)
                {
                    issues.Add(Outcomes.Issue(OperationOutcome.IssueType.CodeInvalid, $"Unsupported unit '{code}': {what} is accepted in UCUM '{ucum}' only.", $"{path}.code"));
                    return false;
                }

                return true;
            }

            if (quantity.Unit != ucum)
            {
                issues.Add(Outcomes.Issue(OperationOutcome.IssueType.CodeInvalid,
                    $"Unsupported unit '{quantity.Unit}': {what} is accepted in UCUM '{ucum}' only (give system {CodeSystems.Ucum} and code '{ucum}').",
                    $"{path}.unit"));
                return false;
            }

            return true;
        }

        private void Set(string field, JsonNode? value, string valuePath, string codePath, List<OperationOutcome.IssueComponent> issues)
        {
            if (_json.ContainsKey(field))
            {
                issues.Add(Outcomes.Issue(OperationOutcome.IssueType.Duplicate,
                    $"{field} is given twice ({_expressions[field]}); one check-in holds one reading of each.", codePath));
                return;
            }

            _json[field] = value;
            _expressions[field] = valuePath;
        }

        // 72.0 is the integer 72: write it as one, so the check-in validator's integer rule judges the value, not its notation.
        private static JsonNode Number(decimal value) =>
            value == decimal.Truncate(value) && value is >= int.MinValue and <= int.MaxValue
                ? JsonValue.Create((int)value)
                : JsonValue.Create(value);

        private static string Describe(CodeableConcept? concept) => concept?.Coding is { Count: > 0 } codings
            ? string.Join(", ", codings.Select(c => $"{c.System}|{c.Code}"))
            : "(none)";
    }

    private static readonly IReadOnlyList<VitalSignCode> AllVitals = [.. VitalSignCodes.Single, .. VitalSignCodes.BloodPressureComponents];

    private static readonly IReadOnlyList<string> SupportedLoinc =
        [.. AllVitals.SelectMany(v => v.AcceptedCodes), VitalSignCodes.BloodPressurePanelCode];

    private static readonly IReadOnlyList<string> SupportedLocal =
        [CheckInCodes.SymptomScore, CheckInCodes.Consciousness, CheckInCodes.SupplementalOxygen];

    private static bool IsSupported(Coding coding) =>
        (coding.System == CodeSystems.Loinc && SupportedLoinc.Contains(coding.Code))
        || (coding.System == CodeSystems.HealthFlow && (SupportedLocal.Contains(coding.Code) || coding.Code == CheckInCodes.News2Total));
}
