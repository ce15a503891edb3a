using System.ComponentModel.DataAnnotations;
using HealthFlow.ReadModels;

namespace HealthFlow.Query.Api.Alerts;

/// <summary>Section "AlertStream": how each instance tails the alerts read model for Server-Sent Events.</summary>
public sealed class AlertStreamOptions : IValidatableObject
{
    public const string SectionName = "AlertStream";

    /// <summary>How often the head of the shared tail is read while clients are connected (see AlertFeed).</summary>
    [Range(10, 10_000)]
    public int HeadPollIntervalMilliseconds { get; set; } = 50;

    /// <summary>How far behind the newest change the head reads again, for concurrent writes still landing.</summary>
    [Range(0, 10_000)]
    public int HeadOverlapMilliseconds { get; set; } = 250;

    /// <summary>How often the whole lookback window is read again (the gap repair).</summary>
    [Range(100, 60_000)]
    public int RepairIntervalMilliseconds { get; set; } = 1_000;

    /// <summary>
    /// How far behind the newest change the repair reads again, and a Last-Event-ID resume starts. A write
    /// lands at most AlertFeedStamps.LandingDeadline after its stamp (a later one is stamped again), and GSIs
    /// are eventually consistent, so this must be at least twice that deadline.
    /// </summary>
    [Range(0, 60_000)]
    public int LookbackMilliseconds { get; set; } = 3_000;

    /// <summary>A `heartbeat` event at least this often keeps proxies from closing an idle stream and tells the client it is alive.</summary>
    [Range(1, 300)]
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>
    /// How far back a Last-Event-ID may resume. An older or unreadable one (e.g. "0") gets a `reset` event
    /// instead of a replay of the whole feed, and the client reloads its first page.
    /// </summary>
    [Range(1, 24 * 60)]
    public int ResumeWindowMinutes { get; set; } = 15;

    /// <summary>
    /// The most feed changes one reconnect reads, every care team's (the feed is one order for all, filtered after
    /// the read); beyond it the client gets `reset` and reloads, so a resume costs at most this many items.
    /// </summary>
    [Range(10, 100_000)]
    public int MaxReplayedEvents { get; set; } = 500;

    /// <summary>Events buffered per connection; a client that falls further behind is disconnected and resumes with Last-Event-ID.</summary>
    [Range(10, 100_000)]
    public int MaxBufferedEvents { get; set; } = 1_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var minimum = 2 * AlertFeedStamps.LandingDeadline.TotalMilliseconds;
        if (LookbackMilliseconds < minimum)
        {
            yield return new ValidationResult(
                $"LookbackMilliseconds must be at least {minimum}: twice the time a feed write may take to land (AlertFeedStamps.LandingDeadline).",
                [nameof(LookbackMilliseconds)]);
        }
    }
}
