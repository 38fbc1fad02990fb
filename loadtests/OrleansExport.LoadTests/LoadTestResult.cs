using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansExport.LoadTests;

/// <summary>The figures of one run; serialized as the results JSON (camelCase).</summary>
public sealed record LoadTestResult
{
    // ---- The figures the project tracks (issue: load-test harness) ----
    public required double IngestEventsPerSecond { get; init; }
    /// <summary>The same events on a memory stream whose subscriber only counts them, in this process (null for a remote cluster).</summary>
    public required double? BareStreamEventsPerSecond { get; init; }
    /// <summary><see cref="IngestEventsPerSecond"/> over <see cref="BareStreamEventsPerSecond"/>: what segment state keeps of the runtime's rate.</summary>
    public required double? IngestRatioToBareStream { get; init; }
    /// <summary>Seconds from creating the export until it held every member of the loaded segment; null with <see cref="LoadTestOptions.IngestOnly"/>.</summary>
    public required double? BackfillSeconds { get; init; }
    public required double BulkImportsPerMinuteUsed { get; init; }
    public required int BulkImportsPerMinuteAllowed { get; init; }
    public required double Utilization { get; init; }
    public required double AvgContactsPerImport { get; init; }
    public required long Throttled429 { get; init; }
    public required double ProjectedMinutesPer1MProfiles { get; init; }
    public required double? BytesPerMember { get; init; }
    /// <summary>Managed heap a second export on the same segment adds, per member; null for a remote silo or with <see cref="LoadTestOptions.IngestOnly"/>.</summary>
    public required double? BytesPerMemberSecondExport { get; init; }
    public required long PeakWorkingSetBytes { get; init; }
    public required double DuplicateSendRatio { get; init; }
    /// <summary>The first export's list after its first run; null when not checked (<see cref="LoadTestOptions.IngestOnly"/>).</summary>
    public required bool? ListMatchesMembership { get; init; }
    /// <summary>With <c>--kill-silo</c>: contacts sent more than once in the first run, whose sending silo was killed (sent less needed; a run without a kill sends each once).</summary>
    public required long? DuplicatesAfterKill { get; init; }
    /// <summary><see cref="DuplicatesAfterKill"/> over the export's members (target: at most 0.01).</summary>
    public required double? DuplicateRatioAfterKill { get; init; }
    /// <summary>With <c>--kill-silo</c>: seconds from the kill until ActiveCampaign accepted the next import (target: at most 10).</summary>
    public required double? ResumeSecondsAfterKill { get; init; }

    /// <summary>With <c>--reconcile</c>: seconds a reconciliation of the first export took to read its whole list back (null otherwise).</summary>
    public required double? ReconcileSeconds { get; init; }

    // ---- How they came about ----
    public required RunSetup Setup { get; init; }
    public required IngestFigures Ingest { get; init; }
    /// <summary>The export created on the loaded segment (null with <see cref="LoadTestOptions.IngestOnly"/>).</summary>
    public required BackfillFigures? Backfill { get; init; }

    /// <summary>What reached Azure Storage with <c>--storage azurite</c> (null with memory storage).</summary>
    public required StorageFigures? Storage { get; init; }

    /// <summary>Its first run, which sends every member: the source of the budget figures (null with <see cref="LoadTestOptions.IngestOnly"/>).</summary>
    public required ExportFigures? Run { get; init; }

    /// <summary>Where the first run's import budget went: answer times, slot overholds and the ceiling each window leaves (in-process silo only).</summary>
    public required BudgetFigures? Budget { get; init; }

    public required string? RunStatus { get; init; }

    /// <summary>With <c>--kill-silo</c>: the silo killed in the first run and what followed (null otherwise).</summary>
    public required SiloKillFigures? Kill { get; init; }

    /// <summary>With <c>--reconcile</c>: the reconciliation after the first run (null otherwise).</summary>
    public required ReconcileFigures? Reconcile { get; init; }

    /// <summary>With <c>--accounts</c> above 1: the first runs of every account's export, run at once (null otherwise).</summary>
    public required AccountsFigures? Accounts { get; init; }

    /// <summary>A second export on the same segment, to another list, created after the first run; it is never run.</summary>
    public required BackfillFigures? SecondExport { get; init; }

    public required MemoryFigures Memory { get; init; }
    /// <summary>The first export's list after its first run.</summary>
    public required ListCheck? List { get; init; }
    public required IReadOnlyList<Sample> Samples { get; init; }
    public required IReadOnlyList<string> SiloWarnings { get; init; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}

public sealed record RunSetup(
    int Profiles,
    double TimeScale,
    string Ingest,
    string Storage,
    bool IngestOnly,
    bool SiloInProcess,
    int ShardCount,
    string Churn,
    int ProcessorCount,
    string Runtime,
    string CommandLine,
    DateTimeOffset StartedAt);

/// <param name="Events">Events published, stragglers included.</param>
/// <param name="ExpectedMembers">Members with a valid email once every event is applied: what an export of the segment holds.</param>
/// <param name="SegmentMembers">Members of the segment once every event is applied (invalid emails included: the segment does not map emails).</param>
/// <param name="Seconds">From the first publish until the segment grain counted the last event applied to its shards.</param>
/// <param name="PublishSeconds">Until the last publish was acknowledged by the stream.</param>
/// <param name="CpuSeconds">Processor time of the whole process over <paramref name="Seconds"/>.</param>
/// <param name="CpuMicrosecondsPerEvent">The same per event: comparable even when other processes share the cores.</param>
public sealed record IngestFigures(long Events, int ExpectedMembers, int InvalidEmails, long SegmentMembers, double GenerateSeconds, double PublishSeconds, double Seconds,
    double CpuSeconds, double CpuMicrosecondsPerEvent);

/// <summary>Writes to Azure Storage (requests that are not reads, retries included) and the bytes of their bodies.</summary>
/// <param name="IngestWrites">While ingesting into segment state: shard journals, snapshots, stream and segment state.</param>
/// <param name="IngestBytesWrittenPerMember">Over the segment's members.</param>
/// <param name="RunWrites">From the first event until the first export's run ended (ingest, backfill, delivery), read as it ends: the memory
/// phase and the second export come after. Null with <see cref="LoadTestOptions.IngestOnly"/>.</param>
/// <param name="RunBytesWrittenPerMember">Over the export's members.</param>
/// <param name="BytesWrittenPerDeliveredContact"><paramref name="RunBytesWritten"/> over the contacts the first run delivered: one per member
/// its list needs (with <c>--accounts</c>, every account's). Target: at most 150.</param>
public sealed record StorageFigures(long IngestWrites, double WritesPer1000Events, long IngestBytesWritten, double? IngestBytesWrittenPerMember,
    long? RunWrites, long? RunBytesWritten, double? RunBytesWrittenPerMember, double? BytesWrittenPerDeliveredContact);

/// <summary>An export created on the loaded segment, until its shards held every expected member (or stopped changing).</summary>
/// <param name="CreateSeconds">Until <c>IExportGrain.CreateAsync</c> returned: it subscribes the export to the segment and backfills its shards.</param>
/// <param name="Seconds">Until the export's shards held every expected member.</param>
/// <param name="SegmentMembers">The segment's members then, invalid emails included.</param>
/// <param name="Members">The export's members then: the segment's less the invalid emails it rejected.</param>
/// <param name="ExpectedMembers">What <paramref name="Members"/> must be, from the generator; when they differ, <paramref name="Seconds"/> is when the count last changed.</param>
/// <param name="MemberStateBytes">What the export's shards' member tables hold then, as the shards count it.</param>
/// <param name="ContactsSent">Contacts ActiveCampaign had received by then, since the simulator started or was emptied: 0, as nothing is sent before a first run.</param>
public sealed record BackfillFigures(string ExportId, string ListId, double CreateSeconds, double Seconds, long SegmentMembers, long Members, long ExpectedMembers,
    long Rejected, long MemberStateBytes, bool AwaitingFirstRun, long ContactsSent);

/// <param name="Throttled429">429s the simulator answered by the end of this phase (nothing reaches it before the first run).</param>
/// <param name="ThrottledByEndpoint">429s per endpoint as the silo's client saw them over the whole run (in-process silo only).</param>
/// <param name="ContactsNeeded">Distinct contacts the list needs: one per expected member.</param>
/// <param name="BulkImportsPerMinute">Multi-contact imports per minute at real limits between the first and the last import.</param>
/// <param name="SteadyStateSeconds">Between the first and the last accepted bulk import, in real (scaled) time.</param>
/// <param name="Seconds">How long the phase took here, in real (scaled) time.</param>
public sealed record ExportFigures(
    long BulkImports,
    long SingleContactImports,
    long ContactsImported,
    long ContactSyncs,
    long ContactListUpdates,
    long ImportInfoCalls,
    long Requests,
    long Throttled429,
    IReadOnlyDictionary<string, long> ThrottledByEndpoint,
    long ContactsNeeded,
    double ContactsPerImport,
    double BulkImportsPerMinute,
    double SteadyStateSeconds,
    double Seconds,
    double MinutesAtRealLimits);

/// <summary>The first run of <c>--kill-silo</c>: the production profile in silo processes, the sending one killed with kill -9.</summary>
/// <param name="KilledSilo">The silo that held the export's activation (its delivery loop) when it was killed.</param>
/// <param name="Silos">Silo processes in the cluster before the kill.</param>
/// <param name="Membership">The silos' membership timeouts (<c>Orleans:Membership:*</c>), which bound how soon the dead silo is declared dead.</param>
/// <param name="ContactsNeeded">One per expected member.</param>
/// <param name="SentAtKill">Contacts ActiveCampaign had received when the silo was killed.</param>
/// <param name="RunSecondsAtKill">Into the first run, in real (scaled) time.</param>
/// <param name="ResumeSeconds">From the kill until ActiveCampaign accepted the next import (one that arrived after the kill).</param>
/// <param name="FinishedSecondsAfterKill">From the kill until nothing was pending.</param>
/// <param name="Sent">Contacts ActiveCampaign received in the whole run.</param>
/// <param name="Duplicates"><paramref name="Sent"/> less <paramref name="ContactsNeeded"/>.</param>
/// <param name="DuplicateRatio"><paramref name="Duplicates"/> over <paramref name="ContactsNeeded"/>.</param>
public sealed record SiloKillFigures(string KilledSilo, int Silos, string Membership, long ContactsNeeded, long SentAtKill, double RunSecondsAtKill,
    double ResumeSeconds, double FinishedSecondsAfterKill, long Sent, long Duplicates, double DuplicateRatio);

/// <summary>Managed heap of the in-process silo (forced full GC, once the shards wrote their state); null for a remote silo.</summary>
/// <param name="HeapBaselineBytes">After start, before any event.</param>
/// <param name="HeapAfterLoadBytes">With every event in segment state and, unless ingest only, the first export backfilled and delivered; the simulator's account emptied.</param>
/// <param name="HeapAfterSecondExportBytes">Then with the second export holding every member too.</param>
/// <param name="Members">The first export's members (with ingest only: the segment's).</param>
/// <param name="MemberStateBytes">What the first export's shards' member tables hold (slots, arena, index, queue), as the shards count it; null with ingest only.</param>
/// <param name="MemberStateBytesPerMember">The same per member: the layout's own cost, without the memory-storage copy and the stream cache.</param>
/// <param name="SegmentStateBytesPerMember">What the segment's shards' member tables hold (profile ids, attributes), per member of the export, at the same moment.</param>
/// <param name="StreamCacheBytesPerMember">What the memory streams' caches hold then (every message of the ingest burst), per member of the export.</param>
/// <param name="OtherBytesPerMember">The rest of <c>bytesPerMember</c>: Orleans, the host and what else the grains keep.</param>
public sealed record MemoryFigures(long? HeapBaselineBytes, long? HeapAfterLoadBytes, long? HeapAfterSecondExportBytes, long Members, long? MemberStateBytes,
    double? MemberStateBytesPerMember, double? SegmentStateBytesPerMember = null, double? StreamCacheBytesPerMember = null, double? OtherBytesPerMember = null);

/// <summary>One point of the throughput chart.</summary>
public sealed record Sample(double Seconds, long EventsReceived, long ContactsImported, long BulkImports, long Throttled429);

/// <summary>A reconciliation's cost: seconds, ActiveCampaign requests (list pages, 100 contacts each), and what it found.</summary>
public sealed record ReconcileFigures(double Seconds, long Requests, string Status, long Read, long Missing, long OptedOut, long Strangers);

/// <summary>With <c>--accounts K</c>: K exports of the loaded segment, each to its own simulated ActiveCampaign account, their first runs at once.</summary>
/// <param name="ImportsPerSecond">Bulk imports of every account / seconds from the first import of any to the last of any (wall clock, at this time scale).</param>
/// <param name="ImportsPerSecondAllowed">What K accounts allow together at this time scale: K x 100 per minute, divided by the time scale.</param>
/// <param name="ContactsPerSecond">Contacts imported by every account over the same span.</param>
/// <param name="AccountsAtOrAbove99">Accounts whose utilization is at least 0.99.</param>
/// <param name="PerAccount">Each account's figures, account 1 (the first export's) first.</param>
public sealed record AccountsFigures(int Count, double ImportsPerSecond, double ImportsPerSecondAllowed, double ContactsPerSecond, double SpanSeconds,
    double UtilizationMin, double UtilizationMedian, double UtilizationMax, int AccountsAtOrAbove99, bool AllListsMatch, long Throttled429,
    IReadOnlyList<AccountFigures> PerAccount);

/// <summary>One account of <see cref="AccountsFigures"/>: its export's first run, as its own simulator counted it.</summary>
/// <param name="Utilization">Its bulk imports per minute at real limits, first to last import, over the 100 it allows.</param>
public sealed record AccountFigures(int Account, string ExportId, string Hostname, long BulkImports, long ContactsImported, double BulkImportsPerMinute,
    double Utilization, double SteadyStateSeconds, double Seconds, long Throttled429, bool ListMatchesMembership);
