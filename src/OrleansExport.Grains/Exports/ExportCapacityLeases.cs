using OrleansExport.Grains.ExportShards;

namespace OrleansExport.Grains.Exports;

/// <summary>
/// New-member slots an export's shards lease: within the export's own cap (<see cref="ExportOptions.MaxProfilesPerExport"/>,
/// counted in <see cref="ExportState.CapacityLeased"/>) and the connection's, which the connection grant decides.
/// </summary>
public sealed class ExportCapacityLeases(string exportId, Func<ExportState> exportState, Func<Task> writeState, IGrainFactory grains, long maxProfilesPerExport)
{
    private ExportState State => exportState();

    private IConnectionGrain Connection => grains.GetGrain<IConnectionGrain>(State.Definition!.ConnectionId);

    /// <summary>Grants new-member slots within the caps, at least <paramref name="needed"/> while they allow.</summary>
    public async Task<long> LeaseAsync(long needed)
    {
        if (!State.IsActive)
        {
            return 0;
        }

        var remaining = maxProfilesPerExport - State.CapacityLeased;
        var asked = CapacityLease.Grant(remaining, needed, needed + CapacityLease.Chunk);
        if (asked == 0)
        {
            return 0;
        }

        var granted = await Connection.LeaseCapacityAsync(exportId, Math.Min(needed, asked), asked);
        State.CapacityLeased += granted;
        await writeState();
        return granted;
    }

    /// <summary>Slots freed by members that left, for any shard (and, under the connection's cap, any export) to use.</summary>
    public async Task ReturnAsync(long slots)
    {
        if (!State.IsActive || slots <= 0)
        {
            return;
        }

        State.CapacityLeased = Math.Max(0, State.CapacityLeased - slots);
        await writeState();
        await Connection.ReturnCapacityAsync(exportId, slots);
    }
}
