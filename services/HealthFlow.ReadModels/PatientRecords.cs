namespace HealthFlow.ReadModels;

/// <summary>Something a response carries that belongs to one patient: the patient, an observation, an alert.</summary>
public interface IPatientRecord
{
    Guid PatientId { get; }

    /// <summary>The id of the item itself (the patient id for a patient).</summary>
    Guid ResourceId { get; }
}

/// <summary>A page of items, read without knowing the item type (Page&lt;T&gt; implements it).</summary>
public interface IPage<out T>
{
    IReadOnlyList<T> Items { get; }
}
