using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace HealthFlow.Fhir.Tests;

/// <summary>
/// Firely's validator over the R4 specification package (core profiles, vital-signs profiles, core
/// extensions and value sets). Loading and compiling the specification takes seconds, so one instance
/// serves every test of a collection. The EndToEnd tests link this same file.
/// </summary>
public sealed class ProfileValidator
{
    private readonly Validator _validator;
    private readonly object _gate = new();

    public ProfileValidator()
    {
        var specification = new CachedResolver(ZipSource.CreateValidationSource());
        _validator = new Validator(specification, LocalTerminologyService.CreateDefaultForCore(specification), null, new ValidationSettings());
    }

    /// <summary>The errors and fatal issues of validating against every profile the resource claims, and its core type.</summary>
    public IReadOnlyList<string> Errors(Resource resource)
    {
        var profiles = resource.Meta?.Profile?.ToList() ?? [];
        profiles.Add(ModelInfo.CanonicalUriForFhirCoreType(resource.TypeName));
        var errors = new List<string>();
        foreach (var profile in profiles.Distinct())
        {
            OperationOutcome outcome;
            lock (_gate)
            {
                outcome = _validator.Validate(resource, profile);
            }

            errors.AddRange(outcome.Issue
                .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
                .Select(i => $"{resource.TypeName}/{resource.Id} against {profile}: {string.Join(",", i.Expression)} {i.Details?.Text}"));
        }

        return errors;
    }

    /// <summary>Asserts 0 errors for the resource, and for every resource a Bundle holds.</summary>
    public void AssertValid(Resource resource)
    {
        var errors = Errors(resource).ToList();
        if (resource is Bundle bundle)
        {
            errors.AddRange(bundle.Entry.Select(e => e.Resource).OfType<Resource>().SelectMany(Errors));
        }

        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }
}
