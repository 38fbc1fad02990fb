namespace OrleansExport.IntegrationTests;

/// <summary>
/// Storage, reminders and stream subscriptions are keyed by grain id, whose type part is the grain type name:
/// a grain class may be renamed or moved, but its grain type name must stay what existing storage holds.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class StoredGrainTypeTests(SiloFixture fixture)
{
    [Fact]
    public void EveryGrainKeepsTheTypeNameItsStoredStateIsKeyedBy()
    {
        var grains = fixture.Grains;
        var typeNames = new Dictionary<string, string>
        {
            ["connection"] = grains.GetGrain<IConnectionGrain>("k").GetGrainId().Type.ToString()!,
            ["catalog"] = grains.GetGrain<ICatalogGrain>("k").GetGrainId().Type.ToString()!,
            ["export"] = grains.GetGrain<IExportGrain>("k").GetGrainId().Type.ToString()!,
            ["exportshard"] = grains.GetGrain<IExportShardGrain>("k").GetGrainId().Type.ToString()!,
            ["segment"] = grains.GetGrain<ISegmentGrain>("k").GetGrainId().Type.ToString()!,
            ["segmentshard"] = grains.GetGrain<ISegmentShardGrain>("k").GetGrainId().Type.ToString()!,
            ["accountlimiter"] = grains.GetGrain<IAccountLimiterGrain>("k").GetGrainId().Type.ToString()!,
            ["accountrunqueue"] = grains.GetGrain<IAccountRunQueueGrain>("k").GetGrainId().Type.ToString()!,
            ["resynccontrol"] = grains.GetGrain<IExportRunsGrain>("k").GetGrainId().Type.ToString()!,
            ["audit"] = grains.GetGrain<IAuditGrain>("k").GetGrainId().Type.ToString()!,
            ["deadletter"] = grains.GetGrain<IDeadLetterGrain>("k").GetGrainId().Type.ToString()!,
        };

        Assert.All(typeNames, pair => Assert.Equal(pair.Key, pair.Value));
    }
}
