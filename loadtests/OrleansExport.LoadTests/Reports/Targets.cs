using System.Globalization;

namespace OrleansExport.LoadTests.Reports;

/// <summary>One figure against its target (issue: load-test harness, and "Ingest, memory and the import budget at the physical limit").</summary>
public sealed record TargetCheck(string Figure, string Value, string Target, bool? Met);

public static class TargetChecks
{
    public static IReadOnlyList<TargetCheck> For(LoadTestResult r) => For(r, PerformanceTargets.For(r.Setup));

    private static IReadOnlyList<TargetCheck> For(LoadTestResult r, PerformanceTargets t) =>
    [
        new("List equals membership", r.ListMatchesMembership switch { true => "yes", false => "NO", null => "not checked (ingest only)" }, "yes", r.ListMatchesMembership),
        new("Throttled (429)", N(r.Throttled429), "0", r.Throttled429 == 0),
        .. r.Setup.IngestOnly ? [] : ExportChecks(r, t),
        new("Ingest", $"{N(r.IngestEventsPerSecond)} events/s", $">= {N(t.IngestEventsPerSecond)} ({t.Profile})", r.IngestEventsPerSecond >= t.IngestEventsPerSecond),
        new("Ingest / bare memory stream", r.IngestRatioToBareStream is { } ratio ? $"{ratio:F3} (bare stream {N(r.BareStreamEventsPerSecond!.Value)} events/s)" : "n/a (remote silo)",
            $">= {PerformanceTargets.IngestRatioToBareStream.ToString("F1", CultureInfo.InvariantCulture)}", r.IngestRatioToBareStream is { } met ? met >= PerformanceTargets.IngestRatioToBareStream : null),
        new("Memory per member (managed heap)", r.BytesPerMember is { } b ? $"{b:F1} bytes" : "n/a (remote silo)",
            $"<= {PerformanceTargets.BytesPerMember}", r.BytesPerMember is { } m ? m <= PerformanceTargets.BytesPerMember : null),
        .. MemoryBreakdown(r.Memory),
        .. r.Setup.IngestOnly ? [] : ExportMemoryChecks(r),
        .. r.Accounts is { } accounts ? AccountsChecks(accounts) : [],
        .. r.Kill is { } kill ? KillChecks(kill) : [],
        .. r.Storage is { } storage ? StorageChecks(storage) : [],
        new("Peak working set", $"{r.PeakWorkingSetBytes / (1024.0 * 1024):F0} MiB", "(reported)", null),
    ];

    private static TargetCheck[] ExportChecks(LoadTestResult r, PerformanceTargets t) =>
    [
        new("Backfill (new export on the loaded segment)", BackfillValue(r.Backfill!), $"<= {PerformanceTargets.BackfillSeconds} s, every member",
            r.BackfillSeconds <= PerformanceTargets.BackfillSeconds && r.Backfill!.Members == r.Backfill.ExpectedMembers),
        new("Duplicate sends", $"{r.DuplicateSendRatio:F5} sent per needed", "<= 1.001", r.DuplicateSendRatio <= 1.001),
        new("Bulk-import utilization", $"{r.Utilization:P2} ({r.BulkImportsPerMinuteUsed:F2} of {r.BulkImportsPerMinuteAllowed}/min)",
            $">= {P(t.Utilization)} ({t.Profile})", r.Utilization >= t.Utilization),
        new("Ceiling the windows leave (answer times, slot overholds, margins)", r.Budget is { } budget ? $"{budget.Ceiling:P2}" : "n/a (remote silo)", "(reported)", null),
        new("Contacts per import", r.AvgContactsPerImport.ToString("F2", CultureInfo.InvariantCulture), ">= 249", r.AvgContactsPerImport >= 249),
        new("Minutes per 1M profiles (real limits)", r.ProjectedMinutesPer1MProfiles.ToString("F2", CultureInfo.InvariantCulture),
            $"<= {t.MinutesPer1MProfiles.ToString("F1", CultureInfo.InvariantCulture)} ({t.Profile})", r.ProjectedMinutesPer1MProfiles <= t.MinutesPer1MProfiles),
    ];

    private static TargetCheck[] MemoryBreakdown(MemoryFigures m) => m.StreamCacheBytesPerMember is { } cache
        ? [new("Of that: segment state / memory-stream cache / the rest",
            string.Create(CultureInfo.InvariantCulture, $"{m.SegmentStateBytesPerMember:F1} / {cache:F1} / {m.OtherBytesPerMember:F1} bytes"), "(reported)", null)]
        : [];

    private static TargetCheck[] ExportMemoryChecks(LoadTestResult r) =>
    [
        new("Memory per member, second export on the segment (managed heap)",
            r.BytesPerMemberSecondExport is { } b ? $"{b:F1} bytes" : "n/a (remote silo)",
            $"<= {PerformanceTargets.BytesPerMemberSecondExport}", r.BytesPerMemberSecondExport is { } m ? m <= PerformanceTargets.BytesPerMemberSecondExport : null),
        new("Memory per member (first export's member tables only)", $"{r.Memory.MemberStateBytesPerMember:F1} bytes", "(reported)", null),
    ];

    private static TargetCheck[] AccountsChecks(AccountsFigures a) =>
    [
        new($"Utilization per account ({a.Count} accounts at once: min / median / max)",
            string.Create(CultureInfo.InvariantCulture, $"{a.UtilizationMin:P1} / {a.UtilizationMedian:P1} / {a.UtilizationMax:P1} ({a.AccountsAtOrAbove99} of {a.Count} at 99% or more)"),
            $">= {P(PerformanceTargets.AccountUtilization)} each", a.UtilizationMin >= PerformanceTargets.AccountUtilization),
        new("Bulk imports per second, every account together",
            string.Create(CultureInfo.InvariantCulture, $"{a.ImportsPerSecond:F1} of {a.ImportsPerSecondAllowed:F1} allowed ({a.ContactsPerSecond:N0} contacts/s)"), "(reported)", null),
        new("Every account's list equals membership", a.AllListsMatch ? "yes" : "NO", "yes", a.AllListsMatch),
    ];

    private static TargetCheck[] KillChecks(SiloKillFigures k) =>
    [
        new("Contacts sent twice after a silo kill (kill -9 of the sending silo)", $"{N(k.Duplicates)} ({k.DuplicateRatio.ToString("P2", CultureInfo.InvariantCulture)} of {N(k.ContactsNeeded)} members)",
            $"<= {P(PerformanceTargets.DuplicateRatioAfterKill)}", k.DuplicateRatio <= PerformanceTargets.DuplicateRatioAfterKill),
        new("Resumed sending after a silo kill", $"{k.ResumeSeconds.ToString("F1", CultureInfo.InvariantCulture)} s",
            $"<= {PerformanceTargets.ResumeSecondsAfterKill} s", k.ResumeSeconds <= PerformanceTargets.ResumeSecondsAfterKill),
    ];

    private static TargetCheck[] StorageChecks(StorageFigures s) =>
    [
        new("Azure Storage writes per 1,000 events (ingest)", s.WritesPer1000Events.ToString("F2", CultureInfo.InvariantCulture), "(reported)", null),
        new("Azure Storage bytes written per member (ingest)", s.IngestBytesWrittenPerMember is { } b ? $"{b:F1} bytes" : "n/a", "(reported)", null),
        new("Azure Storage bytes written per member (ingest to end of first run)", s.RunBytesWrittenPerMember is { } r ? $"{r:F1} bytes" : "n/a", "(reported)", null),
        new("Azure Storage bytes written per delivered contact (ingest to end of first run)",
            s.BytesWrittenPerDeliveredContact is { } d ? $"{d:F1} bytes" : "n/a",
            $"<= {PerformanceTargets.StorageBytesWrittenPerDeliveredContact} bytes", s.BytesWrittenPerDeliveredContact is { } met ? met <= PerformanceTargets.StorageBytesWrittenPerDeliveredContact : null),
    ];

    private static string BackfillValue(BackfillFigures b) => b.Members == b.ExpectedMembers
        ? $"{b.Seconds.ToString("F2", CultureInfo.InvariantCulture)} s"
        : $"{b.Seconds.ToString("F2", CultureInfo.InvariantCulture)} s, {N(b.Members)} members of {N(b.ExpectedMembers)} expected";

    /// <summary>A share as a percentage without needless decimals: 95%, 99%, 1%.</summary>
    private static string P(double share) => share.ToString("0.##%", CultureInfo.InvariantCulture);

    private static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
