using OrleansExport.Grains.Members;

namespace OrleansExport.Grains.ExportShards;

/// <summary>The persisted state of one export shard.</summary>
[GenerateSerializer]
public sealed class ExportShardState
{
    [Id(0)] public ShardConfig? Config { get; set; }

    // Id 1 held a Dictionary<string, MemberRecord> before the compact layout; never reuse it.
    [Id(7)] public MemberTable Members { get; set; } = new();

    /// <summary>The newest rejections, oldest first, at most <see cref="RejectionLog.MaxKept"/>.</summary>
    [Id(2)] public List<Rejection> RecentRejections { get; set; } = [];

    [Id(3)] public long RejectedTotal { get; set; }

    /// <summary>Rejections recorded by kind (over-cap ones included); as many entries as there are kinds at most.</summary>
    [Id(9)] public Dictionary<RejectionKind, long> RejectionCounts { get; set; } = [];

    /// <summary>New-member slots leased from the export's caps and not yet used.</summary>
    [Id(4)] public long CapacityLeft { get; set; }

    [Id(5)] public string? RunId { get; set; }

    // Id 6 held snapshots in progress before segments kept their own state; never reuse it.

    /// <summary>Changes received from the export's segments (backfills included).</summary>
    [Id(8)] public long EventsReceived { get; set; }

    /// <summary>Profiles this shard held that were erased (right to erasure).</summary>
    [Id(10)] public long Erased { get; set; }

    /// <summary>Old addresses of members whose mapped email changed, to unsubscribe (<see cref="ExportShards.RetiredAddresses"/>).</summary>
    /// <remarks>Null until the first is retired, so that a shard without any stores nothing for it.</remarks>
    [Id(11)] public List<RetiredAddress>? RetiredAddresses { get; set; }

    /// <summary>Every delivery of the export's journal up to this sequence is in this state (<see cref="DeliveryWatermark"/>).</summary>
    [Id(12)] public long DeliveriesThrough { get; set; }

    /// <summary>Deliveries above <see cref="DeliveriesThrough"/> that are in this state too; null when none.</summary>
    [Id(13)] public List<long>? DeliveriesAbove { get; set; }
}
