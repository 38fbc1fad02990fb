namespace OrleansExport.LoadTests.Reports;

/// <summary>
/// What a run's figures are held to in the summary (never in the exit code). The production profile journals every
/// event and delivery outcome to Azure Storage before it counts, so its throughput targets are lower than the memory
/// profile's; the rest hold for both.
/// </summary>
/// <param name="Profile">Named next to the targets that depend on it.</param>
/// <param name="Utilization">Bulk imports per minute of the 100 allowed, at real limits, in the first run.</param>
/// <param name="IngestEventsPerSecond">Events a second into segment state.</param>
public sealed record PerformanceTargets(string Profile, double Utilization, double IngestEventsPerSecond)
{
    public const double IngestRatioToBareStream = 0.7;
    public const double BackfillSeconds = 5;
    public const double BytesPerMember = 160;
    public const double BytesPerMemberSecondExport = 32;
    /// <summary>Azure Storage bytes written from the first event to the end of the first run, per contact it delivered (production profile only).</summary>
    public const double StorageBytesWrittenPerDeliveredContact = 150;
    public const double DuplicateRatioAfterKill = 0.01;
    public const double ResumeSecondsAfterKill = 10;
    /// <summary>With <c>--accounts</c>: the least utilization of any account.</summary>
    public const double AccountUtilization = 0.99;

    /// <summary><c>--storage azurite</c> or <c>--kill-silo</c>.</summary>
    public static PerformanceTargets Production { get; } = new("production profile", 0.95, 100_000);

    /// <summary>Memory storage (and a remote cluster, whose storage the harness does not know).</summary>
    public static PerformanceTargets Memory { get; } = new("memory profile", 0.99, 160_000);

    public static PerformanceTargets For(RunSetup setup) => setup.Storage == "azurite" ? Production : Memory;

    /// <summary>What <see cref="Utilization"/> at 250 contacts an import comes to (1,000,000 / (100 x 250 x utilization)), rounded up to a tenth.</summary>
    public double MinutesPer1MProfiles => Math.Ceiling(400 / Utilization) / 10;
}
