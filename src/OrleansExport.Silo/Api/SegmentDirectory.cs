namespace OrleansExport.Silo.Api;

/// <summary>
/// Which segments some active export subscribes to, from the catalog, cached briefly. Only used to
/// dead-letter events nobody takes: events are published whatever it says, so an export created a
/// moment ago never misses one because the cache lagged.
/// </summary>
public sealed class SegmentDirectory(IGrainFactory grains, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private volatile Snapshot? _snapshot;

    /// <summary>
    /// The segments among <paramref name="segmentIds"/> that no active export subscribes to. A known
    /// segment is trusted for a few seconds; an unknown one is always checked with the catalog again.
    /// </summary>
    public async Task<IReadOnlySet<string>> FindUnsubscribedAsync(IEnumerable<string> segmentIds)
    {
        var wanted = segmentIds.ToHashSet(StringComparer.Ordinal);
        var cached = _snapshot is { } snapshot && time.GetUtcNow() - snapshot.At < MaxAge ? snapshot : null;
        wanted.ExceptWith((cached ?? await RefreshAsync()).Segments);
        if (wanted.Count > 0 && cached is not null)
        {
            wanted.ExceptWith((await RefreshAsync()).Segments);
        }

        return wanted;
    }

    private async Task<Snapshot> RefreshAsync()
    {
        var segments = await grains.GetGrain<ICatalogGrain>(ICatalogGrain.CatalogGrainKey).ListSubscribedSegmentsAsync();
        var snapshot = new Snapshot(segments.ToHashSet(StringComparer.Ordinal), time.GetUtcNow());
        _snapshot = snapshot;
        return snapshot;
    }

    private sealed record Snapshot(HashSet<string> Segments, DateTimeOffset At);
}
