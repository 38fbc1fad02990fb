namespace OrleansExport.Grains.Segments;

[GenerateSerializer]
public sealed class SegmentCountState
{
    [Id(0)] public int Count { get; set; }

    /// <summary>Segments given a place whose index row is not known to be written yet (a crash may have lost it).</summary>
    [Id(1)] public HashSet<string>? Unconfirmed { get; set; }
}

/// <summary>
/// The places of <c>Ingest:MaxSegments</c>, with no Orleans in them. A place is taken for a named segment and stays
/// that segment's until its index row is written: a retry after a crash between the two (or a failed index write)
/// finds its place again instead of taking a second one.
/// </summary>
public sealed class SegmentPlaces(SegmentCountState state)
{
    /// <summary>Whether <paramref name="segmentId"/> has a place now; false when <paramref name="maxSegments"/> are taken by others.</summary>
    /// <returns>The decision, and whether the state changed (to be written).</returns>
    public (bool Admitted, bool Changed) TryTake(string segmentId, int maxSegments)
    {
        if (state.Unconfirmed?.Contains(segmentId) == true)
        {
            return (true, false);
        }

        if (state.Count >= maxSegments)
        {
            return (false, false);
        }

        state.Count++;
        (state.Unconfirmed ??= new HashSet<string>(StringComparer.Ordinal)).Add(segmentId);
        return (true, true);
    }

    /// <summary>The segment's index row is written: its place is no longer held by name.</summary>
    /// <returns>Whether the state changed (to be written).</returns>
    public bool Confirm(string segmentId) => state.Unconfirmed?.Remove(segmentId) == true;
}
