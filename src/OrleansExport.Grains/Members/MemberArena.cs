using System.Text;

namespace OrleansExport.Grains.Members;

/// <summary>
/// The byte arena of a <see cref="MemberTable"/>: every member's entry (profile id and values, as UTF-8) appended
/// one after another. A changed entry is appended anew and the old one becomes garbage, counted until
/// <see cref="Compact"/> copies the live entries into a fresh array.
/// </summary>
/// <remarks>
/// Entry: profile id, the number of values (0: no data), the values. Contact data is email, first name, last name,
/// phone, field values; attributes are name, value pairs. Each string is written by <see cref="EntryWriter"/>.
/// </remarks>
internal sealed class MemberArena
{
    private const int MinimumForCompaction = 1 << 16;

    private byte[] _bytes = [];
    private int _length;

    /// <summary>Bytes of entries no slot points at any more.</summary>
    public int Garbage { get; set; }

    /// <summary>Bytes held, including room not used yet.</summary>
    public int Capacity => _bytes.Length;

    /// <summary>Garbage outweighs live bytes in an arena worth compacting.</summary>
    public bool NeedsCompaction => Garbage > MinimumForCompaction && Garbage > _length / 2;

    /// <summary>The part in use (what is persisted).</summary>
    public byte[] ToArray() => _bytes.AsSpan(0, _length).ToArray();

    public void Load(byte[] bytes)
    {
        _bytes = bytes;
        _length = bytes.Length;
    }

    /// <summary>Appends an entry; returns its offset.</summary>
    public int Append(ReadOnlySpan<byte> profileId, string?[] values)
    {
        var size = profileId.Length + 10;
        foreach (var value in values)
        {
            size += MaxSize(value);
        }

        EnsureRoom(size);
        var offset = _length;
        var writer = new EntryWriter(_bytes.AsSpan(offset));
        writer.Write(profileId);
        writer.WriteLength(values.Length);
        foreach (var value in values)
        {
            writer.Write(value);
        }

        _length += writer.Position;
        return offset;
    }

    /// <summary>
    /// Appends a new version of the entry at <paramref name="offset"/> holding <paramref name="values"/>; the old
    /// one becomes garbage. Returns the new offset.
    /// </summary>
    public int Replace(int offset, string?[] values)
    {
        var oldLength = EntryLength(offset);

        // The id's bytes are read from the old entry, which stays in the arena (as garbage) or in the array it was
        // in before the arena grew.
        var replaced = Append(ProfileId(offset), values);
        Garbage += oldLength;
        return replaced;
    }

    public ReadOnlySpan<byte> ProfileId(int offset) => new EntryReader(_bytes.AsSpan(offset)).ReadBytes();

    /// <summary>The strings stored in the entry, none when it has no data.</summary>
    public string?[] Values(int offset)
    {
        var reader = new EntryReader(_bytes.AsSpan(offset));
        reader.Skip(); // profile id
        var values = new string?[reader.ReadLength()];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadString();
        }

        return values;
    }

    /// <summary>The first value (a member's email) without decoding the rest, or null when the entry has none.</summary>
    public string? FirstValue(int offset)
    {
        var reader = new EntryReader(_bytes.AsSpan(offset));
        reader.Skip();
        return reader.ReadLength() == 0 ? null : reader.ReadString();
    }

    /// <summary>Copies the entries <paramref name="slots"/> point at into a fresh array and points them at the copies.</summary>
    public void Compact(Span<MemberSlot> slots)
    {
        var bytes = new byte[Math.Max(4096, (_length - Garbage) * 5 / 4)];
        var length = 0;
        foreach (ref var slot in slots)
        {
            var entryLength = EntryLength(slot.EntryOffset);
            _bytes.AsSpan(slot.EntryOffset, entryLength).CopyTo(bytes.AsSpan(length));
            slot.EntryOffset = length;
            length += entryLength;
        }

        _bytes = bytes;
        _length = length;
        Garbage = 0;
    }

    // A quarter more each time: at most 25% unused (12% on average), for a little more copying.
    public static int Grown(int current, int needed) => Math.Max(needed, Math.Max(16, current + current / 4));

    private int EntryLength(int offset)
    {
        var reader = new EntryReader(_bytes.AsSpan(offset));
        reader.Skip();
        for (var values = reader.ReadLength(); values > 0; values--)
        {
            reader.Skip();
        }

        return reader.Position;
    }

    private static int MaxSize(string? value) => 5 + (value is null ? 0 : Encoding.UTF8.GetMaxByteCount(value.Length));

    private void EnsureRoom(int extra)
    {
        if (_length + extra > _bytes.Length)
        {
            Array.Resize(ref _bytes, Grown(_bytes.Length, _length + extra));
        }
    }
}
