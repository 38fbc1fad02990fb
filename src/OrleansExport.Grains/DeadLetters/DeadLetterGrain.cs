using Microsoft.Extensions.Options;

namespace OrleansExport.Grains.DeadLetters;

/// <summary>
/// Counts dead letters and keeps the latest ones within <see cref="DeadLetterBudget"/>. Hostile input can arrive in floods,
/// so it writes its state on a timer (as shards do), not per call.
/// </summary>
public sealed class DeadLetterGrain(
    [PersistentState("deadletters", Constants.ExportStore)] IPersistentState<DeadLetterState> state,
    IOptions<ExportOptions> options) : Grain, IDeadLetterGrain
{
    private const int MaxKept = IDeadLetterGrain.MaxKept;

    private bool _changed;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        DeadLetterBudget.Trim(state.State.Recent); // a state saved before the byte bound
        this.RegisterGrainTimer(PersistIfChangedAsync, new GrainTimerCreationOptions
        {
            DueTime = options.Value.ShardPersistInterval,
            Period = options.Value.ShardPersistInterval,
        });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => PersistIfChangedAsync(cancellationToken);

    public Task RecordAsync(DeadLetterBatch batch)
    {
        state.State.Malformed += batch.Malformed;
        state.State.OutOfScope += batch.OutOfScope;
        var listed = batch.Listed;
        var recent = state.State.Recent;
        recent.AddRange(listed.Count > MaxKept ? listed.Skip(listed.Count - MaxKept) : listed);
        DeadLetterBudget.Trim(recent);

        _changed |= batch.Malformed + batch.OutOfScope > 0;
        return Task.CompletedTask;
    }

    public Task<DeadLetterSummary> GetAsync(int limit)
    {
        var recent = state.State.Recent;
        var newest = recent.Skip(Math.Max(0, recent.Count - limit)).Reverse().ToList();
        return Task.FromResult(new DeadLetterSummary(state.State.Malformed, state.State.OutOfScope, newest));
    }

    public async Task ForgetProfilesAsync(IReadOnlyList<string> profileIds)
    {
        var erased = new HashSet<string>(profileIds, StringComparer.Ordinal);
        if (state.State.Recent.RemoveAll(letter => letter.ProfileId is { } profileId && erased.Contains(profileId)) > 0)
        {
            _changed = false;
            await state.WriteStateAsync();
        }
    }

    private async Task PersistIfChangedAsync(CancellationToken cancellationToken)
    {
        if (_changed)
        {
            _changed = false;
            await state.WriteStateAsync(cancellationToken);
        }
    }
}
