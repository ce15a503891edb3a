using System.Text;
using HealthFlow.Domain.Events;
using HealthFlow.Fhir.In;
using Hl7.Fhir.Model;

namespace HealthFlow.Fhir.Tests;

public sealed class InboundMappingTests
{
    private static readonly Guid PatientId = Guid.Parse("0f7d3c52-8a1e-4b6a-9d55-3c2b1a0e9f11");
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private const string Effective = "2026-11-30T08:30:00Z";

    private static string Vital(string loinc, string value, string unit, string? extra = null) => $$"""
        {"resourceType":"Observation","status":"final",
         "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
         "code":{"coding":[{"system":"http://loinc.org","code":"{{loinc}}"}]},
         "subject":{"reference":"Patient/{{PatientId}}"},
         "effectiveDateTime":"{{Effective}}",
         "valueQuantity":{"value":{{value}},"unit":"{{unit}}","system":"http://unitsofmeasure.org","code":"{{unit}}"}{{extra}}}
        """;

    private const string BloodPressurePanel = $$$"""
        {"resourceType":"Observation","status":"final",
         "code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},
         "effectiveDateTime":"{{{Effective}}}",
         "component":[
           {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":95,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
           {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":60,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]}
        """;

    private static string Transaction(params string[] resources) =>
        $$"""{"resourceType":"Bundle","type":"transaction","entry":[{{string.Join(",", resources.Select(r => $$$"""{"resource":{{{r}}},"request":{"method":"POST","url":"Observation"}}"""))}}]}""";

    private static FhirCheckInRead Read(string body, FhirSubmission submission) =>
        FhirCheckInReader.Read(Encoding.UTF8.GetBytes(body), submission, PatientId, Now);

    private static OperationOutcome.IssueComponent SingleIssue(FhirCheckInRead read) =>
        Assert.Single(Assert.IsType<FhirCheckInRead.Rejected>(read).Outcome.Issue);

    [Fact]
    public void A_transaction_Bundle_of_vital_signs_is_one_check_in_with_every_reading()
    {
        var read = Read(Transaction(
            Vital("8867-4", "125", "/min"),
            Vital("9279-1", "26", "/min"),
            Vital("59408-5", "90", "%"),
            Vital("8310-5", "38.5", "Cel"),
            BloodPressurePanel), FhirSubmission.Transaction);

        var accepted = Assert.IsType<FhirCheckInRead.Accepted>(read);
        Assert.Equal(new VitalSigns(HeartRate: 125, RespiratoryRate: 26, OxygenSaturation: 90, SystolicBp: 95, DiastolicBp: 60, Temperature: 38.5m), accepted.CheckIn.Vitals);
        Assert.Equal(DateTimeOffset.Parse(Effective), accepted.CheckIn.MeasuredAt);
        Assert.Equal(["heart-rate", "respiratory-rate", "oxygen-saturation", "temperature", "blood-pressure"], accepted.EntrySlugs);
    }

    [Fact]
    public void A_single_Observation_is_a_check_in_and_a_whole_number_written_as_decimal_counts_as_an_integer()
    {
        var accepted = Assert.IsType<FhirCheckInRead.Accepted>(Read(Vital("8867-4", "72.0", "/min"), FhirSubmission.Observation));

        Assert.Equal(72, accepted.CheckIn.Vitals.HeartRate);
    }

    [Fact]
    public void An_unsupported_unit_is_named_by_its_element()
    {
        var fahrenheit = Vital("8310-5", "101.3", "[degF]").Replace("\"code\":\"[degF]\"", "\"code\":null", StringComparison.Ordinal)
            .Replace(",\"system\":\"http://unitsofmeasure.org\",\"code\":null", "", StringComparison.Ordinal);

        var issue = SingleIssue(Read(Transaction(Vital("8867-4", "72", "/min"), fahrenheit), FhirSubmission.Transaction));

        Assert.Equal("Bundle.entry[1].resource.valueQuantity.unit", Assert.Single(issue.Expression));
        Assert.Equal(OperationOutcome.IssueType.CodeInvalid, issue.Code);
    }

    [Fact]
    public void An_unsupported_code_is_named_by_its_element()
    {
        var issue = SingleIssue(Read(Transaction(Vital("8867-4", "72", "/min"), Vital("2339-0", "5.4", "mmol/L")), FhirSubmission.Transaction));

        Assert.Equal("Bundle.entry[1].resource.code", Assert.Single(issue.Expression));
        Assert.Contains("2339-0", issue.Details!.Text);
    }

    [Fact]
    public void An_oxygen_saturation_that_is_only_a_bound_is_refused_at_its_comparator_not_stored_as_the_bound()
    {
        var below90 = Vital("59408-5", "90", "%").Replace("\"value\":90,", "\"value\":90,\"comparator\":\"<\",", StringComparison.Ordinal);

        var issue = SingleIssue(Read(Transaction(Vital("8867-4", "72", "/min"), below90), FhirSubmission.Transaction));

        Assert.Equal("Bundle.entry[1].resource.valueQuantity.comparator", Assert.Single(issue.Expression));
        Assert.Contains("cannot be scored", issue.Details!.Text);
    }

    [Fact]
    public void A_symptom_score_that_is_only_a_bound_is_refused_at_its_comparator()
    {
        const string score = """
            {"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://healthflow.example.org/fhir/CodeSystem/check-in","code":"symptom-score"}]},
             "effectiveDateTime":"2026-11-30T08:30:00Z","valueQuantity":{"value":8,"comparator":">=","unit":"{score}","system":"http://unitsofmeasure.org","code":"{score}"}}
            """;

        var issue = SingleIssue(Read(score, FhirSubmission.Observation));

        Assert.Equal("Observation.valueQuantity.comparator", Assert.Single(issue.Expression));
    }

    [Fact]
    public void A_blood_pressure_component_that_is_only_a_bound_is_refused_at_its_comparator()
    {
        var panel = BloodPressurePanel.Replace("\"value\":95,", "\"value\":95,\"comparator\":\">\",", StringComparison.Ordinal);

        var issue = SingleIssue(Read(panel, FhirSubmission.Observation));

        Assert.Equal("Observation.component[0].valueQuantity.comparator", Assert.Single(issue.Expression));
    }

    [Fact]
    public void A_unit_code_without_its_system_breaks_qty_3_and_is_refused_at_the_system()
    {
        var noSystem = Vital("8867-4", "72", "/min").Replace(",\"system\":\"http://unitsofmeasure.org\"", "", StringComparison.Ordinal);

        var issue = SingleIssue(Read(noSystem, FhirSubmission.Observation));

        Assert.Equal("Observation.valueQuantity.system", Assert.Single(issue.Expression));
        Assert.Contains("qty-3", issue.Details!.Text);
    }

    [Fact]
    public void A_value_the_check_in_rules_refuse_is_reported_at_the_FHIR_element_it_came_from()
    {
        var issue = SingleIssue(Read(Transaction(Vital("9279-1", "16", "/min"), Vital("8867-4", "400", "/min")), FhirSubmission.Transaction));

        Assert.Equal("Bundle.entry[1].resource.valueQuantity.value", Assert.Single(issue.Expression));
        Assert.Contains("Heart rate must be", issue.Details!.Text);
    }

    [Fact]
    public void A_subject_other_than_the_tokens_patient_is_refused()
    {
        var other = Vital("8867-4", "72", "/min").Replace(PatientId.ToString(), Guid.NewGuid().ToString(), StringComparison.Ordinal);

        var issue = SingleIssue(Read(other, FhirSubmission.Observation));

        Assert.Equal("Observation.subject", Assert.Single(issue.Expression));
    }

    [Fact]
    public void The_same_reading_twice_in_one_Bundle_is_refused()
    {
        var issue = SingleIssue(Read(Transaction(Vital("8867-4", "72", "/min"), Vital("8867-4", "75", "/min")), FhirSubmission.Transaction));

        Assert.Equal("Bundle.entry[1].resource.code", Assert.Single(issue.Expression));
    }

    [Fact]
    public void Readings_at_different_times_are_not_one_check_in()
    {
        var later = Vital("9279-1", "16", "/min").Replace(Effective, "2026-11-30T08:45:00Z", StringComparison.Ordinal);

        var issue = SingleIssue(Read(Transaction(Vital("8867-4", "72", "/min"), later), FhirSubmission.Transaction));

        Assert.Equal("Bundle.entry[1].resource.effectiveDateTime", Assert.Single(issue.Expression));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"resourceType\":\"Observation\",\"status\":\"bogus\"}")]
    [InlineData("[1,2]")]
    [InlineData("{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"\\udfff\"}}")]
    public void A_body_that_is_not_FHIR_is_malformed_and_never_throws(string body)
    {
        var rejected = Assert.IsType<FhirCheckInRead.Rejected>(Read(body, FhirSubmission.Observation));

        Assert.NotEmpty(rejected.Outcome.Issue);
    }

    [Fact]
    public void A_Bundle_posted_as_an_Observation_is_sent_to_the_right_place()
    {
        var issue = SingleIssue(Read(Transaction(Vital("8867-4", "72", "/min")), FhirSubmission.Observation));

        Assert.Contains("Bundles go to the base URL", issue.Details!.Text);
    }

    [Fact]
    public void ACVPU_supplemental_oxygen_and_the_symptom_score_come_in_as_HealthFlow_codes()
    {
        const string local = "http://healthflow.example.org/fhir/CodeSystem/check-in";
        var read = Read(Transaction(
            $$$"""{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"{{{local}}}","code":"consciousness"}]},"effectiveDateTime":"{{{Effective}}}","valueCodeableConcept":{"coding":[{"system":"http://healthflow.example.org/fhir/CodeSystem/acvpu","code":"V"}]}}""",
            $$"""{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"{{local}}","code":"supplemental-oxygen"}]},"effectiveDateTime":"{{Effective}}","valueBoolean":true}""",
            $$$"""{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"{{{local}}}","code":"symptom-score"}]},"effectiveDateTime":"{{{Effective}}}","valueInteger":8,"note":[{"text":"Short of breath"}]}"""),
            FhirSubmission.Transaction);

        var accepted = Assert.IsType<FhirCheckInRead.Accepted>(read);
        Assert.Equal(new VitalSigns(Score: 8, OnSupplementalOxygen: true, Consciousness: Consciousness.Voice), accepted.CheckIn.Vitals);
        Assert.Equal("Short of breath", accepted.CheckIn.Note);
    }

    [Fact]
    public void The_entries_conditional_creates_make_one_key_whatever_their_order()
    {
        static string Entry(string resource, string condition) =>
            $$$"""{"resource":{{{resource}}},"request":{"method":"POST","url":"Observation","ifNoneExist":"{{{condition}}}"}}""";
        var heartRate = Vital("8867-4", "72", "/min");
        var respiratoryRate = Vital("9279-1", "16", "/min");

        var a = Read($$"""{"resourceType":"Bundle","type":"transaction","entry":[{{Entry(heartRate, "identifier=dev|1")}},{{Entry(respiratoryRate, "identifier=dev|2")}}]}""", FhirSubmission.Transaction);
        var b = Read($$"""{"resourceType":"Bundle","type":"transaction","entry":[{{Entry(respiratoryRate, "identifier=dev|2")}},{{Entry(heartRate, "identifier=dev|1")}}]}""", FhirSubmission.Transaction);

        Assert.Equal("identifier=dev|1&identifier=dev|2", Assert.IsType<FhirCheckInRead.Accepted>(a).ConditionalKey);
        Assert.Equal(Assert.IsType<FhirCheckInRead.Accepted>(a).ConditionalKey, Assert.IsType<FhirCheckInRead.Accepted>(b).ConditionalKey);
    }
}
