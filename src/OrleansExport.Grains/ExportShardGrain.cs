using Microsoft.Extensions.Options;
using OrleansExport.Grains.Membership;

namespace OrleansExport.Grains;

/// <summary>
/// One slice of an export's members (key "exportId/index"). The rules live in
/// <see cref="ShardMembership"/>; this grain adds capacity leases and batched persistence.
/// </summary>
public sealed class ExportShardGrain(
    [PersistentState("shard", Constants.ShardStore)] IPersistentState<ShardState> state,
    IOptions<ExportOptions> options,
    TimeProvider time) : Grain, IExportShardGrain
{
    private ShardMembership _membership = null!;
    private bool _changed;
    private IGrainTimer? _persistTimer;

    public static string Key(string exportId, int index) => $"{exportId}/{index}";

    private string ExportId => this.GetPrimaryKeyString()[..this.GetPrimaryKeyString().LastIndexOf('/')];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _membership = new ShardMembership(state.State, time);
        _persistTimer = this.RegisterGrainTimer(PersistIfChangedAsync, new GrainTimerCreationOptions
        {
            DueTime = options.Value.ShardPersistInterval,
            Period = options.Value.ShardPersistInterval,
            Interleave = false,
        });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _persistTimer?.Dispose();
        await PersistIfChangedAsync(cancellationToken);
    }

    private async Task PersistIfChangedAsync(CancellationToken cancellationToken)
    {
        if (_changed)
        {
            _changed = false;
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public async Task ConfigureAsync(ShardConfig config)
    {
        state.State.Config = config;
        await state.WriteStateAsync();
    }

    public async Task<ShardApplyResult> ApplyAsync(SegmentEvent[] events)
    {
        var needed = _membership.CountPotentialNewMembers(events) - state.State.CapacityLeft;
        if (needed > 0)
        {
            var granted = await GrainFactory.GetGrain<IExportGrain>(ExportId).LeaseCapacityAsync(needed);
            _membership.AddCapacity(granted);
        }

        _changed = true;
        return _membership.Apply(events);
    }

    public Task<OutgoingContact[]> TakePendingAsync(int max)
    {
        var taken = _membership.TakePending(max);
        _changed |= taken.Length > 0;
        return Task.FromResult(taken);
    }

    public Task<int> CompleteAsync(ContactOutcome[] outcomes)
    {
        _membership.Complete(outcomes);
        _changed = true;
        return Task.FromResult(_membership.PendingEstimate);
    }

    public Task<ShardCounters> GetCountersAsync() => Task.FromResult(_membership.GetCounters());

    public Task<long> BeginRunAsync(string runId)
    {
        _changed = true;
        return Task.FromResult(_membership.BeginRun(runId));
    }

    public Task CancelRunAsync(string runId)
    {
        _membership.CancelRun(runId);
        _changed = true;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Rejection>> GetRejectionsAsync(int limit) => Task.FromResult(_membership.GetRejections(limit));

    public Task ReleaseLeasesAsync()
    {
        _membership.ReleaseLeases();
        _changed = true;
        return Task.CompletedTask;
    }

    public async Task ClearAsync()
    {
        _changed = false;
        await state.ClearStateAsync();
        state.State = new ShardState();
        _membership = new ShardMembership(state.State, time);
        DeactivateOnIdle();
    }
}
