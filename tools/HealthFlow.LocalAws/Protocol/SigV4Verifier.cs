using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime.Internal.Auth;
using Amazon.Util;
using Microsoft.AspNetCore.Http.Features;

namespace HealthFlow.LocalAws.Protocol;

/// <summary>
/// Checks each AWS request's SigV4 signature (the <c>Authorization</c> header) against the secret of the access key id
/// it names, as AWS does, so that the key id the access check trusts is the caller's. The canonical request is built
/// from the request as it arrived; AWSSDK.Core derives the signing key and computes the signature.
/// Presigned (query-string) signatures are refused: the administrator's secret is public, so any web page could presign
/// an <c>&lt;img src&gt;</c> that a browser sends with no Origin.
/// </summary>
internal sealed partial class SigV4Verifier(LocalAwsOptions options, ILogger<SigV4Verifier> logger, TimeProvider? timeProvider = null)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>AWS refuses a signature dated further than this from its clock.</summary>
    private static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(15);

    private static readonly string[] PresignedParameters = ["X-Amz-Signature", "X-Amz-Credential", "X-Amz-Algorithm"];

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Dictionary<string, string> _secrets = KnownSecrets(options);

    /// <summary>The access key ids LocalAws can verify, each with its secret.</summary>
    private static Dictionary<string, string> KnownSecrets(LocalAwsOptions options)
    {
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in options.Access ?? HealthFlow.Topology.HealthFlowAccess.All)
            secrets[service.AccessKeyId] = LocalAwsCredentials.ServiceSecretAccessKey;
        secrets[LocalAwsCredentials.AdministratorKeyId] = LocalAwsCredentials.AdministratorSecretAccessKey;
        return secrets;
    }

    /// <summary>Null when the request is signed by a known key with its secret; otherwise the AWS error to answer with.</summary>
    /// <param name="awsService">"sqs", "dynamodb" or "events": whose error shapes to answer in.</param>
    public async Task<AwsServiceException?> VerifyAsync(HttpContext context, string awsService)
    {
        var request = context.Request;
        if (PresignedParameters.Any(request.Query.ContainsKey))
        {
            return Refusal(awsService, "AccessDenied", "AccessDeniedException",
                "LocalAws does not accept presigned (query-string) signatures; sign with the Authorization header.");
        }

        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length == 0)
            return Refusal(awsService, "MissingAuthenticationToken", "MissingAuthenticationTokenException", "Request is missing Authentication Token");
        if (!SignatureHeader.TryParse(authorization, out var header, out var malformed))
            return Incomplete(awsService, malformed);

        if (!_secrets.TryGetValue(header.AccessKeyId, out var secret))
        {
            LogUnknownKey(header.AccessKeyId);
            return Refusal(awsService, "InvalidClientTokenId", "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        var dateText = request.Headers["X-Amz-Date"].ToString();
        if (dateText.Length == 0)
            return Incomplete(awsService, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        if (!DateTime.TryParseExact(dateText, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return Incomplete(awsService, $"Date must be in ISO-8601 'basic format'. Got '{dateText}'.");
        }

        if (header.Date != dateText[..8])
            return Mismatch(awsService, $"Credential should be scoped to a valid date: '{dateText[..8]}', not '{header.Date}'.");
        var now = _time.GetUtcNow().UtcDateTime;
        if ((now - signedAt).Duration() > AllowedSkew)
        {
            return Mismatch(awsService, $"Signature expired: {dateText} is now earlier than {(now - AllowedSkew):yyyyMMdd'T'HHmmss'Z'} "
                + $"({now:yyyyMMdd'T'HHmmss'Z'} - 15 min.)");
        }

        if (!header.SignedHeaders.Contains("host"))
            return Incomplete(awsService, "'Host' must be a signed header.");

        var payloadHash = await PayloadHashAsync(request).ConfigureAwait(false);
        if (request.Headers["X-Amz-Content-SHA256"].ToString() is { Length: > 0 } claimed
            && !string.Equals(claimed, payloadHash, StringComparison.OrdinalIgnoreCase))
        {
            return Mismatch(awsService, "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }

        if (CanonicalRequest(context, header.SignedHeaders, payloadHash) is not { } canonicalRequest)
            return Mismatch(awsService, "A header named in SignedHeaders is not in the request.");

        var expected = AWS4Signer.ComputeSignature(
            header.AccessKeyId, secret, header.Region, signedAt, header.Service, string.Join(';', header.SignedHeaders), canonicalRequest).Signature;
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(header.Signature.ToLowerInvariant())))
        {
            LogMismatch(header.AccessKeyId, request.Headers["X-Amz-Target"].ToString() is { Length: > 0 } target ? target : request.Path.Value ?? "/");
            return Mismatch(awsService,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. "
                + "Consult the service documentation for details.");
        }

        return null;
    }

    /// <summary>SigV4's canonical request; null when a signed header is missing.</summary>
    private static string? CanonicalRequest(HttpContext context, IReadOnlyList<string> signedHeaders, string payloadHash)
    {
        var request = context.Request;
        // The target exactly as sent: the path the client signed, before ASP.NET Core decoded it.
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw ? raw : request.Path.Value + request.QueryString.Value;
        var queryAt = rawTarget.IndexOf('?');
        var rawPath = queryAt >= 0 ? rawTarget[..queryAt] : rawTarget;
        var rawQuery = queryAt >= 0 ? rawTarget[(queryAt + 1)..] : string.Empty;

        var canonical = new StringBuilder();
        canonical.Append(request.Method).Append('\n');
        // Every service but S3 encodes the (already encoded) path once more.
        canonical.Append(rawPath.Length == 0 ? "/" : AWSSDKUtils.UrlEncode(rawPath, path: true)).Append('\n');
        canonical.Append(CanonicalQuery(rawQuery)).Append('\n');
        foreach (var name in signedHeaders)
        {
            if (!request.Headers.TryGetValue(name, out var values))
                return null;
            canonical.Append(name).Append(':')
                .AppendJoin(',', values.Select(v => CollapseSpaces(v ?? string.Empty))).Append('\n');
        }

        canonical.Append('\n').AppendJoin(';', signedHeaders).Append('\n');
        canonical.Append(payloadHash);
        return canonical.ToString();
    }

    /// <summary>SigV4's "trimall": no leading or trailing spaces, and runs of spaces as one.</summary>
    private static string CollapseSpaces(string value)
    {
        var collapsed = new StringBuilder(value.Length);
        foreach (var c in value.Trim())
        {
            if (c != ' ' || collapsed.Length == 0 || collapsed[^1] != ' ')
                collapsed.Append(c);
        }

        return collapsed.ToString();
    }

    /// <summary>Each name and value decoded and encoded again as SigV4 encodes them, sorted by name, then value.</summary>
    private static string CanonicalQuery(string rawQuery)
    {
        if (rawQuery.Length == 0)
            return string.Empty;
        var pairs = new List<(string Name, string Value)>();
        foreach (var part in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=');
            var name = Uri.UnescapeDataString(equals >= 0 ? part[..equals] : part);
            var value = equals >= 0 ? Uri.UnescapeDataString(part[(equals + 1)..]) : string.Empty;
            pairs.Add((AWSSDKUtils.UrlEncode(name, false), AWSSDKUtils.UrlEncode(value, false)));
        }

        return string.Join('&', pairs
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>The hex SHA-256 of the body; the body is kept (buffered) for whoever reads it next.</summary>
    private static async Task<string> PayloadHashAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
            sha256.AppendData(buffer, 0, read);
        request.Body.Position = 0;
        return Convert.ToHexStringLower(sha256.GetHashAndReset());
    }

    private static AwsServiceException Incomplete(string awsService, string message) =>
        Refusal(awsService, "IncompleteSignature", "IncompleteSignatureException", message, statusCode: 400);

    /// <summary>SQS answers SignatureDoesNotMatch (403); the JSON services InvalidSignatureException (400, as DynamoDB documents it).</summary>
    private static AwsServiceException Mismatch(string awsService, string message) =>
        awsService == "sqs"
            ? new AwsServiceException("com.amazon.coral.service#SignatureDoesNotMatch", message, "SignatureDoesNotMatch", 403)
            : new AwsServiceException("com.amazon.coral.service#InvalidSignatureException", message, statusCode: 400);

    /// <summary>SQS's query code (403), or the JSON services' exception type (DynamoDB answers these with 400).</summary>
    private static AwsServiceException Refusal(string awsService, string sqsCode, string jsonType, string message, int? statusCode = null) =>
        awsService == "sqs"
            ? new AwsServiceException("com.amazon.coral.service#" + sqsCode, message, sqsCode, statusCode ?? 403)
            : new AwsServiceException("com.amazon.coral.service#" + jsonType, message, statusCode: statusCode ?? (awsService == "dynamodb" ? 400 : 403));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request signed with the unknown access key id {KeyId}")]
    private partial void LogUnknownKey(string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Target}: the signature of {KeyId} does not match (wrong secret, or the request changed after signing)")]
    private partial void LogMismatch(string keyId, string target);

    /// <summary>The parts of <c>AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b, Signature=hex</c>.</summary>
    private sealed record SignatureHeader(string AccessKeyId, string Date, string Region, string Service, IReadOnlyList<string> SignedHeaders, string Signature)
    {
        public static bool TryParse(string authorization, out SignatureHeader header, out string problem)
        {
            header = null!;
            if (!authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
            {
                problem = $"Authorization header must use {Algorithm}.";
                return false;
            }

            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var part in authorization[Algorithm.Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = part.IndexOf('=');
                if (equals > 0)
                    fields[part[..equals]] = part[(equals + 1)..];
            }

            foreach (var required in (string[])["Credential", "SignedHeaders", "Signature"])
            {
                if (!fields.ContainsKey(required))
                {
                    problem = $"Authorization header requires '{required}' parameter. Authorization={authorization}";
                    return false;
                }
            }

            var scope = fields["Credential"].Split('/');
            if (scope.Length != 5 || scope[0].Length == 0 || scope[1].Length != 8 || scope[4] != "aws4_request")
            {
                problem = $"Credential should be scoped correctly: KEY/yyyyMMdd/region/service/aws4_request. Got '{fields["Credential"]}'.";
                return false;
            }

            header = new SignatureHeader(scope[0], scope[1], scope[2], scope[3],
                fields["SignedHeaders"].Split(';', StringSplitOptions.RemoveEmptyEntries), fields["Signature"]);
            problem = string.Empty;
            return true;
        }
    }
}
