namespace OrleansExport.Grains.ExportShards;

/// <summary>
/// Groups an export's rejections by <see cref="RejectionKind"/> (docs/api.md: GET /api/exports/{id}/rejections/summary):
/// per shard, then over the shards, most frequent kind first, each with its newest examples.
/// </summary>
public static class RejectionGrouping
{
    public const int ExamplesPerKind = 3;

    /// <summary>
    /// Merges lists that are each newest first into one, newest first. The sort is stable: rejections of the same
    /// instant (one batch can reject many) keep the order of the lists and their order within each, so the same
    /// lists always give the same order and pages neither repeat nor skip a rejection.
    /// </summary>
    public static IEnumerable<Rejection> NewestFirst(IEnumerable<IEnumerable<Rejection>> newestFirstLists) =>
        newestFirstLists.SelectMany(list => list).OrderByDescending(r => r.At);

    /// <param name="kept">The shard's kept rejections, oldest first.</param>
    /// <param name="counts">The rejections the shard recorded by kind.</param>
    public static ShardRejections ForShard(IReadOnlyList<Rejection> kept, IReadOnlyDictionary<RejectionKind, long> counts, int examples)
    {
        var keptByKind = kept.GroupBy(r => r.Kind).ToDictionary(g => g.Key, g => g.Count());
        var latest = kept.GroupBy(r => r.Kind).SelectMany(g => g.TakeLast(examples)).ToList();
        return new ShardRejections(new Dictionary<RejectionKind, long>(counts), keptByKind, latest);
    }

    public static RejectionSummary Merge(IEnumerable<ShardRejections> shards, int examples)
    {
        var counts = new Dictionary<RejectionKind, long>();
        var kept = new Dictionary<RejectionKind, int>();
        var latest = new List<Rejection>();
        foreach (var shard in shards)
        {
            foreach (var (kind, count) in shard.Counts)
            {
                counts[kind] = counts.GetValueOrDefault(kind) + count;
            }

            foreach (var (kind, count) in shard.Kept)
            {
                kept[kind] = kept.GetValueOrDefault(kind) + count;
            }

            latest.AddRange(shard.Latest);
        }

        // Rejections kept from before they were counted by kind still count: a kind is never counted below what it keeps.
        var kinds = counts.Keys.Union(kept.Keys)
            .Select(kind => new RejectionKindSummary(
                kind,
                Math.Max(counts.GetValueOrDefault(kind), kept.GetValueOrDefault(kind)),
                kept.GetValueOrDefault(kind),
                latest.Where(r => r.Kind == kind).OrderByDescending(r => r.At).Take(examples).ToList()))
            .OrderByDescending(k => k.Count).ThenBy(k => k.Kind)
            .ToList();
        return new RejectionSummary(kinds.Sum(k => k.Count), kept.Values.Sum(), kinds);
    }
}
