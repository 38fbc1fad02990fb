using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Serialization;
using OrleansExport.Grains.ExportShards;
using OrleansExport.Grains.Segments;
using Xunit.Abstractions;

namespace OrleansExport.UnitTests;

/// <summary>
/// What a writer can make a shard hold: events that change nothing allocate nothing, and a snapshot
/// remembers only members. Through the real rule classes
/// (<see cref="SegmentMembership"/> of a segment shard, <see cref="ExportShardRules"/> of an export shard).
/// </summary>
[Collection(Name)]
public sealed class StateBoundsTests(ITestOutputHelper output)
{
    /// <summary>Alone in the process: heap growth is measured process-wide.</summary>
    public const string Name = "state bounds";

    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
    private const int Flood = 1_000_000;
    private const int Batch = 4096;
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly ContactMapping Mapping = new("EmailAddress", "FirstName", null, null, [], []);

    /// <summary>Feeds <paramref name="count"/> generated events in stream-sized batches; returns the heap growth that survives a full GC.</summary>
    private static long RetainedBytes(int count, Func<int, SegmentEvent> make, Action<IReadOnlyList<SegmentEvent>> apply)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var batch = new List<SegmentEvent>(Batch);
        for (var i = 0; i < count; i++)
        {
            batch.Add(make(i));
            if (batch.Count == Batch || i == count - 1)
            {
                apply(batch);
                batch.Clear();
            }
        }

        batch = null;
        return GC.GetTotalMemory(forceFullCollection: true) - before;
    }

    private static SegmentEvent Left(int i, string? snapshotId = null) =>
        new($"flood-{i}", "s1", $"unknown-{i}", SegmentEventType.Left, T0.AddSeconds(i % 3600), null, snapshotId);

    [Fact]
    public void MillionLeavesForUnknownProfiles_AllocateNothingInTheSegmentShard()
    {
        var state = new SegmentShardState();
        var segment = new SegmentMembership(state);
        segment.Apply([new SegmentEvent("member", "s1", "member", SegmentEventType.Joined, T0, new Dictionary<string, string> { ["EmailAddress"] = "m@example.com" })]);
        var storedBefore = Serializer.SerializeToArray(state).Length;
        long forwarded = 0;

        var retained = RetainedBytes(Flood, i => Left(i), batch => forwarded += segment.Apply(batch).Forward.Count);

        var stored = Serializer.SerializeToArray(state).Length;
        output.WriteLine($"segment shard after {Flood:N0} leaves of unknown profiles: {state.Members.Count} slot(s), stored state {storedBefore} -> {stored} bytes, heap growth {retained:N0} bytes");
        Assert.Equal(1, state.Members.Count);
        // Only the fixed table of recent leaves (so a late older join stays stale) fills up: at most ~20 bytes an entry.
        Assert.True(stored - storedBefore <= RecentLeaves.Capacity * 20, $"stored state grew from {storedBefore} to {stored} bytes");
        Assert.Equal(0, forwarded);
        Assert.True(retained < 1024 * 1024, $"the shard kept {retained:N0} bytes (a slot per profile would be tens of MB)");
    }

    [Fact]
    public void MillionLeavesForUnknownProfiles_AllocateNothingInTheExportShard()
    {
        var state = new ExportShardState { Config = new ShardConfig(["s1"], Mapping, LeaveAction.Unsubscribe) };
        var shard = new ExportShardRules(state, new FakeTimeProvider(T0));
        shard.AddCapacity(1000);
        var storedBefore = Serializer.SerializeToArray(state).Length;

        var retained = RetainedBytes(Flood, i => Left(i), batch => shard.Apply(batch));

        Assert.Equal(Flood, state.EventsReceived);
        state.EventsReceived = 0; // a counter, compared apart: its encoding grows with the number
        var stored = Serializer.SerializeToArray(state).Length;
        output.WriteLine($"export shard after {Flood:N0} leaves of unknown profiles: {state.Members.Count} slot(s), stored state {storedBefore} -> {stored} bytes, pending {shard.PendingEstimate}, heap growth {retained:N0} bytes");
        Assert.Equal(0, state.Members.Count);
        Assert.Equal(storedBefore, stored);
        Assert.Equal(0, shard.PendingEstimate);
        Assert.True(retained < 1024 * 1024, $"the shard kept {retained:N0} bytes (a slot per profile would be tens of MB)");
    }

    [Fact]
    public void SnapshotNamingProfilesThatAreNotMembers_RemembersNone()
    {
        var state = new SegmentShardState();
        var segment = new SegmentMembership(state);
        segment.Apply([
            new SegmentEvent("member", "s1", "member", SegmentEventType.Joined, T0, new Dictionary<string, string> { ["EmailAddress"] = "m@example.com" }),
            new SegmentEvent("start", "s1", "", SegmentEventType.SnapshotStarted, T0.AddHours(1), null, "snap"),
        ]);

        RetainedBytes(100_000, i => Left(i, "snap") with { OccurredAt = T0.AddHours(2) }, batch => segment.Apply(batch));
        segment.Apply([new SegmentEvent("again", "s1", "member", SegmentEventType.Updated, T0.AddHours(2), new Dictionary<string, string> { ["EmailAddress"] = "m@example.com" }, "snap")]);

        Assert.Equal(["member"], state.Snapshot!.Seen);
        Assert.Equal(1, state.Members.Count);
    }
}

[CollectionDefinition(StateBoundsTests.Name, DisableParallelization = true)]
public sealed class StateBoundsCollection;
