using System.Globalization;

namespace OrleansExport.Grains.Members;

/// <summary>
/// Attribute names a <see cref="MemberTable"/> stores once and its entries refer to by number (a segment's members
/// share a handful of names: inline, they were about 40% of its arena). A reference is stored in the place of the
/// name: U+0000 then the name's number. A name that itself begins with U+0000 is always shared, so an inline name
/// never reads as a reference.
/// </summary>
internal sealed class SharedAttributeNames(IEnumerable<string> names)
{
    private const char ReferenceMark = '\0';

    private readonly List<string> _names = [.. names];
    private Dictionary<string, string>? _references;

    public string[] ToArray() => [.. _names];

    /// <summary>What an entry stores for <paramref name="name"/>: its reference, or the name itself once the list is full.</summary>
    public string Reference(string name)
    {
        _references ??= _names.Select((n, id) => (n, id)).ToDictionary(p => p.n, p => ReferenceTo(p.id), StringComparer.Ordinal);
        if (!_references.TryGetValue(name, out var reference))
        {
            if (_names.Count >= MemberTable.MaxSharedNames && !name.StartsWith(ReferenceMark))
            {
                return name;
            }

            reference = ReferenceTo(_names.Count);
            _names.Add(name);
            _references[name] = reference;
        }

        return reference;
    }

    /// <summary>The name an entry's stored name stands for.</summary>
    public string NameOf(string stored) =>
        stored.Length > 1 && stored[0] == ReferenceMark ? _names[int.Parse(stored.AsSpan(1), CultureInfo.InvariantCulture)] : stored;

    private static string ReferenceTo(int id) => ReferenceMark + id.ToString(CultureInfo.InvariantCulture);
}
