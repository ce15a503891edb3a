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

        var privateKey = new ECDsaSecurityKey(ecdsa);
        var publicJwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(ecdsa.ExportParameters(includePrivateParameters: false))));
        // RFC 7638 thumbprint: the same key always gets the same kid, on every instance.
        var keyId = Base64UrlEncoder.Encode(publicJwk.ComputeJwkThumbprint());
        privateKey.KeyId = keyId;

        Credentials = new SigningCredentials(privateKey, SecurityAlgorithms.EcdsaSha256);
        var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        PublicKey = new PublicJsonWebKey(
            Kty: "EC",
            Crv: "P-256",
            X: Base64UrlEncoder.Encode(parameters.Q.X!),
            Y: Base64UrlEncoder.Encode(parameters.Q.Y!),
            Kid: keyId,
            Use: "sig",
            Alg: SecurityAlgorithms.EcdsaSha256);
    }

    public SigningCredentials Credentials { get; }

    /// <summary>The public keys that verify tokens this service issued.</summary>
    public IReadOnlyList<SecurityKey> ValidationKeys => [Credentials.Key];

    public PublicJsonWebKey PublicKey { get; }

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
        try
        {
            // CreateNew: when two instances start together, one writes and the other reads its key.
            var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var writer = new StreamWriter(path, fileOptions))
            {
                writer.Write(pem);
            }

            return pem;
        }
        catch (IOException) when (File.Exists(path))
        {
            return ReadWhenComplete(path);
        }
    }

    private static string ReadWhenComplete(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            var pem = File.ReadAllText(path);
            if (pem.Contains("-----END", StringComparison.Ordinal) || attempt >= 50)
            {
                return pem;
            }

            Thread.Sleep(20);
        }
    }
}

/// <summary>One key of the JWKS document (RFC 7517), public parameters only.</summary>
public sealed record PublicJsonWebKey(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg);
