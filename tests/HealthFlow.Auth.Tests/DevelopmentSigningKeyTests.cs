using HealthFlow.Auth.Api.Tokens;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HealthFlow.Auth.Tests;

/// <summary>
/// `--replicas 2` on a fresh machine starts two auth-api processes at once, each finding no development key: they
/// must end with one key, or tokens one signs fail on the APIs that fetched the other's JWKS.
/// </summary>
public sealed class DevelopmentSigningKeyTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "healthflow-keys-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Replicas_starting_together_without_a_key_file_all_sign_with_the_one_key_that_was_created()
    {
        const int Replicas = 16;
        var keyFile = Path.Combine(_directory, "dev-signing-key.pem");
        using var start = new Barrier(Replicas);

        var keyIds = await Task.WhenAll(Enumerable.Range(0, Replicas).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            return new SigningKeyProvider(
                Options.Create(new JwtSigningOptions { DevelopmentKeyFile = keyFile }),
                new HostingEnvironment { EnvironmentName = Environments.Development },
                NullLogger<SigningKeyProvider>.Instance).PublicKey.Kid;
        }, TaskCreationOptions.LongRunning)));

        Assert.Single(keyIds.Distinct());
        Assert.Equal([keyFile], Directory.GetFiles(_directory));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
