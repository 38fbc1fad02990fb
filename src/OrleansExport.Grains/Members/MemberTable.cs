using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace OrleansExport.Grains.Members;

/// <summary>
/// The members of one shard, laid out for a million per export: one fixed-size
/// <see cref="MemberSlot"/> per profile in an array, the profile id and mapped contact data as UTF-8
/// in one shared byte arena, and an open-addressing index from profile id to slot. No object per
/// member: about 110 bytes each instead of about 450 with a dictionary of records, strings and
/// <see cref="ContactData"/> objects, and a state that serializes as two arrays.
/// </summary>
/// <remarks>
/// Members are never removed (a profile that left keeps its slot: its timestamps still decide
/// whether a late event is stale). When data changes, the new entry is appended and the old one
/// becomes garbage; the arena is compacted once garbage outweighs live bytes.
/// </remarks>
[GenerateSerializer]
public sealed class MemberTable
{
    private const int MinimumArenaForCompaction = 1 << 16;

    // Persisted through the properties below, trimmed to what is in use.
    [NonSerialized] private MemberSlot[] _slots = [];
    [NonSerialized] private int _count;
    [NonSerialized] private byte[] _arena = [];
    [NonSerialized] private int _arenaLength;
    [NonSerialized] private int _garbage;

    // Slot + 1 per bucket, 0 for empty; rebuilt on demand, never persisted.
    [NonSerialized] private int[] _index = [];

    // Attribute names, each stored once and referenced by number from the entries (a segment's members share a
    // handful of names: inline, they were about 40% of its arena). Null in a table whose names are all inline,
    // as every table written before names were shared; such a table converts itself on its first attribute write.
    [NonSerialized] private List<string>? _names;
    [NonSerialized] private Dictionary<string, string>? _references;

    public int Count => _count;

    /// <summary>The slots, exactly <see cref="Count"/> of them (what is persisted).</summary>
    [Id(0)]
    public MemberSlot[] Slots
    {
        get => _slots.AsSpan(0, _count).ToArray();
        set
        {
            _slots = value;
            _count = value.Length;
            _index = [];
        }
    }

    /// <summary>The live part of the arena (what is persisted).</summary>
    [Id(1)]
    public byte[] Arena
    {
        get => _arena.AsSpan(0, _arenaLength).ToArray();
        set
        {
            _arena = value;
            _arenaLength = value.Length;
            _index = [];
        }
    }

    [Id(2)]
    public int GarbageBytes { get => _garbage; set => _garbage = value; }

    /// <summary>The attribute names the entries refer to by number (what is persisted); null while names are inline.</summary>
    [Id(3)]
    public string[]? AttributeNames
    {
        get => _names?.ToArray();
        set
        {
            _names = value is null ? null : [.. value];
            _references = null;
        }
    }

    /// <summary>A reference to the slot; valid until the next <see cref="Add"/>.</summary>
    public ref MemberSlot this[int slot] => ref _slots[slot];

    /// <summary>The slot of <paramref name="profileId"/>, or -1.</summary>
    public int Find(string profileId)
    {
        EnsureIndex();
        var key = Utf8(profileId, out var rented);
        try
        {
            var mask = _index.Length - 1;
            for (var bucket = (int)(Hash(key) & (uint)mask); ; bucket = (bucket + 1) & mask)
            {
                var entry = _index[bucket];
                if (entry == 0)
                {
                    return -1;
                }

                if (ProfileIdBytes(entry - 1).SequenceEqual(key))
                {
                    return entry - 1;
                }
            }
        }
        finally
        {
            Return(rented);
        }
    }

    /// <summary>Adds a profile that is not in the table yet; returns its slot.</summary>
    public int Add(string profileId)
    {
        if (_count == _slots.Length)
        {
            Array.Resize(ref _slots, Grown(_slots.Length, _count + 1));
        }

        var slot = _count++;
        _slots[slot] = default;
        var key = Utf8(profileId, out var rented);
        try
        {
            _slots[slot].EntryOffset = Append(key, []);
        }
        finally
        {
            Return(rented);
        }

        EnsureIndex();
        if (_index.Length < _count * 4 / 3 + 1)
        {
            RebuildIndex();
        }
        else
        {
            Insert(slot);
        }

        return slot;
    }

    public string ProfileId(int slot) => Encoding.UTF8.GetString(ProfileIdBytes(slot));

    /// <summary>The member's mapped contact data, or null when none is set.</summary>
    public ContactData? Data(int slot)
    {
        var values = Values(slot);
        return values.Length == 0 ? null : new ContactData(values[0]!, values[1], values[2], values[3], values[4..]);
    }

    /// <summary>The email of the member's data without decoding the rest, or null.</summary>
    public string? Email(int slot)
    {
        var reader = new EntryReader(_arena.AsSpan(_slots[slot].EntryOffset));
        reader.Skip();
        return reader.ReadLength() == 0 ? null : reader.ReadString();
    }

    public void SetData(int slot, ContactData? data) =>
        SetValues(slot, data is null ? [] : [data.Email, data.FirstName, data.LastName, data.Phone, .. data.FieldValues]);

    /// <summary>Profile attributes (a segment's member), or null when none are set.</summary>
    public IReadOnlyDictionary<string, string>? Attributes(int slot)
    {
        var values = Values(slot);
        if (values.Length == 0)
        {
            return null;
        }

        var attributes = new Dictionary<string, string>(values.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < values.Length; i += 2)
        {
            attributes[NameOf(values[i]!)] = values[i + 1]!;
        }

        return attributes;
    }

    public void SetAttributes(int slot, IReadOnlyDictionary<string, string>? attributes)
    {
        if (_names is null)
        {
            ShareAttributeNames();
        }

        var values = new string?[attributes is null ? 0 : attributes.Count * 2];
        var i = 0;
        foreach (var (name, value) in attributes ?? new Dictionary<string, string>())
        {
            values[i++] = NameReference(name);
            values[i++] = value;
        }

        SetValues(slot, values);
    }

    /// <summary>
    /// Names beyond this many stay inline: upstream decides the names, and a stream of distinct ones must not
    /// grow the shared list without end (a name that is no longer used stays in it).
    /// </summary>
    public const int MaxSharedNames = 4_096;

    // A reference is stored in the place of the name: U+0000 then the name's number. A name that itself begins
    // with U+0000 is always shared, so an inline name never reads as a reference.
    private const char ReferenceMark = '\0';

    private string NameReference(string name)
    {
        _references ??= _names!.Select((n, id) => (n, id)).ToDictionary(p => p.n, p => Reference(p.id), StringComparer.Ordinal);
        if (!_references.TryGetValue(name, out var reference))
        {
            if (_names!.Count >= MaxSharedNames && !name.StartsWith(ReferenceMark))
            {
                return name;
            }

            reference = Reference(_names!.Count);
            _names.Add(name);
            _references[name] = reference;
        }

        return reference;
    }

    private static string Reference(int id) => ReferenceMark + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string NameOf(string stored) =>
        _names is not null && stored.Length > 1 && stored[0] == ReferenceMark
            ? _names[int.Parse(stored.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)]
            : stored;

    /// <summary>A table written with inline names (before they were shared) rewrites its attribute entries once.</summary>
    private void ShareAttributeNames()
    {
        _names = [];
        var withAttributes = Enumerable.Range(0, _count).Select(slot => (slot, values: Values(slot))).Where(e => e.values.Length > 0).ToList();
        foreach (var (slot, values) in withAttributes)
        {
            for (var i = 0; i + 1 < values.Length; i += 2)
            {
                values[i] = NameReference(values[i]!);
            }

            SetValues(slot, values);
        }
    }

    /// <summary>
    /// Right to erasure: drops the member's data or attributes and compacts the arena, so that neither they nor any
    /// older version of them (garbage until now) remain in the table or in what is persisted of it. The slot stays.
    /// </summary>
    public void Forget(int slot)
    {
        SetValues(slot, []);
        Compact();
    }

    /// <summary>The strings stored with the member, none when it has no data.</summary>
    private string?[] Values(int slot)
    {
        var reader = new EntryReader(_arena.AsSpan(_slots[slot].EntryOffset));
        reader.Skip(); // profile id
        var values = new string?[reader.ReadLength()];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadString();
        }

        return values;
    }

    private void SetValues(int slot, string?[] values)
    {
        var old = _slots[slot].EntryOffset;
        var oldLength = EntryLength(old);

        // The id's bytes are read from the old entry, which stays in the arena (as garbage) or in the array it
        // was in before the arena grew.
        _slots[slot].EntryOffset = Append(ProfileIdBytes(slot), values);
        _garbage += oldLength;
        if (_garbage > MinimumArenaForCompaction && _garbage > _arenaLength / 2)
        {
            Compact();
        }
    }

    private ReadOnlySpan<byte> ProfileIdBytes(int slot)
    {
        var reader = new EntryReader(_arena.AsSpan(_slots[slot].EntryOffset));
        return reader.ReadBytes();
    }

    private int EntryLength(int offset)
    {
        var reader = new EntryReader(_arena.AsSpan(offset));
        reader.Skip();
        for (var values = reader.ReadLength(); values > 0; values--)
        {
            reader.Skip();
        }

        return reader.Position;
    }

    // Entry: profile id, the number of values (0: no data), the values. Contact data is email, first
    // name, last name, phone, field values; attributes are name, value pairs. Each string is a varint
    // of (UTF-8 length + 1), 0 for null, then its bytes.
    private int Append(ReadOnlySpan<byte> profileId, string?[] values)
    {
        var size = profileId.Length + 10;
        foreach (var value in values)
        {
            size += MaxSize(value);
        }

        EnsureArena(size);
        var offset = _arenaLength;
        var writer = new EntryWriter(_arena.AsSpan(offset));
        writer.Write(profileId);
        writer.WriteLength(values.Length);
        foreach (var value in values)
        {
            writer.Write(value);
        }

        _arenaLength += writer.Position;
        return offset;
    }

    private static int MaxSize(string? value) => 5 + (value is null ? 0 : Encoding.UTF8.GetMaxByteCount(value.Length));

    private void EnsureArena(int extra)
    {
        if (_arenaLength + extra <= _arena.Length)
        {
            return;
        }

        Array.Resize(ref _arena, Grown(_arena.Length, _arenaLength + extra));
    }

    /// <summary>Bytes held by the table's arrays: what the shard's members cost in memory.</summary>
    public long AllocatedBytes => (long)_slots.Length * Unsafe.SizeOf<MemberSlot>() + _arena.Length + (long)_index.Length * sizeof(int);

    // A quarter more each time: at most 25% unused (12% on average), for a little more copying.
    private static int Grown(int current, int needed) => Math.Max(needed, Math.Max(16, current + current / 4));

    private void Compact()
    {
        var arena = new byte[Math.Max(4096, (_arenaLength - _garbage) * 5 / 4)];
        var length = 0;
        for (var slot = 0; slot < _count; slot++)
        {
            var offset = _slots[slot].EntryOffset;
            var entryLength = EntryLength(offset);
            _arena.AsSpan(offset, entryLength).CopyTo(arena.AsSpan(length));
            _slots[slot].EntryOffset = length;
            length += entryLength;
        }

        _arena = arena;
        _arenaLength = length;
        _garbage = 0;
    }

    private void EnsureIndex()
    {
        if (_index.Length == 0)
        {
            RebuildIndex();
        }
    }

    // Load stays between 3/8 and 3/4: short probes, about 7 bytes per member.
    private void RebuildIndex()
    {
        var size = 16;
        while (size < _count * 2)
        {
            size <<= 1;
        }

        _index = new int[size];
        for (var slot = 0; slot < _count; slot++)
        {
            Insert(slot);
        }
    }

    private void Insert(int slot)
    {
        var mask = _index.Length - 1;
        var bucket = (int)(Hash(ProfileIdBytes(slot)) & (uint)mask);
        while (_index[bucket] != 0)
        {
            bucket = (bucket + 1) & mask;
        }

        _index[bucket] = slot + 1;
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

    private static ReadOnlySpan<byte> Utf8(string value, out byte[]? rented)
    {
        rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(value.Length));
        return rented.AsSpan(0, Encoding.UTF8.GetBytes(value, rented));
    }

    private static void Return(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
