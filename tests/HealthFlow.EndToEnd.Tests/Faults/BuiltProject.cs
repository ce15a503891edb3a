namespace HealthFlow.EndToEnd.Tests.Faults;

/// <summary>Where the build put a project's entry assembly, in the configuration these tests were built in.</summary>
public static class BuiltProject
{
    // …/tests/HealthFlow.EndToEnd.Tests/bin/<Configuration>/<tfm>/
    private static readonly DirectoryInfo TestOutput = new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));

    public static string EntryAssembly(Aspire.Hosting.IProjectMetadata project, string assemblyName) =>
        EntryAssembly(Path.GetDirectoryName(project.ProjectPath)!, assemblyName);

    public static string EntryAssembly(string projectDirectory, string assemblyName)
    {
        var path = Path.Combine(projectDirectory, "bin", TestOutput.Parent!.Name, TestOutput.Name, assemblyName + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{assemblyName} is not built at {path}.", path);
    }
}
