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

    /// <summary>
    /// Leases up to <paramref name="max"/> pending contacts; unanswered leases return after a timeout. With
    /// <paramref name="holdUnsubscribes"/>, unsubscribes and deletes other than erasures are held back (mass-unsubscribe guard).
    /// </summary>
    Task<OutgoingContact[]> TakePendingAsync(int max, bool holdUnsubscribes);

    /// <summary>Records outcomes; returns how many contacts are pending now (changes made while in flight queue again).</summary>
    /// <param name="journaled">The export's journal holds the outcomes already: the shard need not journal them.</param>
    /// <param name="delivery">The delivery's number in the export's journal (0: none): a delivery is taken once.</param>
    /// <param name="handedThrough">The export handed this shard every delivery numbered up to this one.</param>
    Task<ShardCompletion> CompleteAsync(ContactOutcome[] outcomes, bool journaled, long delivery, long handedThrough);

    /// <summary>Writes the shard's state now (the durable profile's snapshot); answers the last delivery it holds every one up to.</summary>
    Task<long> PersistAsync(long handedThrough);

    Task<ShardCounters> GetCountersAsync();

    /// <summary>
    /// How many contacts it holds pending, a figure it keeps (no scan): what its last "has pending" said, for the delivery
    /// loop to ask when that one-way notice may have been lost.
    /// </summary>
    Task<int> GetPendingAsync();

    Task<long> BeginRunAsync(string runId);

    Task CancelRunAsync(string runId);

    /// <summary>The newest <paramref name="limit"/> kept rejections (of one kind, or all), newest first.</summary>
    Task<IReadOnlyList<Rejection>> GetRejectionsAsync(RejectionKind? kind, int limit);

    Task<ShardRejections> GetRejectionSummaryAsync();

    /// <summary>Requeues contacts leased by an earlier activation of the export grain.</summary>
    Task ReleaseLeasesAsync();

    /// <summary>
    /// The shard's pending unsubscribes (erasures aside) and, with <paramref name="countSubscribed"/> (a scan of every
    /// member), its contacts subscribed in the list, for the mass-unsubscribe guard.
    /// </summary>
    Task<UnsubscribeFigures> GetUnsubscribeFiguresAsync(bool countSubscribed);

    /// <summary>What the shard would send now (or in a full run, with <paramref name="asRun"/>), sending nothing.</summary>
    Task<SendPreview> PreviewAsync(bool asRun, bool holding);

    /// <summary>One profile's story, or null when the shard never held it.</summary>
    Task<MemberStory?> GetMemberAsync(string profileId);

    /// <summary>The story of the profile with this mapped email (any case), found by a scan of the shard; null if none.</summary>
    Task<MemberStory?> FindMemberByEmailAsync(string email);

    Task ClearAsync();

    /// <summary>A webhook said what someone did to the contact with <paramref name="email"/>; returns the members it changed.</summary>
    Task<int> LearnAsync(string email, ListSignal signal);

    /// <summary>A reconciliation starts reading the list: the shard indexes its members by email and forgets what an earlier one saw.</summary>
    Task BeginReconciliationAsync(string reconciliationId);

    /// <summary>
    /// A page of the list's contacts with <paramref name="status"/> (1, 2 or 3), their <paramref name="contactIds"/> in the
    /// same order: the shard learns opt-outs and contact ids, and notes whom it saw.
    /// </summary>
    Task<ReconcileChunkResult> ReconcileChunkAsync(string reconciliationId, int status, string[] emails, string[] contactIds);

    /// <summary>Every status was read: members the export had subscribed and nobody saw are sent again.</summary>
    Task<ReconcileEndResult> EndReconciliationAsync(string reconciliationId);
}
