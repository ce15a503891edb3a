using HealthFlow.Auth.Api.Extensions;

// auth-api: registers patients, logs users in and issues the tokens every other API validates.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAuthApiHosting();
builder.Services.AddAccounts();
builder.Services.AddLocalJwtBearer();

var app = builder.Build();

app.MapAuthApi();

app.Run();
