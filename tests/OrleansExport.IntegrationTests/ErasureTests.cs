using System.Net;
using System.Text.Json;

namespace OrleansExport.IntegrationTests;

/// <summary>
/// Right to erasure in a cluster with the simulator: an erasure posted for one segment takes the profile out of
/// every segment and every export, and its contact is unsubscribed, or deleted with onErase=delete. Also: the
/// profile cap is reusable after members leave, whichever shards the new members land in.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class ErasureTests(SiloFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static SegmentEvent Erased(string segment, string profile, DateTimeOffset at) =>
        new(Guid.NewGuid().ToString("N"), segment, profile, SegmentEventType.Erased, at, null);

    private readonly Dictionary<string, string> _lists = [];

    /// <summary>The numeric id of the simulator list this test calls <paramref name="name"/>, created on first use.</summary>
    private string List(string name) => _lists.TryGetValue(name, out var id) ? id : _lists[name] = fixture.Simulator.State.NewList(name);

    private async Task<string> CreateExportAsync(string connection, string segment, string list, string onLeave = "unsubscribe", string? onErase = null)
    {
        var response = await fixture.Client().PostJsonAsync("/api/exports", new
        {
            displayName = "Erasure",
            connectionId = connection,
            listId = List(list),
            segmentIds = new[] { segment },
            mapping = new { email = "EmailAddress", firstName = "FirstName" },
            onLeave,
            onErase,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var export = (await response.ReadAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Api.RunToEndAsync(fixture, export);
        return export;
    }

    private async Task<long> SegmentMembersAsync(string segment)
    {
        var response = await fixture.Client().GetAsync($"/api/segments/{segment}");
        return response.StatusCode == HttpStatusCode.OK ? (await response.ReadAsync<JsonElement>()).GetProperty("members").GetInt64() : -1;
    }

    private SimContactStatus StatusOn(string list, string email) =>
        fixture.Simulator.State.GetListContacts(List(list)).FirstOrDefault(c => c.Email == email) is { } contact ? (SimContactStatus)contact.Status : SimContactStatus.Absent;

    private enum SimContactStatus { Absent = 0, Subscribed = 1, Unsubscribed = 2 }

    [Fact]
    public async Task ErasurePostedForOneSegment_UnsubscribesTheContactFromTheListsOfEveryExportHoldingIt_EvenWithOnLeaveKeep()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        await Api.PostEventsAsync(fixture, [
            Api.Joined("seg-er-a", "er-ann", "er-ann@example.com", T0), Api.Joined("seg-er-a", "er-bob", "er-bob@example.com", T0),
            Api.Joined("seg-er-b", "er-ann", "er-ann@example.com", T0)]);
        await Api.EventuallyAsync(async () => await SegmentMembersAsync("seg-er-a") == 2 && await SegmentMembersAsync("seg-er-b") == 1, "both segments to hold their members");
        var keep = await CreateExportAsync(connection, "seg-er-a", "l-er-keep", onLeave: "keep");
        var other = await CreateExportAsync(connection, "seg-er-b", "l-er-other");
        await Api.EventuallyAsync(() => Task.FromResult(StatusOn("l-er-keep", "er-ann@example.com") == SimContactStatus.Subscribed
            && StatusOn("l-er-other", "er-ann@example.com") == SimContactStatus.Subscribed), "ann to be on both lists");

        await Api.PostEventsAsync(fixture, [Erased("seg-er-a", "er-ann", T0.AddMinutes(1))]);

        await Api.EventuallyAsync(() => Task.FromResult(StatusOn("l-er-keep", "er-ann@example.com") == SimContactStatus.Unsubscribed
            && StatusOn("l-er-other", "er-ann@example.com") == SimContactStatus.Unsubscribed), "ann to be unsubscribed from both lists");
        Assert.Equal(SimContactStatus.Subscribed, StatusOn("l-er-keep", "er-bob@example.com"));
        Assert.Equal((1L, 0L), (await SegmentMembersAsync("seg-er-a"), await SegmentMembersAsync("seg-er-b")));
        foreach (var export in new[] { keep, other })
        {
            var status = await Api.GetExportAsync(fixture, export);
            Assert.Equal(("unsubscribe", 1L), (status.GetProperty("onErase").GetString(), status.GetProperty("erased").GetInt64()));
        }

        // A run afterwards and a late join older than the erasure bring nothing back.
        await Api.PostEventsAsync(fixture, [Api.Joined("seg-er-a", "er-ann", "er-ann@example.com", T0.AddSeconds(30))]);
        await Api.RunToEndAsync(fixture, keep);
        Assert.Equal(SimContactStatus.Unsubscribed, StatusOn("l-er-keep", "er-ann@example.com"));
        Assert.Equal(1, (await Api.GetExportAsync(fixture, keep)).GetProperty("members").GetInt64());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public async Task JoinDeliveredAgainAfterItsErasure_LeavesTheContactUnsubscribed_AndThePersonOutOfTheSegment(int eraseMinutesAfterJoin)
    {
        var segment = $"seg-er-replay{-eraseMinutesAfterJoin}";
        var list = $"l-er-replay{-eraseMinutesAfterJoin}";
        var connection = await Api.CreateConnectionAsync(fixture);
        var joined = Api.Joined(segment, "rep-ann", $"rep-ann{-eraseMinutesAfterJoin}@example.com", T0, eventId: $"join-{Guid.NewGuid():N}");
        await Api.PostEventsAsync(fixture, [joined]);
        await Api.EventuallyAsync(async () => await SegmentMembersAsync(segment) == 1, "the segment to hold ann");
        var export = await CreateExportAsync(connection, segment, list);
        await Api.EventuallyAsync(() => Task.FromResult(StatusOn(list, joined.Attributes!["EmailAddress"]) == SimContactStatus.Subscribed), "ann to be subscribed");
        await Api.PostEventsAsync(fixture, [Erased(segment, "rep-ann", T0.AddMinutes(eraseMinutesAfterJoin))]);
        await Api.EventuallyAsync(() => Task.FromResult(StatusOn(list, joined.Attributes!["EmailAddress"]) == SimContactStatus.Unsubscribed), "ann to be unsubscribed");

        // An HTTP retry or an Event Hubs rewind delivers the join again, followed by someone else's join as a marker.
        var marker = Api.Joined(segment, "rep-bob", $"rep-bob{-eraseMinutesAfterJoin}@example.com", T0);
        await Api.PostEventsAsync(fixture, [joined, marker]);
        await Api.EventuallyAsync(() => Task.FromResult(StatusOn(list, marker.Attributes!["EmailAddress"]) == SimContactStatus.Subscribed), "the marker to be subscribed");
        await Task.Delay(TimeSpan.FromSeconds(3)); // a few of the test's batch delays: time enough for a wrong resubscribe

        Assert.Equal(SimContactStatus.Unsubscribed, StatusOn(list, joined.Attributes!["EmailAddress"]));
        Assert.Equal(1, await SegmentMembersAsync(segment));
        Assert.Equal(1, (await Api.GetExportAsync(fixture, export)).GetProperty("members").GetInt64());
    }

    [Fact]
    public async Task ErasureForAnExportWithOnEraseDelete_DeletesTheContactFromTheAccount_AndARunDoesNotRecreateIt()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        await Api.PostEventsAsync(fixture, [Api.Joined("seg-er-del", "del-ann", "del-ann@example.com", T0), Api.Joined("seg-er-del", "del-bob", "del-bob@example.com", T0)]);
        await Api.EventuallyAsync(async () => await SegmentMembersAsync("seg-er-del") == 2, "the segment to hold its members");
        var export = await CreateExportAsync(connection, "seg-er-del", "l-er-del", onErase: "delete");
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, List("l-er-del")).Count == 2), "both contacts on the list");
        var deletedBefore = fixture.Simulator.State.GetStats().ContactsDeleted;

        await Api.PostEventsAsync(fixture, [Erased("seg-er-del", "del-ann", T0.AddMinutes(1))]);

        await Api.EventuallyAsync(() => Task.FromResult(StatusOn("l-er-del", "del-ann@example.com") == SimContactStatus.Absent), "ann's contact to be deleted");
        Assert.Equal(deletedBefore + 1, fixture.Simulator.State.GetStats().ContactsDeleted);
        using var lookup = new HttpClient { BaseAddress = fixture.Simulator.BaseAddress };
        lookup.DefaultRequestHeaders.Add("Api-Token", SiloFixture.SimulatorApiKey);
        var found = await (await lookup.GetAsync("api/3/contacts?email=del-ann%40example.com")).ReadAsync<JsonElement>();
        Assert.Equal(0, found.GetProperty("contacts").GetArrayLength());

        await Api.RunToEndAsync(fixture, export);
        Assert.Equal(["del-bob@example.com"], Api.SubscribedEmails(fixture, List("l-er-del")));
        Assert.Equal(SimContactStatus.Absent, StatusOn("l-er-del", "del-ann@example.com"));
        Assert.Equal(1, (await Api.GetExportAsync(fixture, export)).GetProperty("erased").GetInt64());
    }

    [Fact]
    public async Task OnErase_IsSetOnCreate_ChangedByPatch_AndAnUnknownValueIs400()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await CreateExportAsync(connection, "seg-er-patch", "l-er-patch");

        var patched = await fixture.Client().PatchJsonAsync($"/api/exports/{export}", new { onErase = "delete" });
        var refused = await fixture.Client().PatchJsonAsync($"/api/exports/{export}", new { onErase = "shred" });

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal("delete", (await patched.ReadAsync<JsonElement>()).GetProperty("onErase").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("delete", (await Api.GetExportAsync(fixture, export)).GetProperty("onErase").GetString());
    }

    [Fact]
    public async Task ErasureFromAKeyWithASegmentScope_IsRejected_SinceItWouldReachSegmentsBeyondTheScope()
    {
        var segment = $"{SiloFixture.ScopePrefix}{Guid.NewGuid():N}";
        await Api.PostEventsAsync(fixture, [Api.Joined(segment, "scoped-ann", "scoped-ann@example.com", T0)]);
        await Api.EventuallyAsync(async () => await SegmentMembersAsync(segment) == 1, "the segment to hold its member");

        var response = await fixture.Client(SiloFixture.ScopedIngestKey).PostJsonAsync("/api/events", new[] { Api.Json(Erased(segment, "scoped-ann", T0.AddMinutes(1))) });

        var result = await response.ReadAsync<JsonElement>();
        Assert.Equal((HttpStatusCode.Accepted, 0), (response.StatusCode, result.GetProperty("accepted").GetInt32()));
        Assert.Contains("key without a segment scope", Assert.Single(result.GetProperty("rejected").EnumerateArray()).GetProperty("reason").GetString());
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await SegmentMembersAsync(segment));
    }

    [Fact]
    public async Task ProfileCap_IsReusableAfterMembersLeave_WhicheverShardsTheNewMembersLandIn()
    {
        const string segment = "seg-cap-reuse";
        var connection = await Api.CreateConnectionAsync(fixture, profileCap: 8);
        var export = await Api.CreateExportAsync(fixture, connection, segment, List("l-cap-reuse"));
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 8).Select(i => Api.Joined(segment, $"old{i}", $"old{i}@example.com", T0)));
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("members").GetInt64() == 8, "the first eight to be members");

        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 8).Select(i => Api.Left(segment, $"old{i}", T0.AddMinutes(1))));
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("members").GetInt64() == 0, "the first eight to leave");
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 8).Select(i => Api.Joined(segment, $"new{i}", $"new{i}@example.com", T0.AddMinutes(2))));

        var expected = Enumerable.Range(0, 8).Select(i => $"new{i}@example.com").ToHashSet();
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, List("l-cap-reuse")).SetEquals(expected)), "the eight new members to be on the list");
        var status = await Api.GetExportAsync(fixture, export);
        Assert.Equal((8L, 0L), (status.GetProperty("members").GetInt64(), status.GetProperty("skippedByCap").GetInt64()));
    }
}
