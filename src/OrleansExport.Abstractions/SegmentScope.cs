namespace OrleansExport;

/// <summary>
/// The segments an API key may write to and see (<c>Api:Keys:N:Segments:M</c>): exact ids, or prefixes
/// ending in <c>*</c>. A key without entries is unscoped and reaches every segment.
/// </summary>
public sealed class SegmentScope
{
    public static readonly SegmentScope Unscoped = new([]);

    private readonly HashSet<string> _exact;
    private readonly string[] _prefixes;

    private SegmentScope(IReadOnlyList<string> entries)
    {
        Entries = entries;
        _exact = entries.Where(e => !e.EndsWith('*')).ToHashSet(StringComparer.Ordinal);
        _prefixes = entries.Where(e => e.EndsWith('*')).Select(e => e[..^1]).ToArray();
    }

    /// <summary>The configured entries, as written.</summary>
    public IReadOnlyList<string> Entries { get; }

    public bool IsUnscoped => Entries.Count == 0;

    /// <summary>The scope of <paramref name="entries"/>; each must pass <see cref="InvalidEntry"/>.</summary>
    public static SegmentScope Of(IEnumerable<string> entries)
    {
        var list = entries.ToList();
        return list.Select(InvalidEntry).FirstOrDefault(p => p is not null) is { } problem
            ? throw new ArgumentException($"A scope entry {problem}.", nameof(entries))
            : list.Count == 0 ? Unscoped : new SegmentScope(list);
    }

    public bool Contains(string segmentId) =>
        IsUnscoped || _exact.Contains(segmentId) || _prefixes.Any(prefix => segmentId.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>The first of <paramref name="segmentIds"/> outside the scope, or null when all are inside.</summary>
    public string? FirstOutside(IEnumerable<string> segmentIds) => segmentIds.FirstOrDefault(id => !Contains(id));

    /// <summary>How a person reads the scope in an error message.</summary>
    public override string ToString() => IsUnscoped ? "all segments" : string.Join(", ", Entries);

    /// <summary>Why <paramref name="entry"/> cannot be a scope entry (completing "the entry ..."), or null when it can.</summary>
    public static string? InvalidEntry(string entry)
    {
        if (string.IsNullOrWhiteSpace(entry))
        {
            return "is empty; use a segment id or a prefix ending in *";
        }

        if (entry.IndexOf('*') is var star and >= 0 && star != entry.Length - 1)
        {
            return $"is '{entry}'; * may only end an entry (a prefix such as eu-*)";
        }

        return entry.Length > IdRules.MaxSegmentIdLength + 1 ? $"is longer than {IdRules.MaxSegmentIdLength} characters" : null;
    }
}
