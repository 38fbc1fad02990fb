namespace OrleansExport.Grains.Activity;

/// <summary>
/// An export's delivery counted per minute, for at most <see cref="MaxMinutes"/> minutes (24 h): only minutes with
/// activity take room, and older ones are dropped as new ones start. Kept in memory by the export grain, which stays
/// active while it delivers (its delivery timer keeps it alive), so only a silo's loss forgets it. No Orleans in it.
/// </summary>
public sealed class ActivityBuckets
{
    public const int MaxMinutes = 24 * 60;

    // Oldest first; one entry per minute with activity.
    private readonly List<Counts> _minutes = [];

    public int Count => _minutes.Count;

    public void Record(DateTimeOffset at, int sent, int accepted, int rejected, int imports)
    {
        if ((sent | accepted | rejected | imports) == 0)
        {
            return;
        }

        var minute = MinuteOf(at);
        if (_minutes.Count == 0 || _minutes[^1].Minute < minute)
        {
            _minutes.Add(new Counts(minute));
            DropOlderThan(minute - MaxMinutes + 1);
        }

        // A batch that started before the minute turned may finish after it: it counts in the latest minute.
        var current = _minutes[^1];
        current.Sent += sent;
        current.Accepted += accepted;
        current.Rejected += rejected;
        current.Imports += imports;
    }

    /// <summary>The last <paramref name="minutes"/> minutes up to the one of <paramref name="now"/>, oldest first, every minute present.</summary>
    public IReadOnlyList<ActivityBucket> Window(DateTimeOffset now, int minutes)
    {
        minutes = Math.Clamp(minutes, 1, MaxMinutes);
        var last = MinuteOf(now);
        var first = last - minutes + 1;
        var byMinute = _minutes.Where(m => m.Minute >= first && m.Minute <= last).ToDictionary(m => m.Minute);
        return Enumerable.Range(0, minutes).Select(i =>
        {
            var minute = first + i;
            var at = DateTimeOffset.FromUnixTimeSeconds(minute * 60);
            return byMinute.TryGetValue(minute, out var c) ? new ActivityBucket(at, c.Sent, c.Accepted, c.Rejected, c.Imports) : new ActivityBucket(at, 0, 0, 0, 0);
        }).ToList();
    }

    private void DropOlderThan(long minute)
    {
        var stale = _minutes.FindIndex(m => m.Minute >= minute);
        _minutes.RemoveRange(0, stale < 0 ? _minutes.Count : stale);
    }

    private static long MinuteOf(DateTimeOffset at) => at.ToUnixTimeSeconds() / 60;

    private sealed class Counts(long minute)
    {
        public long Minute { get; } = minute;
        public long Sent { get; set; }
        public long Accepted { get; set; }
        public long Rejected { get; set; }
        public long Imports { get; set; }
    }
}
