namespace OrleansExport.Grains.ExportShards;

/// <summary>
/// The new-member slots an export shard leased from its connection (within both caps) and has not used yet
/// (<see cref="ExportShardState.CapacityLeft"/>), and what members that left free for other shards.
/// </summary>
public sealed class ShardCapacity(ExportShardState state)
{
    private bool _freed;

    /// <summary>Uses one slot for a new member; false when none is left (the profile is over the cap).</summary>
    public bool TryTake()
    {
        if (state.CapacityLeft <= 0)
        {
            return false;
        }

        state.CapacityLeft--;
        return true;
    }

    /// <summary>A member left (or was erased): its slot is free again.</summary>
    public void Free()
    {
        state.CapacityLeft++;
        _freed = true;
    }

    public void Add(long slots) => state.CapacityLeft += slots;

    /// <summary>
    /// Capacity to give back to the connection after a batch or a definition change in which members left (or were
    /// erased): all the shard's unused slots, so that a cap freed here can be used by profiles of other shards. Zero
    /// otherwise. Deterministic, so a replayed batch leaves the shard as it was.
    /// </summary>
    public long ReleaseFreed()
    {
        if (!_freed || state.CapacityLeft <= 0)
        {
            _freed = false;
            return 0;
        }

        _freed = false;
        var released = state.CapacityLeft;
        state.CapacityLeft = 0;
        return released;
    }
}
