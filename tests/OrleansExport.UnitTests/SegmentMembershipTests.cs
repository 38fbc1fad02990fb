using OrleansExport.Grains.Segments;


namespace OrleansExport.UnitTests;

public sealed class SegmentMembershipTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly SegmentShardState _state = new();
    private int _eventNumber;

    private SegmentMembership Segment() => new(_state);

    private SegmentEvent Joined(string profile, int minute, string first = "Ann", string? snapshotId = null) =>
        new($"e{_eventNumber++}", "s1", profile, SegmentEventType.Joined, T0.AddMinutes(minute),
            new Dictionary<string, string> { ["EmailAddress"] = $"{profile}@example.com", ["FirstName"] = first }, snapshotId);

    private SegmentEvent Updated(string profile, int minute, string first) => Joined(profile, minute, first) with { Type = SegmentEventType.Updated };

    private SegmentEvent Left(string profile, int minute) =>
        new($"e{_eventNumber++}", "s1", profile, SegmentEventType.Left, T0.AddMinutes(minute), null);

    private SegmentEvent Control(SegmentEventType type, string snapshotId, int minute) =>
        new($"e{_eventNumber++}", "s1", "", type, T0.AddMinutes(minute), null, snapshotId);

    private Dictionary<string, string> Backfilled() =>
        Segment().Backfill("s1", "backfill-1").ToDictionary(e => e.ProfileId, e => e.Attributes!["FirstName"]);

    [Fact]
    public void EveryValidEvent_IsState_WithTheLatestAttributes()
    {
        var segment = Segment();

        var outcome = segment.Apply([Joined("a", 0, "A1"), Joined("b", 0), Updated("a", 1, "A2")]);

        Assert.Equal(3, outcome.Forward.Count);
        Assert.Equal(2, segment.MemberCount);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "A2", ["b"] = "Ann" }, Backfilled());
    }

    [Fact]
    public void RepeatedEventId_IsADuplicate_ButIsForwardedForAnExportThatMayHaveMissedIt()
    {
        var segment = Segment();
        var joined = Joined("a", 0);

        var outcome = segment.Apply([joined, joined]);

        Assert.Equal((1, 1), (outcome.Applied, outcome.Duplicates));
        Assert.Equal(2, outcome.Forward.Count);
        Assert.Equal(1, segment.MemberCount);
    }

    [Fact]
    public void OlderEventArrivingLate_ChangesNothingAndIsNotForwarded()
    {
        var segment = Segment();
        segment.Apply([Joined("a", 10, "New")]);

        var outcome = segment.Apply([Left("a", 5), Updated("a", 1, "Old")]);

        Assert.Equal(2, outcome.Stale);
        Assert.Empty(outcome.Forward);
        Assert.Equal("New", Backfilled()["a"]);
    }

    [Fact]
    public void UpdateOfANonMember_AndLeaveOfAnUnknownProfile_ChangeNothingAndAllocateNothing()
    {
        var segment = Segment();

        var outcome = segment.Apply([Updated("a", 1, "A"), Left("b", 1)]);

        Assert.Equal(2, outcome.Ignored);
        Assert.Empty(outcome.Forward);
        Assert.Equal(0, _state.Members.Count);
        // No timestamp was recorded: a late join still counts.
        segment.Apply([Joined("a", 0)]);
        Assert.Equal(1, segment.MemberCount);
    }

    [Fact]
    public void ALeaveThatOvertookItsOwnJoin_MakesTheLateJoinStale()
    {
        // Two upstream batches in flight: the one with the later `left` arrives first.
        var segment = Segment();
        segment.Apply([Left("a", 5)]);

        var outcome = segment.Apply([Joined("a", 1), Joined("b", 1)]);

        Assert.Equal(1, outcome.Stale);
        Assert.Equal(["b"], Backfilled().Keys);
        Assert.Equal(1, _state.Members.Count);
    }

    [Fact]
    public void Leave_DropsTheAttributes_AndTheMemberIsNoLongerBackfilled()
    {
        var segment = Segment();
        segment.Apply([Joined("a", 0), Joined("b", 0)]);

        segment.Apply([Left("a", 1)]);

        Assert.Equal(["b"], Backfilled().Keys);
        Assert.Null(_state.Members.Attributes(_state.Members.Find("a")));
    }

    [Fact]
    public void Backfill_CarriesEachMembersOwnTimestamp()
    {
        var segment = Segment();
        segment.Apply([Joined("a", 3), Joined("b", 7)]);

        var backfill = segment.Backfill("s1", "backfill-1").ToDictionary(e => e.ProfileId);

        Assert.Equal(T0.AddMinutes(3), backfill["a"].OccurredAt);
        Assert.Equal(T0.AddMinutes(7), backfill["b"].OccurredAt);
        Assert.All(backfill.Values, e => Assert.Equal((SegmentEventType.Joined, "backfill-1"), (e.Type, e.EventId)));
    }

    [Fact]
    public void MemberMissingFromACompletedSnapshot_Leaves_WithOneEventIdForTheWholeSnapshot()
    {
        var segment = Segment();
        segment.Apply([Joined("a", 0), Joined("b", 0), Joined("c", 0)]);

        var outcome = segment.Apply([Control(SegmentEventType.SnapshotStarted, "snap-1", 10), Joined("a", 11, snapshotId: "snap-1"),
            Control(SegmentEventType.SnapshotCompleted, "snap-1", 12)]);

        Assert.Equal(1, segment.MemberCount);
        var leaves = outcome.Forward.Where(e => e.Type == SegmentEventType.Left).ToList();
        Assert.Equal(["b", "c"], leaves.Select(e => e.ProfileId).Order());
        Assert.Single(leaves.Select(e => e.EventId).Distinct());
    }

    [Fact]
    public void InterruptedSnapshot_RemovesNobody()
    {
        var segment = Segment();
        segment.Apply([Joined("a", 0), Joined("b", 0)]);

        segment.Apply([Control(SegmentEventType.SnapshotStarted, "snap-1", 10), Joined("a", 11, snapshotId: "snap-1")]);
        segment.Apply([Control(SegmentEventType.SnapshotStarted, "snap-2", 20), Control(SegmentEventType.SnapshotCompleted, "snap-1", 21)]);

        Assert.Equal(2, segment.MemberCount);
    }

    [Fact]
    public void MemberThatChangedAfterTheSnapshotStarted_IsKept()
    {
        var segment = Segment();
        segment.Apply([Joined("a", 0), Joined("b", 0)]);

        segment.Apply([Control(SegmentEventType.SnapshotStarted, "snap-1", 10), Joined("a", 11), Control(SegmentEventType.SnapshotCompleted, "snap-1", 12)]);

        // "a" re-joined after the snapshot began (outside it): newer than the snapshot, so it stays; "b" leaves.
        Assert.Equal(["a"], Backfilled().Keys);
    }

    [Fact]
    public void DuplicateSnapshotJoin_StillCountsAsSeen()
    {
        var segment = Segment();
        var join = Joined("a", 0);
        segment.Apply([join]);

        segment.Apply([Control(SegmentEventType.SnapshotStarted, "snap-1", 10), join with { SnapshotId = "snap-1" }, Control(SegmentEventType.SnapshotCompleted, "snap-1", 12)]);

        Assert.Equal(1, segment.MemberCount);
    }
}
