using System.Diagnostics;
using System.Text.Json.Nodes;
using Stage = Amazon.CDK.Stage;
using Amazon.CDK.Assertions;
using HealthFlow.Cdk;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace HealthFlow.Cdk.Tests;

/// <summary>
/// Synthesizes the stack once per test run, into a per-run temp folder that is also jsii's TMPDIR
/// (jsii unpacks ~66 MB per process there), and deletes it afterwards. The same synthesis also
/// builds a second copy of the stack, in its own stage, with every operator option set.
/// </summary>
public sealed class SynthesizedStack : IDisposable
{
    private readonly string _runDirectory;

    public const string CertificateArn = "arn:aws:acm:eu-west-1:111122223333:certificate/5e3b7a3c-0000-4000-8000-000000000001";
    public const string AlarmEmail = "on-call@example.org";
    public const string Region = "eu-west-1";
    public const int BackupRetentionDays = 7;

    public SynthesizedStack(IMessageSink diagnostics)
    {
        _runDirectory = Directory.CreateTempSubdirectory("healthflow-cdk-tests-").FullName;
        // Both must be set before the first jsii call starts the node process.
        Environment.SetEnvironmentVariable("TMPDIR", _runDirectory);
        Environment.SetEnvironmentVariable("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20");

        var stopwatch = Stopwatch.StartNew();
        RepositoryRoot = Cdk.RepositoryRoot.Find(AppContext.BaseDirectory);
        var (app, stack) = HealthFlowApp.Create(RepositoryRoot, Path.Combine(_runDirectory, "cdk.out"),
            new Dictionary<string, object> { [DeploymentSettings.RegionKey] = Region, [DeploymentSettings.CertificateArnKey] = CertificateArn });

        // Context set on a stage reaches every construct below it, so this copy sees the options and the default one does not.
        // (The default one has a certificate too: HTTPS is what a deployment without explicit options gets.)
        var withOptions = new Stage(app, "WithOptions");
        withOptions.Node.SetContext(DeploymentSettings.CertificateArnKey, "");
        withOptions.Node.SetContext(DeploymentSettings.AlarmEmailKey, AlarmEmail);
        withOptions.Node.SetContext(DeploymentSettings.HoldAuthApiKey, "true");
        withOptions.Node.SetContext(DeploymentSettings.DemoKey, "true");
        withOptions.Node.SetContext(DeploymentSettings.EscalationHighAfterKey, "00:05:00");
        withOptions.Node.SetContext(DeploymentSettings.EscalationMediumAfterKey, "never");
        withOptions.Node.SetContext(DeploymentSettings.BackupRetentionDaysKey, BackupRetentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var optionsStack = new HealthFlowStack(withOptions, HealthFlowApp.StackName, new HealthFlowStackProps
        {
            RepositoryRoot = RepositoryRoot,
            Env = new Amazon.CDK.Environment { Region = Region },
        });

        var constructed = stopwatch.Elapsed;
        var assembly = app.Synth();
        Template = Template.FromStack(stack);
        OutputDirectory = assembly.Directory;
        var templatePath = Path.Combine(assembly.Directory, stack.TemplateFile);
        TemplatePath = templatePath;
        Model = Load(templatePath);
        WithOptions = Load(Path.Combine(withOptions.Outdir, optionsStack.TemplateFile));
        SynthesisTime = stopwatch.Elapsed;
        diagnostics.OnMessage(new DiagnosticMessage(
            $"jsii start and both stacks constructed in {constructed.TotalSeconds:F1} s, synthesized in {(SynthesisTime - constructed).TotalSeconds:F1} s"));

        // CI can hand this template to guard/run.sh instead of synthesizing it a second time.
        if (Environment.GetEnvironmentVariable(TemplateCopyVariable) is { Length: > 0 } copyTo)
        {
            File.Copy(templatePath, copyTo, overwrite: true);
        }
    }

    /// <summary>When set, the synthesized default template is copied to this path.</summary>
    public const string TemplateCopyVariable = "HEALTHFLOW_CDK_TEMPLATE_COPY";

    public string RepositoryRoot { get; }

    /// <summary>For Amazon.CDK.Assertions matchers.</summary>
    public Template Template { get; }

    /// <summary>The same template as JSON, for questions that span resources (who may do what to which table).</summary>
    public TemplateModel Model { get; }

    /// <summary>The cloud assembly: template, asset manifest and the staged Docker build contexts.</summary>
    public string OutputDirectory { get; }

    /// <summary>The stack synthesized without a certificate (a demo may serve HTTP), with an alarm e-mail, auth-api held at zero tasks, and a short backup retention.</summary>
    public TemplateModel WithOptions { get; }

    public TimeSpan SynthesisTime { get; }

    private string TemplatePath { get; }

    /// <summary>A fresh copy of the default template's JSON, for a negative control to change without touching <see cref="Model"/>.</summary>
    public JsonObject ReadTemplate() => JsonNode.Parse(File.ReadAllText(TemplatePath))!.AsObject();

    private static TemplateModel Load(string templatePath) => new(JsonNode.Parse(File.ReadAllText(templatePath))!.AsObject());

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
