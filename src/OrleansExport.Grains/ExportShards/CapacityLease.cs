namespace OrleansExport.Grains.ExportShards;

/// <summary>
/// How much of a profile cap to hand out at once. Shards lease slots in chunks so the cap costs no
/// call per contact; near the cap a chunk would strand slots in one shard while another shard has
/// to skip profiles, so grants shrink to what is needed once less than a few chunks remain.
/// </summary>
public static class CapacityLease
{
    public const long Chunk = 512;

    /// <summary>
    /// What a connection grants a shard of an export: within what is left of the export's own cap and of the
    /// connection's (null: none), at least <paramref name="needed"/> while they allow, a chunk more while plenty remains.
    /// </summary>
    public static long GrantWithin(long? connectionRemaining, long exportRemaining, long needed) =>
        Grant(connectionRemaining is { } connection ? Math.Min(connection, exportRemaining) : exportRemaining, needed, needed + Chunk);

    /// <param name="remaining">Slots left under the cap; null when there is no cap.</param>
    public static long Grant(long? remaining, long needed, long wanted)
    {
        if (remaining is not { } left)
        {
            return wanted;
        }

        if (left <= 0)
        {
            return 0;
        }

        var generous = left / 8 >= wanted ? wanted : needed;
        return Math.Min(left, Math.Max(needed, generous));
    }
}
