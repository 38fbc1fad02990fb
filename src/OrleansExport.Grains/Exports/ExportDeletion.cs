using Microsoft.Extensions.Logging;

namespace OrleansExport.Grains.Exports;

/// <summary>
/// Deleting an export as a saved intent (<see cref="ExportState.Deletion"/>) rolled forward until it is done: first the
/// intent is saved (the export stops delivering and refuses changes), then each step, idempotent, and last the state is
/// cleared. A failure part-way leaves an export that says it is being deleted; its grain finishes the deletion shortly
/// after, on its next activation (which its keep-alive reminder causes) or on a retried DELETE.
/// </summary>
/// <param name="finished">Called once the state is cleared: removes the grain's keep-alive reminder and lets it deactivate.</param>
public sealed partial class ExportDeletion(IGrainFactory grains, string exportId, IPersistentState<ExportState> state, Func<Task> writeState,
    ExportSegments segments, ExportShardSet shards, Delivery.AcceptedImports imports, ExportWebhookLink webhook, Func<Task> finished, TimeProvider time, ILogger logger)
{
    private readonly ILogger _logger = logger;

    /// <returns>false when the export does not exist (any more).</returns>
    public async Task<bool> BeginAsync(string user)
    {
        if (state.State.Definition is null)
        {
            return false;
        }

        if (state.State.Deletion is null)
        {
            state.State.Deletion = new DeletionIntent(user, time.GetUtcNow());
            await writeState();
        }

        return true;
    }

    /// <summary>Does every step of a pending deletion; does nothing when none is pending (or it is done already).</summary>
    public async Task RollForwardAsync()
    {
        if (state.State is not { Deletion: { } deletion, Definition: { } definition })
        {
            return;
        }

        try
        {
            await segments.UnsubscribeAllAsync();
            await shards.ForEachAsync(shard => shard.ClearAsync());
            await imports.DeleteAllAsync();
            await grains.GetGrain<IConnectionGrain>(definition.ConnectionId).ReleaseCapacityAsync(exportId);
            await grains.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey).RemoveExportAsync(exportId);
            await grains.GetGrain<IExportRunsGrain>(exportId).ClearAsync();
            await grains.GetGrain<IReconciliationGrain>(exportId).ClearAsync();
            await webhook.RemoveAsync(definition.ConnectionId);
            await state.ClearStateAsync();
        }
        catch (Exception exception)
        {
            LogDeletionFailed(exportId, exception.GetType().Name, exception.Message);
            throw;
        }

        state.State = new ExportState();
        ExportMetrics.Forget(exportId);
        await grains.GetGrain<IAuditGrain>(IAuditGrain.Key).RecordAsync(
            new AuditEntry(time.GetUtcNow(), deletion.User, AuditAction.Deleted, AuditSubject.Export, exportId, []));
        LogDeleted(exportId);
        await finished();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting export {ExportId} failed part-way and is retried: {Error}: {Message}")]
    private partial void LogDeletionFailed(string exportId, string error, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Export {ExportId} deleted")]
    private partial void LogDeleted(string exportId);
}
