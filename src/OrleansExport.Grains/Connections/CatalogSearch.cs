namespace OrleansExport.Grains.Connections;

/// <summary>The pickers' <c>?search=</c>: a name matches when it contains the search text, in any case.</summary>
public static class CatalogSearch
{
    public static IReadOnlyList<T> Filter<T>(IEnumerable<T> items, Func<T, string> name, string? search) =>
        string.IsNullOrWhiteSpace(search)
            ? items.ToArray()
            : items.Where(item => name(item).Contains(search.Trim(), StringComparison.OrdinalIgnoreCase)).ToArray();
}
