using Orleans.Concurrency;

namespace OrleansExport;

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

    /// <summary>What its shards are configured with; null once deleted. A shard configured before it leased from the connection asks once.</summary>
    Task<ShardConfig?> GetShardConfigAsync();

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

    /// <summary>How many export shards hold the export's members (keys "exportId/0" and up).</summary>
    Task<int> GetShardCountAsync();

    /// <summary>Sends the unsubscribes the mass-unsubscribe guard holds; a conflict when nothing is held.</summary>
    Task<OperationResult<ExportStatus>> ReleaseUnsubscribesAsync(string user);

    /// <summary>What the export would send now (or, with <paramref name="asRun"/>, in a full run), without sending it.</summary>
    Task<SendPreview?> PreviewAsync(bool asRun);

    /// <summary>One profile's story in the export; null when the export never held it.</summary>
    Task<MemberStory?> GetMemberAsync(string profileId);

    /// <summary>The story of the profile whose mapped email is <paramref name="email"/> (any case); null when none.</summary>
    Task<MemberStory?> FindMemberByEmailAsync(string email);
}
