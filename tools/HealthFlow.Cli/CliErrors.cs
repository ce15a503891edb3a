using System.Net.Sockets;
using Amazon.Runtime;

namespace HealthFlow.Cli;

/// <summary>
/// Turns the failures an operator can fix (no endpoint, no credentials, no topology) into one line that
/// says how, instead of a stack trace. Anything else is a bug and keeps its stack trace.
/// </summary>
internal static class CliErrors
{
    public static string? Describe(Exception exception)
    {
        var endpoint = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL") ?? "AWS";
        var chain = Chain(exception).ToList();
        if (chain.Any(e => e is HttpRequestException or SocketException))
        {
            return $"cannot reach the AWS endpoint {endpoint}. Start the AppHost (dotnet run --project HealthFlow.AppHost), "
                + "or point the CLI elsewhere with --aws-endpoint or AWS_ENDPOINT_URL.";
        }

        if (chain.FirstOrDefault(e => e is AmazonClientException && !(e is AmazonServiceException)
                && (e.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("profile", StringComparison.OrdinalIgnoreCase)))
            is { } credentials)
        {
            return $"no AWS credentials ({FirstLine(credentials.Message)}). Set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; "
                + $"or unset every AWS_ variable to use the local endpoint {CliHost.LocalEndpoint} with test/test.";
        }

        if (chain.OfType<AmazonServiceException>().FirstOrDefault() is { } service)
        {
            return $"{endpoint} answered {service.ErrorCode}: {FirstLine(service.Message)} "
                + "Is the topology provisioned there? Start the AppHost, or run `healthflow provision`.";
        }

        return null;
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
