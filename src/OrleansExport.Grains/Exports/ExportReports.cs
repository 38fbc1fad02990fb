using OrleansExport.Grains.ExportShards;

namespace OrleansExport.Grains.Exports;

/// <summary>What an export reports, gathered from its shards: its status and counters, its rejections.</summary>
public static class ExportReports
{
    public static async Task<ExportStatus?> StatusAsync(string exportId, ExportState state, ExportShardSet shards, string? holdReason)
    {
        if (state.Definition is null)
        {
            return null;
        }

        var counters = ExportCounters.Zero;
        foreach (var shard in await shards.GetCountersAsync())
        {
            counters = counters.Add(new ExportCounters(shard.EventsReceived, shard.Members, shard.Pending, shard.InSync, shard.Rejected, shard.SkippedByCap, shard.StateBytes, shard.Erased, shard.OptedOut));
        }

        ExportMetrics.ReportPending(exportId, counters.Pending);
        var paused = state.EndedReason ?? state.PausedBy ?? holdReason;
        return new ExportStatus(state.Definition, counters, paused, state.EndedReason, !state.FirstRunStarted,
            [.. state.History], state.PausedBy is not null, state.UnsubscribeHold?.Held);
    }

    public static async Task<IReadOnlyList<Rejection>> RejectionsAsync(ExportShardSet shardSet, RejectionKind? kind, int offset, int limit)
    {
        var newestPerShard = (int)Math.Min((long)offset + limit, int.MaxValue);
        var shards = await Task.WhenAll(Enumerable.Range(0, shardSet.Count).Select(i => shardSet[i].GetRejectionsAsync(kind, newestPerShard)));
        return RejectionGrouping.NewestFirst(shards).Skip(offset).Take(limit).ToList();
    }

    public static async Task<RejectionSummary> RejectionSummaryAsync(ExportShardSet shardSet)
    {
        var shards = new List<ShardRejections>();
        await shardSet.ForEachAsync(async shard => { var one = await shard.GetRejectionSummaryAsync(); lock (shards) { shards.Add(one); } });
        return RejectionGrouping.Merge(shards, RejectionGrouping.ExamplesPerKind);
    }
}
