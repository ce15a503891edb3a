using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace HealthFlow.AppHost;

/// <summary>
/// `--replicas N`: how many tasks of each service run, as an ECS service's desired count. The gateway stays one, in
/// front, as the ALB is. Four is the ceiling because each replica is a whole .NET process on a developer's machine.
/// </summary>
public static class ServiceReplicas
{
    public const int Max = 4;

    /// <summary>The validated count: 1 when not given; anything but a whole number from 1 to <see cref="Max"/> stops the start.</summary>
    public static int From(IConfiguration configuration)
    {
        var value = configuration["replicas"];
        if (value is null)
        {
            return 1;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var replicas) && replicas is >= 1 and <= Max
            ? replicas
            : throw new ArgumentException($"--replicas must be a whole number from 1 to {Max}, not '{value}'.");
    }
}
