using System.Diagnostics;
using System.Security.Cryptography;
using HealthFlow.Cdk.Constructs;

namespace HealthFlow.Cdk.Tests;

/// <summary>The rotation function (infra/HealthFlow.Cdk/rotation) writes keys auth-api can load.</summary>
[Collection(CdkCollection.Name)]
public sealed class RotationFunctionTests(SynthesizedStack stack)
{
    [Fact]
    public async Task A_rotated_key_is_a_p256_pkcs8_pem_that_auth_api_loads()
    {
        var module = Path.Combine(stack.RepositoryRoot, SigningKeyRotation.CodeDirectory, "signing-key.mjs");
        var pem = await Node($"import {{ newSigningKey, assertSigningKey }} from {Quoted(new Uri(module).AbsoluteUri)}; const pem = newSigningKey(); assertSigningKey(pem); process.stdout.write(pem);");

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
        // What auth-api's SigningKeyProvider does with Jwt:SigningKey.
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        Assert.Equal(256, key.KeySize);
    }

    private static string Quoted(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static async Task<string> Node(string script)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--input-type=module", "-e", script })
        {
            start.ArgumentList.Add(argument);
        }

        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, await errors);
        return await output;
    }
}
