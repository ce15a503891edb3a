using HealthFlow.Aws.Tests.Infrastructure;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;
using HealthFlow.Domain.Monitoring;
using HealthFlow.EventStore;
using HealthFlow.ReadModels;
using HealthFlow.ReadModels.Projections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HealthFlow.Aws.Tests.ReadModels;

/// <summary>The read-model projections and queries against LocalAws, fed with envelopes read back from the event store.</summary>
public sealed class ReadModelProjectionTests(LocalAwsFixture aws) : IClassFixture<LocalAwsFixture>, IDisposable
{
    private readonly IHost _app = aws.CreateHost(b => b.Services.AddHealthFlowProjections());

    private IEventStore Store => _app.Services.GetRequiredService<IEventStore>();

    private PatientProjection Patients => _app.Services.GetRequiredService<PatientProjection>();

    private ObservationProjection Observations => _app.Services.GetRequiredService<ObservationProjection>();

    private AlertProjection Alerts => _app.Services.GetRequiredService<AlertProjection>();

    private AlertReadModel AlertReadModel => _app.Services.GetRequiredService<AlertReadModel>();

    private PatientReadModel PatientReadModel => _app.Services.GetRequiredService<PatientReadModel>();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Redelivered_events_are_skipped_and_never_undo_a_later_change()
    {
        var patient = await RegisterAsync("Grace Hopper");
        await Patients.ApplyAsync(patient, default);
        var raised = await RaiseAsync(patient, Severities.High, DateTimeOffset.UtcNow);
        var acknowledged = await AcknowledgeAsync(raised);

        Assert.Equal(ProjectionOutcome.Applied, await Alerts.ApplyAsync(raised, default));
        Assert.Equal(ProjectionOutcome.Applied, await Alerts.ApplyAsync(acknowledged, default));
        // At-least-once delivery: both again, in the wrong order.
        Assert.Equal(ProjectionOutcome.Duplicate, await Alerts.ApplyAsync(acknowledged, default));
        Assert.Equal(ProjectionOutcome.Duplicate, await Alerts.ApplyAsync(raised, default));
        Assert.Equal(ProjectionOutcome.Duplicate, await Patients.ApplyAsync(patient, default));

        var alert = await AlertReadModel.GetAsync(AlertIdOf(raised), default);
        Assert.NotNull(alert);
        Assert.Equal(AlertStatuses.Acknowledged, alert.Status);
        Assert.Equal("dr-who", alert.AcknowledgedBy);
        Assert.Equal("Called the patient", alert.AcknowledgementNote);
        Assert.Equal("Grace Hopper", alert.PatientName);
    }

    [Fact]
    public async Task Plans_and_the_registration_apply_in_any_order_and_the_row_shows_the_latest_plan()
    {
        var patient = await RegisterAsync("Florence Nightingale");
        var first = await SetPlanAsync(patient, 1, new MonitoringPlan(SpO2Scale: new SpO2Scale(2, 88, 92)));
        var second = await SetPlanAsync(first, 2, new MonitoringPlan(SpO2Scale: new SpO2Scale(2, 86, 90)));
        var patientId = PatientIdOf(patient);

        // Out of order: the second plan, the registration, then the first plan, and the second plan again.
        Assert.Equal(ProjectionOutcome.Applied, await Patients.ApplyAsync(second, default));
        Assert.Null(await PatientReadModel.GetAsync(patientId, default));
        Assert.Equal(ProjectionOutcome.Applied, await Patients.ApplyAsync(patient, default));
        Assert.Equal(ProjectionOutcome.Duplicate, await Patients.ApplyAsync(first, default));
        Assert.Equal(ProjectionOutcome.Duplicate, await Patients.ApplyAsync(second, default));

        Assert.Equal("Florence Nightingale", (await PatientReadModel.GetAsync(patientId, default))!.DisplayName);
        var plan = await PatientReadModel.GetPlanAsync(patientId, default);
        Assert.NotNull(plan);
        Assert.Equal((2, "dr-who", new SpO2Scale(2, 86, 90)), (plan.Version, plan.SetBy, plan.Plan.SpO2Scale));
        Assert.Null(await PatientReadModel.GetPlanAsync(PatientIdOf(await RegisterAsync("No Plan")), default));
    }

    [Fact]
    public async Task An_acknowledgement_delivered_before_its_alert_still_shows_the_whole_alert()
    {
        var patient = await RegisterAsync("Ada Lovelace");
        var raised = await RaiseAsync(patient, Severities.Medium, DateTimeOffset.UtcNow);
        var acknowledged = await AcknowledgeAsync(raised);

        Assert.Equal(ProjectionOutcome.Applied, await Alerts.ApplyAsync(acknowledged, default));
        Assert.Equal(ProjectionOutcome.Duplicate, await Alerts.ApplyAsync(raised, default));

        var alert = await AlertReadModel.GetAsync(AlertIdOf(raised), default);
        Assert.NotNull(alert);
        Assert.Equal(AlertStatuses.Acknowledged, alert.Status);
        Assert.Equal(Severities.Medium, alert.Severity);
        Assert.Equal(["score 9 > 7"], alert.Reasons);
    }

    [Fact]
    public async Task An_escalation_marks_the_alert_escalated_once_and_moves_it_up_the_update_feed()
    {
        var patient = await RegisterAsync("Mary Seacole");
        var raised = await RaiseAsync(patient, Severities.High, DateTimeOffset.UtcNow.AddMinutes(-16));
        var escalated = await EscalateAsync(raised);
        Assert.Equal(ProjectionOutcome.Applied, await Alerts.ApplyAsync(raised, default));
        var beforeEscalation = await AlertReadModel.GetAsync(AlertIdOf(raised), default);
        Assert.False(beforeEscalation!.Escalated);

        Assert.Equal(ProjectionOutcome.Applied, await Alerts.ApplyAsync(escalated, default));
        Assert.Equal(ProjectionOutcome.Duplicate, await Alerts.ApplyAsync(escalated, default));

        var alert = await AlertReadModel.GetAsync(AlertIdOf(raised), default);
        var expected = escalated.DataAs<AlertEscalated>();
        Assert.Equal((true, expected.EscalatedAt, 1, AlertStatuses.Open), (alert!.Escalated, alert.EscalatedAt, alert.EscalationLevel, alert.Status));
        // The feed that SSE tails sees the alert again, at the escalation's version.
        var change = Assert.Single(await AlertReadModel.ReadFeedAsync(AlertItems.UpdatedKey(DateTimeOffset.UtcNow.AddMinutes(-1), Guid.Empty), 1000, default),
            c => c.Alert.AlertId == AlertIdOf(raised));
        Assert.Equal((2L, true), (change.Version, change.Alert.Escalated));
    }

    [Fact]
    public async Task An_escalation_delivered_after_the_later_acknowledgement_still_shows_and_the_alert_stays_acknowledged()
    {
        var patient = await RegisterAsync("Florence Nightingale");
        var raised = await RaiseAsync(patient, Severities.High, DateTimeOffset.UtcNow.AddMinutes(-20));
        var escalated = await EscalateAsync(raised);
        var acknowledged = await AcknowledgeAsync(escalated);

        // Out of order: the acknowledgement (version 3) first, then the escalation (version 2), then AlertRaised again.
        Assert.Equal(ProjectionOutcome.Applied, await Alerts.ApplyAsync(acknowledged, default));
        Assert.Equal(ProjectionOutcome.Applied, await Alerts.ApplyAsync(escalated, default));
        Assert.Equal(ProjectionOutcome.Duplicate, await Alerts.ApplyAsync(escalated, default));
        Assert.Equal(ProjectionOutcome.Duplicate, await Alerts.ApplyAsync(raised, default));

        var alert = await AlertReadModel.GetAsync(AlertIdOf(raised), default);
        Assert.Equal((AlertStatuses.Acknowledged, true), (alert!.Status, alert.Escalated));
    }

    [Fact]
    public async Task An_alert_is_named_from_the_event_store_when_the_patient_row_is_not_projected_yet()
    {
        var patient = await RegisterAsync("Katherine Johnson");
        var raised = await RaiseAsync(patient, Severities.High, DateTimeOffset.UtcNow);

        await Alerts.ApplyAsync(raised, default);

        Assert.Equal("Katherine Johnson", (await AlertReadModel.GetAsync(AlertIdOf(raised), default))!.PatientName);
    }

    [Fact]
    public async Task Listing_all_alerts_pages_newest_first_without_gaps_or_repeats()
    {
        var patient = await RegisterAsync("Mary Jackson");
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        var raisedIds = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            var raised = await RaiseAsync(patient, i % 2 == 0 ? Severities.High : Severities.Medium, start.AddMinutes(i));
            await Alerts.ApplyAsync(raised, default);
            raisedIds.Add(AlertIdOf(raised));
            if (i % 3 == 0)
            {
                await Alerts.ApplyAsync(await AcknowledgeAsync(raised), default);
            }
        }

        var seen = new List<AlertView>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await AlertReadModel.ListAsync(new AlertQuery(AlertStatuses.All, null, null, 2, cursor), default);
            Assert.True(page.Items.Count <= 2);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 100);

        Assert.Null(cursor);
        Assert.Equal(seen.Count, seen.Select(a => a.AlertId).Distinct().Count());
        Assert.Equal(seen.OrderByDescending(a => a.RaisedAt).Select(a => a.AlertId), seen.Select(a => a.AlertId));
        var mine = seen.Where(a => a.PatientId == PatientIdOf(patient)).Select(a => a.AlertId).ToList();
        Assert.Equal(Enumerable.Reverse(raisedIds), mine);
        Assert.Contains(seen, a => a.Status == AlertStatuses.Acknowledged);
        Assert.Contains(seen, a => a.Status == AlertStatuses.Open);
    }

    [Fact]
    public async Task A_patients_alerts_filter_by_status_and_severity()
    {
        var patient = await RegisterAsync("Dorothy Vaughan");
        var high = await RaiseAsync(patient, Severities.High, DateTimeOffset.UtcNow.AddMinutes(-2));
        var medium = await RaiseAsync(patient, Severities.Medium, DateTimeOffset.UtcNow.AddMinutes(-1));
        await Alerts.ApplyAsync(high, default);
        await Alerts.ApplyAsync(medium, default);
        await Alerts.ApplyAsync(await AcknowledgeAsync(medium), default);
        var patientId = PatientIdOf(patient);

        var open = await AlertReadModel.ListAsync(new AlertQuery(AlertStatuses.Open, patientId, null, 50, null), default);
        var highOnly = await AlertReadModel.ListAsync(new AlertQuery(AlertStatuses.All, patientId, Severities.High, 50, null), default);
        var all = await AlertReadModel.ListAsync(new AlertQuery(AlertStatuses.All, patientId, null, 50, null), default);

        Assert.Equal([AlertIdOf(high)], open.Items.Select(a => a.AlertId));
        Assert.Equal([AlertIdOf(high)], highOnly.Items.Select(a => a.AlertId));
        Assert.Equal([AlertIdOf(medium), AlertIdOf(high)], all.Items.Select(a => a.AlertId));
        Assert.Null(all.NextCursor);
    }

    [Fact]
    public async Task Observations_list_within_a_time_range_newest_first()
    {
        var patient = await RegisterAsync("Alan Turing");
        var patientId = PatientIdOf(patient);
        var start = DateTimeOffset.UtcNow.AddHours(-5);
        var ids = new List<Guid>();
        for (var hour = 0; hour < 5; hour++)
        {
            var submitted = new ObservationSubmitted(
                Guid.CreateVersion7(), patientId, new VitalSigns(Score: hour + 1), start.AddHours(hour), DateTimeOffset.UtcNow, null);
            var version = await Store.GetVersionAsync(StreamId.ForPatient(patientId));
            var result = await Store.AppendAsync(StreamId.ForPatient(patientId), version, [submitted], Metadata());
            Assert.Equal(ProjectionOutcome.Applied, await Observations.ApplyAsync(result.Events[0], default));
            Assert.Equal(ProjectionOutcome.Duplicate, await Observations.ApplyAsync(result.Events[0], default));
            ids.Add(submitted.ObservationId);
        }

        var readModel = _app.Services.GetRequiredService<ObservationReadModel>();
        var middle = await readModel.ListAsync(patientId, start.AddHours(1), start.AddHours(3), 50, null, default);
        var firstPage = await readModel.ListAsync(patientId, null, null, 2, null, default);
        var secondPage = await readModel.ListAsync(patientId, null, null, 2, firstPage.NextCursor, default);

        Assert.Equal([ids[3], ids[2], ids[1]], middle.Items.Select(o => o.ObservationId));
        Assert.Equal([ids[4], ids[3]], firstPage.Items.Select(o => o.ObservationId));
        Assert.Equal([ids[2], ids[1]], secondPage.Items.Select(o => o.ObservationId));
        Assert.Equal(ids[2], (await readModel.GetAsync(patientId, ids[2], default))!.ObservationId);
        Assert.Null(await readModel.GetAsync(Guid.NewGuid(), ids[2], default));
    }

    [Fact]
    public async Task The_update_feed_shows_an_acknowledgement_after_the_alert_it_changed()
    {
        var patient = await RegisterAsync("Hedy Lamarr");
        var raised = await RaiseAsync(patient, Severities.High, DateTimeOffset.UtcNow);
        var before = SortableTime.Format(DateTimeOffset.UtcNow.AddSeconds(-1));
        await Alerts.ApplyAsync(raised, default);
        await Alerts.ApplyAsync(await AcknowledgeAsync(raised), default);

        var changes = await Eventually.ReturnsAsync<IReadOnlyList<AlertChange>>(async () =>
        {
            var feed = await AlertReadModel.ReadFeedAsync(before, 100, default);
            var latest = feed.LastOrDefault(c => c.Alert.AlertId == AlertIdOf(raised));
            return latest?.Alert.Status == AlertStatuses.Acknowledged ? feed : null;
        }, TimeSpan.FromSeconds(5), "the acknowledgement reaches the by-update index");

        var mine = changes.Where(c => c.Alert.AlertId == AlertIdOf(raised)).ToList();
        Assert.Equal(2, mine.Single().Version);
        Assert.Equal(changes.Select(c => c.UpdatedKey).Order(StringComparer.Ordinal), changes.Select(c => c.UpdatedKey));
    }

    [Fact]
    public async Task A_missed_check_in_alert_reads_back_without_an_observation_and_with_its_windows_due_time()
    {
        var patient = await RegisterAsync("Florence Nightingale");
        var dueAt = new DateTimeOffset(2026, 3, 29, 8, 0, 0, TimeSpan.Zero);
        var missed = new CheckInWindowMissed(PatientIdOf(patient), AlertId.ForMissedCheckIn(PatientIdOf(patient), dueAt), 2, dueAt, dueAt.AddHours(1), dueAt.AddHours(1));
        var appended = await Store.AppendAsync(StreamId.ForAlert(missed.AlertId), ExpectedVersion.NoStream,
            [CheckInScheduleState.AlertFor(missed, Severities.LowMedium, "No check-in due 09:00 Europe/London on 2026-03-29 by 10:00 (grace 60 min).")], Metadata());
        var observed = await RaiseAsync(patient, Severities.Medium, DateTimeOffset.UtcNow);

        Assert.Equal(ProjectionOutcome.Applied, await Alerts.ApplyAsync(appended.Events[0], default));
        Assert.Equal(ProjectionOutcome.Applied, await Alerts.ApplyAsync(observed, default));

        var alert = (await AlertReadModel.GetAsync(missed.AlertId, default))!;
        Assert.Equal((null, dueAt, AlertRules.CheckInMissed, 2), (alert.ObservationId, alert.MissedDueAt, alert.Rule, alert.PlanVersion));
        var other = (await AlertReadModel.GetAsync(AlertIdOf(observed), default))!;
        Assert.Equal((observed.DataAs<AlertRaised>().ObservationId, null), (other.ObservationId, other.MissedDueAt));
    }

    private static EventMetadata Metadata() => EventMetadataFactory.FromCurrentActivity(Guid.NewGuid().ToString(), userId: "read-model-tests");

    private static Guid PatientIdOf(EventEnvelope registered) => registered.DataAs<PatientRegistered>().PatientId;

    private static Guid AlertIdOf(EventEnvelope raised) => raised.DataAs<AlertRaised>().AlertId;

    private async Task<EventEnvelope> RegisterAsync(string displayName)
    {
        var patientId = Guid.NewGuid();
        var result = await Store.AppendAsync(
            StreamId.ForPatient(patientId),
            ExpectedVersion.NoStream,
            [new PatientRegistered(patientId, $"user-{patientId:N}"[..20], displayName, DateTimeOffset.UtcNow)],
            Metadata());
        return result.Events[0];
    }

    private async Task<EventEnvelope> SetPlanAsync(EventEnvelope previous, int planVersion, MonitoringPlan plan)
    {
        var patientId = Guid.Parse(previous.StreamId[StreamId.PatientPrefix.Length..]);
        var set = new MonitoringPlanSet(patientId, planVersion, plan, "dr-who", $"plan {planVersion}", DateTimeOffset.UtcNow);
        var result = await Store.AppendAsync(StreamId.ForPatient(patientId), previous.Version, [set], Metadata());
        return result.Events[0];
    }

    private async Task<EventEnvelope> RaiseAsync(EventEnvelope patient, string severity, DateTimeOffset raisedAt)
    {
        var alertId = Guid.NewGuid();
        var raised = new AlertRaised(
            alertId, PatientIdOf(patient), Guid.CreateVersion7(), severity, AlertRules.ScoreThreshold, ["score 9 > 7"], 9, null, false, raisedAt);
        var result = await Store.AppendAsync(StreamId.ForAlert(alertId), ExpectedVersion.NoStream, [raised], Metadata());
        return result.Events[0];
    }

    private async Task<EventEnvelope> EscalateAsync(EventEnvelope raised)
    {
        var alert = raised.DataAs<AlertRaised>();
        var escalated = new AlertEscalated(alert.AlertId, alert.PatientId, alert.Severity, 1, alert.RaisedAt.AddMinutes(15), DateTimeOffset.UtcNow);
        var result = await Store.AppendAsync(StreamId.ForAlert(alert.AlertId), raised.Version, [escalated], Metadata());
        return result.Events[0];
    }

    private async Task<EventEnvelope> AcknowledgeAsync(EventEnvelope previous)
    {
        // The alert's previous event, AlertRaised or AlertEscalated: both name the alert and the patient.
        var (alertId, patientId) = (previous.Data.GetProperty("alertId").GetGuid(), previous.Data.GetProperty("patientId").GetGuid());
        var acknowledged = new AlertAcknowledged(alertId, patientId, "dr-who", "Called the patient", DateTimeOffset.UtcNow);
        var result = await Store.AppendAsync(StreamId.ForAlert(alertId), previous.Version, [acknowledged], Metadata());
        return result.Events[0];
    }
}
