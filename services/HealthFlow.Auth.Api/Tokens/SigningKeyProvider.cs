using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace HealthFlow.Auth.Api.Tokens;

/// <summary>
/// Holds auth-api's ES256 signing key, the only private key in the system.
/// </summary>
/// <remarks>
/// Order: `Jwt:SigningKey` (PEM) if configured; otherwise, in Development only, a P-256 key generated
/// once and kept in a file under the user's local app data (mode 600), so restarting auth-api does not
/// invalidate the tokens the web apps hold. The file lives outside the repository and is never
/// committed. Any other environment without a configured key refuses to start.
/// </remarks>
public sealed class SigningKeyProvider
{
    public SigningKeyProvider(IOptions<JwtSigningOptions> options, IHostEnvironment environment, ILogger<SigningKeyProvider> logger)
    {
        var ecdsa = ECDsa.Create();
        var configured = options.Value.SigningKey;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ecdsa.ImportFromPem(configured);
        }
        else if (environment.IsDevelopment())
        {
            var path = options.Value.DevelopmentKeyFile ?? DefaultDevelopmentKeyFile();
            ecdsa.ImportFromPem(LoadOrCreateDevelopmentKey(path));
            logger.LogInformation("Signing tokens with the development key in {KeyFile}.", path);
        }
        else
        {
            throw new InvalidOperationException(
                "Jwt:SigningKey is not configured. Outside Development the ES256 key must come from configuration (Secrets Manager on AWS).");
        }

        if (ecdsa.KeySize != 256)
        {
            throw new InvalidOperationException("Jwt:SigningKey must be an EC key on curve P-256 (ES256).");
        }

        var privateKey = new ECDsaSecurityKey(ecdsa) { KeyId = KeyId(ecdsa) };
        Credentials = new SigningCredentials(privateKey, SecurityAlgorithms.EcdsaSha256);
        PublicKey = Describe(ecdsa);

        // Rotation without logouts: tokens signed with the key before the last rotation stay valid until they
        // expire, because the JWKS keeps publishing it (Secrets Manager's AWSPREVIOUS, injected by the CDK).
        var previousKeys = new List<PublicJsonWebKey>();
        var validationKeys = new List<SecurityKey> { privateKey };
        if (ReadPreviousKey(options.Value.PreviousSigningKey, logger) is { } previous && KeyId(previous) != privateKey.KeyId)
        {
            previousKeys.Add(Describe(previous));
            validationKeys.Add(new ECDsaSecurityKey(previous) { KeyId = KeyId(previous) });
        }

        PublicKeys = [PublicKey, .. previousKeys];
        ValidationKeys = validationKeys;
    }

    public SigningCredentials Credentials { get; }

    /// <summary>The public keys that verify tokens this service issued: the current key, then the previous one.</summary>
    public IReadOnlyList<SecurityKey> ValidationKeys { get; }

    /// <summary>What the JWKS publishes: the current key, then the previous one if configured.</summary>
    public IReadOnlyList<PublicJsonWebKey> PublicKeys { get; }

    public PublicJsonWebKey PublicKey { get; }

    // A previous key that is absent, not PEM or not P-256 is ignored: the first rotation has no previous
    // version, and a bad one must not stop the current key from working.
    private static ECDsa? ReadPreviousKey(string? pem, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(pem))
        {
            return null;
        }

        var previous = ECDsa.Create();
        try
        {
            previous.ImportFromPem(pem);
            if (previous.KeySize == 256)
            {
                // Only the public half is kept: nothing is ever signed with the previous key.
                var publicOnly = ECDsa.Create(previous.ExportParameters(includePrivateParameters: false));
                previous.Dispose();
                return publicOnly;
            }
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            logger.LogWarning("Jwt:PreviousSigningKey is not a PEM EC key; ignoring it ({Reason}).", e.GetType().Name);
            previous.Dispose();
            return null;
        }

        logger.LogWarning("Jwt:PreviousSigningKey is not on curve P-256; ignoring it.");
        previous.Dispose();
        return null;
    }

    // RFC 7638 thumbprint: the same key always gets the same kid, on every instance.
    private static string KeyId(ECDsa key) => Base64UrlEncoder.Encode(JsonWebKeyConverter
        .ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(key.ExportParameters(includePrivateParameters: false))))
        .ComputeJwkThumbprint());

    private static PublicJsonWebKey Describe(ECDsa key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        return new PublicJsonWebKey(
            Kty: "EC",
            Crv: "P-256",
            X: Base64UrlEncoder.Encode(parameters.Q.X!),
            Y: Base64UrlEncoder.Encode(parameters.Q.Y!),
            Kid: KeyId(key),
            Use: "sig",
            Alg: SecurityAlgorithms.EcdsaSha256);
    }

    private static string DefaultDevelopmentKeyFile() => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
        "HealthFlow", "auth-api", "dev-signing-key.pem");

    private static string LoadOrCreateDevelopmentKey(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var generated = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = generated.ExportPkcs8PrivateKeyPem();
        // Written whole under a name of its own, then moved to the key's name unless a key is there: the move is
        // atomic and refuses to replace, so of several auth-api replicas starting together on a fresh machine exactly
        // one key becomes the key, and every other replica reads that one, never a half-written file.
        var written = $"{path}.{Guid.NewGuid():N}.tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(written, fileOptions))
        {
            writer.Write(pem);
        }

        try
        {
            File.Move(written, path, overwrite: false);
            return pem;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(written);
            return File.ReadAllText(path);
        }
    }
}

/// <summary>One key of the JWKS document (RFC 7517), public parameters only.</summary>
public sealed record PublicJsonWebKey(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg);
