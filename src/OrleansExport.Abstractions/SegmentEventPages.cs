namespace OrleansExport;

/// <summary>
/// Splits events into pages bounded by count and by an estimate of their serialized size, so that no message between
/// grains or on a stream grows with the size of the attributes it carries.
/// </summary>
public static class SegmentEventPages
{
    private static readonly IReadOnlyDictionary<string, string> NoAttributes = new Dictionary<string, string>();

    /// <summary>Pages of at most <paramref name="maxEvents"/> events and about <paramref name="maxBytes"/>; an event larger than that goes alone.</summary>
    public static IEnumerable<List<SegmentEvent>> Split(IEnumerable<SegmentEvent> events, int maxEvents, int maxBytes)
    {
        var page = new List<SegmentEvent>();
        var bytes = 0L;
        foreach (var e in events)
        {
            var size = EstimatedBytes(e);
            if (page.Count > 0 && (page.Count == maxEvents || bytes + size > maxBytes))
            {
                yield return page;
                page = [];
                bytes = 0;
            }

            page.Add(e);
            bytes += size;
        }

        if (page.Count > 0)
        {
            yield return page;
        }
    }

    /// <summary>An upper estimate of an event's serialized size: UTF-8 takes at most 3 bytes per UTF-16 character.</summary>
    public static long EstimatedBytes(SegmentEvent e)
    {
        long chars = e.EventId.Length + e.SegmentId.Length + e.ProfileId.Length + (e.SnapshotId?.Length ?? 0);
        var fields = 4;
        foreach (var (name, value) in e.Attributes ?? NoAttributes)
        {
            chars += name.Length + value.Length;
            fields += 2;
        }

        return 32 + chars * 3 + fields * 4;
    }
}
