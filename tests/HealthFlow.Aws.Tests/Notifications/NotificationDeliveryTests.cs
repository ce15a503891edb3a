using System.Collections.Concurrent;
using HealthFlow.Aws.Tests.Infrastructure;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Notifications;
using HealthFlow.EventStore;
using HealthFlow.Notifier;
using HealthFlow.Notifier.Extensions;
using HealthFlow.ReadModels;
using HealthFlow.Topology;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using MassTransit;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace HealthFlow.Aws.Tests.Notifications;

/// <summary>
/// notifier's exactly-once against real DynamoDB tables (LocalAws): the care-team read model and the clinicians'
/// settings decide who is told, the ledger decides whether a message goes out again. The mail server is a recording
/// double here (the real one, maildev, is exercised end to end: NotificationTests); a planted fault opens the one
/// window the ledger cannot close.
/// </summary>
public sealed class NotificationDeliveryTests(LocalAwsFixture aws) : IClassFixture<LocalAwsFixture>
{
    private static readonly TimeSpan ClaimFor = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_high_alert_delivered_three_times_emails_each_on_call_subscriber_of_the_patients_team_once_and_nobody_else()
    {
        using var notifier = await NotifierAsync();
        var ward = await notifier.WardAsync(
            ("on-call", new NotificationSettings("oncall@ward.example.org", [NotificationKinds.HighAlert], OnCall: true)),
            ("off-call", new NotificationSettings("offcall@ward.example.org", [NotificationKinds.HighAlert], OnCall: false)),
            ("escalations-only", new NotificationSettings("esc@ward.example.org", [NotificationKinds.Escalation], OnCall: true)));
        var otherTeam = await notifier.WardAsync(("elsewhere", new NotificationSettings("elsewhere@ward.example.org", NotificationKinds.All, OnCall: true)));
        var raised = HighAlert(ward.PatientId);

        for (var delivery = 0; delivery < 3; delivery++)
        {
            await notifier.Notifications.NotifyAsync(NotifiableEvent.From(raised)!, Envelope(raised), CancellationToken.None);
        }

        var message = Assert.Single(notifier.Mail.Sent);
        Assert.Equal("oncall@ward.example.org", message.To.Mailboxes.Single().Address);
        Assert.Contains(ward.TeamName, message.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain(otherTeam.TeamName, message.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_escalation_emails_every_on_call_clinician_of_the_patients_teams_whatever_events_they_chose()
    {
        using var notifier = await NotifierAsync();
        var ward = await notifier.WardAsync(
            ("high-only", new NotificationSettings("high@ward.example.org", [NotificationKinds.HighAlert], OnCall: true)),
            ("nothing-chosen", new NotificationSettings("none@ward.example.org", [], OnCall: true)),
            ("off-call", new NotificationSettings("off@ward.example.org", NotificationKinds.All, OnCall: false)));
        var escalated = new AlertEscalated(Guid.NewGuid(), ward.PatientId, Severities.High, 1, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

        await notifier.Notifications.NotifyAsync(NotifiableEvent.From(escalated), Envelope(escalated), CancellationToken.None);

        Assert.Equal(["high@ward.example.org", "none@ward.example.org"], notifier.Mail.Sent.Select(m => m.To.Mailboxes.Single().Address).Order());
    }

    [Fact]
    public async Task A_send_the_mail_server_refuses_is_recorded_failed_and_the_retry_sends_it_once()
    {
        using var notifier = await NotifierAsync();
        var ward = await notifier.WardAsync(("on-call", new NotificationSettings("oncall@ward.example.org", [NotificationKinds.HighAlert], OnCall: true)));
        var raised = HighAlert(ward.PatientId);
        var notifiable = NotifiableEvent.From(raised)!;
        notifier.Mail.RefuseNext = 1;

        await Assert.ThrowsAsync<AggregateException>(() => notifier.Notifications.NotifyAsync(notifiable, Envelope(raised), CancellationToken.None));
        Assert.Equal(NotificationLedger.Failed, await notifier.Ledger.StatusAsync(notifiable.KeyFor(ward.Clinician("on-call"), NotificationChannels.Email), CancellationToken.None));

        // The retry comes at once (no claim is left to wait for), sends, and a further delivery sends nothing.
        await notifier.Notifications.NotifyAsync(notifiable, Envelope(raised), CancellationToken.None);
        await notifier.Notifications.NotifyAsync(notifiable, Envelope(raised), CancellationToken.None);

        Assert.Single(notifier.Mail.Sent);
        Assert.Equal(NotificationLedger.Sent, await notifier.Ledger.StatusAsync(notifiable.KeyFor(ward.Clinician("on-call"), NotificationChannels.Email), CancellationToken.None));
    }

    [Fact]
    public async Task When_the_outcome_is_lost_after_the_server_accepted_the_message_it_is_sent_once_more_with_the_same_message_id_after_the_claim_and_never_again()
    {
        var ledger = new Func<IServiceProvider, NotificationLedger>(sp => new OutcomeLosingLedger(
            sp.GetRequiredService<Amazon.DynamoDBv2.IAmazonDynamoDB>(), sp.GetRequiredService<TimeProvider>()));
        using var notifier = await NotifierAsync(ledger);
        var ward = await notifier.WardAsync(("on-call", new NotificationSettings("oncall@ward.example.org", [NotificationKinds.HighAlert], OnCall: true)));
        var raised = HighAlert(ward.PatientId);
        var notifiable = NotifiableEvent.From(raised)!;
        var key = notifiable.KeyFor(ward.Clinician("on-call"), NotificationChannels.Email);

        // The server accepts, and the outcome write fails: the notifier dies here, as far as the ledger knows.
        await Assert.ThrowsAsync<AggregateException>(() => notifier.Notifications.NotifyAsync(notifiable, Envelope(raised), CancellationToken.None));
        Assert.Equal(NotificationLedger.Pending, await notifier.Ledger.StatusAsync(key, CancellationToken.None));

        // A redelivery while the claim holds sends nothing: it cannot tell a dead sender from one still sending.
        notifier.Time.Advance(ClaimFor - TimeSpan.FromSeconds(1));
        var held = await Assert.ThrowsAsync<AggregateException>(() => notifier.Notifications.NotifyAsync(notifiable, Envelope(raised), CancellationToken.None));
        Assert.IsType<NotificationInFlightException>(Assert.Single(held.InnerExceptions));
        Assert.Single(notifier.Mail.Sent);

        // Past the claim the intent is taken over and sent again: the one duplicate, with the first copy's Message-ID.
        notifier.Time.Advance(TimeSpan.FromSeconds(2));
        await notifier.Notifications.NotifyAsync(notifiable, Envelope(raised), CancellationToken.None);
        notifier.Time.Advance(ClaimFor * 2);
        await notifier.Notifications.NotifyAsync(notifiable, Envelope(raised), CancellationToken.None);

        Assert.Equal(2, notifier.Mail.Sent.Count);
        Assert.Single(notifier.Mail.Sent.Select(m => m.MessageId).Distinct());
        Assert.Equal(NotificationLedger.Sent, await notifier.Ledger.StatusAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task A_medium_alert_pages_nobody_and_a_missed_check_in_pages_only_those_who_chose_it()
    {
        using var notifier = await NotifierAsync();
        var ward = await notifier.WardAsync(
            ("missed", new NotificationSettings("missed@ward.example.org", [NotificationKinds.MissedCheckIn], OnCall: true)),
            ("high", new NotificationSettings("high@ward.example.org", [NotificationKinds.HighAlert], OnCall: true)));
        var medium = HighAlert(ward.PatientId) with { Severity = Severities.Medium };
        var missed = HighAlert(ward.PatientId) with { AlertId = Guid.NewGuid(), Rule = AlertRules.CheckInMissed, Severity = Severities.LowMedium, ObservationId = null };

        Assert.Null(NotifiableEvent.From(medium));
        await notifier.Notifications.NotifyAsync(NotifiableEvent.From(missed)!, Envelope(missed), CancellationToken.None);

        Assert.Equal("missed@ward.example.org", Assert.Single(notifier.Mail.Sent).To.Mailboxes.Single().Address);
    }

    [Fact]
    public async Task A_send_refused_on_every_attempt_is_dead_lettered_and_a_redrive_after_the_fix_sends_it_once()
    {
        var queue = await aws.CreateRoutedQueueAsync("notify", EventTypes.AlertRaised, visibilityTimeout: TimeSpan.FromSeconds(1));
        using var notifier = await NotifierAsync(queue: queue);
        var ward = await notifier.WardAsync(("on-call", new NotificationSettings("oncall@ward.example.org", [NotificationKinds.HighAlert], OnCall: true)));
        var raised = HighAlert(ward.PatientId);
        var key = NotifiableEvent.From(raised)!.KeyFor(ward.Clinician("on-call"), NotificationChannels.Email);
        notifier.Mail.RefuseNext = int.MaxValue;
        await notifier.Host.StartAsync();
        try
        {
            await notifier.Host.Services.GetRequiredService<IEventStore>().AppendAsync(
                StreamId.ForAlert(raised.AlertId), ExpectedVersion.NoStream, [raised], new EventMetadata($"corr-{Guid.NewGuid():N}", null, null, null, null));

            // Five receives of two attempts each, all refused: the event waits in the DLQ, the intent is marked failed.
            await Eventually.HoldsAsync(async () => await aws.MessagesInAsync(queue.DeadLetterUrl) == 1, TimeSpan.FromSeconds(30), "the refused event is dead-lettered");
            Assert.Empty(notifier.Mail.Sent);
            Assert.Equal(NotificationLedger.Failed, await notifier.Ledger.StatusAsync(key, CancellationToken.None));

            notifier.Mail.RefuseNext = 0;
            var redrive = await new HealthFlow.Cli.Redrive.DeadLetterRedriver(aws.Sqs)
                .RedriveAsync(queue.Definition.Name, queue.Definition.DeadLetterQueueName, dryRun: false, maxMessages: null, CancellationToken.None);

            Assert.Equal(1, redrive.Moved);
            await Eventually.HoldsAsync(async () => await notifier.Ledger.StatusAsync(key, CancellationToken.None) == NotificationLedger.Sent, TimeSpan.FromSeconds(20), "the redriven event is sent");
            await Eventually.HoldsAsync(async () => await aws.MessagesInAsync(queue.Url) == 0, TimeSpan.FromSeconds(20), "the redriven event is handled and deleted");
            Assert.Equal("oncall@ward.example.org", Assert.Single(notifier.Mail.Sent).To.Mailboxes.Single().Address);
        }
        finally
        {
            await notifier.Host.StopAsync();
        }
    }

    private static AlertRaised HighAlert(Guid patientId) =>
        new(Guid.NewGuid(), patientId, Guid.NewGuid(), Severities.High, AlertRules.News2, ["NEWS2 8"], 8, 8, false, DateTimeOffset.UtcNow);

    private static EventEnvelope<TEvent> Envelope<TEvent>(TEvent e) where TEvent : class, IDomainEvent =>
        new(Guid.CreateVersion7(), "alert-test", 1, typeof(TEvent).Name, DateTimeOffset.UtcNow, e, new EventMetadata($"corr-{Guid.NewGuid():N}", null, null, null, null));

    /// <summary>
    /// notifier's services on a host of its own, on a clock the test moves, with the mail server recording. On
    /// <paramref name="queue"/> its consumers run behind the real SQS transport once the host is started (then on the
    /// real clock: the transport's timers must run).
    /// </summary>
    private Task<NotifierUnderTest> NotifierAsync(Func<IServiceProvider, NotificationLedger>? ledger = null, TestQueue? queue = null)
    {
        var mail = new RecordingMailServer();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var host = aws.CreateHost(b =>
        {
            b.Services.AddMetrics();
            b.Services.AddNotifierOptions();
            if (queue is null)
            {
                b.Services.AddSingleton<TimeProvider>(time);
            }

            b.Services.AddSingleton<IEmailSender>(mail);
            if (ledger is not null)
            {
                b.Services.AddSingleton(ledger);
            }

            b.Services.AddNotifier(queue?.Definition ?? HealthFlowTopology.Queues.Notifications, retry => retry.Immediate(1));
        }, new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "localhost",
            ["Smtp:Security"] = "None",
            ["Smtp:From"] = "healthflow@localhost.localdomain",
            ["Notifications:ClinicianAppUrl"] = "http://localhost:5174",
            ["Notifications:ClaimFor"] = ClaimFor.ToString("c"),
        });
        return Task.FromResult(new NotifierUnderTest(host, mail, time));
    }

    /// <summary>A care team of one patient; its clinicians' usernames are unique to it, as every test shares the settings table.</summary>
    private sealed record Ward(Guid PatientId, string TeamName, string Suffix)
    {
        public string Clinician(string role) => $"{role}-{Suffix}";
    }

    private sealed class NotifierUnderTest(IHost host, RecordingMailServer mail, FakeTimeProvider time) : IDisposable
    {
        public IHost Host => host;

        public RecordingMailServer Mail => mail;

        public FakeTimeProvider Time => time;

        public AlertNotifications Notifications => host.Services.GetRequiredService<AlertNotifications>();

        public NotificationLedger Ledger => host.Services.GetRequiredService<NotificationLedger>();

        /// <summary>A new care team with one new patient and these clinicians, each with their settings saved.</summary>
        public async Task<Ward> WardAsync(params (string Clinician, NotificationSettings Settings)[] clinicians)
        {
            var teams = host.Services.GetRequiredService<CareTeamReadModel>();
            var settings = host.Services.GetRequiredService<NotificationSettingsStore>();
            var teamId = Guid.NewGuid();
            var patientId = Guid.NewGuid();
            var name = "Ward " + teamId.ToString("N")[..6];
            await teams.ApplyCreatedAsync(teamId, name, CareTeamReadModel.VersionKey(1), CancellationToken.None);
            await teams.ApplyMembershipAsync(teamId, CareTeamReadModel.PatientPrefix + patientId.ToString("D"), true, CareTeamReadModel.VersionKey(2), CancellationToken.None);
            var ward = new Ward(patientId, name, teamId.ToString("N")[..8]);
            foreach (var (clinician, theirs) in clinicians)
            {
                await teams.ApplyMembershipAsync(teamId, CareTeamReadModel.ClinicianPrefix + ward.Clinician(clinician), true, CareTeamReadModel.VersionKey(3), CancellationToken.None);
                await settings.PutAsync(ward.Clinician(clinician), theirs, CancellationToken.None);
            }

            return ward;
        }

        public void Dispose() => host.Dispose();
    }

    /// <summary>The mail server, as far as notifier can tell: accepts (records) or refuses a message.</summary>
    private sealed class RecordingMailServer : IEmailSender
    {
        private readonly ConcurrentQueue<MimeMessage> _sent = new();

        public int RefuseNext { get; set; }

        public IReadOnlyList<MimeMessage> Sent => [.. _sent];

        public Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            if (RefuseNext > 0)
            {
                RefuseNext--;
                throw new MailKit.Net.Smtp.SmtpCommandException(MailKit.Net.Smtp.SmtpErrorCode.MessageNotAccepted, MailKit.Net.Smtp.SmtpStatusCode.MailboxBusy, "mailbox busy");
            }

            _sent.Enqueue(message);
            return Task.CompletedTask;
        }
    }

    /// <summary>The planted fault: the first outcome write is lost, as if notifier died right after the server accepted.</summary>
    private sealed class OutcomeLosingLedger(Amazon.DynamoDBv2.IAmazonDynamoDB dynamo, TimeProvider time) : NotificationLedger(dynamo, time)
    {
        private int _lost;

        public override Task RecordSentAsync(NotificationIntent intent, CancellationToken cancellationToken) =>
            Interlocked.Exchange(ref _lost, 1) == 0
                ? throw new IOException("notifier died before recording the outcome")
                : base.RecordSentAsync(intent, cancellationToken);
    }
}
