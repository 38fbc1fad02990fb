using OrleansExport.Grains.Runs;

namespace OrleansExport.Grains.Exports;

/// <summary>
/// A PATCH of an export's definition: refused while the export is gone, ending or in a run; else checked, saved as a
/// pending change (<see cref="PendingChange"/>) and rolled forward by <see cref="ExportSegments"/>, so that a failure
/// part-way is finished by a retry or the grain's next activation.
/// </summary>
public sealed class ExportChange(string exportId, ExportState state, Func<Task> writeState, ExportSegments segments,
    ExportDefinitionCheck check, IExportRunsGrain runs, TimeProvider time)
{
    /// <returns>null when the definition may change now, else why not.</returns>
    public async Task<OperationError?> RefusalAsync(string verb)
    {
        if (state.Definition is null)
        {
            return new(OperationErrorKind.NotFound, $"Export '{exportId}' does not exist.", null);
        }

        if (state.EndedReason is { } stopped)
        {
            return new(OperationErrorKind.Conflict, $"Export '{exportId}' cannot be {verb}: {stopped}", null);
        }

        var current = (await runs.ListRunsAsync()).FirstOrDefault(run => run.Status is RunStatus.Queued or RunStatus.Running);
        return current is null
            ? null
            : new(OperationErrorKind.Conflict,
                $"Export '{exportId}' cannot be {verb} while run {current.RunId} is {current.Status.ToString().ToLowerInvariant()}; wait for it to finish or cancel it.", null);
    }

    /// <returns>Why the change is refused, or the fields it changed (none: nothing to do).</returns>
    public async Task<(OperationError? Refused, IReadOnlyList<string> Changed)> ApplyAsync(ExportPatch patch, string user)
    {
        if (await RefusalAsync("changed") is { } refused)
        {
            return (refused, []);
        }

        await segments.RollForwardAsync();
        var before = state.Definition!;
        var (after, changed) = ExportDefinitionRules.Apply(before, patch);
        if (changed.Count == 0)
        {
            return (null, []);
        }

        if (await check.CheckAsync(after, verifyList: changed.Contains("listId")) is { } invalid)
        {
            return (invalid, []);
        }

        if (state.EndedReason is { } ended)
        {
            // Deleted or stopped while the change was being checked (a DELETE does not wait for a PATCH).
            return (new(OperationErrorKind.Conflict, $"Export '{exportId}' cannot be changed: {ended}", null), []);
        }

        state.Definition = after;
        state.PendingChange = new PendingChange(before, [.. changed]);
        state.AddHistory(time.GetUtcNow(), user, DefinitionAction.Updated, changed);
        await writeState();
        await segments.RollForwardAsync();
        return (null, changed);
    }
}
