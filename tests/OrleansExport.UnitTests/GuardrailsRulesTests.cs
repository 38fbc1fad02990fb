using Microsoft.Extensions.Time.Testing;
using OrleansExport.Grains.ExportShards;
using OrleansExport.Grains.Members;

namespace OrleansExport.UnitTests;

/// <summary>The mass-unsubscribe guard's threshold and hold, the shard's held queue, the send preview and member stories.</summary>
public sealed class GuardrailsRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly ContactMapping Mapping = new("EmailAddress", "FirstName", null, null, [], []);
    private readonly FakeTimeProvider _time = new(T0);
    private int _eventNumber;

    private ExportShardRules NewShard(LeaveAction onLeave = LeaveAction.Unsubscribe, EraseAction onErase = EraseAction.Unsubscribe, long capacity = 1000)
    {
        var shard = new ExportShardRules(new ExportShardState { Config = new ShardConfig(["s1", "s2"], Mapping, onLeave, onErase) }, _time);
        shard.AddCapacity(capacity);
        return shard;
    }

    private SegmentEvent Event(string profile, SegmentEventType type, int minute, string? email = null, string segment = "s1") =>
        new($"e{_eventNumber++}", segment, profile, type, T0.AddMinutes(minute),
            type is SegmentEventType.Joined ? new Dictionary<string, string> { ["EmailAddress"] = email ?? $"{profile}@example.com", ["FirstName"] = "Ann" } : null);

    private static void AcceptAll(ExportShardRules shard, OutgoingContact[] taken) =>
        shard.Complete(taken.Select(c => new ContactOutcome(c.ProfileId, c.Action, c.Hash, OutcomeKind.Accepted, null)).ToList());

    /// <summary>A shard whose profiles p0..p(n-1) are all subscribed in the list.</summary>
    private ExportShardRules SubscribedShard(int members, LeaveAction onLeave = LeaveAction.Unsubscribe, EraseAction onErase = EraseAction.Unsubscribe)
    {
        var shard = NewShard(onLeave, onErase);
        shard.Apply([.. Enumerable.Range(0, members).Select(i => Event($"p{i}", SegmentEventType.Joined, 0))]);
        AcceptAll(shard, shard.TakePending(members));
        return shard;
    }

    [Theory]
    [InlineData(101, 400, 20, true)]
    [InlineData(100, 400, 20, false)] // not more than 100
    [InlineData(360, 400, 20, true)]
    [InlineData(150, 1000, 20, false)] // 15%: under the percent
    [InlineData(201, 1000, 20, true)]
    [InlineData(200, 1000, 20, false)] // exactly 20% is not past it
    [InlineData(5000, 5000, 100, false)] // 100% can never be exceeded
    public void Exceeds_OnlyPastBothThePercentOfSubscribedAndAHundred(long pending, long subscribed, int percent, bool exceeds) =>
        Assert.Equal(exceeds, UnsubscribeGuard.Exceeds(new UnsubscribeFigures(pending, subscribed), percent));

    [Fact]
    public void Exceeds_NeverWithTheGuardOff() =>
        Assert.False(UnsubscribeGuard.Exceeds(new UnsubscribeFigures(100_000, 100_000), null));

    [Fact]
    public void Evaluate_StartsOnce_UpdatesTheCount_LiftsBelowTheThreshold()
    {
        var started = UnsubscribeGuard.Evaluate(null, false, new(360, 400), 20, T0);
        Assert.True(started.Started);
        Assert.Equal(360, started.Held!.Count);

        var grown = UnsubscribeGuard.Evaluate(started.Held, false, new(370, 410), 20, T0.AddMinutes(1));
        Assert.Equal((false, 370L, T0), (grown.Started, grown.Held!.Count, grown.Held.Since));

        var lifted = UnsubscribeGuard.Evaluate(grown.Held, false, new(50, 410), 20, T0.AddMinutes(2));
        Assert.Equal((true, (HeldUnsubscribes?)null), (lifted.Lifted, lifted.Held));
    }

    [Fact]
    public void Evaluate_AfterARelease_HoldsNothingUntilThePendingFallBelowTheThreshold_ThenWatchesAgain()
    {
        var draining = UnsubscribeGuard.Evaluate(null, released: true, new(300, 400), 20, T0);
        Assert.Equal(((HeldUnsubscribes?)null, true, false), (draining.Held, draining.Released, draining.Started));

        var drained = UnsubscribeGuard.Evaluate(null, released: true, new(10, 400), 20, T0);
        Assert.False(drained.Released);

        Assert.True(UnsubscribeGuard.Evaluate(null, drained.Released, new(300, 400), 20, T0).Started);
    }

    [Fact]
    public void TakePending_Holding_KeepsUnsubscribesBack_ButSendsJoinsUpdatesAndErasures()
    {
        var shard = SubscribedShard(10);
        shard.Apply([Event("p0", SegmentEventType.Left, 1), Event("p1", SegmentEventType.Left, 1), Event("p2", SegmentEventType.Erased, 1),
            Event("p-new", SegmentEventType.Joined, 1)]);

        var taken = shard.TakePending(100, holdUnsubscribes: true);

        Assert.Equal([("p-new", ContactAction.Upsert), ("p2", ContactAction.Unsubscribe)], taken.Select(c => (c.ProfileId, c.Action)).Order());
        Assert.Equal(new UnsubscribeFigures(2, 10), shard.GetUnsubscribeFigures(countSubscribed: true));
        Assert.Equal(new UnsubscribeFigures(2, 0), shard.GetUnsubscribeFigures(countSubscribed: false));
        Assert.Empty(shard.TakePending(100, holdUnsubscribes: true));
    }

    [Fact]
    public void HeldUnsubscribes_GoOutOnceTheHoldLifts_AndAProfileThatCameBackIsNotUnsubscribed()
    {
        var shard = SubscribedShard(10);
        shard.Apply([Event("p0", SegmentEventType.Left, 1), Event("p1", SegmentEventType.Left, 1)]);
        Assert.Empty(shard.TakePending(100, holdUnsubscribes: true));

        shard.Apply([Event("p1", SegmentEventType.Joined, 2)]);
        Assert.Empty(shard.TakePending(100, holdUnsubscribes: true));
        Assert.Equal(new UnsubscribeFigures(1, 10), shard.GetUnsubscribeFigures(countSubscribed: true));

        var released = shard.TakePending(100, holdUnsubscribes: false);
        Assert.Equal([("p0", ContactAction.Unsubscribe)], released.Select(c => (c.ProfileId, c.Action)));
    }

    [Fact]
    public void AHeldMemberWhoJoinsAgain_IsPendingAndSentWhileTheHoldLasts()
    {
        var shard = SubscribedShard(10);
        shard.Apply([Event("p0", SegmentEventType.Left, 1), Event("p1", SegmentEventType.Left, 1)]);
        Assert.Empty(shard.TakePending(100, holdUnsubscribes: true));
        Assert.Equal(0, shard.PendingEstimate);

        shard.Apply([Event("p1", SegmentEventType.Joined, 2, email: "p1-new@example.com")]);

        // The new address is a new contact; the old one is unsubscribed as an email change, not held as a leave.
        Assert.Equal(2, shard.PendingEstimate);
        Assert.Equal(
            [("p1", ContactAction.Upsert, "p1-new@example.com"), ("p1", ContactAction.Unsubscribe, "p1@example.com")],
            shard.TakePending(100, holdUnsubscribes: true).Select(c => (c.ProfileId, c.Action, c.Data.Email)).Order());
    }

    [Fact]
    public void HeldUnsubscribes_StayDirty_SoAShardRebuiltFromItsStateQueuesThemAgain()
    {
        var state = new ExportShardState { Config = new ShardConfig(["s1"], Mapping, LeaveAction.Unsubscribe) };
        var shard = new ExportShardRules(state, _time);
        shard.AddCapacity(10);
        shard.Apply([Event("p0", SegmentEventType.Joined, 0)]);
        AcceptAll(shard, shard.TakePending(10));
        shard.Apply([Event("p0", SegmentEventType.Left, 1)]);
        Assert.Empty(shard.TakePending(10, holdUnsubscribes: true));

        var rebuilt = new ExportShardRules(state, _time);

        Assert.Equal(1, rebuilt.PendingEstimate);
        Assert.Single(rebuilt.TakePending(10, holdUnsubscribes: false));
    }

    [Fact]
    public void AFullRun_CountsItsHeldUnsubscribesAsHeld_NotAsRemaining()
    {
        var shard = SubscribedShard(5);
        shard.Apply([Event("p0", SegmentEventType.Left, 1)]);
        shard.BeginRun("r1");
        AcceptAll(shard, shard.TakePending(10, holdUnsubscribes: true));

        var counters = shard.GetCounters();

        Assert.Equal((0L, 1L), (counters.RunRemaining, counters.RunHeld));
    }

    [Fact]
    public void AFullRun_ObeysTheHoldToo()
    {
        var shard = SubscribedShard(5);
        shard.Apply([Event("p0", SegmentEventType.Left, 1)]);
        AcceptAll(shard, shard.TakePending(10));

        shard.BeginRun("r1");
        var taken = shard.TakePending(10, holdUnsubscribes: true);

        Assert.Equal(4, taken.Length);
        Assert.DoesNotContain(taken, c => c.Action == ContactAction.Unsubscribe);
        Assert.Single(shard.TakePending(10, holdUnsubscribes: false), c => c.Action == ContactAction.Unsubscribe);
    }

    [Fact]
    public void Preview_CountsWhatTakePendingThenSends_ByAction()
    {
        var shard = SubscribedShard(6);
        shard.Apply([Event("p1", SegmentEventType.Left, 1)]);
        AcceptAll(shard, shard.TakePending(10));
        shard.Apply([Event("p0", SegmentEventType.Left, 2), Event("p2", SegmentEventType.Joined, 2, email: "p2-new@example.com"),
            Event("p-new", SegmentEventType.Joined, 2), Event("p1", SegmentEventType.Joined, 2),
            new SegmentEvent($"e{_eventNumber++}", "s1", "p3", SegmentEventType.Updated, T0.AddMinutes(2),
                new Dictionary<string, string> { ["EmailAddress"] = "p3@example.com", ["FirstName"] = "Bea" })]);

        var preview = shard.Preview(asRun: false, holding: false);
        var taken = shard.TakePending(100);

        // p2's new address is a new contact (subscribe) and its old one is unsubscribed, next to p0's leave; p3's new name is an update.
        Assert.Equal((2L, 1L, 1L, 2L, 0L, 0L), (preview.Subscribe, preview.Update, preview.Resubscribe, preview.Unsubscribe, preview.Delete, preview.Held));
        Assert.Equal(taken.Length, preview.Examples.Count);
        Assert.Equal(
            taken.Select(c => (c.ProfileId, c.Action switch { ContactAction.Upsert when c.AlreadySubscribed => "update", ContactAction.Upsert => "subscribe", var a => a.ToString().ToLowerInvariant() })).Order(),
            preview.Examples.Select(e => (e.ProfileId, e.Action)).Order());
    }

    [Fact]
    public void Preview_Holding_CountsHeldApart_AndAsRun_CountsEveryMember()
    {
        var shard = SubscribedShard(30);
        shard.Apply([.. Enumerable.Range(0, 25).Select(i => Event($"p{i}", SegmentEventType.Left, 1))]);

        var held = shard.Preview(asRun: false, holding: true);
        Assert.Equal((0L, 25L, SendPreview.MaxExamples), (held.Unsubscribe, held.Held, held.Examples.Count));
        Assert.All(held.Examples, e => Assert.Equal("held", e.Action));

        var run = shard.Preview(asRun: true, holding: false);
        Assert.Equal((5L, 25L), (run.Update, run.Unsubscribe));
    }

    [Fact]
    public void Story_TellsEachState_AndFindByEmailIgnoresCase()
    {
        var shard = NewShard(capacity: 3);
        shard.Apply([Event("sync", SegmentEventType.Joined, 0, "Sync@Example.com"), Event("gone", SegmentEventType.Joined, 0), Event("erased", SegmentEventType.Joined, 0)]);
        AcceptAll(shard, shard.TakePending(10));
        shard.Apply([Event("gone", SegmentEventType.Left, 1), Event("erased", SegmentEventType.Erased, 1), Event("waits", SegmentEventType.Joined, 1),
            Event("bad", SegmentEventType.Joined, 1, "not-an-email")]);
        AcceptAll(shard, shard.TakePending(10).Where(c => c.ProfileId != "waits").ToArray());
        shard.Apply([Event("over1", SegmentEventType.Joined, 2), Event("over2", SegmentEventType.Joined, 2), Event("over3", SegmentEventType.Joined, 2),
            Event("sync", SegmentEventType.Joined, 2, "Sync@Example.com", segment: "s2")]);

        Assert.Equal(MemberState.InSync, shard.Story("sync")!.State);
        Assert.Equal(["s1", "s2"], shard.Story("sync")!.Segments);
        Assert.Equal(MemberState.Unsubscribed, shard.Story("gone")!.State);
        Assert.Equal((MemberState.Erased, (string?)null), (shard.Story("erased")!.State, shard.Story("erased")!.Email));
        Assert.Equal(MemberState.Pending, shard.Story("waits")!.State);
        Assert.Equal((MemberState.Rejected, "not-an-email"), (shard.Story("bad")!.State, shard.Story("bad")!.Email));
        Assert.Equal(MemberState.SkippedByCap, shard.Story("over3")!.State);
        Assert.Null(shard.Story("never"));
        Assert.Equal("sync", shard.FindByEmail("sync@EXAMPLE.com")!.ProfileId);
        Assert.Equal("bad", shard.FindByEmail("NOT-an-email")!.ProfileId);
        Assert.Null(shard.FindByEmail("erased@example.com"));
        Assert.Equal(T0.AddMinutes(1), shard.Story("gone")!.LastChangeAt);
    }

    [Fact]
    public void Story_OfAProfileThatLeftWithOnLeaveKeep_IsLeft()
    {
        var shard = SubscribedShard(1, LeaveAction.Keep);
        shard.Apply([Event("p0", SegmentEventType.Left, 1)]);

        var story = shard.Story("p0")!;

        Assert.Equal(MemberState.Left, story.State);
        Assert.Contains("onLeave: keep", story.Reason);
    }

    [Fact]
    public void StateOf_AFailedMember_IsRejected_AndAHeldUnsubscribe_IsPendingWithTheGuardAsReason()
    {
        var member = new MemberSlot { SegmentMask = 1, DataHash = 7, AcceptedHash = 3, Flags = MemberFlags.SubscribedInAc | MemberFlags.Failed };
        Assert.Equal(MemberState.Rejected, MemberStories.StateOf(member, null));

        var leaving = new MemberSlot { DataHash = 7, AcceptedHash = 7, Flags = MemberFlags.SubscribedInAc };
        Assert.Equal(MemberState.Pending, MemberStories.StateOf(leaving, ContactAction.Unsubscribe));
        Assert.Contains("mass-unsubscribe guard", MemberStories.Reason(MemberState.Pending, ContactAction.Unsubscribe, null, held: true, LeaveAction.Unsubscribe, maybeInAccount: false));
    }

    [Fact]
    public void Story_OfALeaverWhoseUnsubscribeIsInFlight_IsPending_NotLeft()
    {
        var shard = SubscribedShard(1);
        shard.Apply([Event("p0", SegmentEventType.Left, 1)]);
        var taken = shard.TakePending(10);
        Assert.Equal(ContactAction.Unsubscribe, Assert.Single(taken).Action);

        Assert.Equal(MemberState.Pending, shard.Story("p0")!.State);

        AcceptAll(shard, taken);
        Assert.Equal(MemberState.Unsubscribed, shard.Story("p0")!.State);
    }

    [Fact]
    public void Story_OfAJoinWhoseSendWasNeverConfirmed_ThatLeaves_IsPending_WithTheUnsubscribeAndTheUnknownOutcomeAsReason()
    {
        var shard = NewShard();
        shard.Apply([Event("p0", SegmentEventType.Joined, 0)]);
        var taken = shard.TakePending(10);
        shard.Complete([.. taken.Select(c => new ContactOutcome(c.ProfileId, c.Action, c.Hash, OutcomeKind.Unconfirmed, null))]);
        Assert.Contains("outcome never came", shard.Story("p0")!.Reason);

        shard.Apply([Event("p0", SegmentEventType.Left, 1)]);

        var story = shard.Story("p0")!;
        Assert.Equal(MemberState.Pending, story.State);
        Assert.Contains("its unsubscribe is waiting", story.Reason);
        Assert.Contains("may be on the list", story.Reason);
        var preview = shard.Preview(asRun: false, holding: false);
        Assert.Equal(1, preview.Unsubscribe);
    }
}
