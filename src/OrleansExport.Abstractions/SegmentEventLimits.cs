namespace OrleansExport;

/// <summary>
/// What <see cref="SegmentEventParser"/> enforces beyond the event's shape (configuration section <c>Ingest</c>).
/// </summary>
/// <param name="MaxAttributeBytes">Most UTF-8 bytes an event's attribute names and values may take together.</param>
/// <param name="MaxFutureSkew">How far <c>occurredAt</c> may be ahead of the server clock; a later one would win every future change.</param>
public sealed record SegmentEventLimits(int MaxAttributeBytes, TimeSpan MaxFutureSkew)
{
    public const int DefaultMaxAttributeBytes = 64 * 1024;

    public static readonly TimeSpan DefaultMaxFutureSkew = TimeSpan.FromMinutes(5);

    public static readonly SegmentEventLimits Default = new(DefaultMaxAttributeBytes, DefaultMaxFutureSkew);
}
