using System.Diagnostics;
using OpenTelemetry.Trace;

namespace HealthFlow.ServiceDefaults.Diagnostics;

/// <summary>
/// Starts no trace with a bare outgoing HTTP call. Such a call has no request, message or job around it:
/// it is a background poll (the alert feed's reads every 50 ms, the consumers' SQS long polls, lease
/// renewals, outbox sweeps that find nothing). Each would be a one-span trace that hides the traces that
/// matter in the dashboard's list, and at saturation they were a good part of what the dashboard ingested.
/// A call made inside a request, a message, a relay or an audit commit has a parent and is kept, whatever
/// it calls; everything else follows its parent's decision, as the SDK's default sampler does.
/// </summary>
public sealed class BackgroundCallSampler : Sampler
{
    /// <summary>The operation name of HttpClient's activity (System.Net.Http's ActivitySource).</summary>
    public const string HttpClientOperation = "System.Net.Http.HttpRequestOut";

    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);
    private static readonly SamplingResult Keep = new(SamplingDecision.RecordAndSample);

    /// <summary>The sampler every HealthFlow process uses: parent-based, with this as its root sampler.</summary>
    public static Sampler ParentBased() => new ParentBasedSampler(new BackgroundCallSampler());

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind == ActivityKind.Client && samplingParameters.Name == HttpClientOperation ? Drop : Keep;
}
