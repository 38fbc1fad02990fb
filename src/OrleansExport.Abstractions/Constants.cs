namespace OrleansExport;

/// <summary>Names shared by the silo, the grains and the tests, so no string names a provider twice.</summary>
public static class Constants
{
    public const string StreamProvider = "segments";
    public const string SegmentStreamNamespace = "segments";

    /// <summary>
    /// The segment streams the segment grains take: <see cref="SegmentStreamNamespace"/>, and with Event Hubs one
    /// namespace per partition (<see cref="SegmentStreamNamespaceOfPartition"/>).
    /// </summary>
    public const string SegmentStreamNamespacePattern = @"^segments(\.[A-Za-z0-9_-]+)?$";

    /// <summary>
    /// With Event Hubs a segment's events come from every partition (joins are keyed by profile), and the sequence
    /// numbers of two partitions cannot be compared: on one stream, the consumer would take a partition's lower
    /// numbers for events it already had and skip them. One stream per segment and partition keeps each in order.
    /// </summary>
    public static string SegmentStreamNamespaceOfPartition(string partition) => $"{SegmentStreamNamespace}.{partition}";
    public const string PubSubStore = "PubSubStore";
    public const string ExportStore = "exports";
    public const string ShardStore = "shards";
}
