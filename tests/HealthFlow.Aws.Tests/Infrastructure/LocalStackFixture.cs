using Testcontainers.LocalStack;

namespace HealthFlow.Aws.Tests.Infrastructure;

/// <summary>LocalStack in a container (Testcontainers), where a Docker engine exists.</summary>
public sealed class LocalStackFixture : AwsEndpointFixture
{
    // A free 4.x tag; the later "latest" images need a licence token.
    public const string Image = "localstack/localstack:4.4";

    private LocalStackContainer? _container;

    public override string? SkipReason => DockerEngine.UnavailableReason;

    protected override async Task<string> StartEndpointAsync()
    {
        _container = new LocalStackBuilder(Image).Build();
        await _container.StartAsync();
        return _container.GetConnectionString();
    }

    protected override async Task StopEndpointAsync()
    {
        if (_container is not null)
            await _container.DisposeAsync();
    }
}
