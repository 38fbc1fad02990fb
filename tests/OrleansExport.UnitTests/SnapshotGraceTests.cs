using Microsoft.Extensions.Time.Testing;
using OrleansExport.Grains.Segments;

namespace OrleansExport.UnitTests;

/// <summary>
/// <c>snapshotCompleted</c> may overtake the snapshot's own joins (markers and joins travel on different partitions):
/// the members it did not name leave only once <c>Ingest:SnapshotGrace</c> has passed since it arrived.
/// </summary>
public sealed class SnapshotGraceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);
    private readonly FakeTimeProvider _time = new(T0.AddHours(1));
    private readonly SegmentShardState _state = new();
    private int _eventNumber;

    private SegmentMembership Segment() => new(_state, _time, Grace);

    private SegmentEvent Joined(string profile, int minute, string? snapshotId = null) =>
        new($"e{_eventNumber++}", "s1", profile, SegmentEventType.Joined, T0.AddMinutes(minute),
            new Dictionary<string, string> { ["EmailAddress"] = $"{profile}@example.com" }, snapshotId);

    private SegmentEvent Control(SegmentEventType type, string snapshotId, int minute) =>
        new($"e{_eventNumber++}", "s1", "", type, T0.AddMinutes(minute), null, snapshotId);

    private HashSet<string> MemberIds() => Segment().Backfill("s1", "b").Select(e => e.ProfileId).ToHashSet();

    [Fact]
    public void CompletedBeforeItsJoins_RemovesNobodyWithinTheGrace_AndAfterItOnlyTheMembersItDidNotName()
    {
        var segment = Segment();
        segment.Apply([Joined("a", 0), Joined("b", 0), Joined("c", 0)]);

        var completion = segment.Apply([Control(SegmentEventType.SnapshotStarted, "snap-1", 10), Control(SegmentEventType.SnapshotCompleted, "snap-1", 12)]);
        _time.Advance(Grace - TimeSpan.FromSeconds(1));
        var early = segment.RemoveDue("s1");
        // The snapshot's joins arrive late, carrying the members' original occurredAt.
        segment.Apply([Joined("a", 0, "snap-1"), Joined("b", 0, "snap-1")]);
        Assert.Equal(["a", "b", "c"], MemberIds().Order());
        _time.Advance(TimeSpan.FromSeconds(1));
        var due = segment.RemoveDue("s1");

        Assert.Empty(completion.Forward);
        Assert.Empty(early.Forward);
        var left = Assert.Single(due.Forward);
        Assert.Equal(("c", SegmentEventType.Left, "snapshot-left:snap-1"), (left.ProfileId, left.Type, left.EventId));
        Assert.Equal(["a", "b"], MemberIds().Order());
        Assert.Null(segment.NextRemovalDue);
    }

    [Fact]
    public void JoinsThatOvertakeTheirSnapshotStarted_StillCountAsNamed()
    {
        var segment = Segment();
        segment.Apply([Joined("a", 0), Joined("b", 0), Joined("c", 0)]);

        // The snapshot's joins travel on other partitions than its markers and arrive before snapshotStarted, carrying
        // the members' original occurredAt; another snapshot's early join names nobody in this one.
        segment.Apply([Joined("a", 0, "snap-1"), Joined("b", 0, "snap-0")]);
        segment.Apply([Control(SegmentEventType.SnapshotStarted, "snap-1", 10), Control(SegmentEventType.SnapshotCompleted, "snap-1", 12)]);
        _time.Advance(Grace);
        var due = segment.RemoveDue("s1");

        Assert.Equal(["b", "c"], due.Forward.Select(e => e.ProfileId).Order());
        Assert.Equal(["a"], MemberIds());
    }

    [Fact]
    public void EarlyJoinsOfSnapshotsThatNeverStart_AreForgotten_OnlyTheNewestFewAreKept()
    {
        var segment = Segment();
        segment.Apply([Joined("a", 0)]);

        for (var i = 0; i < 10; i++)
        {
            segment.Apply([Joined("a", 0, $"lost-{i}")]);
        }

        Assert.Equal(SegmentMembership.MaxEarlySnapshots, _state.EarlySnapshots.Count);
        Assert.Equal("lost-9", _state.EarlySnapshots[^1].SnapshotId);
    }

    [Fact]
    public void NextRemovalDue_IsWhenTheCompletionArrivedPlusTheGrace_AndSurvivesInTheState()
    {
        var arrived = _time.GetUtcNow();
        Segment().Apply([Joined("a", 0), Control(SegmentEventType.SnapshotStarted, "snap-1", 10), Control(SegmentEventType.SnapshotCompleted, "snap-1", 12)]);

        // A new activation builds its rules on the stored state.
        var reloaded = Segment();

        Assert.Equal(arrived + Grace, reloaded.NextRemovalDue);
        _time.Advance(Grace);
        Assert.Equal("a", Assert.Single(reloaded.RemoveDue("s1").Forward).ProfileId);
    }

    [Fact]
    public void ZeroGrace_RemovesOnCompletion()
    {
        var segment = new SegmentMembership(_state, _time, TimeSpan.Zero);
        segment.Apply([Joined("a", 0)]);

        var outcome = segment.Apply([Control(SegmentEventType.SnapshotStarted, "snap-1", 10), Control(SegmentEventType.SnapshotCompleted, "snap-1", 12)]);

        Assert.Equal("a", Assert.Single(outcome.Forward).ProfileId);
        Assert.Null(segment.NextRemovalDue);
    }

    [Fact]
    public void RemovalReplayedAsItsLeaves_RemovesTheSameMembers_ButNotOneThatJoinedAgainSince()
    {
        var segment = Segment();
        segment.Apply([Joined("a", 0), Joined("b", 0), Control(SegmentEventType.SnapshotStarted, "snap-1", 10), Control(SegmentEventType.SnapshotCompleted, "snap-1", 12)]);
        _time.Advance(Grace);
        var leaves = segment.RemoveDue("s1").Forward.ToArray();
        var replica = new SegmentMembership(new SegmentShardState(), _time, Grace);
        replica.Apply([Joined("a", 0), Joined("b", 0), Joined("b", 13)]);

        replica.Apply(leaves);

        Assert.Equal(2, leaves.Length);
        Assert.Equal(1, replica.MemberCount);
    }

    [Fact]
    public void SnapshotGrace_DefaultsToTwoMinutes_AndANegativeOrOverADayIsRefusedAtStart()
    {
        var validator = new SegmentIngestOptionsValidator();

        Assert.Equal(TimeSpan.FromMinutes(2), new SegmentIngestOptions().SnapshotGrace);
        Assert.True(validator.Validate(null, new SegmentIngestOptions()).Succeeded);
        Assert.True(validator.Validate(null, new SegmentIngestOptions { SnapshotGrace = TimeSpan.Zero }).Succeeded);
        var negative = validator.Validate(null, new SegmentIngestOptions { SnapshotGrace = TimeSpan.FromSeconds(-1) });
        Assert.True(negative.Failed);
        Assert.Contains(nameof(SegmentIngestOptions.SnapshotGrace), negative.FailureMessage);
        Assert.True(validator.Validate(null, new SegmentIngestOptions { SnapshotGrace = TimeSpan.FromDays(2) }).Failed);
    }
}
