namespace HealthFlow.Cdk;

/// <summary>Docker build contexts are the repository root; find it from wherever the app runs (cdk CLI or tests).</summary>
public static class RepositoryRoot
{
    private const string Marker = "HealthFlow.sln";

    public static string Find(string startDirectory)
    {
        for (var directory = new DirectoryInfo(startDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, Marker)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No {Marker} found above {startDirectory}; run the CDK app from inside the repository.");
    }
}
