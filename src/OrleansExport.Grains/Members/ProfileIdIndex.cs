namespace OrleansExport.Grains.Members;

/// <summary>
/// Open-addressing index from a profile id (UTF-8) to its slot in a <see cref="MemberTable"/>: one int per bucket,
/// slot + 1, 0 for empty. Never persisted: built from the slots on first use after a load.
/// </summary>
internal sealed class ProfileIdIndex
{
    private int[] _buckets = [];

    public long AllocatedBytes => (long)_buckets.Length * sizeof(int);

    /// <summary>Forgets the index; the next use rebuilds it.</summary>
    public void Clear() => _buckets = [];

    /// <summary>The slot whose profile id is <paramref name="key"/>, or -1.</summary>
    public int Find(ReadOnlySpan<byte> key, ReadOnlySpan<MemberSlot> slots, MemberArena arena)
    {
        EnsureBuilt(slots, arena);
        var mask = _buckets.Length - 1;
        for (var bucket = (int)(Hash(key) & (uint)mask); ; bucket = (bucket + 1) & mask)
        {
            var entry = _buckets[bucket];
            if (entry == 0)
            {
                return -1;
            }

            if (arena.ProfileId(slots[entry - 1].EntryOffset).SequenceEqual(key))
            {
                return entry - 1;
            }
        }
    }

    /// <summary>Indexes the last of <paramref name="slots"/>, just added.</summary>
    public void Added(ReadOnlySpan<MemberSlot> slots, MemberArena arena)
    {
        EnsureBuilt(slots, arena);
        if (_buckets.Length < slots.Length * 4 / 3 + 1)
        {
            Rebuild(slots, arena);
        }
        else
        {
            Insert(slots.Length - 1, slots, arena);
        }
    }

    private void EnsureBuilt(ReadOnlySpan<MemberSlot> slots, MemberArena arena)
    {
        if (_buckets.Length == 0)
        {
            Rebuild(slots, arena);
        }
    }

    // Load stays between 3/8 and 3/4: short probes, about 7 bytes per member.
    private void Rebuild(ReadOnlySpan<MemberSlot> slots, MemberArena arena)
    {
        var size = 16;
        while (size < slots.Length * 2)
        {
            size <<= 1;
        }

        _buckets = new int[size];
        for (var slot = 0; slot < slots.Length; slot++)
        {
            Insert(slot, slots, arena);
        }
    }

    private void Insert(int slot, ReadOnlySpan<MemberSlot> slots, MemberArena arena)
    {
        var mask = _buckets.Length - 1;
        var bucket = (int)(Hash(arena.ProfileId(slots[slot].EntryOffset)) & (uint)mask);
        while (_buckets[bucket] != 0)
        {
            bucket = (bucket + 1) & mask;
        }

        _buckets[bucket] = slot + 1;
    }

    private static uint Hash(ReadOnlySpan<byte> key)
    {
        var hash = 2166136261u;
        foreach (var b in key)
        {
            hash = (hash ^ b) * 16777619;
        }

        // Spread the low bits, which pick the bucket.
        return hash ^ (hash >> 15);
    }
}
