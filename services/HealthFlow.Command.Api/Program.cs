using HealthFlow.Command.Api.Extensions;

// command-api: decides the commands (check-ins, acknowledgements, care teams) and appends their events.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddCommandApiHosting();
builder.Services.AddCommands();
builder.Services.AddPatientAccess();

var app = builder.Build();

app.MapCommandApi();

app.Run();
