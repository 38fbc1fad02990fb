namespace OrleansExport.Grains.Segments;

/// <summary>
/// When profiles the segment never had were last said to leave, in a fixed table: a `left` that overtook its
/// own earlier `joined` (two upstream batches in flight at once) still makes that `joined` stale, yet a flood
/// of `left` events for unknown profiles allocates nothing. Lossy by design: an entry can be overwritten by
/// another profile's, which then forgets the older leave (a snapshot from upstream repairs that case).
/// </summary>
[GenerateSerializer]
public sealed class RecentLeaves
{
    /// <summary>Entries per segment shard: 16 bytes each, so 16 KiB.</summary>
    public const int Capacity = 1024;

    [Id(0)] public ulong[] ProfileHashes { get; set; } = new ulong[Capacity];

    [Id(1)] public long[] Ticks { get; set; } = new long[Capacity];

    public void Record(ulong profileHash, long ticks)
    {
        var i = Slot(profileHash);
        if (ProfileHashes[i] != profileHash || Ticks[i] < ticks)
        {
            ProfileHashes[i] = profileHash;
            Ticks[i] = ticks;
        }
    }

    /// <summary>An erasure: a join at the same time is stale too (ties never bring an erased profile back).</summary>
    public void RecordErasure(ulong profileHash, long ticks) => Record(profileHash, ticks + 1);

    /// <summary>True when a leave of the profile newer than <paramref name="ticks"/> is remembered.</summary>
    public bool LeftAfter(ulong profileHash, long ticks)
    {
        var i = Slot(profileHash);
        return ProfileHashes[i] == profileHash && Ticks[i] > ticks;
    }

    private static int Slot(ulong profileHash) => (int)(profileHash % Capacity);
}
