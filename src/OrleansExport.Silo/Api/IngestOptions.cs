using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OrleansExport.Silo.Api;

/// <summary>Per-event limits of the ingest paths (section <c>Ingest</c>; <c>Ingest:MaxRequestBytes</c> is read by the host settings).</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>Most UTF-8 bytes one event's attribute names and values may take together.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxEventAttributeBytes { get; set; } = SegmentEventLimits.DefaultMaxAttributeBytes;

    /// <summary>How far an event's <c>occurredAt</c> may be ahead of the server clock.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan MaxFutureSkew { get; set; } = SegmentEventLimits.DefaultMaxFutureSkew;

    /// <summary>Most events one <c>POST /api/events</c> may carry; more answer 413.</summary>
    [Range(1, 1_000_000)]
    public int MaxEventsPerRequest { get; set; } = 10_000;

    public SegmentEventLimits ToLimits() => new(MaxEventAttributeBytes, MaxFutureSkew);
}

/// <summary>Checks the ranges of <see cref="IngestOptions"/> at start (generated from its attributes).</summary>
[OptionsValidator]
public sealed partial class IngestOptionsValidator : IValidateOptions<IngestOptions>;
