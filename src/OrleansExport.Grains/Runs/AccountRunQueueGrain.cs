namespace OrleansExport.Grains.Runs;

/// <summary>
/// One full run per ActiveCampaign account at a time (key: hostname): two runs to one account
/// would only split its import budget and both finish later; the rest wait in order.
/// The queue never calls out, so control grains can call it freely without deadlocks.
/// </summary>
public sealed class AccountRunQueueGrain(
    [PersistentState("run-queue", Constants.ExportStore)] IPersistentState<AccountRunQueueState> state) : Grain, IAccountRunQueueGrain
{
    public async Task<bool> EnqueueAsync(string exportId, string runId)
    {
        var run = new QueuedRun(exportId, runId);
        if (state.State.Active == run)
        {
            return true;
        }

        if (state.State.Active is null)
        {
            state.State.Active = run;
            await state.WriteStateAsync();
            return true;
        }

        if (!state.State.Waiting.Contains(run))
        {
            state.State.Waiting.Add(run);
            await state.WriteStateAsync();
        }

        return false;
    }

    public async Task<QueuedRun?> FinishAsync(string exportId, string runId)
    {
        var run = new QueuedRun(exportId, runId);
        state.State.Waiting.Remove(run);
        if (state.State.Active == run)
        {
            state.State.Active = null;
        }

        var next = Promote();
        await state.WriteStateAsync();
        return next;
    }

    public async Task<QueuedRun?> RemoveExportAsync(string exportId)
    {
        state.State.Waiting.RemoveAll(r => r.ExportId == exportId);
        if (state.State.Active?.ExportId == exportId)
        {
            state.State.Active = null;
        }

        var next = Promote();
        await state.WriteStateAsync();
        return next;
    }

    public Task<int> PositionAsync(string exportId, string runId)
    {
        var run = new QueuedRun(exportId, runId);
        return Task.FromResult(state.State.Active == run ? 0 : state.State.Waiting.IndexOf(run) + 1);
    }

    /// <returns>The run that may start now, which the caller hands to its control grain.</returns>
    private QueuedRun? Promote()
    {
        if (state.State.Active is not null || state.State.Waiting.Count == 0)
        {
            return null;
        }

        state.State.Active = state.State.Waiting[0];
        state.State.Waiting.RemoveAt(0);
        return state.State.Active;
    }
}
