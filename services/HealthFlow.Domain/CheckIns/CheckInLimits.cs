namespace HealthFlow.Domain.CheckIns;

/// <summary>
/// The plausible ranges a check-in is validated against, in one place so the web apps can mirror them
/// (the table in CheckIns/README.md lists the same values). All bounds are inclusive.
/// </summary>
public static class CheckInLimits
{
    public const int ScoreMin = 1;
    public const int ScoreMax = 10;

    /// <summary>Beats per minute.</summary>
    public const int HeartRateMin = 20;
    public const int HeartRateMax = 300;

    /// <summary>Breaths per minute.</summary>
    public const int RespiratoryRateMin = 3;
    public const int RespiratoryRateMax = 80;

    /// <summary>Percent (SpO2).</summary>
    public const int OxygenSaturationMin = 50;
    public const int OxygenSaturationMax = 100;

    /// <summary>mmHg.</summary>
    public const int SystolicBpMin = 50;
    public const int SystolicBpMax = 300;

    /// <summary>mmHg.</summary>
    public const int DiastolicBpMin = 20;
    public const int DiastolicBpMax = 200;

    /// <summary>Degrees Celsius; any number of decimals is accepted, NEWS2 scores it rounded to one.</summary>
    public const decimal TemperatureMin = 25.0m;
    public const decimal TemperatureMax = 45.0m;

    /// <summary>UTF-16 code units, which is what a browser's <c>maxlength</c> counts.</summary>
    public const int NoteMaxLength = 500;

    /// <summary>How far in the future measuredAt may be, to tolerate a device clock running slightly ahead.</summary>
    public static readonly TimeSpan MeasuredAtMaxClockSkew = TimeSpan.FromMinutes(2);

    /// <summary>How old measuredAt may be; older readings say nothing about the patient's state now.</summary>
    public static readonly TimeSpan MeasuredAtMaxAge = TimeSpan.FromDays(7);
}

/// <summary>The JSON property names of a check-in body; also the keys of its validation errors.</summary>
public static class CheckInFields
{
    public const string Score = "score";
    public const string HeartRate = "heartRate";
    public const string RespiratoryRate = "respiratoryRate";
    public const string OxygenSaturation = "oxygenSaturation";
    public const string OnSupplementalOxygen = "onSupplementalOxygen";
    public const string SystolicBp = "systolicBp";
    public const string DiastolicBp = "diastolicBp";
    public const string Temperature = "temperature";
    public const string Consciousness = "consciousness";
    public const string MeasuredAt = "measuredAt";
    public const string Note = "note";

    /// <summary>Error key when the body is not a JSON object.</summary>
    public const string Body = "body";

    /// <summary>Error key when the body holds no measurement at all.</summary>
    public const string Measurements = "measurements";

    /// <summary>The fields that count as a measurement (everything but measuredAt and note).</summary>
    public static readonly IReadOnlyList<string> MeasurementFields =
    [
        Score, HeartRate, RespiratoryRate, OxygenSaturation, OnSupplementalOxygen,
        SystolicBp, DiastolicBp, Temperature, Consciousness,
    ];

    public static readonly IReadOnlyList<string> All = [.. MeasurementFields, MeasuredAt, Note];
}
