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
    /// Fraction of each bulk-import window added before a permit is handed out again (0.005: a 60 s
    /// window is paced as 60.3 s). Absorbs network jitter so that imports still arrive spaced
    /// correctly at the server; costs that fraction of the import budget, the product's ceiling.
    /// </summary>
    [Range(0.0, 0.5)]
    public double SafetyMargin { get; set; } = 0.005;

    /// <summary>
    /// The same for the requests-per-second window (0.05: 5 requests per 1.05 s). A full-speed export makes two
    /// requests per import (the import and its import/info poll), 3.3 of the 5 per second; the two come in pairs,
    /// so with a wider margin requests queue behind each other and push the next import's permit later: at 0.25
    /// the load test lost 2.3% of the import budget at time scale 10, at 0.05 0.5%. Each silo still holds every
    /// request's slot until one window after its answer, so no delay on the way can cause a 429 from one silo.
    /// </summary>
    [Range(0.0, 1.0)]
    public double RequestSafetyMargin { get; set; } = 0.05;

    /// <summary>
    /// Smallest margin added to any window (divided by <see cref="TimeScale"/> like the windows).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan MinimumSafetyMargin { get; set; } = TimeSpan.FromMilliseconds(50);
}
