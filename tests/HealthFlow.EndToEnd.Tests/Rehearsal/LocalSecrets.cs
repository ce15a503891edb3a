using System.Collections.Concurrent;
using System.Security.Cryptography;

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

    private static readonly Dictionary<string, Func<string>> Generators = new()
    {
        // As `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256` makes it.
        [JwtSigningKey] = () =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            return key.ExportPkcs8PrivateKeyPem();
        },
    };

    private readonly ConcurrentDictionary<SecretReference, string> _values = new();

    public string Value(SecretReference secret) =>
        _values.GetOrAdd(secret, s => Generators.TryGetValue(s.SecretName, out var generate)
            ? generate()
            : throw new NotSupportedException($"The task definitions reference the secret {s.SecretName}, which has no local equivalent in {nameof(LocalSecrets)}."));
}
