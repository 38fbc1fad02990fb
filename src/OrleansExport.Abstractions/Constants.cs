namespace OrleansExport;

/// <summary>Names shared by the silo, the grains and the tests, so no string names a provider twice.</summary>
public static class Constants
{
    public const string StreamProvider = "segments";
    public const string SegmentStreamNamespace = "segments";
    public const string PubSubStore = "PubSubStore";
    public const string ExportStore = "exports";
    public const string ShardStore = "shards";
}
