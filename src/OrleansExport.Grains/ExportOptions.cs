using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OrleansExport.Grains;

/// <summary>How exports accumulate and deliver (configuration section "Export").</summary>
public sealed class ExportOptions
{
    public const string Section = "Export";

    /// <summary>Longest a pending change waits for a fuller batch.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The least time an export's schedule must leave between two runs; a schedule with runs closer together is refused.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "31.00:00:00")]
    public TimeSpan MinScheduleInterval { get; set; } = TimeSpan.FromHours(1);

    [Range(1, 100_000_000)]
    public long MaxProfilesPerExport { get; set; } = 1_000_000;

    /// <summary>Shards per export: each holds 1/ShardCount of the members. Fixed once an export exists.</summary>
    [Range(1, 1024)]
    public int ShardCount { get; set; } = 16;

    /// <summary>Batches of one export that may be waiting for a permit, in flight, or awaiting import/info.</summary>
    [Range(1, 1000)]
    public int MaxConcurrentBatches { get; set; } = 64;

    /// <summary>How often the delivery loop looks for work.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How often the delivery loop asks the shards it believes hold nothing whether they do: the bound on how long a lost
    /// "has pending" notice (a one-way call from a shard) can keep contacts unsent.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan PendingPollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a changed shard writes its state.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ShardPersistInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Below this many contacts a batch goes through contact/sync instead of bulk import (ActiveCampaign advises 10).</summary>
    [Range(1, 250)]
    public int MinBulkImportContacts { get; set; } = 10;

    /// <summary>
    /// First wait before asking import/info about a queued import, then doubled up to a minute (divided by the
    /// time scale). Each poll costs one of the account's 5 requests/s, so polling early and often would eat
    /// into the budget that bulk imports need.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan ImportInfoDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often a contact that import/info lists as failed is sent again before it counts as rejected. ActiveCampaign
    /// gives no reason there, and a passing failure must not drop a contact; a real one fails every time.
    /// </summary>
    [Range(0, 20)]
    public int ImportFailureRetries { get; set; } = 3;

    /// <summary>Longest we keep asking import/info before treating the batch as not confirmed and resending it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ImportInfoTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long a contact handed to the delivery loop may go without an outcome before its shard takes it back (the
    /// answer to TakePending, or the outcome, was lost): it is pending again, as possibly in the account. Keep it
    /// well above <see cref="ImportInfoTimeout"/>, which a batch may spend confirming.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How far back the first opt-out sweep of an export (after a silo start or the export's activation) reads bounces and
    /// unsubscribes before a bulk import that unsubscribes (divided by the time scale); later sweeps read what changed since
    /// the one before. Older ones are found by reconciliations.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "31.00:00:00")]
    public TimeSpan OptOutSweepLookBack { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>Checks the ranges of <see cref="ExportOptions"/> at start (generated from its attributes).</summary>
[OptionsValidator]
public sealed partial class ExportOptionsValidator : IValidateOptions<ExportOptions>;
