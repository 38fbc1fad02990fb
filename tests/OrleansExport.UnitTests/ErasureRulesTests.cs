using System.Text;
using Microsoft.Extensions.Time.Testing;
using OrleansExport.Grains.ExportShards;
using OrleansExport.Grains.Members;
using OrleansExport.Grains.Segments;

namespace OrleansExport.UnitTests;

/// <summary>Right to erasure in the parser, a segment shard and an export shard, and the cap slots that leaves and rejected joins free.</summary>
public sealed class ErasureRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly ContactMapping Mapping = new("EmailAddress", "FirstName", null, null, [], []);
    private readonly FakeTimeProvider _time = new(T0);
    private int _eventNumber;

    private SegmentEvent Joined(string profile, int minute, string? email = null) =>
        new($"e{_eventNumber++}", "s1", profile, SegmentEventType.Joined, T0.AddMinutes(minute),
            new Dictionary<string, string> { ["EmailAddress"] = email ?? $"{profile}@example.com", ["FirstName"] = "Ann" });

    private SegmentEvent Left(string profile, int minute) =>
        new($"e{_eventNumber++}", "s1", profile, SegmentEventType.Left, T0.AddMinutes(minute), null);

    private SegmentEvent Erased(string profile, int minute, string segment = "s1") =>
        new($"erase-{_eventNumber++}", segment, profile, SegmentEventType.Erased, T0.AddMinutes(minute), null);

    private ExportShardRules ExportShard(LeaveAction onLeave = LeaveAction.Unsubscribe, EraseAction onErase = EraseAction.Unsubscribe, long capacity = 1000, string[]? segments = null)
    {
        var shard = new ExportShardRules(new ExportShardState { Config = new ShardConfig(segments ?? ["s1"], Mapping, onLeave, onErase) }, _time);
        shard.AddCapacity(capacity);
        return shard;
    }

    private static void AcceptAll(ExportShardRules shard, OutgoingContact[] taken) =>
        shard.Complete(taken.Select(c => new ContactOutcome(c.ProfileId, c.Action, c.Hash, OutcomeKind.Accepted, null)).ToList());

    private static bool Holds(byte[] bytes, string text) => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    /// <summary>What a shard would persist: its slots and the arena, garbage included.</summary>
    private static bool StoredTableHolds(MemberTable table, string text) => Holds(table.Arena, text);

    [Fact]
    public void Parser_AcceptsErased_WithoutAttributes_AndDropsAnyThatCameAlong()
    {
        var bare = """{"eventId":"e1","segmentId":"s","profileId":"p1","type":"erased","occurredAt":"2026-11-28T20:00:00Z"}""";
        var withAttributes = """{"eventId":"e2","segmentId":"s","profileId":"p1","type":"erased","occurredAt":"2026-11-28T20:00:00Z","attributes":{"EmailAddress":"ann@example.com"}}""";

        Assert.True(SegmentEventParser.TryParse(Encoding.UTF8.GetBytes(bare), out var erased, out var reason), reason);
        Assert.True(SegmentEventParser.TryParse(Encoding.UTF8.GetBytes(withAttributes), out var stripped, out reason), reason);

        Assert.Equal((SegmentEventType.Erased, "p1"), (erased!.Type, erased.ProfileId));
        Assert.Null(stripped!.Attributes);
        Assert.Equal("erased", SegmentEventJson.TypeName(SegmentEventType.Erased));
    }

    [Fact]
    public void SegmentShard_ErasedMemberLeaves_ItsAttributesAndEveryOlderVersionOfThemAreGone_AndAnOlderJoinIsStale()
    {
        var state = new SegmentShardState();
        var segment = new SegmentMembership(state);
        segment.Apply([Joined("p1", 0, "old-ann@example.com"), Joined("p1", 1, "ann@example.com"), Joined("p2", 0)]);
        Assert.True(StoredTableHolds(state.Members, "old-ann@example.com"), "the older version is garbage in the arena until an erasure compacts it");

        var outcome = segment.Apply([Erased("p1", 2)]);
        var late = segment.Apply([Joined("p1", 1, "ann@example.com")]);

        Assert.Single(outcome.Forward);
        Assert.Equal(1, segment.MemberCount);
        Assert.False(StoredTableHolds(state.Members, "ann@example.com"));
        Assert.True(StoredTableHolds(state.Members, "p2@example.com"));
        Assert.Equal(1, late.Stale);
        Assert.Equal(["p2"], segment.Backfill("s1", "b").Select(e => e.ProfileId));
    }

    [Fact]
    public void SegmentShard_ErasureOfAProfileItNeverHad_IsForwardedAnyway_AndKeepsItsOlderJoinOut()
    {
        var segment = new SegmentMembership(new SegmentShardState());

        var outcome = segment.Apply([Erased("p9", 5)]);
        var late = segment.Apply([Joined("p9", 4)]);

        Assert.Equal(SegmentEventType.Erased, Assert.Single(outcome.Forward).Type);
        Assert.Equal(1, late.Stale);
        Assert.Equal(0, segment.MemberCount);
    }

    [Fact]
    public void ExportShard_ErasedSubscriber_IsUnsubscribedEvenWithOnLeaveKeep_ThenItsDataIsForgotten()
    {
        var shard = ExportShard(onLeave: LeaveAction.Keep);
        shard.Apply([Joined("p1", 0, "ann@example.com")]);
        AcceptAll(shard, shard.TakePending(10));

        shard.Apply([Erased("p1", 1)]);
        var unsubscribe = Assert.Single(shard.TakePending(10));
        Assert.True(StoredTableHolds(shard.State.Members, "ann@example.com"), "kept until ActiveCampaign has the unsubscribe");
        AcceptAll(shard, [unsubscribe]);

        Assert.Equal((ContactAction.Unsubscribe, "ann@example.com"), (unsubscribe.Action, unsubscribe.Data.Email));
        Assert.False(StoredTableHolds(shard.State.Members, "ann@example.com"));
        Assert.Empty(shard.TakePending(10));
        var counters = shard.GetCounters();
        Assert.Equal((0L, 0L, 1L), (counters.Members, counters.Pending, counters.Erased));
    }

    [Fact]
    public void ExportShard_WithOnEraseDelete_DeletesTheContact_ThenForgetsIt_AndANewerJoinIsANewContact()
    {
        var shard = ExportShard(onErase: EraseAction.Delete);
        shard.Apply([Joined("p1", 0, "ann@example.com")]);
        AcceptAll(shard, shard.TakePending(10));

        shard.Apply([Erased("p1", 1)]);
        var delete = Assert.Single(shard.TakePending(10));
        AcceptAll(shard, [delete]);
        shard.Apply([Joined("p1", 0, "ann@example.com")]);
        Assert.Empty(shard.TakePending(10));
        shard.Apply([Joined("p1", 3, "ann.new@example.com")]);

        Assert.Equal(ContactAction.Delete, delete.Action);
        Assert.False(StoredTableHolds(shard.State.Members, "ann@example.com"));
        var rejoined = Assert.Single(shard.TakePending(10));
        Assert.Equal((ContactAction.Upsert, false), (rejoined.Action, rejoined.AlreadySubscribed));
    }

    [Fact]
    public void ExportShard_ErasureOfAContactNeverSent_SendsNothing_AndForgetsAtOnce_WithItsRejections()
    {
        var shard = ExportShard();
        shard.Apply([Joined("p1", 0, "ann@example.com"), Joined("p2", 0, "bad-email-of-p2")]);

        shard.Apply([Erased("p1", 1), Erased("p2", 1)]);

        Assert.Empty(shard.TakePending(10));
        Assert.False(StoredTableHolds(shard.State.Members, "ann@example.com"));
        Assert.Empty(shard.GetRejections(null, 10));
        Assert.Equal(2, shard.GetCounters().Erased);
    }

    [Fact]
    public void ExportShard_ErasureReachingItThroughTwoSegments_CountsOnce_AndAnOlderJoinFromTheOtherSegmentIsStale()
    {
        var shard = ExportShard(segments: ["s1", "s2"]);
        shard.Apply([Joined("p1", 0), Joined("p1", 0) with { SegmentId = "s2", EventId = "other" }]);
        var erasure = Erased("p1", 5);

        var first = shard.Apply([erasure]);
        var second = shard.Apply([erasure with { SegmentId = "s2" }]);
        var late = shard.Apply([Joined("p1", 4) with { SegmentId = "s2" }]);

        Assert.Equal((1, 1, 1), (first.Applied, second.Duplicates, late.Stale));
        Assert.Equal((0L, 1L), (shard.GetCounters().Members, shard.GetCounters().Erased));
    }

    [Fact]
    public void ExportShard_FailedUnsubscribeOfAnErasedProfile_IsNotRetried_LeavesNoRejectionWithItsEmail_AndTheDataGoes()
    {
        var shard = ExportShard();
        shard.Apply([Joined("p1", 0, "ann@example.com")]);
        AcceptAll(shard, shard.TakePending(10));
        shard.Apply([Erased("p1", 1)]);
        var unsubscribe = Assert.Single(shard.TakePending(10));

        shard.Complete([new ContactOutcome("p1", unsubscribe.Action, unsubscribe.Hash, OutcomeKind.Failed, "refused", RejectionKind.RefusedByActiveCampaign)]);

        Assert.Empty(shard.TakePending(10));
        Assert.DoesNotContain(shard.GetRejections(null, 10), r => r.Email == "ann@example.com");
        Assert.False(StoredTableHolds(shard.State.Members, "ann@example.com"));
    }

    [Fact]
    public void Capacity_AJoinWithAnInvalidEmail_IsNotCountedAsANewMember_SoItLeasesNoSlot()
    {
        var shard = ExportShard();

        var count = shard.CountPotentialNewMembers([Joined("p1", 0), Joined("p2", 0, "not-an-email"), Joined("p3", 0, "")]);

        Assert.Equal(1, count);
    }

    [Fact]
    public void Capacity_ALeaveOrAnErasure_ReleasesTheShardsUnusedSlots_AndABatchWithoutOneReleasesNothing()
    {
        var shard = ExportShard(capacity: 3);
        shard.Apply([Joined("p1", 0), Joined("p2", 0)]);
        Assert.Equal(0, shard.ReleaseFreedCapacity());

        shard.Apply([Left("p1", 1)]);
        Assert.Equal(2, shard.ReleaseFreedCapacity());
        Assert.Equal(0, shard.State.CapacityLeft);

        shard.Apply([Erased("p2", 2)]);
        Assert.Equal(1, shard.ReleaseFreedCapacity());
        Assert.Equal(0, shard.ReleaseFreedCapacity());
    }

    [Fact]
    public void Capacity_ARejectedJoinOverTheCap_HoldsNoSlot_AndTakesOneOnceTheCapAllows()
    {
        var shard = ExportShard(capacity: 1);
        shard.Apply([Joined("p1", 0), Joined("p2", 0)]);
        Assert.Equal(1, shard.GetCounters().SkippedByCap);
        Assert.Equal(0, shard.State.CapacityLeft);

        shard.Apply([Left("p1", 1)]);
        shard.Apply([Joined("p2", 2)]);

        var counters = shard.GetCounters();
        Assert.Equal((1L, 0L), (counters.Members, counters.SkippedByCap));
    }

    [Fact]
    public void MemberTable_Forget_DropsTheDataAndCompactsAwayOlderVersions()
    {
        var table = new MemberTable();
        var slot = table.Add("p1");
        table.SetData(slot, new ContactData("first@example.com", "Ann", null, null, []));
        table.SetData(slot, new ContactData("second@example.com", "Ann", null, null, []));

        table.Forget(slot);

        Assert.Null(table.Data(slot));
        Assert.Equal("p1", table.ProfileId(slot));
        Assert.False(Holds(table.Arena, "first@example.com") || Holds(table.Arena, "second@example.com"));
        Assert.Equal(0, table.GarbageBytes);
    }
}
