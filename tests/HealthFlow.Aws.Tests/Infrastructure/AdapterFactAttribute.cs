using Xunit.Abstractions;
using Xunit.Sdk;

namespace HealthFlow.Aws.Tests.Infrastructure;

/// <summary>
/// A fact of the shared adapter suite. It is skipped (with the reason) when the concrete test class
/// is marked <see cref="RequiresDockerAttribute"/> and no Docker engine answers. xunit 2 has no
/// dynamic skip, and one attribute on a base-class method cannot know its subclass, hence the discoverer.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("HealthFlow.Aws.Tests.Infrastructure.AdapterFactDiscoverer", "HealthFlow.Aws.Tests")]
public sealed class AdapterFactAttribute : FactAttribute;

/// <summary>Marks a test class whose fixture needs a Docker engine (Testcontainers).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresDockerAttribute : Attribute;

public sealed class AdapterFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var needsDocker = testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresDockerAttribute)).Any();
        var skipReason = needsDocker ? DockerEngine.UnavailableReason : null;
        yield return skipReason is null
            ? new XunitTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)
            : new SkippedTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, skipReason);
    }
}

/// <summary>An XunitTestCase that is reported as skipped with a reason decided at discovery.</summary>
public sealed class SkippedTestCase : XunitTestCase
{
    private string _skipReason = string.Empty;

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public SkippedTestCase()
    {
    }

    public SkippedTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions displayOptions, ITestMethod testMethod, string skipReason)
        : base(sink, display, displayOptions, testMethod)
    {
        _skipReason = skipReason;
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _skipReason;

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("SkipReason", _skipReason);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        _skipReason = data.GetValue<string>("SkipReason");
        base.Deserialize(data);
    }
}
