namespace OrleansExport;

/// <summary>What an export keeps per member of one slice of its segments (key "exportId/index").</summary>
public interface IExportShardGrain : IGrainWithStringKey
{
    /// <summary>Sets (or changes) the export's definition as the shard needs it; members of segments no longer exported leave.</summary>
    Task ConfigureAsync(ShardConfig config);

    /// <summary>Applies changes forwarded by segment shards (or a backfill), already deduplicated and ordered per segment.</summary>
    Task<ShardApplyResult> ApplyAsync(SegmentEvent[] events);

    /// <summary>The export now sends to another list: every member is pending for it.</summary>
    Task ResetDeliveryAsync();

    /// <summary>Leases up to <paramref name="max"/> pending contacts; unanswered leases return after a timeout.</summary>
    Task<OutgoingContact[]> TakePendingAsync(int max);

    /// <summary>Records outcomes; returns how many contacts are pending now (changes made while in flight queue again).</summary>
    Task<ShardCompletion> CompleteAsync(ContactOutcome[] outcomes);

    Task<ShardCounters> GetCountersAsync();

    Task<long> BeginRunAsync(string runId);

    Task CancelRunAsync(string runId);

    /// <summary>The newest <paramref name="limit"/> kept rejections (of one kind, or all), newest first.</summary>
    Task<IReadOnlyList<Rejection>> GetRejectionsAsync(RejectionKind? kind, int limit);

    Task<ShardRejections> GetRejectionSummaryAsync();

    /// <summary>Requeues contacts leased by an earlier activation of the export grain.</summary>
    Task ReleaseLeasesAsync();

    Task ClearAsync();

    /// <summary>A webhook said what someone did to the contact with <paramref name="email"/>; returns the members it changed.</summary>
    Task<int> LearnAsync(string email, ListSignal signal);

    /// <summary>A reconciliation starts reading the list: the shard indexes its members by email and forgets what an earlier one saw.</summary>
    Task BeginReconciliationAsync(string reconciliationId);

    /// <summary>A page of the list's contacts with <paramref name="status"/> (1, 2 or 3): the shard learns opt-outs and notes whom it saw.</summary>
    Task<ReconcileChunkResult> ReconcileChunkAsync(string reconciliationId, int status, string[] emails);

    /// <summary>Every status was read: members the export had subscribed and nobody saw are sent again.</summary>
    Task<ReconcileEndResult> EndReconciliationAsync(string reconciliationId);
}
