namespace OrleansExport.TestSupport;

/// <summary>Files of the checkout the tests run from.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string AzuriteTool => Path.Combine(Root, "tools", "azurite");

    public static string DockerCompose => Path.Combine(Root, "docker-compose.yml");

    /// <summary>The host's project folder: the content root that serves the console from wwwroot.</summary>
    public static string SiloProject => Path.Combine(Root, "src", "OrleansExport.Silo");

    public static string DemoProject => Path.Combine(Root, "src", "OrleansExport.Demo");

    /// <summary>The production host built in this test assembly's configuration (Debug or Release).</summary>
    public static string SiloAssembly => BuiltAssembly(SiloProject, "OrleansExport.Silo");

    /// <summary>The demo host (the silo's host with the simulator in-process) built in this test assembly's configuration.</summary>
    public static string DemoAssembly => BuiltAssembly(DemoProject, "OrleansExport.Demo");

    private static string BuiltAssembly(string project, string name)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        return Path.Combine(project, "bin", configuration, "net10.0", name + ".dll");
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OrleansExport.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"OrleansExport.sln not found above {AppContext.BaseDirectory}.");
    }
}
