using System.ComponentModel.DataAnnotations;

namespace OrleansExport.ActiveCampaign;

/// <summary>
/// Limits of one ActiveCampaign account (section <c>ActiveCampaign:Limits</c>). The defaults are
/// the real API's; change them only for simulators and load tests.
/// </summary>
public sealed class ActiveCampaignLimits
{
    /// <summary>Requests per second per account, all endpoints and keys together.</summary>
    [Range(1, 10_000)]
    public int RequestsPerSecond { get; set; } = 5;

    /// <summary>Bulk imports with several contacts per minute.</summary>
    [Range(1, 100_000)]
    public int BulkImportsPerMinute { get; set; } = 100;

    /// <summary>Bulk imports with a single contact per minute.</summary>
    [Range(1, 100_000)]
    public int SingleContactImportsPerMinute { get; set; } = 20;

    /// <summary>Most contacts in one bulk import.</summary>
    [Range(1, 250)]
    public int MaxContactsPerImport { get; set; } = 250;

    /// <summary>Largest bulk import body, in bytes.</summary>
    [Range(1_000, 399_999)]
    public int MaxImportBytes { get; set; } = 399_999;

    /// <summary>Divides every rate window (60: per-minute limits apply per second). Simulators and load tests only.</summary>
    [Range(0.001, 1_000_000)]
    public double TimeScale { get; set; } = 1;

    /// <summary>
    /// Fraction of each window added to it before a permit is handed out again (0.005: a 60 s window
    /// is paced as 60.3 s). Absorbs network jitter between the silos that share an account, so that
    /// requests still arrive spaced correctly at the server; costs that fraction of throughput (0.005
    /// keeps 99.5% of the import budget). Within one silo, answer-anchored windows
    /// (<see cref="AnsweredRequestWindows"/>) already rule out 429s whatever the jitter.
    /// </summary>
    public double SafetyMargin { get; set; } = 0.005;

    /// <summary>
    /// Smallest margin added to any window (divided by <see cref="TimeScale"/> like the windows):
    /// 0.5% of the 1 s request window is only 5 ms, less than typical network jitter.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan MinimumSafetyMargin { get; set; } = TimeSpan.FromMilliseconds(50);
}
