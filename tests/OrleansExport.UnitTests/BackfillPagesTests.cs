using OrleansExport.Grains.Segments;

namespace OrleansExport.UnitTests;

/// <summary>
/// Backfill pages (segment shard -> export shard) are bounded by an estimate of their bytes as well as by count: a page
/// of members with large attributes must stay far below Orleans' largest message body.
/// </summary>
public sealed class BackfillPagesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static SegmentMembership SegmentOf(int members, int attributeChars)
    {
        var segment = new SegmentMembership(new SegmentShardState());
        segment.Apply(Enumerable.Range(0, members).Select(i => new SegmentEvent($"e{i}", "s1", $"p{i}", SegmentEventType.Joined, T0,
            new Dictionary<string, string> { ["EmailAddress"] = $"p{i}@example.com", ["Notes"] = new string('n', attributeChars) })).ToList());
        return segment;
    }

    private static List<List<SegmentEvent>> Pages(SegmentMembership segment) =>
        SegmentEventPages.Split(segment.Backfill("s1", "b"), SegmentShardGrain.BackfillPageMembers, SegmentShardGrain.BackfillPageBytes).ToList();

    [Fact]
    public void MembersWithLargeAttributes_ComeInPagesUnderTheByteBound_AndNoneIsLeftOut()
    {
        // 1,000 members of 50,000 characters each: one page bounded by count only would be 50 MB, and 32,000 such 1.6 GB.
        var pages = Pages(SegmentOf(1000, 50_000));

        Assert.True(pages.Count >= 6, $"{pages.Count} pages");
        Assert.All(pages, page => Assert.True(page.Sum(SegmentEventPages.EstimatedBytes) <= SegmentShardGrain.BackfillPageBytes));
        Assert.Equal(1000, pages.Sum(page => page.Count));
        Assert.Equal(1000, pages.SelectMany(page => page).Select(e => e.ProfileId).Distinct().Count());
    }

    [Fact]
    public void SmallMembers_StillComeInPagesOfTheMemberBound()
    {
        var pages = Pages(SegmentOf(70_000, 10));

        Assert.Equal([32_000, 32_000, 6_000], pages.Select(page => page.Count));
    }

    [Fact]
    public void AMemberLargerThanThePageBound_GoesAloneInItsPage()
    {
        var events = new[] { 10, 3_000_000, 10 }.Select((chars, i) => new SegmentEvent($"e{i}", "s1", $"p{i}", SegmentEventType.Joined, T0,
            new Dictionary<string, string> { ["Notes"] = new string('n', chars) }));

        var pages = SegmentEventPages.Split(events, 5000, 1024 * 1024).ToList();

        Assert.Equal([["p0"], ["p1"], ["p2"]], pages.Select(page => page.Select(e => e.ProfileId).ToArray()));
    }

    [Fact]
    public void TheEstimate_IsAtLeastTheUtf8SizeOfTheText()
    {
        var e = new SegmentEvent("evt", "s1", "p1", SegmentEventType.Joined, T0, new Dictionary<string, string> { ["Name"] = "Åse Øvrebø 東京" });

        var text = System.Text.Encoding.UTF8.GetByteCount("evt" + "s1" + "p1" + "Name" + "Åse Øvrebø 東京");
        Assert.True(SegmentEventPages.EstimatedBytes(e) >= text);
    }
}
