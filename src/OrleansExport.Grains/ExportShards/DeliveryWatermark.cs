namespace OrleansExport.Grains.ExportShards;

/// <summary>
/// Which deliveries of its export's journal (<see cref="Delivery.DeliveredOutcomes.Sequence"/>) an export shard's state
/// holds: every one up to <see cref="ExportShardState.DeliveriesThrough"/>, which the export advances as it learns that
/// each delivery up to there was handed to this shard, and the few above it taken out of order. A delivery handed again
/// (after the export restarted) or read back from the journal after a crash is applied once. No Orleans here.
/// </summary>
public sealed class DeliveryWatermark(ExportShardState state)
{
    public bool Holds(long sequence) => sequence <= state.DeliveriesThrough || state.DeliveriesAbove?.Contains(sequence) == true;

    /// <param name="sequence">A delivery now applied here (0: none).</param>
    /// <param name="handedThrough">The export handed this shard every delivery up to this one (0: not known).</param>
    public void Note(long sequence, long handedThrough)
    {
        if (sequence > 0 && !Holds(sequence))
        {
            (state.DeliveriesAbove ??= []).Add(sequence);
        }

        if (handedThrough > state.DeliveriesThrough)
        {
            state.DeliveriesThrough = handedThrough;
            state.DeliveriesAbove?.RemoveAll(s => s <= handedThrough);
        }

        if (state.DeliveriesAbove is { Count: 0 })
        {
            state.DeliveriesAbove = null;
        }
    }
}
