using System.Diagnostics.Metrics;

namespace OrleansExport.Grains.Durability;

/// <summary>Storage writes of the export shards, on the project's <c>OrleansExport</c> meter.</summary>
public static class ShardStorageMetrics
{
    public const string MeterName = "OrleansExport";
    public const string JournalAppendsInstrument = "orleansexport.shard.journal_appends";
    public const string SnapshotWritesInstrument = "orleansexport.shard.snapshot_writes";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> JournalAppends =
        Meter.CreateCounter<long>(JournalAppendsInstrument, "{append}", "Entries appended to a shard journal before they were acknowledged: event batches, and an export shard's delivery outcomes.");
    private static readonly Counter<long> SnapshotWrites =
        Meter.CreateCounter<long>(SnapshotWritesInstrument, "{write}", "Whole shard states written to grain storage.");

    internal static void RecordJournalAppend() => JournalAppends.Add(1);

    internal static void RecordSnapshotWrite() => SnapshotWrites.Add(1);
}
