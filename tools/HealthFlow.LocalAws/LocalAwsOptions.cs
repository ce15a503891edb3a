
namespace HealthFlow.LocalAws;

/// <summary>LocalAws settings, bound from the "LocalAws" configuration section (and --port).</summary>
public sealed class LocalAwsOptions
{
    public const string SectionName = "LocalAws";

    /// <summary>LocalAws serves a single account, as LocalStack does.</summary>
    public const string AccountId = "000000000000";

    public const int DefaultPort = 4566;

    /// <summary>The port to listen on; 0 picks a free one.</summary>
    public int? Port { get; set; }

    /// <summary>Where dynalite persists DynamoDB data; unset keeps everything in memory.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The region in ARNs and event envelopes.</summary>
    public string Region { get; set; } = Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } region ? region : "us-east-1";

    /// <summary>The node executable; "node" from PATH by default.</summary>
    public string NodePath { get; set; } = "node";

    /// <summary>The folder holding node_modules/dynalite; found next to the project or the app when unset.</summary>
    public string? NodeModulesDirectory { get; set; }

    /// <summary>
    /// How long a created, updated or deleted table stays CREATING, UPDATING or DELETING (dynalite's createTableMs and
    /// the like). Zero by default; AWS takes seconds, and a longer delay shows whether callers wait for ACTIVE.
    /// </summary>
    public TimeSpan TableActivationDelay { get; set; }

    /// <summary>How long dynalite may take to start before LocalAws gives up.</summary>
    public TimeSpan DynaliteStartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether each service may do only what HealthFlowAccess declares for it. On by default;
    /// `LocalAws:EnforceAccess=false` (or `--LocalAws:EnforceAccess false`) turns it off.
    /// </summary>
    public bool EnforceAccess { get; set; } = true;

    /// <summary>The declared access to enforce; HealthFlowAccess.All when unset (in-process hosts and tests may pass another).</summary>
    public IReadOnlyList<HealthFlow.Topology.ServiceAccess>? Access { get; set; }

    /// <summary>
    /// Host names LocalAws answers besides the loopback ones (localhost, *.localhost, 127.0.0.0/8, ::1), in the Host
    /// header and a browser's Origin: exact names, "*.example.test" for a domain's names, or "*" for any (no check).
    /// </summary>
    public IList<string> AllowedHosts { get; set; } = [];

    /// <summary>Faults injected from the start (LocalAws:Faults:PutEventsDelayMs, :PutEventsFailureRate); none by default.</summary>
    public Faults.FaultSettings? Faults { get; set; }
}
