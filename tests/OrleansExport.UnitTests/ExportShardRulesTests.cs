using Microsoft.Extensions.Time.Testing;
using OrleansExport.Grains.ExportShards;

namespace OrleansExport.UnitTests;

public sealed class ExportShardRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly ContactMapping Mapping = new("EmailAddress", "FirstName", null, null, [new FieldMapping("Tier", 7)], []);
    private readonly FakeTimeProvider _time = new(T0);
    private int _eventNumber;

    private ExportShardRules NewShard(LeaveAction onLeave = LeaveAction.Unsubscribe, long capacity = 1000, params string[] segments)
    {
        var state = new ExportShardState { Config = new ShardConfig(segments.Length == 0 ? ["s1"] : segments, Mapping, onLeave) };
        var shard = new ExportShardRules(state, _time);
        shard.AddCapacity(capacity);
        return shard;
    }

    private SegmentEvent Joined(string profile, int minute, string email = "a@example.com", string first = "Ann", string segment = "s1") =>
        new($"e{_eventNumber++}", segment, profile, SegmentEventType.Joined, T0.AddMinutes(minute),
            new Dictionary<string, string> { ["EmailAddress"] = email, ["FirstName"] = first, ["Tier"] = "gold" });

    private SegmentEvent Updated(string profile, int minute, string first) =>
        Joined(profile, minute, first: first) with { Type = SegmentEventType.Updated };

    private SegmentEvent Left(string profile, int minute, string segment = "s1") =>
        new($"e{_eventNumber++}", segment, profile, SegmentEventType.Left, T0.AddMinutes(minute), null);

    private static void AcceptAll(ExportShardRules shard, OutgoingContact[] taken) =>
        shard.Complete(taken.Select(c => new ContactOutcome(c.ProfileId, c.Action, c.Hash, OutcomeKind.Accepted, null)).ToList());

    [Fact]
    public void RepeatedEventId_IsDroppedAsDuplicate()
    {
        var shard = NewShard();
        var joined = Joined("p1", 0);

        var result = shard.Apply([joined, joined]);

        Assert.Equal(1, result.Applied);
        Assert.Equal(1, result.Duplicates);
        Assert.Single(shard.TakePending(10));
    }

    [Fact]
    public void OlderDataFromAnotherSegment_DoesNotReplaceNewerData()
    {
        var shard = NewShard(segments: ["s1", "s2"]);
        shard.Apply([Joined("p1", 10, first: "New", segment: "s1")]);

        var result = shard.Apply([Joined("p1", 5, first: "Old", segment: "s2")]);

        Assert.Equal(1, result.Stale);
        var contact = Assert.Single(shard.TakePending(10));
        Assert.Equal("New", contact.Data.FirstName);
    }

    [Fact]
    public void OlderLeaveOfOneSegment_KeepsTheProfileAMemberOfTheOther()
    {
        // Each segment orders its own events; the export's membership is their union whatever the clocks say.
        var shard = NewShard(segments: ["s1", "s2"]);
        shard.Apply([Joined("p1", 1, segment: "s2"), Joined("p1", 10, segment: "s1")]);

        shard.Apply([Left("p1", 5, segment: "s2")]);
        Assert.Equal(1, shard.GetCounters().Members);

        shard.Apply([Left("p1", 11, segment: "s1")]);
        Assert.Equal(0, shard.GetCounters().Members);
    }

    [Fact]
    public void ManyChangesBeforeAFlush_CoalesceIntoOneContactWithTheNewestData()
    {
        var shard = NewShard();

        shard.Apply([Joined("p1", 0, first: "A"), Updated("p1", 1, "B"), Updated("p1", 2, "C")]);

        var contact = Assert.Single(shard.TakePending(10));
        Assert.Equal("C", contact.Data.FirstName);
    }

    [Fact]
    public void UpdateWithTheDataActiveCampaignAlreadyHas_IsNotResent()
    {
        var shard = NewShard();
        shard.Apply([Joined("p1", 0, first: "A")]);
        AcceptAll(shard, shard.TakePending(10));

        shard.Apply([Updated("p1", 1, "A")]);

        Assert.Empty(shard.TakePending(10));
        Assert.Equal(1, shard.GetCounters().InSync);
    }

    [Fact]
    public void UpdateFromTheSegment_OfAProfileTheExportRejectedBefore_MakesItAMember()
    {
        // The segment forwards updates only for its members: a fixed email brings the profile in.
        var shard = NewShard();
        shard.Apply([Joined("p1", 0, email: "not-an-email")]);
        Assert.Equal(0, shard.GetCounters().Members);

        shard.Apply([Joined("p1", 1, email: "ann@example.com") with { Type = SegmentEventType.Updated }]);

        Assert.Equal(1, shard.GetCounters().Members);
        Assert.Equal("ann@example.com", Assert.Single(shard.TakePending(10)).Data.Email);
    }

    [Fact]
    public void LeaveOfAProfileTheExportNeverHad_AllocatesNothing()
    {
        var shard = NewShard();

        shard.Apply(Enumerable.Range(0, 1000).Select(i => Left($"p{i}", 1)).ToList());

        Assert.Equal(0, shard.State.Members.Count);
    }

    [Fact]
    public void RemovedSegment_LetsMembersInNoRemainingSegmentLeave()
    {
        var shard = NewShard(segments: ["s1", "s2"]);
        shard.Apply([Joined("only-s1", 0, segment: "s1"), Joined("both", 0, segment: "s1"), Joined("both", 0, segment: "s2")]);
        AcceptAll(shard, shard.TakePending(10));

        shard.Configure(new ShardConfig(["s2"], Mapping, LeaveAction.Unsubscribe));

        Assert.Equal(1, shard.GetCounters().Members);
        var leave = Assert.Single(shard.TakePending(10));
        Assert.Equal(("only-s1", ContactAction.Unsubscribe), (leave.ProfileId, leave.Action));
        // "both" kept its place: a later leave of s2 (now the first segment) removes it.
        shard.Apply([Left("both", 1, segment: "s2")]);
        Assert.Equal(0, shard.GetCounters().Members);
    }

    [Fact]
    public void MappingChange_MakesPendingOnlyMembersWhoseMappedDataChanged()
    {
        var shard = NewShard();
        SegmentEvent Member(string profile, string first, string nick) => new($"e-{profile}", "s1", profile, SegmentEventType.Joined, T0,
            new Dictionary<string, string> { ["EmailAddress"] = $"{profile}@example.com", ["FirstName"] = first, ["Nick"] = nick, ["Tier"] = "gold" });
        var ann = Member("p1", "Ann", "Ann");
        var bob = Member("p2", "Bob", "Bobby");
        shard.Apply([ann, bob]);
        AcceptAll(shard, shard.TakePending(10));

        // First name now comes from "Nick": only Bob's differs, so only Bob's contact changes.
        shard.Configure(new ShardConfig(["s1"], Mapping with { FirstName = "Nick" }, LeaveAction.Unsubscribe));
        shard.Apply([ann with { EventId = "backfill-2" }, bob with { EventId = "backfill-2" }]);

        var changed = Assert.Single(shard.TakePending(10));
        Assert.Equal(("p2", "Bobby"), (changed.ProfileId, changed.Data.FirstName));
    }

    [Fact]
    public void NewList_MakesEveryMemberPendingAndIgnoresOutcomesForTheOldList()
    {
        var shard = NewShard();
        shard.Apply([Joined("p1", 0), Joined("p2", 0, email: "b@example.com")]);
        AcceptAll(shard, shard.TakePending(1));
        var inFlight = shard.TakePending(10);

        shard.ResetDelivery();
        AcceptAll(shard, inFlight);

        Assert.Equal(2, shard.GetCounters().Pending);
        Assert.Equal(["p1", "p2"], shard.TakePending(10).Select(c => c.ProfileId).Order());
    }

    [Fact]
    public void LeaveOfASubscribedMember_SendsUnsubscribe()
    {
        var shard = NewShard();
        shard.Apply([Joined("p1", 0)]);
        AcceptAll(shard, shard.TakePending(10));

        shard.Apply([Left("p1", 1)]);

        var contact = Assert.Single(shard.TakePending(10));
        Assert.Equal(ContactAction.Unsubscribe, contact.Action);
        Assert.Equal(0, shard.GetCounters().Members);
    }

    [Fact]
    public void LeaveBeforeTheJoinWasEverSent_SendsNothing()
    {
        var shard = NewShard();

        shard.Apply([Joined("p1", 0), Left("p1", 1)]);

        Assert.Empty(shard.TakePending(10));
    }

    [Fact]
    public void LeaveWithOnLeaveKeep_SendsNothing()
    {
        var shard = NewShard(LeaveAction.Keep);
        shard.Apply([Joined("p1", 0)]);
        AcceptAll(shard, shard.TakePending(10));

        shard.Apply([Left("p1", 1)]);

        Assert.Empty(shard.TakePending(10));
    }

    [Fact]
    public void RejoinAfterAnAcceptedUnsubscribe_IsAResubscribe()
    {
        var shard = NewShard();
        shard.Apply([Joined("p1", 0)]);
        AcceptAll(shard, shard.TakePending(10));
        shard.Apply([Left("p1", 1)]);
        AcceptAll(shard, shard.TakePending(10));

        shard.Apply([Joined("p1", 2)]);

        var contact = Assert.Single(shard.TakePending(10));
        Assert.Equal(ContactAction.Resubscribe, contact.Action);
    }

    [Fact]
    public void InvalidEmail_IsRejectedWithAReasonAndNotAMember()
    {
        var shard = NewShard();

        var result = shard.Apply([Joined("p1", 0, email: "not-an-email")]);

        Assert.Equal(1, result.Rejected);
        Assert.Equal(0, shard.GetCounters().Members);
        var rejection = Assert.Single(shard.GetRejections(null, 10));
        Assert.Equal("p1", rejection.ProfileId);
        Assert.Contains("not a valid email", rejection.Reason);
    }

    [Fact]
    public void JoinOverTheCap_IsSkippedByCapAndNotSent()
    {
        var shard = NewShard(capacity: 2);

        shard.Apply([Joined("p1", 0, "1@example.com"), Joined("p2", 0, "2@example.com"), Joined("p3", 0, "3@example.com")]);

        var counters = shard.GetCounters();
        Assert.Equal(2, counters.Members);
        Assert.Equal(1, counters.SkippedByCap);
        Assert.Equal(2, shard.TakePending(10).Length);
        Assert.Contains(shard.GetRejections(null, 10), r => r.ProfileId == "p3" && r.Reason.Contains("cap"));
    }

    [Fact]
    public void LeaveFreesCapacityForTheNextJoin()
    {
        var shard = NewShard(capacity: 1);
        shard.Apply([Joined("p1", 0, "1@example.com"), Left("p1", 1)]);

        shard.Apply([Joined("p2", 2, "2@example.com")]);

        Assert.Equal(1, shard.GetCounters().Members);
        Assert.Equal(0, shard.GetCounters().SkippedByCap);
    }

    [Fact]
    public void ProfileInTwoSegments_StaysAMemberUntilItLeavesBoth()
    {
        var shard = NewShard(LeaveAction.Unsubscribe, 1000, "s1", "s2");
        shard.Apply([Joined("p1", 0, segment: "s1"), Joined("p1", 1, segment: "s2")]);

        shard.Apply([Left("p1", 2, "s1")]);
        Assert.Equal(1, shard.GetCounters().Members);

        shard.Apply([Left("p1", 3, "s2")]);
        Assert.Equal(0, shard.GetCounters().Members);
    }

    [Fact]
    public void ChangeWhileInFlight_IsSentAgainAfterTheOutcome()
    {
        var shard = NewShard();
        shard.Apply([Joined("p1", 0, first: "A")]);
        var first = shard.TakePending(10);

        shard.Apply([Updated("p1", 1, "B")]);
        Assert.Empty(shard.TakePending(10));
        AcceptAll(shard, first);

        var second = Assert.Single(shard.TakePending(10));
        Assert.Equal("B", second.Data.FirstName);
    }

    [Fact]
    public void ReturnedContact_GoesBackToPending()
    {
        var shard = NewShard();
        shard.Apply([Joined("p1", 0)]);
        var taken = shard.TakePending(10);

        shard.Complete([new ContactOutcome("p1", ContactAction.Upsert, taken[0].Hash, OutcomeKind.Returned, null)]);

        Assert.Single(shard.TakePending(10));
    }

    [Fact]
    public void FailedContact_IsRejectedAndNotRetriedUntilItsDataChanges()
    {
        var shard = NewShard();
        shard.Apply([Joined("p1", 0, first: "A")]);
        var taken = shard.TakePending(10);
        shard.Complete([new ContactOutcome("p1", ContactAction.Upsert, taken[0].Hash, OutcomeKind.Failed, "bad")]);

        Assert.Empty(shard.TakePending(10));
        Assert.Equal(1, shard.GetCounters().Rejected);

        shard.Apply([Updated("p1", 1, "B")]);
        Assert.Single(shard.TakePending(10));
    }

    [Fact]
    public void ContactFailedInImport_IsSentAgainWithItsCount_WithoutARejection_AndAcceptanceResetsTheCount()
    {
        var shard = NewShard();
        shard.Apply([Joined("p1", 0)]);
        var first = Assert.Single(shard.TakePending(10));

        shard.Complete([new ContactOutcome("p1", first.Action, first.Hash, OutcomeKind.FailedInImport, null)]);
        var second = Assert.Single(shard.TakePending(10));
        shard.Complete([new ContactOutcome("p1", second.Action, second.Hash, OutcomeKind.FailedInImport, null)]);
        var third = Assert.Single(shard.TakePending(10));
        AcceptAll(shard, [third]);
        shard.Apply([Updated("p1", 1, "B")]);
        var afterChange = Assert.Single(shard.TakePending(10));

        Assert.Equal((0, 1, 2, 0), (first.ImportFailures, second.ImportFailures, third.ImportFailures, afterChange.ImportFailures));
        Assert.Equal(0, shard.GetCounters().Rejected);
    }

    [Fact]
    public void FullRun_ResendsEveryMemberAndUnsubscribesThoseThatLeft()
    {
        var shard = NewShard();
        shard.Apply([Joined("p1", 0, "1@example.com"), Joined("p2", 0, "2@example.com")]);
        AcceptAll(shard, shard.TakePending(10));
        shard.Apply([Left("p2", 1)]);
        AcceptAll(shard, shard.TakePending(10));

        var total = shard.BeginRun("run-1");

        Assert.Equal(2, total);
        var taken = shard.TakePending(10);
        Assert.Contains(taken, c => c.ProfileId == "p1" && c.Action == ContactAction.Upsert && c.InRun);
        Assert.Contains(taken, c => c.ProfileId == "p2" && c.Action == ContactAction.Unsubscribe && c.InRun);
        Assert.Equal(2, shard.GetCounters().RunRemaining);
        AcceptAll(shard, taken);
        Assert.Equal(0, shard.GetCounters().RunRemaining);
    }

    [Fact]
    public void ContactInFlightWhenTheRunBegins_CountsForTheRunOnceAccepted()
    {
        var shard = NewShard();
        shard.Apply([Joined("p1", 0)]);
        var inFlight = shard.TakePending(10);

        shard.BeginRun("run-1");
        var tally = shard.Complete(inFlight.Select(c => new ContactOutcome(c.ProfileId, c.Action, c.Hash, OutcomeKind.Accepted, null)).ToList());

        Assert.Equal((1, 0, 0), (tally.Sent, tally.Unsubscribed, tally.Failed));
        Assert.Equal(0, shard.GetCounters().RunRemaining);
        Assert.Empty(shard.TakePending(10));
    }

    [Fact]
    public void RunMemberThatLeavesBeforeBeingSent_NoLongerHoldsTheRunOpen()
    {
        var shard = NewShard();
        shard.Apply([Joined("p1", 0)]);
        shard.BeginRun("run-1");

        shard.Apply([Left("p1", 1)]);

        Assert.Empty(shard.TakePending(10));
        Assert.Equal(0, shard.GetCounters().RunRemaining);
    }

    [Fact]
    public void ReleasedLeases_AreTakenAgain()
    {
        var shard = NewShard();
        shard.Apply([Joined("p1", 0)]);
        shard.TakePending(10);

        shard.ReleaseLeases();

        Assert.Single(shard.TakePending(10));
    }

    [Fact]
    public void RejectionsKeepOnlyTheNewest()
    {
        var shard = NewShard();
        for (var i = 0; i < RejectionLog.MaxKept + 5; i++)
        {
            shard.Apply([Joined($"p{i}", 0, email: "bad")]);
        }

        Assert.Equal(RejectionLog.MaxKept, shard.GetRejections(null, int.MaxValue).Count);
        Assert.Equal(RejectionLog.MaxKept + 5, shard.GetCounters().Rejected);
        Assert.Equal($"p{RejectionLog.MaxKept + 4}", shard.GetRejections(null, 1)[0].ProfileId);
    }
}

public sealed class CapacityLeaseTests
{
    [Theory]
    [InlineData(null, 20L, 532L, 532L)]      // no cap: a whole chunk
    [InlineData(1_000_000L, 20L, 532L, 532L)] // plenty left: a whole chunk
    [InlineData(50L, 20L, 532L, 20L)]         // near the cap: only what is needed
    [InlineData(10L, 20L, 532L, 10L)]         // less than needed: what is left
    [InlineData(0L, 20L, 532L, 0L)]
    public void GrantsChunksOnlyWhilePlentyRemains(long? remaining, long needed, long wanted, long expected) =>
        Assert.Equal(expected, CapacityLease.Grant(remaining, needed, wanted));

    [Theory]
    [InlineData(null, 1_000_000L, 20L, 532L)] // no connection cap, plenty under the export's: a whole chunk
    [InlineData(null, 100L, 2000L, 100L)]     // the export's cap bounds the grant
    [InlineData(150L, 100L, 2000L, 100L)]     // the smaller of the two caps
    [InlineData(50L, 100L, 2000L, 50L)]
    [InlineData(0L, 100L, 20L, 0L)]
    [InlineData(1000L, 0L, 20L, 0L)]
    public void GrantsWithinBothTheExportsAndTheConnectionsCap(long? connectionRemaining, long exportRemaining, long needed, long expected) =>
        Assert.Equal(expected, CapacityLease.GrantWithin(connectionRemaining, exportRemaining, needed));
}
