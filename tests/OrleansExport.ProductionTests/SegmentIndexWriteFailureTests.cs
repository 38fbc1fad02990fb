using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansExport.Grains;
using OrleansExport.Grains.Segments;
using OrleansExport.ProductionTests.Infrastructure;

namespace OrleansExport.ProductionTests;

/// <summary>
/// A segment index write that fails must not leave the id registered in memory only: the retry would answer "registered"
/// without storing it, the id would vanish on reactivation, and erasures (spread through the index) would miss the segment.
/// </summary>
public sealed class SegmentIndexWriteFailureTests
{
    private static int _failNextIndexWrite;
    private static IReadOnlyList<string> _storedIndex = [];

    /// <summary>The export store, whose next write of a segment index shard fails once when asked to; it keeps what it stored of the index.</summary>
    private sealed class FlakyIndexStorage(IGrainStorage inner) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (grainState.State is SegmentIndexState index)
            {
                if (Interlocked.Exchange(ref _failNextIndexWrite, 0) == 1)
                {
                    throw new InvalidOperationException("Injected: the segment index write failed.");
                }

                await inner.WriteStateAsync(stateName, grainId, grainState);
                _storedIndex = [.. index.Segments];
                return;
            }

            await inner.WriteStateAsync(stateName, grainId, grainState);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
    }

    [Fact]
    public async Task AdmitAfterAFailedIndexWrite_StoresTheSegment()
    {
        await using var cluster = TestClusters.Builder(1, silo =>
        {
            silo.AddMemoryGrainStorage("exports-inner");
            silo.Services.AddKeyedSingleton<IGrainStorage>(Constants.ExportStore,
                (services, _) => new FlakyIndexStorage(services.GetRequiredKeyedService<IGrainStorage>("exports-inner")));
            silo.AddMemoryGrainStorage(Constants.ShardStore);
            silo.AddMemoryGrainStorage(Constants.PubSubStore);
            silo.UseInMemoryReminderService();
            silo.AddMemoryStreams(Constants.StreamProvider);
        }).Build();
        await cluster.DeployAsync();

        Interlocked.Exchange(ref _failNextIndexWrite, 1);
        await Assert.ThrowsAnyAsync<Exception>(() => SegmentIndex.AdmitAsync(cluster.Client, "seg-flaky", 100));

        Assert.True(await SegmentIndex.AdmitAsync(cluster.Client, "seg-flaky", 100));

        Assert.Contains("seg-flaky", _storedIndex);
        Assert.Contains("seg-flaky", await SegmentIndex.ListAsync(cluster.Client));
    }
}
