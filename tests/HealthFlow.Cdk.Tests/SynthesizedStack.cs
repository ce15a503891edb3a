using System.Diagnostics;
using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;
using HealthFlow.Cdk;

namespace HealthFlow.Cdk.Tests;

/// <summary>
/// Synthesizes the stack once per test run, into a per-run temp folder that is also jsii's TMPDIR
/// (jsii unpacks ~66 MB per process there), and deletes it afterwards.
/// </summary>
public sealed class SynthesizedStack : IDisposable
{
    private readonly string _runDirectory;

    public SynthesizedStack()
    {
        _runDirectory = Directory.CreateTempSubdirectory("healthflow-cdk-tests-").FullName;
        // Both must be set before the first jsii call starts the node process.
        Environment.SetEnvironmentVariable("TMPDIR", _runDirectory);
        Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20");

        var stopwatch = Stopwatch.StartNew();
        RepositoryRoot = Cdk.RepositoryRoot.Find(AppContext.BaseDirectory);
        var (app, stack) = HealthFlowApp.Create(RepositoryRoot, Path.Combine(_runDirectory, "cdk.out"));
        var assembly = app.Synth();
        Template = Template.FromStack(stack);
        OutputDirectory = assembly.Directory;
        Model = new TemplateModel(JsonNode.Parse(File.ReadAllText(Path.Combine(assembly.Directory, $"{stack.ArtifactId}.template.json")))!.AsObject());
        SynthesisTime = stopwatch.Elapsed;
    }

    public string RepositoryRoot { get; }

    /// <summary>For Amazon.CDK.Assertions matchers.</summary>
    public Template Template { get; }

    /// <summary>The same template as JSON, for questions that span resources (who may do what to which table).</summary>
    public TemplateModel Model { get; }

    /// <summary>The cloud assembly: template, asset manifest and the staged Docker build contexts.</summary>
    public string OutputDirectory { get; }

    public TimeSpan SynthesisTime { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_runDirectory, recursive: true);
        }
        catch (IOException)
        {
            // jsii's node process may still hold a file for a moment; the OS temp cleaner gets the rest.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CdkCollection : ICollectionFixture<SynthesizedStack>
{
    // One collection for every CDK test: jsii's first load races when classes start in parallel.
    public const string Name = "cdk";
}
