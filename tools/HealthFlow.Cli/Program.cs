using System.CommandLine;
using HealthFlow.Cli;
using HealthFlow.Cli.Admins;
using HealthFlow.Cli.Bench;
using HealthFlow.Cli.Chaos;
using HealthFlow.Cli.Outbox;
using HealthFlow.Cli.Provisioning;
using HealthFlow.Cli.Redrive;
using HealthFlow.Cli.Replay;
using HealthFlow.Cli.Seed;

// `healthflow`: the operator's tool. Each command lives in its own folder and builds only what it needs.
var root = new RootCommand("HealthFlow operator CLI: provision the AWS topology, rebuild read models, redrive dead letters, replay parked outbox commits, seed demo data, benchmark, run chaos, create the first admin.")
{
    ProvisionCommand.Create(),
    ReplayCommand.Create(),
    RedriveCommand.Create(),
    OutboxCommand.Create(),
    SeedCommand.Create(),
    BenchCommand.Create(),
    ChaosCommand.Create(),
    AdminCommand.Create(),
};

try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (CliErrors.Describe(e) is { } message)
{
    Console.Error.WriteLine("error: " + message);
    return 2;
}
