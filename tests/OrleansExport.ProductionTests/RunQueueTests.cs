using Orleans.TestingHost;
using OrleansExport.Grains;
using OrleansExport.ProductionTests.Infrastructure;
using OrleansExport.Simulator;

namespace OrleansExport.ProductionTests;

/// <summary>One run per account at a time: a run's end must free the account's queue, and a paused export's run must give up its place.</summary>
public sealed class RunQueueTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);
    private static int _failNextQueueRelease;

    /// <summary>A cluster and a simulator with two exports on the same account, one per segment.</summary>
    private static async Task<(InProcessTestCluster Cluster, ActiveCampaignSimulator Simulator, string First, string Second)> StartAsync(
        TimeSpan importApplyDelay, string firstSegment, string secondSegment)
    {
        var options = new SimulatorOptions { TimeScale = 60, ImportApplyDelay = importApplyDelay };
        var simulator = await ActiveCampaignSimulator.StartAsync(options);
        var cluster = TestClusters.InMemory(1, silo => silo.FailCalls<IAccountRunQueueGrain>(
            nameof(IAccountRunQueueGrain.FinishAsync), () => Interlocked.Exchange(ref _failNextQueueRelease, 0) == 1, "Injected: the run queue is unreachable.")).Build();
        await cluster.DeployAsync();
        var first = await TestClusters.CreateExportAsync(cluster.Client, simulator.Hostname, options.ApiKeys[0], firstSegment);
        var second = await TestClusters.CreateExportAsync(cluster.Client, simulator.Hostname, options.ApiKeys[0], secondSegment);
        return (cluster, simulator, first, second);
    }

    private static async Task<RunView> RunAsync(InProcessTestCluster cluster, string exportId)
    {
        var result = await cluster.Client.GetGrain<IExportRunsGrain>(exportId).StartRunAsync("test", "tests");
        Assert.Null(result.Error);
        return result.Value!;
    }

    private static Task<RunView?> WaitForRunAsync(InProcessTestCluster cluster, string exportId, RunView run, RunStatus status) =>
        Eventually.WaitAsync(() => cluster.Client.GetGrain<IExportRunsGrain>(exportId).GetRunAsync(run.RunId), r => r?.Status == status, Timeout,
            $"run {run.RunId} of {exportId} to be {status}");

    [Fact]
    public async Task FailureBetweenTheRunsEndAndTheQueueRelease_DoesNotHoldTheAccountsQueue()
    {
        var (cluster, simulator, first, second) = await StartAsync(TimeSpan.FromSeconds(1), "queue-release-a", "queue-release-b");
        await using var _ = cluster;
        await using var __ = simulator;

        Interlocked.Exchange(ref _failNextQueueRelease, 1);
        var firstRun = await RunAsync(cluster, first);
        var secondRun = await RunAsync(cluster, second);

        await WaitForRunAsync(cluster, first, firstRun, RunStatus.Succeeded);
        await WaitForRunAsync(cluster, second, secondRun, RunStatus.Succeeded);
        Assert.Equal(0, Volatile.Read(ref _failNextQueueRelease));
    }

    [Fact]
    public async Task ExportPausedDuringItsRun_GivesUpItsPlace_SoTheAccountsNextRunGoes()
    {
        var (cluster, simulator, paused, other) = await StartAsync(TimeSpan.FromMinutes(10), "queue-paused", "queue-other");
        await using var _ = cluster;
        await using var __ = simulator;
        await cluster.Client.GetGrain<ISegmentShardGrain>("queue-paused/0").ApplyAsync(
            [.. Enumerable.Range(0, 20).Select(i => new SegmentEvent($"j{i}", "queue-paused", $"p{i}", SegmentEventType.Joined, T0,
                new Dictionary<string, string> { ["EmailAddress"] = $"p{i}@example.com" }))],
            [new(paused, new ExportOptions().ShardCount)]);

        var pausedRun = await RunAsync(cluster, paused);
        Assert.Null((await cluster.Client.GetGrain<IExportGrain>(paused).PauseAsync("tests")).Error);
        var otherRun = await RunAsync(cluster, other);

        await WaitForRunAsync(cluster, other, otherRun, RunStatus.Succeeded);
        var gaveUp = await WaitForRunAsync(cluster, paused, pausedRun, RunStatus.Cancelled);
        Assert.Contains("paused", gaveUp!.Error);
    }
}
