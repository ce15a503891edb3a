namespace HealthFlow.LocalAws;

/// <summary>
/// The credentials LocalAws knows, and so the only ones whose SigV4 signatures it can check: the administrator's
/// (LocalStack's well-known <c>test</c>/<c>test</c>) and each declared service's (its name, with one shared secret).
/// </summary>
public static class LocalAwsCredentials
{
    /// <summary>LocalStack's default key, the administrator here as there: provisioning, the CLI, the tests, aws-cli.</summary>
    public const string AdministratorKeyId = "test";

    public const string AdministratorSecretAccessKey = "test";

    /// <summary>
    /// The secret every service signs with (its access key id is its name). Not a secret from anyone on this machine;
    /// what keeps a web page out is that it cannot send signed headers cross-origin, and the Origin and Host checks.
    /// </summary>
    public const string ServiceSecretAccessKey = "local";
}
