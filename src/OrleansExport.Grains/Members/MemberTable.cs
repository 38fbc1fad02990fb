using System.Runtime.CompilerServices;
using System.Text;

namespace OrleansExport.Grains.Members;

/// <summary>
/// The members of one shard, laid out for a million per export: one fixed-size
/// <see cref="MemberSlot"/> per profile in an array, the profile id and mapped contact data as UTF-8
/// in one shared byte arena (<see cref="MemberArena"/>), and an open-addressing index from profile id to slot
/// (<see cref="ProfileIdIndex"/>). No object per member: about 110 bytes each instead of about 450 with a
/// dictionary of records, strings and <see cref="ContactData"/> objects, and a state that serializes as two arrays.
/// </summary>
/// <remarks>
/// Members are never removed (a profile that left keeps its slot: its timestamps still decide
/// whether a late event is stale). When data changes, the new entry is appended and the old one
/// becomes garbage; the arena is compacted once garbage outweighs live bytes.
/// </remarks>
[GenerateSerializer]
public sealed class MemberTable
{
    // Persisted through the properties below, trimmed to what is in use.
    [NonSerialized] private MemberSlot[] _slots = [];
    [NonSerialized] private int _count;
    [NonSerialized] private readonly MemberArena _arena = new();

    // Rebuilt on demand, never persisted.
    [NonSerialized] private readonly ProfileIdIndex _index = new();

    // Null in a table whose names are all inline, as every table written before names were shared; such a table
    // converts itself on its first attribute write.
    [NonSerialized] private SharedAttributeNames? _names;

    public int Count => _count;

    /// <summary>The slots, exactly <see cref="Count"/> of them (what is persisted).</summary>
    [Id(0)]
    public MemberSlot[] Slots
    {
        get => InUse.ToArray();
        set
        {
            _slots = value;
            _count = value.Length;
            _index.Clear();
        }
    }

    /// <summary>The live part of the arena (what is persisted).</summary>
    [Id(1)]
    public byte[] Arena
    {
        get => _arena.ToArray();
        set
        {
            _arena.Load(value);
            _index.Clear();
        }
    }

    [Id(2)]
    public int GarbageBytes { get => _arena.Garbage; set => _arena.Garbage = value; }

    /// <summary>The attribute names the entries refer to by number (what is persisted); null while names are inline.</summary>
    [Id(3)]
    public string[]? AttributeNames
    {
        get => _names?.ToArray();
        set => _names = value is null ? null : new SharedAttributeNames(value);
    }

    /// <summary>
    /// Names beyond this many stay inline: upstream decides the names, and a stream of distinct ones must not
    /// grow the shared list without end (a name that is no longer used stays in it).
    /// </summary>
    public const int MaxSharedNames = 4_096;

    /// <summary>Bytes held by the table's arrays: what the shard's members cost in memory.</summary>
    public long AllocatedBytes => (long)_slots.Length * Unsafe.SizeOf<MemberSlot>() + _arena.Capacity + _index.AllocatedBytes;

    /// <summary>A reference to the slot; valid until the next <see cref="Add"/>.</summary>
    public ref MemberSlot this[int slot] => ref _slots[slot];

    private Span<MemberSlot> InUse => _slots.AsSpan(0, _count);

    /// <summary>The slot of <paramref name="profileId"/>, or -1.</summary>
    public int Find(string profileId)
    {
        using var key = new PooledUtf8(profileId);
        return _index.Find(key.Bytes, InUse, _arena);
    }

    /// <summary>Adds a profile that is not in the table yet; returns its slot.</summary>
    public int Add(string profileId)
    {
        if (_count == _slots.Length)
        {
            Array.Resize(ref _slots, MemberArena.Grown(_slots.Length, _count + 1));
        }

        var slot = _count++;
        _slots[slot] = default;
        using (var key = new PooledUtf8(profileId))
        {
            _slots[slot].EntryOffset = _arena.Append(key.Bytes, []);
        }

        _index.Added(InUse, _arena);
        return slot;
    }

    public string ProfileId(int slot) => Encoding.UTF8.GetString(_arena.ProfileId(_slots[slot].EntryOffset));

    /// <summary>The member's mapped contact data, or null when none is set.</summary>
    public ContactData? Data(int slot)
    {
        var values = Values(slot);
        return values.Length == 0 ? null : new ContactData(values[0]!, values[1], values[2], values[3], values[4..]);
    }

    /// <summary>The email of the member's data without decoding the rest, or null.</summary>
    public string? Email(int slot) => _arena.FirstValue(_slots[slot].EntryOffset);

    public void SetData(int slot, ContactData? data)
    {
        if (data is null)
        {
            SetValues(slot, []);
            return;
        }

        // Built as an array of the right size: a collection expression with a spread grew a list here (a backfill's hot path).
        var values = new string?[4 + data.FieldValues.Length];
        (values[0], values[1], values[2], values[3]) = (data.Email, data.FirstName, data.LastName, data.Phone);
        data.FieldValues.CopyTo(values, 4);
        SetValues(slot, values);
    }

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
            attributes[_names is null ? values[i]! : _names.NameOf(values[i]!)] = values[i + 1]!;
        }

        return attributes;
    }

    public void SetAttributes(int slot, IReadOnlyDictionary<string, string>? attributes)
    {
        var names = _names ?? ShareAttributeNames();
        var values = new string?[attributes is null ? 0 : attributes.Count * 2];
        var i = 0;
        foreach (var (name, value) in attributes ?? new Dictionary<string, string>())
        {
            values[i++] = names.Reference(name);
            values[i++] = value;
        }

        SetValues(slot, values);
    }

    /// <summary>
    /// Right to erasure: drops the member's data or attributes and compacts the arena, so that neither they nor any
    /// older version of them (garbage until now) remain in the table or in what is persisted of it. The slot stays.
    /// </summary>
    public void Forget(int slot)
    {
        SetValues(slot, []);
        _arena.Compact(InUse);
    }

    /// <summary>A table written with inline names (before they were shared) rewrites its attribute entries once.</summary>
    private SharedAttributeNames ShareAttributeNames()
    {
        _names = new SharedAttributeNames([]);
        var withAttributes = Enumerable.Range(0, _count).Select(slot => (slot, values: Values(slot))).Where(e => e.values.Length > 0).ToList();
        foreach (var (slot, values) in withAttributes)
        {
            for (var i = 0; i + 1 < values.Length; i += 2)
            {
                values[i] = _names.Reference(values[i]!);
            }

            SetValues(slot, values);
        }

        return _names;
    }

    private string?[] Values(int slot) => _arena.Values(_slots[slot].EntryOffset);

    private void SetValues(int slot, string?[] values)
    {
        _slots[slot].EntryOffset = _arena.Replace(_slots[slot].EntryOffset, values);
        if (_arena.NeedsCompaction)
        {
            _arena.Compact(InUse);
        }
    }
}
