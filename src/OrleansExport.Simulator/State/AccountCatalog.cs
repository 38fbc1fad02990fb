using System.Globalization;

namespace OrleansExport.Simulator;

/// <summary>A list of the simulated account, as the lists endpoints return it.</summary>
public sealed record SimList(string Id, string Name);

/// <summary>A custom contact field of the simulated account.</summary>
public sealed record SimField(string Id, string Title, string Type, string Perstag);

/// <summary>A contact tag of the simulated account.</summary>
public sealed record SimTag(string Id, string Tag, string TagType, string Description);

/// <summary>One page of a paged collection, with the size of the whole collection (<c>meta.total</c>).</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items, int Total);

/// <summary>
/// The account's lists, custom fields and tags. Not thread-safe: <see cref="SimulatorState"/> calls it under its lock.
/// </summary>
/// <remarks>
/// Tag names are unique without regard to case (ActiveCampaign's <c>typetag</c> key is case-insensitive, as MySQL's
/// default collation is), so "VIP" and "vip" are one tag.
/// </remarks>
internal sealed class AccountCatalog
{
    private readonly List<SimList> _lists = [];
    private readonly List<SimField> _fields = [];
    private readonly List<SimTag> _tags = [];
    private readonly Dictionary<string, SimTag> _tagsByName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SimTag> _tagsById = new(StringComparer.Ordinal);

    public void AddList(string id, string name) => _lists.Add(new SimList(id, name));

    public SimList? FindList(string id) => _lists.Find(list => list.Id == id);

    public Page<SimList> Lists(Paging paging) => Slice(_lists, paging);

    public SimField AddField(string title, string type)
    {
        string id = FormatId(_fields.Count + 1);
        var field = new SimField(id, title, type, $"FIELD_{id}");
        _fields.Add(field);
        return field;
    }

    public Page<SimField> Fields(Paging paging) => Slice(_fields, paging);

    /// <summary>The tags whose name contains <paramref name="search"/> (any case), as ActiveCampaign's <c>search</c> does.</summary>
    public Page<SimTag> Tags(string? search, Paging paging) =>
        Slice(string.IsNullOrEmpty(search) ? _tags : _tags.FindAll(tag => tag.Tag.Contains(search, StringComparison.OrdinalIgnoreCase)), paging);

    /// <summary>Creates a tag; null when one of that name exists already (ActiveCampaign's "Duplicate entry").</summary>
    public SimTag? CreateTag(string name, string tagType, string description)
    {
        if (_tagsByName.ContainsKey(name))
        {
            return null;
        }

        var tag = new SimTag(FormatId(_tags.Count + 1), name, tagType, description);
        _tags.Add(tag);
        _tagsByName.Add(name, tag);
        _tagsById.Add(tag.Id, tag);
        return tag;
    }

    /// <summary>The tag of that name (any case), created as a contact tag when missing: what bulk import does with tag names.</summary>
    public SimTag EnsureTag(string name) => _tagsByName.TryGetValue(name, out var tag) ? tag : CreateTag(name, "contact", "")!;

    public SimTag? FindTag(string id) => _tagsById.GetValueOrDefault(id);

    private static Page<T> Slice<T>(List<T> items, Paging paging) =>
        new(items.Skip(paging.Offset).Take(paging.Limit).ToArray(), items.Count);

    private static string FormatId(int id) => id.ToString(CultureInfo.InvariantCulture);
}
