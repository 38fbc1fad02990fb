using Microsoft.Extensions.Time.Testing;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains.ExportShards;
using OrleansExport.Grains.Members;

namespace OrleansExport.UnitTests;

/// <summary>What a member's story says of its contact in ActiveCampaign: the contact id once seen, and when ActiveCampaign last accepted it.</summary>
public sealed class MemberLookupTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 9, 30, 15, TimeSpan.Zero);
    private static readonly ContactMapping Mapping = new("EmailAddress", "FirstName", null, null, [], []);
    private readonly FakeTimeProvider _time = new(T0);
    private readonly ExportShardState _state = new() { Config = new ShardConfig(["s1"], Mapping, LeaveAction.Unsubscribe, EraseAction.Delete) };
    private int _eventNumber;

    private ExportShardRules NewShard()
    {
        var shard = new ExportShardRules(_state, _time);
        shard.AddCapacity(100);
        return shard;
    }

    private SegmentEvent Event(string profile, SegmentEventType type, int minute, string first = "Ann") =>
        new($"e{_eventNumber++}", "s1", profile, type, T0.AddMinutes(minute),
            type is SegmentEventType.Joined or SegmentEventType.Updated
                ? new Dictionary<string, string> { ["EmailAddress"] = $"{profile}@example.com", ["FirstName"] = first }
                : null);

    private static void Answer(ExportShardRules shard, OutcomeKind kind, string? contactId = null) =>
        shard.Complete(shard.TakePending(100).Select(c => new ContactOutcome(c.ProfileId, c.Action, c.Hash, kind, null, ContactId: contactId)).ToList());

    [Fact]
    public void NeverSent_HasNoContactIdAndNoLastSent()
    {
        var shard = NewShard();
        shard.Apply([Event("p1", SegmentEventType.Joined, 0)]);

        var story = shard.Story("p1")!;
        Assert.Equal((MemberState.Pending, null, null), (story.State, story.ContactId, story.LastSentAt));
    }

    [Fact]
    public void AcceptedThroughTheContactApi_KeepsItsContactIdAndWhenItWasAccepted()
    {
        var shard = NewShard();
        shard.Apply([Event("p1", SegmentEventType.Joined, 0)]);
        _time.Advance(TimeSpan.FromMinutes(2));
        Answer(shard, OutcomeKind.Accepted, contactId: "4711");

        var story = shard.Story("p1")!;
        Assert.Equal((MemberState.InSync, "4711", T0.AddMinutes(2)), (story.State, story.ContactId, story.LastSentAt));
    }

    [Fact]
    public void ABulkImportLaterAccepted_KeepsTheIdLearnedBefore_AndMovesLastSent()
    {
        var shard = NewShard();
        shard.Apply([Event("p1", SegmentEventType.Joined, 0)]);
        Answer(shard, OutcomeKind.Accepted, contactId: "12");
        shard.Apply([Event("p1", SegmentEventType.Updated, 1, first: "Anne")]);
        _time.Advance(TimeSpan.FromHours(1));
        Answer(shard, OutcomeKind.Accepted);

        var story = shard.Story("p1")!;
        Assert.Equal(("12", T0.AddHours(1)), (story.ContactId, story.LastSentAt));
    }

    [Fact]
    public void OutcomesThatAreNotAcceptances_LeaveLastSentAlone()
    {
        var shard = NewShard();
        shard.Apply([Event("p1", SegmentEventType.Joined, 0), Event("p2", SegmentEventType.Joined, 0)]);
        Answer(shard, OutcomeKind.Unconfirmed);
        Answer(shard, OutcomeKind.Returned);

        Assert.Null(shard.Story("p1")!.LastSentAt);
        Assert.Null(shard.Story("p2")!.LastSentAt);
    }

    [Fact]
    public void AnErasedProfile_KeepsNeitherItsContactIdNorWhenItWasSent()
    {
        var shard = new ExportShardRules(new ExportShardState { Config = new ShardConfig(["s1"], Mapping, LeaveAction.Unsubscribe, EraseAction.Unsubscribe) }, _time);
        shard.AddCapacity(100);
        shard.Apply([Event("p1", SegmentEventType.Joined, 0)]);
        Answer(shard, OutcomeKind.Accepted, contactId: "12");
        shard.Apply([Event("p1", SegmentEventType.Erased, 1)]);
        Answer(shard, OutcomeKind.Accepted);

        var story = shard.Story("p1")!;
        Assert.Equal((MemberState.Erased, null, null), (story.State, story.ContactId, story.LastSentAt));
    }

    [Fact]
    public void AnAcceptedDelete_ForgetsTheContactId()
    {
        var shard = NewShard();
        shard.Apply([Event("p1", SegmentEventType.Joined, 0)]);
        Answer(shard, OutcomeKind.Accepted, contactId: "12");
        shard.Apply([Event("p1", SegmentEventType.Erased, 1)]);
        Answer(shard, OutcomeKind.Accepted);

        Assert.Null(shard.Story("p1")!.ContactId);
    }

    [Fact]
    public void AReconciliationsRead_TeachesContactIds_AndAMemberMissingFromTheListForgetsIt()
    {
        var shard = NewShard();
        shard.Apply([Event("p1", SegmentEventType.Joined, 0), Event("p2", SegmentEventType.Joined, 0)]);
        Answer(shard, OutcomeKind.Accepted);

        shard.BeginReconciliation("r1");
        var (matched, _) = shard.Reconcile("r1", ContactListStatus.Active, ["P1@example.com", "stranger@example.com"], ["901", "902"])!.Value;
        Assert.Equal([true, false], matched);
        Assert.Equal("901", shard.Story("p1")!.ContactId);
        Assert.Null(shard.Story("p2")!.ContactId);

        shard.ApplyListFacts(shard.EndReconciliation("r1")!);
        Assert.Equal(("901", (string?)null), (shard.Story("p1")!.ContactId, shard.Story("p2")!.ContactId));
    }

    [Theory]
    [InlineData("77", 77u)]
    [InlineData("4294967295", uint.MaxValue)]
    [InlineData("4294967296", 0u)]
    [InlineData("-3", 0u)]
    [InlineData("abc", 0u)]
    [InlineData(null, 0u)]
    public void ContactIds_ThatAreNotNumbersThatFit_AreUnknown(string? contactId, uint kept) =>
        Assert.Equal(kept, MemberSlot.ContactIdFrom(contactId));

    [Fact]
    public void MemberClock_KeepsWholeSeconds_AndZeroIsNever()
    {
        Assert.Null(MemberClock.FromSeconds(0));
        Assert.Equal(T0, MemberClock.FromSeconds(MemberClock.ToSeconds(T0.AddMilliseconds(400))));
    }
}
