namespace OrleansExport.IntegrationTests;

/// <summary>
/// A <c>snapshotCompleted</c> that overtakes its own joins (Event Hubs puts markers and joins on different partitions)
/// removes, after <c>Ingest:SnapshotGrace</c> (2 s in tests), only the members the snapshot did not name.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class SnapshotGraceTests(SiloFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task CompletionBeforeTheSnapshotsJoins_UnsubscribesOnlyTheMemberItDidNotName_AndNamedMembersAreNeverUnsubscribed()
    {
        const string segment = "seg-snap-grace";
        var listId = fixture.Simulator.State.NewList("l-snap-grace");
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await Api.CreateExportAsync(fixture, connection, segment, listId);
        await Api.PostEventsAsync(fixture, new[] { "ann", "bob", "cid" }.Select(p => Api.Joined(segment, $"sg-{p}", $"sg-{p}@example.com", T0)));
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, listId).Count == 3), "the three members to be subscribed");

        // The markers' partition is ahead: the completion arrives before the snapshot's joins, which carry the
        // members' original occurredAt (they did not change).
        await Api.PostEventsAsync(fixture, [
            new("sg-start", segment, "", SegmentEventType.SnapshotStarted, T0.AddHours(1), null, "sg-1"),
            new("sg-end", segment, "", SegmentEventType.SnapshotCompleted, T0.AddHours(1).AddMinutes(1), null, "sg-1"),
            Api.Joined(segment, "sg-ann", "sg-ann@example.com", T0) with { SnapshotId = "sg-1" },
            Api.Joined(segment, "sg-bob", "sg-bob@example.com", T0) with { SnapshotId = "sg-1" }]);

        await Api.EventuallyAsync(() => Task.FromResult(fixture.Simulator.State.GetListContacts(listId).Any(c => c.Email == "sg-cid@example.com" && c.Status == 2)),
            "cid, whom the snapshot did not name, to be unsubscribed after the grace", TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(2)); // a few batch delays: time enough for a wrong unsubscribe to land

        Assert.Equal(["sg-ann@example.com", "sg-bob@example.com"], Api.SubscribedEmails(fixture, listId).Order());
        Assert.Equal(1, fixture.Simulator.State.GetListContacts(listId).Count(c => c.Status == 2));
        Assert.Equal(2, (await Api.GetExportAsync(fixture, export)).GetProperty("members").GetInt64());
    }
}
