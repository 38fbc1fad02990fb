using Microsoft.Extensions.Logging;
using OrleansExport.Grains.Exports;

namespace OrleansExport.Grains.Delivery;

/// <summary>
/// Where an export's running full run stands, from its counters (<see cref="ExportState.Run"/>) and what its shards
/// still have to send for it; the run ends here once nothing remains. Also its cancellation.
/// </summary>
/// <param name="holdReason">Why delivery holds off by itself now (<see cref="DeliveryLoop.HoldReason"/>), or null.</param>
public sealed partial class RunProgressCheck(string exportId, ExportState state, ExportShardSet shards, Func<Task> writeState, string? holdReason, ILogger logger)
{
    private readonly ILogger _logger = logger;

    public async Task<RunProgress> GetAsync(string runId)
    {
        if (state.Run is not { } run || run.RunId != runId)
        {
            return new RunProgress(false, false, 0, 0, 0, 0, 0, 0, null);
        }

        long remaining = 0;
        if (run.Active)
        {
            var counters = await shards.GetCountersAsync();
            remaining = counters.Sum(c => c.RunRemaining);
            run.Held = counters.Sum(c => c.RunHeld);
            run.SkippedByCap = counters.Sum(c => c.SkippedByCap);
        }

        if (run.Active && remaining == 0)
        {
            run.Active = false;
            await writeState();
            LogRunFinished(runId, exportId, run.Sent, run.Unsubscribed, run.Failed);
        }

        return new RunProgress(true, !run.Active, run.Total, remaining, run.Sent, run.Unsubscribed, run.Failed, run.SkippedByCap,
            state.EndedReason ?? holdReason ?? (run.Active ? null : HeldInRun(run.Held)), run.Held);
    }

    public async Task CancelAsync(string runId)
    {
        if (state.Run is not { Active: true } run || run.RunId != runId)
        {
            return;
        }

        run.Active = false;
        await shards.ForEachAsync(shard => shard.CancelRunAsync(runId));
        await writeState();
    }

    private static string? HeldInRun(long held) => held == 0 ? null
        : $"{held} unsubscribes of this run are held by the mass-unsubscribe guard (maxUnsubscribePercent), awaiting release: " +
          "they are sent once someone releases them or the hold lifts, outside this run; everything else was sent.";

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of export {ExportId} finished: {Sent} sent, {Unsubscribed} unsubscribed, {Failed} failed")]
    private partial void LogRunFinished(string runId, string exportId, long sent, long unsubscribed, long failed);
}
