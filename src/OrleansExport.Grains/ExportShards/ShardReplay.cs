using OrleansExport.Grains.Delivery;
using OrleansExport.Grains.Durability;

namespace OrleansExport.Grains.ExportShards;

/// <summary>
/// How an export shard comes back from storage: its journal since the snapshot, in order, and the deliveries of its
/// export's journal (<see cref="AcceptedImports"/>) it took but its snapshot lacks, each where it came among the journal's
/// entries (<see cref="ShardJournalEntry.DeliveriesBefore"/>), then those it took after its last entry or never got. A
/// delivery the state holds (<see cref="DeliveryWatermark"/>) is not applied again. No Orleans here.
/// </summary>
public sealed class ShardReplay(ExportShardRules membership, ExportShardState state, JournalContents? exportJournal, int importFailureRetries)
{
    /// <summary>Something was applied: the state differs from the snapshot.</summary>
    public bool Changed { get; private set; }

    public void Replay(IReadOnlyList<ShardJournalEntry> entries)
    {
        foreach (var entry in entries)
        {
            Changed = true;
            foreach (var delivery in entry.DeliveriesBefore ?? [])
            {
                ApplyDelivery(delivery);
            }

            Apply(entry);
        }

        // Leases found in storage are kept: their sender, the export's delivery loop, may live on and answer them (and
        // those it took since the snapshot). If it died, its next activation releases them (ReleaseLeasesAsync).
        membership.ExpectOutcomesOfLostLeases();
        foreach (var delivery in exportJournal?.Deliveries.Keys.ToList() ?? [])
        {
            ApplyDelivery(delivery);
        }
    }

    private void Apply(ShardJournalEntry entry)
    {
        if (entry.Outcomes is { } outcomes)
        {
            membership.CompleteTaken(outcomes);
            membership.Deliveries.Note(entry.Delivery, 0);
        }
        else if (entry.Facts is { } facts)
        {
            membership.ApplyListFacts(facts);
        }
        else if (entry.LeasesReleased)
        {
            membership.ReleaseLeases();
        }
        else if (entry.RunBegun is { } begun)
        {
            membership.BeginRun(begun);
        }
        else if (entry.RunCancelled is { } cancelled)
        {
            membership.CancelRun(cancelled);
        }
        else
        {
            state.CapacityLeft = entry.CapacityLeft;
            membership.Apply(entry.ReadEvents());

            // Given back to the connection when the batch was first applied (or lost with the crash: never twice).
            membership.ReleaseFreedCapacity();
        }
    }

    /// <summary>
    /// Taken when it was handed, its leases were not journaled: each outcome counts for a contact leased or waiting here
    /// (<see cref="ExportShardRules.OutcomesAwaitedAfterCrash"/>), a contact in step is left alone.
    /// </summary>
    private void ApplyDelivery(long sequence)
    {
        if (exportJournal is null || membership.Deliveries.Holds(sequence))
        {
            return;
        }

        if (!exportJournal.Deliveries.TryGetValue(sequence, out var delivery))
        {
            // The export's journal drops a delivery only once every shard's snapshot holds it: this read missed it.
            throw new InvalidOperationException($"Delivery {sequence}, which this shard took, is missing from its export's journal as read; the shard loads again.");
        }

        membership.CompleteTaken(membership.OutcomesAwaitedAfterCrash(exportJournal.OutcomesOf(delivery, importFailureRetries)));
        membership.Deliveries.Note(sequence, 0);
        Changed = true;
    }
}
