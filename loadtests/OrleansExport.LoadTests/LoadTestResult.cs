using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansExport.LoadTests;

/// <summary>The figures of one run; serialized as the results JSON (camelCase).</summary>
public sealed record LoadTestResult
{
    // ---- The figures the project tracks (issue: load-test harness) ----
    public required double IngestEventsPerSecond { get; init; }
    public required double BulkImportsPerMinuteUsed { get; init; }
    public required int BulkImportsPerMinuteAllowed { get; init; }
    public required double Utilization { get; init; }
    public required double AvgContactsPerImport { get; init; }
    public required long Throttled429 { get; init; }
    public required double ProjectedMinutesPer1MProfiles { get; init; }
    public required double? BytesPerMember { get; init; }
    public required long PeakWorkingSetBytes { get; init; }
    public required double DuplicateSendRatio { get; init; }
    /// <summary>Null when the list was not checked (<see cref="LoadTestOptions.IngestOnly"/>).</summary>
    public required bool? ListMatchesMembership { get; init; }

    // ---- How they came about ----
    public required RunSetup Setup { get; init; }
    public required IngestFigures Ingest { get; init; }
    /// <summary>The initial delivery: from the first import while ingest runs until the list was in step.</summary>
    public required ExportFigures Export { get; init; }

    /// <summary>The full run after it (null when skipped): the source of the budget figures.</summary>
    public required ExportFigures? FullRun { get; init; }

    public required string? FullRunStatus { get; init; }
    public required MemoryFigures Memory { get; init; }
    public required ListCheck? List { get; init; }
    public required ListCheck? ListAfterFullRun { get; init; }
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
    bool IngestOnly,
    bool SiloInProcess,
    int ShardCount,
    string Churn,
    int ProcessorCount,
    string Runtime,
    string CommandLine,
    DateTimeOffset StartedAt);

/// <param name="Events">Events published, stragglers included.</param>
/// <param name="Seconds">From the first publish until the export grain counted the last event applied to its shards.</param>
/// <param name="PublishSeconds">Until the last publish was acknowledged by the stream.</param>
/// <param name="CpuSeconds">Processor time of the whole process over <paramref name="Seconds"/> (delivery running meanwhile included).</param>
/// <param name="CpuMicrosecondsPerEvent">The same per event: comparable even when other processes share the cores.</param>
public sealed record IngestFigures(long Events, int ExpectedMembers, int InvalidEmails, double GenerateSeconds, double PublishSeconds, double Seconds,
    double CpuSeconds, double CpuMicrosecondsPerEvent);

/// <param name="Throttled429">429s the simulator answered in this phase.</param>
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

/// <param name="HeapBaselineBytes">Managed heap after start, before any event (forced full GC).</param>
/// <param name="HeapAfterLoadBytes">Managed heap with every member loaded (and, unless ingest only, delivered), the simulator's account released (forced full GC).</param>
/// <param name="MemberStateBytes">What the shards' member tables hold (slots, arena, index, queue), as the shards count it.</param>
/// <param name="MemberStateBytesPerMember">The same per member: the layout's own cost, without the memory-storage copy and the stream cache.</param>
public sealed record MemoryFigures(long? HeapBaselineBytes, long? HeapAfterLoadBytes, long Members, long MemberStateBytes, double MemberStateBytesPerMember);

/// <summary>One point of the throughput chart.</summary>
public sealed record Sample(double Seconds, long EventsReceived, long ContactsImported, long BulkImports, long Throttled429);
