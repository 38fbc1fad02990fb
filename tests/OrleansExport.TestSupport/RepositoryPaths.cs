namespace OrleansExport.TestSupport;

/// <summary>Files of the checkout the tests run from.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string AzuriteTool => Path.Combine(Root, "tools", "azurite");

    public static string DockerCompose => Path.Combine(Root, "docker-compose.yml");

    /// <summary>The host's project folder: the content root that serves the console from wwwroot.</summary>
    public static string SiloProject => Path.Combine(Root, "src", "OrleansExport.Silo");

    /// <summary>The silo host built next to this test assembly's configuration (Debug or Release).</summary>
    public static string SiloAssembly
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            return Path.Combine(SiloProject, "bin", configuration, "net10.0", "OrleansExport.Silo.dll");
        }
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
