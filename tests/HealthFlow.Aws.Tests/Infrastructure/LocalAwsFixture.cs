using HealthFlow.LocalAws;

namespace HealthFlow.Aws.Tests.Infrastructure;

/// <summary>HealthFlow.LocalAws hosted in the test process on a free port.</summary>
public sealed class LocalAwsFixture : AwsEndpointFixture
{
    private LocalAwsServer? _server;

    protected override async Task<string> StartEndpointAsync()
    {
        _server = await LocalAwsServer.StartAsync(port: 0);
        return _server.ServiceUrl;
    }

    protected override async Task StopEndpointAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}
