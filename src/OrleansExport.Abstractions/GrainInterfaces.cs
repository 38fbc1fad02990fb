using Orleans.Concurrency;

namespace OrleansExport;

/// <summary>Credentials, who may use them and the profile cap of one ActiveCampaign connection.</summary>
public interface IConnectionGrain : IGrainWithStringKey
{
    /// <summary>Validates, verifies the key against ActiveCampaign, encrypts and saves.</summary>
    Task<OperationResult<ConnectionView>> CreateAsync(ConnectionRequest request);

    Task<ConnectionView?> GetAsync();

    /// <summary>
    /// Changes the display name, who may use it, the profile cap or the key (docs/api.md: PATCH /api/connections/{id}).
    /// A new key is verified against ActiveCampaign first (nothing changes if it is refused); once saved, its
    /// <see cref="ConnectionView.KeyVersion"/> is one more and it is no longer refused.
    /// </summary>
    Task<OperationResult<ConnectionView>> UpdateAsync(ConnectionPatch patch, string user);

    /// <summary>Hostname, the still-encrypted key, its version and whether it is known to be refused; null once the connection is deleted.</summary>
    Task<ProtectedCredentials?> GetCredentialsAsync();

    /// <summary>
    /// ActiveCampaign refused key <paramref name="keyVersion"/> (<c>ActiveCampaignAuthException</c>): records it, unless a
    /// newer key was saved meanwhile, so that every export of the connection holds off until a new key is saved.
    /// Returns the credentials as they are now (a newer key may already be there to use).
    /// </summary>
    Task<ProtectedCredentials?> ReportKeyRefusedAsync(int keyVersion);

    /// <summary>Every list of the account whose name contains <paramref name="search"/> (any case), or every list.</summary>
    Task<OperationResult<IReadOnlyList<AccountListItem>>> GetListsAsync(string? search);

    /// <summary>Every custom contact field whose title contains <paramref name="search"/> (any case), or every field.</summary>
    Task<OperationResult<IReadOnlyList<AccountFieldItem>>> GetFieldsAsync(string? search);

    /// <summary>Every tag whose name contains <paramref name="search"/> (any case), or every tag.</summary>
    Task<OperationResult<IReadOnlyList<AccountTagItem>>> GetTagsAsync(string? search);

    /// <summary>Erases the credentials and stops the connection's exports; <paramref name="user"/> is recorded in the audit trail.</summary>
    Task<bool> DeleteAsync(string user);

    /// <summary>
    /// Grants an export profiles of the connection's cap: at least <paramref name="needed"/> while the cap allows,
    /// up to <paramref name="wanted"/> while plenty remains (so the cap costs no call per contact).
    /// </summary>
    Task<long> LeaseCapacityAsync(string exportId, long needed, long wanted);

    Task ReleaseCapacityAsync(string exportId);

    /// <summary>An export gives back profiles of the cap it leased and no longer uses (members left).</summary>
    Task ReturnCapacityAsync(string exportId, long slots);
}

/// <summary>Lists every connection and export (key <see cref="CatalogGrainKey"/>).</summary>
public interface ICatalogGrain : IGrainWithStringKey
{
    const string CatalogGrainKey = "catalog";

    Task AddConnectionAsync(string connectionId);

    Task RemoveConnectionAsync(string connectionId);

    Task<IReadOnlyList<string>> ListConnectionsAsync();

    Task AddExportAsync(string exportId, string connectionId);

    Task RemoveExportAsync(string exportId);

    Task<IReadOnlyList<string>> ListExportsAsync();

    Task<IReadOnlyList<string>> ListExportsOfConnectionAsync(string connectionId);

    /// <summary>Records a segment the first time an event reaches it. Idempotent.</summary>
    Task AddSegmentAsync(string segmentId);

    /// <summary>Every segment that has received an event.</summary>
    Task<IReadOnlyList<string>> ListSegmentsAsync();
}

/// <summary>
/// One export: a view of its segments in one ActiveCampaign list. Holds the definition, takes its
/// segments' members (backfill) and delivers pending contacts to ActiveCampaign in rate-limited batches.
/// </summary>
public interface IExportGrain : IGrainWithStringKey
{
    /// <summary>Validates, verifies the list, and brings in the segments' current members; sends nothing before the first run.</summary>
    Task<OperationResult<ExportDefinition>> CreateAsync(ExportDefinition definition);

    Task<ExportStatus?> GetStatusAsync();

    /// <summary>Changes the definition (docs/api.md: PATCH /api/exports/{id}); a conflict while a run is queued or running.</summary>
    Task<OperationResult<ExportStatus>> UpdateAsync(ExportPatch patch, string user);

    /// <summary>Stops sending (events are still applied) until resumed; runs are refused meanwhile.</summary>
    Task<OperationResult<ExportStatus>> PauseAsync(string user);

    Task<OperationResult<ExportStatus>> ResumeAsync(string user);

    /// <summary>The newest kept rejections (of one kind, or all), newest first, after skipping <paramref name="offset"/>.</summary>
    Task<IReadOnlyList<Rejection>> GetRejectionsAsync(RejectionKind? kind, int offset, int limit);

    /// <summary>Rejections counted by kind, with the newest examples of each.</summary>
    Task<RejectionSummary> GetRejectionSummaryAsync();

    /// <summary>Deletes the export; <paramref name="user"/> is recorded in the audit trail.</summary>
    Task DeleteAsync(string user);

    /// <summary>What delivery did in each of the last <paramref name="minutes"/> minutes, oldest first (empty minutes included).</summary>
    Task<IReadOnlyList<ActivityBucket>> GetActivityAsync(int minutes);

    /// <summary>Its connection was deleted: stop delivering for good.</summary>
    Task StopAsync(string reason);

    /// <summary>Called by shards: grants new-member slots within the caps, at least <paramref name="needed"/> while they allow.</summary>
    Task<long> LeaseCapacityAsync(long needed);

    /// <summary>Called by shards: slots freed by members that left, for any shard (and, under the connection's cap, any export) to use.</summary>
    Task ReturnCapacityAsync(long slots);

    /// <summary>
    /// Called by a shard that holds contacts to send: after applying changes, or (<paramref name="overdue"/>) on
    /// reactivating with contacts that have waited since before, so the delivery loop collects them at once.
    /// </summary>
    [OneWay]
    Task ShardHasPendingAsync(int shardIndex, int pending, bool overdue);

    /// <summary>
    /// Called on each surviving silo when the cluster declared one dead: an active export has nothing to do, one whose
    /// grain lived on the dead silo activates here, and its activation resumes delivery (rather than its reminder, minutes later).
    /// </summary>
    Task KeepDeliveringAsync();

    /// <summary>Marks every member (and every profile that left) for resending; idempotent per run id.</summary>
    Task<long> BeginRunAsync(string runId);

    Task<RunProgress> GetRunProgressAsync(string runId);

    Task CancelRunAsync(string runId);
}

[GenerateSerializer, Immutable]
public sealed record RunProgress(
    [property: Id(0)] bool Known,
    [property: Id(1)] bool Done,
    [property: Id(2)] long Total,
    [property: Id(3)] long Remaining,
    [property: Id(4)] long Sent,
    [property: Id(5)] long Unsubscribed,
    [property: Id(6)] long Failed,
    [property: Id(7)] long SkippedByCap,
    [property: Id(8)] string? Error);

/// <summary>
/// One segment (key: segment id): the implicit consumer of its stream. Routes each batch to its shards,
/// keeps the list of exports that take its changes, and backfills an export with the current members.
/// </summary>
public interface ISegmentGrain : IGrainWithStringKey
{
    /// <summary>Subscribes an export and sends it every current member; idempotent (a repeat sends them again).</summary>
    Task AddExportAsync(ExportSubscription export);

    Task RemoveExportAsync(string exportId);

    /// <summary>Sends every current member to an export again (its mapping changed).</summary>
    Task BackfillAsync(ExportSubscription export);

    /// <summary>Null when the segment never received an event.</summary>
    Task<SegmentView?> GetAsync();

    /// <summary>Bytes the segment's shards' member tables hold (load tests and diagnostics).</summary>
    Task<long> GetStateBytesAsync();

    /// <summary>
    /// Erasures that reached another segment's stream, re-addressed to this one: the profile leaves every segment.
    /// Interleaves with the batch this segment may be applying (its shards keep the order), so that two segments
    /// spreading erasures to each other never wait on each other.
    /// </summary>
    [AlwaysInterleave]
    Task EraseAsync(SegmentEvent[] erasures);
}

/// <summary>
/// One slice of a segment's membership (key "segmentId/index", same hash of profileId as export shards):
/// dedupe, ordering, snapshots and each member's latest attributes, stored once for every export.
/// </summary>
public interface ISegmentShardGrain : IGrainWithStringKey
{
    /// <summary>Applies a batch and forwards what changed to the exports' shards; returns once both are durable.</summary>
    Task<SegmentApplyResult> ApplyAsync(SegmentEvent[] events, ExportSubscription[] exports);

    /// <summary>Sends every current member, with its latest attributes, to the export's shards.</summary>
    Task<long> BackfillAsync(ExportSubscription export);

    /// <summary>
    /// Removes the members that completed snapshots did not name, once their grace (<c>Ingest:SnapshotGrace</c>) has
    /// passed, and forwards the leaves to the exports' shards; returns once both are durable.
    /// </summary>
    Task<SegmentApplyResult> RemoveDueSnapshotMembersAsync(ExportSubscription[] exports);

    /// <summary>Bytes the shard's member table holds (slots, arena, index): what segment state costs in memory.</summary>
    Task<long> GetStateBytesAsync();
}

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
}

/// <summary>The shared rate budget of one ActiveCampaign account (key: hostname).</summary>
public interface IAccountLimiterGrain : IGrainWithStringKey
{
    /// <summary>Reserves the earliest slot that keeps every limit in every sliding window; returns when it is.</summary>
    Task<DateTimeOffset> ReserveAsync(RequestKindCode kind);

    Task ReportThrottledAsync(TimeSpan retryAfter);
}

/// <summary>On-demand (and scheduled) full runs of one export (key: export id), and their history.</summary>
public interface IResyncControlGrain : IGrainWithStringKey
{
    /// <summary>Queues a run (it starts at once unless another run holds the account); 409-style conflict while one is queued or running.</summary>
    /// <param name="trigger">What started it, for the run's <c>trigger</c>.</param>
    /// <param name="by">Who started it, for the audit trail: a user, or <c>schedule</c>.</param>
    Task<OperationResult<RunView>> StartRunAsync(string trigger, string by);

    /// <summary>The account's queue says it is this run's turn; false if the run is gone (the queue moves on).</summary>
    Task<bool> StartQueuedRunAsync(string runId);

    /// <summary>Sets the export's cron schedule (UTC) for scheduled runs, or null for none.</summary>
    Task ConfigureScheduleAsync(string? schedule);

    Task<IReadOnlyList<RunView>> ListRunsAsync();

    Task<RunView?> GetRunAsync(string runId);

    Task<OperationResult<RunView>> CancelRunAsync(string runId, string user);

    /// <summary>The export was deleted: forget runs and reminders.</summary>
    Task ClearAsync();
}

[GenerateSerializer, Immutable]
public sealed record QueuedRun([property: Id(0)] string ExportId, [property: Id(1)] string RunId);

/// <summary>At most one full run per ActiveCampaign account at a time (key: hostname); the rest wait in order.</summary>
public interface IAccountRunQueueGrain : IGrainWithStringKey
{
    /// <summary>True when the run may start now; otherwise it waits for its turn.</summary>
    Task<bool> EnqueueAsync(string exportId, string runId);

    /// <summary>The run ended (or was cancelled while waiting); returns the run whose turn it is now, if any.</summary>
    Task<QueuedRun?> FinishAsync(string exportId, string runId);

    /// <summary>The export was deleted; returns the run whose turn it is now, if any.</summary>
    Task<QueuedRun?> RemoveExportAsync(string exportId);

    /// <summary>0 while it runs (or when unknown), n when it is n-th in line.</summary>
    Task<int> PositionAsync(string exportId, string runId);
}
