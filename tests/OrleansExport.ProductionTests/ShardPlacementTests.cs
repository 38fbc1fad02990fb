using OrleansExport.Grains;
using OrleansExport.ProductionTests.Infrastructure;
using OrleansExport.Simulator;

namespace OrleansExport.ProductionTests;

/// <summary>An in-process cluster of three silos: an export's shards must not all live on one of them.</summary>
public sealed class ShardPlacementTests
{
    [Fact]
    public async Task ExportShards_AreSpreadAcrossSilos()
    {
        var simulatorOptions = new SimulatorOptions { TimeScale = 60 };
        await using var simulator = await ActiveCampaignSimulator.StartAsync(simulatorOptions);
        await using var cluster = TestClusters.InMemory(3).Build();
        await cluster.DeployAsync();

        var exportId = await TestClusters.CreateExportAsync(cluster.Client, simulator.Hostname, simulatorOptions.ApiKeys[0], "placement-segment");
        var status = await cluster.Client.GetGrain<IExportGrain>(exportId).GetStatusAsync();
        Assert.NotNull(status);

        var activations = await cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var ofThisExport = activations.Where(s => s.GrainId.Key.ToString()!.StartsWith(exportId + "/", StringComparison.Ordinal)).ToList();
        Assert.Equal(new ExportOptions().ShardCount, ofThisExport.Count);
        var silos = ofThisExport.GroupBy(s => s.SiloAddress).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(silos.Count > 1, $"all {ofThisExport.Count} shards on one silo");
    }
}
