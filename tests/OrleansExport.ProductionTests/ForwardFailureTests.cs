using OrleansExport.Grains;
using OrleansExport.ProductionTests.Infrastructure;
using OrleansExport.Simulator;

namespace OrleansExport.ProductionTests;

/// <summary>
/// The memory profile (no journal): a segment shard whose forward to an export fails must not lose the batches it
/// already acknowledged, although its storage is up to a persist interval behind.
/// </summary>
public sealed class ForwardFailureTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static int _failNextForward;

    private static SegmentEvent Joined(string segment, string profile) => new($"j-{profile}", segment, profile, SegmentEventType.Joined, T0,
        new Dictionary<string, string> { ["EmailAddress"] = $"{profile}@example.com" });

    [Fact]
    public async Task ForwardThatFailsOnce_KeepsTheAcknowledgedBatches_AndALaterLeaveOfThemReachesTheExport()
    {
        const string segment = "forward-failure";
        var simulatorOptions = new SimulatorOptions { TimeScale = 60 };
        await using var simulator = await ActiveCampaignSimulator.StartAsync(simulatorOptions);
        await using var cluster = TestClusters.InMemory(1, silo => silo.FailCalls<IExportShardGrain>(
            nameof(IExportShardGrain.ApplyAsync), () => Interlocked.Exchange(ref _failNextForward, 0) == 1, "Injected: the export shard is unreachable.")).Build();
        await cluster.DeployAsync();
        var exportId = await TestClusters.CreateExportAsync(cluster.Client, simulator.Hostname, simulatorOptions.ApiKeys[0], segment);
        var export = cluster.Client.GetGrain<IExportGrain>(exportId);
        ExportSubscription[] exports = [new(exportId, new ExportOptions().ShardCount)];
        var shard = cluster.Client.GetGrain<ISegmentShardGrain>($"{segment}/0");

        await shard.ApplyAsync([Joined(segment, "ann")], exports); // acknowledged: the stream forgets it
        Interlocked.Exchange(ref _failNextForward, 1);
        await Assert.ThrowsAnyAsync<Exception>(() => shard.ApplyAsync([Joined(segment, "bob")], exports));
        var redelivered = await shard.ApplyAsync([Joined(segment, "bob")], exports); // the stream delivers the failed batch again

        Assert.Equal(2, redelivered.Members);
        Assert.Equal(2, (await export.GetStatusAsync())!.Counters.Members);

        var left = await shard.ApplyAsync([new("l-ann", segment, "ann", SegmentEventType.Left, T0.AddMinutes(1), null)], exports);

        Assert.Equal((1, 1L), (left.Applied, left.Members));
        Assert.Equal(1, (await export.GetStatusAsync())!.Counters.Members);
    }
}
