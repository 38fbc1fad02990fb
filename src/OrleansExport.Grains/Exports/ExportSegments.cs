using OrleansExport.Grains.ExportShards;

namespace OrleansExport.Grains.Exports;

/// <summary>
/// The segments an export takes members from and the shards that keep them: subscribing (which backfills),
/// unsubscribing, and what a changed definition asks of both (and of the webhook, for a new list).
/// </summary>
public sealed class ExportSegments(IGrainFactory grains, string exportId, ExportState state, Func<Task> writeState, long maxProfilesPerExport,
    ExportWebhookLink webhook)
{
    private ExportSubscription Subscription => new(exportId, state.ShardCount);

    private ExportShardSet Shards => new(grains, exportId, state.ShardCount);

    public ShardConfig ShardConfigOf(ExportDefinition definition) =>
        new(definition.SegmentIds, definition.Mapping, definition.OnLeave, definition.OnErase, definition.ConnectionId, maxProfilesPerExport);

    /// <summary>Subscribes the export to every segment of its definition that does not hold it yet, which backfills it.</summary>
    public async Task SubscribeMissingAsync()
    {
        foreach (var segmentId in state.Definition!.SegmentIds.Except(state.SubscribedSegments).ToList())
        {
            await Segment(segmentId).AddExportAsync(Subscription);
            state.SubscribedSegments.Add(segmentId);
            await writeState();
        }
    }

    public Task UnsubscribeAllAsync() => Task.WhenAll(state.SubscribedSegments.Select(segment => Segment(segment).RemoveExportAsync(exportId)));

    /// <summary>
    /// Applies a saved change of the definition (<see cref="ExportState.PendingChange"/>) to every shard and segment, each
    /// step idempotent, then forgets it. A failure leaves it pending: the caller sees the error, and the next change,
    /// activation or keep-alive reminder finishes it, so a retried PATCH converges.
    /// </summary>
    public async Task RollForwardAsync()
    {
        if (state.PendingChange is not { } pending || !state.IsActive)
        {
            return;
        }

        await ApplyChangeAsync(pending.Before, state.Definition!, pending.Changed);
        state.PendingChange = null;
        await writeState();
    }

    /// <summary>
    /// Shards first (so the added segments' members have a place and the removed ones' leave), then the
    /// segments: removed ones stop forwarding, added ones backfill, the others send their members again when
    /// the mapped data may differ. A new list makes every member pending for it, and the export's webhook moves to it.
    /// </summary>
    public async Task ApplyChangeAsync(ExportDefinition before, ExportDefinition after, IReadOnlyList<string> changed)
    {
        if (changed.Contains("segmentIds") || changed.Contains("mapping") || changed.Contains("onLeave") || changed.Contains("onErase"))
        {
            await Shards.ForEachAsync(shard => shard.ConfigureAsync(ShardConfigOf(after)));
        }

        foreach (var removed in before.SegmentIds.Except(after.SegmentIds))
        {
            await Segment(removed).RemoveExportAsync(exportId);
            state.SubscribedSegments.Remove(removed);
            await writeState();
        }

        if (ExportDefinitionRules.ChangesMappedData(before.Mapping, after.Mapping))
        {
            await Task.WhenAll(after.SegmentIds.Intersect(state.SubscribedSegments).Select(segment => Segment(segment).BackfillAsync(Subscription)));
        }

        await SubscribeMissingAsync();
        if (changed.Contains("listId"))
        {
            await Shards.ForEachAsync(shard => shard.ResetDeliveryAsync());
            await webhook.RegisterAsync();
        }

        if (changed.Contains("schedule"))
        {
            await grains.GetGrain<IExportRunsGrain>(exportId).ConfigureScheduleAsync(after.Schedule);
        }
    }

    private ISegmentGrain Segment(string segmentId) => grains.GetGrain<ISegmentGrain>(segmentId);
}
