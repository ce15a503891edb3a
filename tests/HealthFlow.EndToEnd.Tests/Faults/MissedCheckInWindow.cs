using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using HealthFlow.Domain;
using HealthFlow.Domain.Alerts;
using HealthFlow.Domain.Events;

namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>
/// A scheduled check-in window that is let pass, and what must follow: one missed-check-in alert, closed by the next
/// check-in. The schedule is a time of day in Etc/UTC, the next whole minute at least a minute ahead, with no grace:
/// the shortest window a real schedule allows, so a test waits one to two minutes for a real deadline rather than
/// shortening anything of alert-worker's.
/// </summary>
public sealed class MissedCheckInWindow(HealthFlowApi api, SystemEventStore store, HealthFlowApi.Session clinician, Guid patientId, DateTimeOffset dueAt)
{
    public DateTimeOffset DueAt => dueAt;

    /// <summary>Sets the patient's plan: one check-in a day, due at the next whole minute at least a minute from now.</summary>
    public static async Task<MissedCheckInWindow> PlanAsync(HealthFlowApi api, SystemEventStore store, HealthFlowApi.Session clinician, Guid patientId)
    {
        var now = DateTimeOffset.UtcNow;
        var dueAt = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(2);
        var set = await api.PutMonitoringPlanAsync(clinician, patientId, new
        {
            schedule = new { timesOfDay = new[] { dueAt.ToString("HH:mm", CultureInfo.InvariantCulture) }, timeZone = "Etc/UTC", graceMinutes = 0 },
            reason = "Daily check-in after discharge.",
        });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        return new MissedCheckInWindow(api, store, clinician, patientId, dueAt);
    }

    /// <summary>Waits for the missed-check-in alert once the window has passed, and checks what it says.</summary>
    public async Task<JsonObject> WaitForAlertAsync()
    {
        var missed = await Eventually.GetAsync(
            async () => (await api.AlertsForPatientAsync(clinician, patientId)).FirstOrDefault(a => a["rule"]!.GetValue<string>() == AlertRules.CheckInMissed),
            "the missed-check-in alert", dueAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(90));
        Assert.Null(missed["observationId"]);
        Assert.Equal(dueAt, DateTimeOffset.Parse(missed["missedDueAt"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        Assert.Equal(("low-medium", "open"), (missed["severity"]!.GetValue<string>(), missed["status"]!.GetValue<string>()));
        Assert.Equal([$"No check-in due {dueAt:HH:mm} Etc/UTC on {dueAt:yyyy-MM-dd} by {dueAt:HH:mm} (grace 0 min)."],
            missed["reasons"]!.AsArray().Select(r => r!.GetValue<string>()));
        return missed;
    }

    /// <summary>
    /// Exactly one of everything, counted where a duplicate would show: the alert stream's AlertRaised events and the
    /// schedule stream's CheckInWindowMissed events (streams, not rows keyed by the alert id), the patient's alerts
    /// and the worklist's count.
    /// </summary>
    public async Task AssertExactlyOneAlertAsync()
    {
        var alertId = AlertId.ForMissedCheckIn(patientId, dueAt);
        Assert.Equal(alertId.ToString(), Assert.Single(await api.AlertsForPatientAsync(clinician, patientId))["alertId"]!.GetValue<string>());
        Assert.Single(await store.AlertStreamAsync(alertId), e => e.Type == EventTypes.AlertRaised);
        var window = Assert.Single(await store.StreamAsync(StreamId.ForSchedule(patientId)), e => e.Type == EventTypes.CheckInWindowMissed).DataAs<CheckInWindowMissed>();
        Assert.Equal((alertId, 1, dueAt), (window.AlertId, window.PlanVersion, window.DueAt));
        var row = Assert.Single((await api.GetJsonAsync(clinician, $"/api/worklist?patientId={patientId}"))["items"]!.AsArray());
        Assert.Equal(1, row!["missedCheckIns"]!.GetValue<int>());
    }

    /// <summary>The patient checks in; the alert is closed by the system, naming that check-in.</summary>
    public async Task AssertNextCheckInClosesItAsync(HealthFlowApi.Session patient)
    {
        var checkIn = await api.CheckInAsync(patient, new { score = 2 });

        var closed = await Eventually.GetAsync(async () =>
        {
            var alert = (await api.AlertsForPatientAsync(clinician, patientId)).Single();
            return alert["status"]!.GetValue<string>() == "acknowledged" ? alert : null;
        }, "the check-in to close the missed-check-in alert", TimeSpan.FromSeconds(60));
        Assert.Equal("system", closed["acknowledgedBy"]!.GetValue<string>());
        Assert.Contains(checkIn.ToString("D"), closed["acknowledgementNote"]!.GetValue<string>());
    }
}
