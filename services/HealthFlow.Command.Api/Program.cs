using HealthFlow.Command.Api.Extensions;
using HealthFlow.PatientAccess;

// command-api: decides the commands (check-ins, acknowledgements, care teams, monitoring plans) and appends their events.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddCommandApiHosting();
builder.Services.AddCommands();
// Care teams decide who may act on a patient (the acknowledgement's scope check), and every disclosure is audited.
builder.Services.AddPatientAccess();

var app = builder.Build();

app.MapCommandApi();

app.Run();
