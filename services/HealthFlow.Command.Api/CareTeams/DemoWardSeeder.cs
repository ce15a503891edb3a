using HealthFlow.Domain;
using HealthFlow.Domain.CareTeams;
using HealthFlow.Domain.Events;
using HealthFlow.EventStore;

namespace HealthFlow.Command.Api.CareTeams;

/// <summary>Section "CareTeams" of command-api.</summary>
public sealed class DemoWardOptions
{
    public const string SectionName = "CareTeams";

    /// <summary>Creates "Demo ward" with the demo clinician in it at startup. Local demo only.</summary>
    public bool SeedDemoWard { get; set; }

    public string DemoClinician { get; set; } = "clinician1";

    /// <summary>
    /// Every registered patient is in "Demo ward" until an admin removes them (the projections worker's setting of
    /// the same name, which the AppHost gives both): a removal must decide against that join, or it would change nothing.
    /// </summary>
    public bool NewPatientsJoinDemoWard { get; set; }
}

/// <summary>
/// Seeds "Demo ward" (a fixed id, DemoWard.Id) with the demo clinician as one commit of two events, appended with
/// "stream must not exist": restarts and several instances seed once, and never undo an admin's later changes.
/// New patients join it by CareTeams:NewPatientsJoinDemoWard (DemoWard.JoinedByDefault).
/// </summary>
public sealed class DemoWardSeeder(IEventStore eventStore, Microsoft.Extensions.Options.IOptions<DemoWardOptions> options, TimeProvider timeProvider, ILogger<DemoWardSeeder> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.SeedDemoWard)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        IDomainEvent[] events =
        [
            new CareTeamCreated(DemoWard.Id, DemoWard.Name, "seed", now),
            new ClinicianAssignedToCareTeam(DemoWard.Id, options.Value.DemoClinician, "seed", now),
        ];
        for (var delay = TimeSpan.FromMilliseconds(200); !stoppingToken.IsCancellationRequested; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks)))
        {
            try
            {
                await eventStore.AppendAsync(StreamId.ForCareTeam(DemoWard.Id), ExpectedVersion.NoStream, events,
                    new EventMetadata("seed-demo-ward", null, "seed", null, null), stoppingToken);
                logger.LogInformation("Seeded the care team {Team} with {Clinician}.", DemoWard.Name, options.Value.DemoClinician);
                return;
            }
            catch (ConcurrencyConflictException)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Seeding {Team} failed; retrying in {Delay}.", DemoWard.Name, delay);
                await Task.Delay(delay, timeProvider, stoppingToken);
            }
        }
    }
}
