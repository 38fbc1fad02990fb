using System.Reflection;
using System.Xml.Linq;
using OrleansExport.Silo.Hosting;

namespace OrleansExport.ProductionTests;

/// <summary>
/// The production host carries no test double: the silo image (Dockerfile target <c>silo</c>) is the Silo project's
/// publish output, and nothing in the Silo's dependency closure is the ActiveCampaign simulator or the demo.
/// </summary>
public sealed class ProductionImageTests
{
    private static readonly string[] TestDoubles = ["OrleansExport.Simulator", "OrleansExport.Demo"];

    [Fact]
    public void TheSiloProject_ReferencesNeitherTheSimulatorNorTheDemo()
    {
        var references = XDocument.Load(Path.Combine(RepositoryPaths.SiloProject, "OrleansExport.Silo.csproj"))
            .Descendants("ProjectReference").Select(reference => Path.GetFileNameWithoutExtension(reference.Attribute("Include")!.Value.Replace('\\', '/')));
        Assert.Empty(references.Intersect(TestDoubles));
    }

    [Fact]
    public void TheSilosAssemblies_ReferenceNeitherTheSimulatorNorTheDemo()
    {
        var seen = new HashSet<string>();
        var pending = new Queue<Assembly>([typeof(SiloApp).Assembly]);
        while (pending.TryDequeue(out var assembly))
        {
            // Our own assemblies only: the packages' closure is NuGet's.
            foreach (var reference in assembly.GetReferencedAssemblies().Where(r => r.Name!.StartsWith("OrleansExport.", StringComparison.Ordinal)))
            {
                Assert.DoesNotContain(reference.Name, TestDoubles);
                if (seen.Add(reference.Name!))
                {
                    pending.Enqueue(Assembly.Load(reference));
                }
            }
        }

        Assert.Contains("OrleansExport.Grains", seen);
    }

    [Fact]
    public void TheSilosDependencyManifest_ListsNeitherTheSimulatorNorTheDemo()
    {
        // What dotnet publish copies into the silo image is what this manifest names.
        var manifest = File.ReadAllText(Path.ChangeExtension(RepositoryPaths.SiloAssembly, ".deps.json"));
        foreach (var testDouble in TestDoubles)
        {
            Assert.DoesNotContain(testDouble, manifest);
        }
    }

    [Fact]
    public void TheSiloImage_IsTheSiloProjectsPublishOutputOnly()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Dockerfile"));
        Assert.Contains("dotnet publish src/OrleansExport.Silo -c Release -o /app/silo", dockerfile);
        var siloStage = dockerfile[dockerfile.IndexOf("AS silo", StringComparison.Ordinal)..];
        siloStage = siloStage[..siloStage.IndexOf("FROM ", StringComparison.Ordinal)];
        Assert.Equal(["COPY --from=build /app/silo ."], siloStage.Split('\n').Where(line => line.StartsWith("COPY", StringComparison.Ordinal)).Select(line => line.Trim()));
        Assert.DoesNotContain("OrleansExport.Demo", dockerfile);
    }
}
