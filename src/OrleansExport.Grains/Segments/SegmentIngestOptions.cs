using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace OrleansExport.Grains.Segments;

/// <summary>What the segments need of configuration section "Ingest" (the host reads the rest of it).</summary>
public sealed class SegmentIngestOptions
{
    public const string Section = "Ingest";

    /// <summary>
    /// How long after a <c>snapshotCompleted</c> arrives the members the snapshot did not name wait before they leave:
    /// the snapshot's own joins travel on other partitions (keyed by profile) and may arrive after it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan SnapshotGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Segments a cluster holds: an event or export that would register one more is rejected with a reason.</summary>
    [Range(1, int.MaxValue)]
    public int MaxSegments { get; set; } = 10_000;
}

/// <summary>Checks the ranges of <see cref="SegmentIngestOptions"/> at start (generated from its attributes).</summary>
[OptionsValidator]
public sealed partial class SegmentIngestOptionsValidator : IValidateOptions<SegmentIngestOptions>;
