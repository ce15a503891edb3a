namespace HealthFlow.Fhir.Tests;

/// <summary>The tests that share one <see cref="ProfileValidator"/>.</summary>
[CollectionDefinition(Name)]
public sealed class FhirValidationCollection : ICollectionFixture<ProfileValidator>
{
    public const string Name = "FHIR validation";
}
