using HealthFlow.LocalAws;

// Usage: dotnet run --project tools/HealthFlow.LocalAws [-- --port 4566] [--LocalAws:DataDirectory <dir>]
var app = LocalAwsServer.CreateApplication(args);
await app.RunAsync();
