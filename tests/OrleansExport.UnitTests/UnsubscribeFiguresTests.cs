using Microsoft.Extensions.Time.Testing;
using OrleansExport.Grains.ExportShards;
using OrleansExport.Grains.Members;

namespace OrleansExport.UnitTests;

/// <summary>
/// A shard's share of what the mass-unsubscribe guard weighs: the waiting unsubscribes it may hold are counted from the
/// leavers it noted, not by a scan of its whole queue, and the count is the same as that scan's after any sequence of changes.
/// </summary>
public sealed class UnsubscribeFiguresTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ContactMapping Mapping = new("EmailAddress", "FirstName", null, null, [], []);
    private readonly FakeTimeProvider _time = new(T0);
    private int _eventNumber;

    private SegmentEvent Event(string profile, SegmentEventType type, int minute, string segment = "s1", string? email = null) =>
        new($"e{_eventNumber++}", segment, profile, type, T0.AddMinutes(minute),
            type is SegmentEventType.Joined ? new Dictionary<string, string> { ["EmailAddress"] = email ?? $"{profile}@example.com", ["FirstName"] = "Ann" } : null);

    private static void AcceptAll(ExportShardRules shard, OutgoingContact[] taken) =>
        shard.Complete(taken.Select(c => new ContactOutcome(c.ProfileId, c.Action, c.Hash, OutcomeKind.Accepted, null)).ToList());

    [Fact]
    public void ALeaverQueuedAsAMemberInARun_IsCounted_AndOneThatCameBackOrIsInFlightIsNot()
    {
        var state = new ExportShardState { Config = new ShardConfig(["s1", "s2"], Mapping, LeaveAction.Unsubscribe) };
        var shard = new ExportShardRules(state, _time);
        shard.AddCapacity(100);
        shard.Apply([.. Enumerable.Range(0, 10).Select(i => Event($"p{i}", SegmentEventType.Joined, 0))]);
        AcceptAll(shard, shard.TakePending(10));

        // The run queues every member as a member; three of them leave while queued, one of those comes back.
        shard.BeginRun("run-1");
        shard.Apply([Event("p0", SegmentEventType.Left, 1), Event("p1", SegmentEventType.Left, 1), Event("p2", SegmentEventType.Left, 1)]);
        shard.Apply([Event("p2", SegmentEventType.Joined, 2)]);
        Assert.Equal(new UnsubscribeFigures(2, 10), shard.GetUnsubscribeFigures(countSubscribed: true));

        // A shard rebuilt from its stored state counts the same.
        Assert.Equal(new UnsubscribeFigures(2, 10), new ExportShardRules(state, _time).GetUnsubscribeFigures(countSubscribed: true));

        // Taken for sending (in flight), an unsubscribe is no longer the guard's to hold.
        var taken = shard.TakePending(100, holdUnsubscribes: false);
        Assert.Contains(taken, c => c.Action == ContactAction.Unsubscribe);
        Assert.Equal(0, shard.GetUnsubscribeFigures(countSubscribed: false).PendingUnsubscribes);
    }

    /// <summary>Random joins, leaves, erasures, takes (holding or not), outcomes, runs and rebuilds: the count always equals a scan of every member.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TheCount_EqualsAScanOfEveryMember_AfterAnySequenceOfChanges(int seed)
    {
        var random = new Random(seed);
        var state = new ExportShardState { Config = new ShardConfig(["s1", "s2"], Mapping, LeaveAction.Unsubscribe, EraseAction.Unsubscribe) };
        var shard = new ExportShardRules(state, _time);
        shard.AddCapacity(1_000);
        var inFlight = new List<OutgoingContact>();
        for (var step = 0; step < 2_000; step++)
        {
            var profile = $"p{random.Next(60)}";
            var segment = random.Next(3) == 0 ? "s2" : "s1";
            switch (random.Next(10))
            {
                case < 3:
                    shard.Apply([Event(profile, SegmentEventType.Joined, step, segment, email: random.Next(10) == 0 ? $"{profile}-{step}@example.com" : null)]);
                    break;
                case < 6:
                    shard.Apply([Event(profile, SegmentEventType.Left, step, segment)]);
                    break;
                case 6 when random.Next(5) == 0:
                    shard.Apply([Event(profile, SegmentEventType.Erased, step, segment)]);
                    break;
                case 7:
                    inFlight.AddRange(shard.TakePending(random.Next(1, 20), holdUnsubscribes: random.Next(2) == 0));
                    break;
                case 8 when inFlight.Count > 0:
                    var done = inFlight.Take(random.Next(1, inFlight.Count + 1)).ToList();
                    inFlight.RemoveRange(0, done.Count);
                    shard.Complete([.. done.Select(c => new ContactOutcome(c.ProfileId, c.Action, c.Hash,
                        random.Next(6) == 0 ? OutcomeKind.Unconfirmed : OutcomeKind.Accepted, null))]);
                    break;
                case 9 when random.Next(20) == 0:
                    shard.BeginRun($"run-{step}");
                    break;
                case 9 when random.Next(20) == 0 && inFlight.Count == 0:
                    shard = new ExportShardRules(state, _time);
                    break;
            }

            Assert.Equal(ScanForHoldable(state), shard.GetUnsubscribeFigures(countSubscribed: false).PendingUnsubscribes);
        }
    }

    /// <summary>What the guard counts, by its definition: queued (or held), not in flight, and an unsubscribe it may hold.</summary>
    private static long ScanForHoldable(ExportShardState state)
    {
        long count = 0;
        for (var slot = 0; slot < state.Members.Count; slot++)
        {
            var member = state.Members[slot];
            if (member.Has(MemberFlags.Dirty) && !member.Has(MemberFlags.Leased)
                && SendPolicy.ActionFor(member, state.Config!.OnLeave, state.Config.OnErase) is { } action && UnsubscribeGuard.IsHoldable(member, action))
            {
                count++;
            }
        }

        return count;
    }
}
