using Microsoft.Extensions.Time.Testing;
using OrleansExport.Grains.ExportShards;
using OrleansExport.Grains.Segments;

namespace OrleansExport.UnitTests;

/// <summary>
/// Upstream is at-least-once: an event delivered again after an erasure must not bring the person back. After an
/// erasure only an event strictly newer than everything seen for the profile, under a new eventId, does.
/// </summary>
public sealed class ErasureReplayTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly ContactMapping Mapping = new("EmailAddress", "FirstName", null, null, [], []);

    private static SegmentEvent Joined(string eventId, string profile, DateTimeOffset at) =>
        new(eventId, "s1", profile, SegmentEventType.Joined, at,
            new Dictionary<string, string> { ["EmailAddress"] = $"{profile}@example.com", ["FirstName"] = "Ann" });

    private static SegmentEvent Erased(string eventId, string profile, DateTimeOffset at) =>
        new(eventId, "s1", profile, SegmentEventType.Erased, at, null);

    private static ExportShardRules ExportShard()
    {
        var shard = new ExportShardRules(new ExportShardState { Config = new ShardConfig(["s1"], Mapping, LeaveAction.Unsubscribe, EraseAction.Unsubscribe) }, new FakeTimeProvider(T0));
        shard.AddCapacity(1000);
        return shard;
    }

    [Theory]
    [InlineData(0)]   // the erasure carries the join's own time
    [InlineData(-5)]  // the erasure carries an earlier time than the join
    public void SegmentShard_JoinDeliveredAgainAfterItsErasure_IsStale_AndTheProfileStaysOut(int eraseMinutesAfterJoin)
    {
        var segment = new SegmentMembership(new SegmentShardState());
        var joined = Joined("e1", "p1", T0);
        segment.Apply([joined, Erased("x1", "p1", T0.AddMinutes(eraseMinutesAfterJoin))]);

        var replay = segment.Apply([joined]);

        Assert.Equal((0, 1), (replay.Applied, replay.Stale));
        Assert.Empty(replay.Forward);
        Assert.Equal(0, segment.MemberCount);
        Assert.Empty(segment.Backfill("s1", "b"));
    }

    [Fact]
    public void SegmentShard_AfterAnErasure_ANewJoinAtTheSameTimeIsStale_AndOnlyAStrictlyNewerOneBringsThePersonBack()
    {
        var segment = new SegmentMembership(new SegmentShardState());
        segment.Apply([Joined("e1", "p1", T0), Erased("x1", "p1", T0)]);

        var tie = segment.Apply([Joined("e2", "p1", T0)]);
        var signUp = segment.Apply([Joined("e3", "p1", T0.AddTicks(1))]);

        Assert.Equal(1, tie.Stale);
        Assert.Equal(1, signUp.Applied);
        Assert.Equal(1, segment.MemberCount);
    }

    [Fact]
    public void SegmentShard_ErasureOfAProfileItNeverHad_MakesAJoinAtTheSameTimeStale()
    {
        var segment = new SegmentMembership(new SegmentShardState());
        segment.Apply([Erased("x1", "p1", T0)]);

        var tie = segment.Apply([Joined("e1", "p1", T0)]);
        var newer = segment.Apply([Joined("e2", "p1", T0.AddTicks(1))]);

        Assert.Equal((1, 1), (tie.Stale, newer.Applied));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void ExportShard_JoinForwardedAgainAfterItsErasure_DoesNotBringTheProfileBack(int eraseMinutesAfterJoin)
    {
        var shard = ExportShard();
        var joined = Joined("e1", "p1", T0);
        shard.Apply([joined]);
        shard.Apply([Erased("x1", "p1", T0.AddMinutes(eraseMinutesAfterJoin))]);

        var replay = shard.Apply([joined]);

        Assert.Equal((0, 1), (replay.Applied, replay.Stale));
        Assert.Equal(0, shard.GetCounters().Members);
    }
}
