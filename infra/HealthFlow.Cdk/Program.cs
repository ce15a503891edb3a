using HealthFlow.Cdk;

// `npx cdk synth|deploy` runs this (see cdk.json) from infra/HealthFlow.Cdk; -c context reaches the App through the CLI.
var (app, _) = HealthFlowApp.Create(RepositoryRoot.Find(Directory.GetCurrentDirectory()));
app.Synth();
