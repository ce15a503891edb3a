using System.ComponentModel.DataAnnotations;

namespace HealthFlow.Query.Api.Alerts;

/// <summary>Section "AlertStream": how each instance tails the alerts read model for Server-Sent Events.</summary>
public sealed class AlertStreamOptions
{
    public const string SectionName = "AlertStream";

    /// <summary>How often the shared tail queries `by-update` while clients are connected.</summary>
    [Range(20, 10_000)]
    public int PollIntervalMilliseconds { get; set; } = 250;

    /// <summary>
    /// How far behind the newest change each poll looks again. An item's updatedAt is stamped by the
    /// projection just before its write lands and GSIs are eventually consistent, so a change can become
    /// visible slightly after later-stamped ones; rereading this window (and skipping what was sent)
    /// catches it.
    /// </summary>
    [Range(0, 60_000)]
    public int LookbackMilliseconds { get; set; } = 2_000;

    /// <summary>A comment line this often keeps proxies and the browser from closing an idle stream.</summary>
    [Range(1, 300)]
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>
    /// How far back a Last-Event-ID may resume. An older or unreadable one (e.g. "0") gets a `reset` event
    /// instead of a replay of the whole feed, and the client reloads its first page.
    /// </summary>
    [Range(1, 24 * 60)]
    public int ResumeWindowMinutes { get; set; } = 15;

    /// <summary>The most changes one reconnect replays; beyond it the client gets `reset` and reloads.</summary>
    [Range(10, 100_000)]
    public int MaxReplayedEvents { get; set; } = 500;

    /// <summary>Events buffered per connection; a client that falls further behind is disconnected and resumes with Last-Event-ID.</summary>
    [Range(10, 100_000)]
    public int MaxBufferedEvents { get; set; } = 1_000;
}
