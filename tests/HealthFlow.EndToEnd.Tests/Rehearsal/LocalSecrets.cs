using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HealthFlow.EndToEnd.Tests.Rehearsal;

/// <summary>
/// What the operator puts in each Secrets Manager secret the task definitions reference (README, "The JWT signing
/// key"), generated fresh per rehearsal: one value per secret and version stage, as Secrets Manager keeps them.
/// A secret this class does not know fails the rehearsal, so a new secret in the CDK needs a local equivalent here.
/// </summary>
public sealed class LocalSecrets
{
    /// <summary>HealthFlowStack.JwtSigningKeySecretName: auth-api's ES256 private key, PKCS#8 PEM.</summary>
    public const string JwtSigningKey = "healthflow/jwt-signing-key";

    /// <summary>HealthFlowStack.SesSmtpSecretName: notifier's SES SMTP credentials, `{"username": ..., "password": ...}`.</summary>
    public const string SesSmtp = "healthflow/ses-smtp";

    private static readonly Dictionary<string, Func<string>> Generators = new()
    {
        // The shape the operator stores (CDK README): an IAM access key id and the SMTP password derived from its secret.
        [SesSmtp] = () => JsonSerializer.Serialize(new { username = "AKIA" + RandomNumberGenerator.GetHexString(16), password = RandomNumberGenerator.GetHexString(44) }),
        // As `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256` makes it.
        [JwtSigningKey] = () =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            return key.ExportPkcs8PrivateKeyPem();
        },
    };

    private readonly ConcurrentDictionary<(string SecretName, string VersionStage), string> _values = new();

    /// <summary>The secret's value at its stage, or the one key of it a task names (ECS reads that key from the JSON).</summary>
    public string Value(SecretReference secret)
    {
        var value = _values.GetOrAdd((secret.SecretName, secret.VersionStage), s => Generators.TryGetValue(s.SecretName, out var generate)
            ? generate()
            : throw new NotSupportedException($"The task definitions reference the secret {s.SecretName}, which has no local equivalent in {nameof(LocalSecrets)}."));
        return secret.JsonKey is { } key
            ? JsonNode.Parse(value)?[key]?.GetValue<string>() ?? throw new NotSupportedException($"The secret {secret.SecretName} has no key {key}.")
            : value;
    }
}
