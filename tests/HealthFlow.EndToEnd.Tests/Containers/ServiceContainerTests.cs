using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace HealthFlow.EndToEnd.Tests.Containers;

/// <summary>
/// The images ECS runs, run here: every .NET service and the web apps from the repository's Dockerfiles
/// (scripts/images.sh), each started with the user, environment, port, filesystem and health check of its task
/// definition in the synthesized template, against a LocalAws that allows each service only its task role's access.
/// </summary>
[Collection(ContainerSystemCollection.Name)]
public sealed class ServiceContainerTests(ContainerSystemFixture system, ITestOutputHelper output)
{
    [ContainerFact]
    public void Every_task_definition_has_a_container_running_from_its_image()
    {
        AssertAvailable();
        Assert.Equal([.. system.Tasks.Keys.Order()], [.. system.Containers.Select(c => c.Service).Order()]);
    }

    [ContainerFact]
    public async Task Each_container_passes_its_task_definitions_health_check_as_its_non_root_user()
    {
        AssertAvailable();
        Assert.NotEmpty(system.Containers);
        foreach (var container in system.Containers)
        {
            var user = container.Definition.Runtime.User;
            Assert.NotEqual("0", user);
            // The image's own USER is the task definition's, so the image is non-root even where a platform ignores the task's user.
            Assert.Equal(user, await ImageUserAsync(container.Service));
            Assert.Equal(user, await container.ProcessUserAsync());
            Assert.True(await container.PassesHealthCheckAsync(), $"{container.Service} fails its health check:\n{await container.LogsAsync()}");

            using var http = new HttpClient { BaseAddress = container.Url, Timeout = TimeSpan.FromSeconds(30) };
            using var health = await http.GetAsync("/health");
            Assert.True(health.StatusCode == HttpStatusCode.OK, $"{container.Service}'s /health: {(int)health.StatusCode} {await health.Content.ReadAsStringAsync()}");
            output.WriteLine($"{container.Service}: uid {user}, healthy, /health 200 at {container.Url}");
        }
    }

    [ContainerFact]
    public async Task A_check_in_goes_end_to_end_through_the_service_containers_and_LocalAws()
    {
        AssertAvailable();
        using var http = new HttpClient { BaseAddress = system.GatewayUrl, Timeout = TimeSpan.FromSeconds(30) };
        var api = new HealthFlowApi(http);

        // auth-api stores the patient; command-api appends the check-in and publishes it; the projections container
        // reads it from its SQS queue and writes the read model; query-api serves it back.
        var patient = await api.RegisterPatientAsync();
        var observationId = await api.CheckInAsync(patient, new { score = 9, heartRate = 125, respiratoryRate = 26, oxygenSaturation = 90, temperature = 38.5, consciousness = "alert" });

        var observation = await Eventually.GetAsync(
            async () => (await api.ObservationsAsync(patient, patient.PatientId!.Value)).FirstOrDefault(o => (string?)o["observationId"] == observationId.ToString()),
            "the check-in to reach query-api through the projections container", TimeSpan.FromSeconds(60));
        Assert.Equal(9, (int?)observation["score"]);

        // The web apps' container serves the patient app's page.
        using var web = new HttpClient { BaseAddress = system.Containers.Single(c => c.Service == ContainerSystemFixture.WebTask).Url };
        var page = await web.GetStringAsync("/");
        Assert.Contains("<div id=\"root\">", page, StringComparison.Ordinal);
    }

    [ContainerFact]
    public async Task SIGTERM_stops_each_service_cleanly_within_its_task_definitions_stop_timeout()
    {
        AssertAvailable();
        // Instances of their own: stopping the shared containers would take them from the other tests.
        var started = (await system.StartAllAsync([.. system.DotnetTasks])).Append(await system.StartWebAsync()).ToList();
        try
        {
            Assert.NotEmpty(started);
            var exits = await Task.WhenAll(started.Select(async c => (c.Service, c.Definition.Runtime.StopTimeout, Exit: await c.TerminateAsync(), Logs: await c.LogsAsync())));
            foreach (var (service, stopTimeout, exit, logs) in exits)
            {
                output.WriteLine($"{service}: exit {exit?.ToString() ?? "none, killed"} after SIGTERM");
                Assert.True(exit is not null, $"{service} still ran {stopTimeout.TotalSeconds} s after SIGTERM, so ECS would have killed it:\n{logs}");
                Assert.True(exit == 0, $"{service} exited with {exit} after SIGTERM:\n{logs}");
            }

            AssertNonEmpty.All(exits.Where(e => e.Service != ContainerSystemFixture.WebTask),
                e => Assert.Contains("Application is shutting down", e.Logs, StringComparison.Ordinal));
        }
        finally
        {
            foreach (var container in started)
            {
                await container.DisposeAsync();
            }
        }
    }

    private static void AssertAvailable()
    {
        // Reached only where containers are required (HEALTHFLOW_REQUIRE_CONTAINERS=1); otherwise the test was skipped.
        Assert.True(ContainerEngine.UnavailableReason is null, ContainerEngine.UnavailableReason);
    }

    private static async Task<string?> ImageUserAsync(string service)
    {
        using var engine = ContainerEngine.Client(ContainerEngine.Socket!);
        var image = JsonNode.Parse(await engine.GetStringAsync($"/images/{ContainerEngine.Image(service)}/json"))!;
        return (string?)image["Config"]?["User"];
    }
}
