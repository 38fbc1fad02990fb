using OrleansExport.LoadTests.Reports;

namespace OrleansExport.LoadTests.Tests;

/// <summary>Which targets a run's summary holds its figures to: the production profile's or the memory profile's.</summary>
public sealed class PerformanceTargetsTests
{
    [Theory]
    [InlineData("azurite", true)] // --storage azurite
    [InlineData("azurite", false)] // --kill-silo: silo processes of the production profile
    public void AzureStorage_IsHeldToTheProductionProfilesTargets(string storage, bool siloInProcess)
    {
        var targets = PerformanceTargets.For(Setup(storage, siloInProcess));

        Assert.Same(PerformanceTargets.Production, targets);
        Assert.Equal((0.95, 100_000), (targets.Utilization, targets.IngestEventsPerSecond));
        // 1,000,000 / (100 imports a minute x 250 contacts x 0.95) = 42.1 minutes.
        Assert.Equal(42.2, targets.MinutesPer1MProfiles);
    }

    [Fact]
    public void MemoryStorage_IsHeldToTheMemoryProfilesTargets()
    {
        var targets = PerformanceTargets.For(Setup("memory", siloInProcess: true));

        Assert.Same(PerformanceTargets.Memory, targets);
        Assert.Equal((0.99, 160_000), (targets.Utilization, targets.IngestEventsPerSecond));
        Assert.Equal(40.5, targets.MinutesPer1MProfiles);
    }

    [Fact]
    public void ProductionSummary_ShowsEachFigureNextToItsTarget()
    {
        var result = Result("azurite", utilization: 0.96, ingestEventsPerSecond: 120_000) with
        {
            Storage = new StorageFigures(1_000, 10, 500_000, 100, 2_000, 1_400_000, 140, 140),
            Kill = new SiloKillFigures("silo-1", 2, "", 10_000, 3_400, 5, 4.5, 20, 10_050, 50, 0.005),
        };

        var checks = TargetChecks.For(result).ToDictionary(c => c.Figure);

        Assert.Equal((">= 95% (production profile)", true), Judged(checks["Bulk-import utilization"]));
        Assert.Equal((">= 100,000 (production profile)", true), Judged(checks["Ingest"]));
        Assert.Equal((">= 0.7", true), Judged(checks["Ingest / bare memory stream"]));
        Assert.Equal(("<= 5 s, every member", true), Judged(checks["Backfill (new export on the loaded segment)"]));
        Assert.Equal(("<= 160", false), Judged(checks["Memory per member (managed heap)"]));
        Assert.Equal(("<= 32", false), Judged(checks["Memory per member, second export on the segment (managed heap)"]));
        Assert.Equal(("<= 150 bytes", true), Judged(checks["Azure Storage bytes written per delivered contact (ingest to end of first run)"]));
        Assert.Equal(("<= 1%", true), Judged(checks["Contacts sent twice after a silo kill (kill -9 of the sending silo)"]));
        Assert.Equal(("<= 10 s", true), Judged(checks["Resumed sending after a silo kill"]));
    }

    [Fact]
    public void MemorySummary_HoldsTheSameRunToTheHigherTargets()
    {
        var result = Result("memory", utilization: 0.96, ingestEventsPerSecond: 120_000) with
        {
            Accounts = new AccountsFigures(3, 5, 5, 1_250, 10, 0.985, 0.99, 0.995, 2, true, 0, []),
        };

        var checks = TargetChecks.For(result).ToDictionary(c => c.Figure);

        Assert.Equal((">= 99% (memory profile)", false), Judged(checks["Bulk-import utilization"]));
        Assert.Equal((">= 160,000 (memory profile)", false), Judged(checks["Ingest"]));
        Assert.Equal((">= 99% each", false), Judged(checks["Utilization per account (3 accounts at once: min / median / max)"]));
        Assert.DoesNotContain(checks.Keys, figure => figure.StartsWith("Azure Storage", StringComparison.Ordinal));
    }

    private static (string Target, bool? Met) Judged(TargetCheck check) => (check.Target, check.Met);

    private static RunSetup Setup(string storage, bool siloInProcess) =>
        new(10_000, 60, "stream", storage, false, siloInProcess, 16, "default", 2, ".NET", "loadtest", DateTimeOffset.UnixEpoch);

    /// <summary>A run whose figures sit between the two profiles' targets, with memory figures above theirs.</summary>
    private static LoadTestResult Result(string storage, double utilization, double ingestEventsPerSecond) => new()
    {
        IngestEventsPerSecond = ingestEventsPerSecond,
        BareStreamEventsPerSecond = ingestEventsPerSecond / 0.8,
        IngestRatioToBareStream = 0.8,
        BackfillSeconds = 4,
        BulkImportsPerMinuteUsed = utilization * 100,
        BulkImportsPerMinuteAllowed = 100,
        Utilization = utilization,
        AvgContactsPerImport = 250,
        Throttled429 = 0,
        ProjectedMinutesPer1MProfiles = 40 / utilization,
        BytesPerMember = 400,
        BytesPerMemberSecondExport = 140,
        PeakWorkingSetBytes = 1 << 30,
        DuplicateSendRatio = 1,
        ListMatchesMembership = true,
        DuplicatesAfterKill = null,
        DuplicateRatioAfterKill = null,
        ResumeSecondsAfterKill = null,
        ReconcileSeconds = null,
        Setup = Setup(storage, siloInProcess: true),
        Ingest = new IngestFigures(11_000, 10_000, 50, 10_050, 0.1, 0.05, 0.09, 0.15, 13.6),
        Backfill = new BackfillFigures("export-1", "1", 1, 4, 10_050, 10_000, 10_000, 50, 1_400_000, true, 0),
        Storage = null,
        Run = null,
        Budget = null,
        RunStatus = "Succeeded",
        Kill = null,
        Reconcile = null,
        Accounts = null,
        SecondExport = null,
        Memory = new MemoryFigures(1, 2, 3, 10_000, 1_400_000, 140),
        List = null,
        Samples = [],
        SiloWarnings = [],
    };
}
