using System.Net;
using System.Text.Json;

namespace OrleansExport.IntegrationTests;

/// <summary>
/// Segments are state: an export created or changed later starts from the segment's members; saving sends
/// nothing; PATCH, pause and resume do what docs/api.md section 2.4 says, each ending with the list exactly right.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class SegmentsAsStateTests(SiloFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private string NewList(string name) => fixture.Simulator.State.NewList(name);

    /// <summary>Members of <paramref name="segment"/>, posted and applied before anything exports it.</summary>
    private async Task SeedSegmentAsync(string segment, int count, string prefix, Func<int, string>? first = null)
    {
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, count).Select(i =>
            Api.Joined(segment, $"{prefix}{i}", $"{prefix}{i}@example.com", T0, first: first?.Invoke(i) ?? "Ann")));
        await Api.EventuallyAsync(async () => await SegmentMembersAsync(segment) == count, $"segment {segment} to hold {count} members");
    }

    private async Task<long> SegmentMembersAsync(string segment)
    {
        var response = await fixture.Client().GetAsync($"/api/segments/{segment}");
        return response.StatusCode == HttpStatusCode.OK ? (await response.ReadAsync<JsonElement>()).GetProperty("members").GetInt64() : -1;
    }

    private async Task<string> CreateExportAsync(string connection, string[] segments, string listId, bool excludeAutomations = false)
    {
        var response = await fixture.Client().PostJsonAsync("/api/exports", new
        {
            displayName = "Segment view",
            connectionId = connection,
            listId,
            segmentIds = segments,
            mapping = new { email = "EmailAddress", firstName = "FirstName" },
            onLeave = "unsubscribe",
            excludeAutomations,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<JsonElement> PatchAsync(string export, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await fixture.Client().PatchJsonAsync($"/api/exports/{export}", body);
        Assert.Equal(expected, response.StatusCode);
        return await response.ReadAsync<JsonElement>();
    }

    private async Task<JsonElement> PostAsync(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await fixture.Client().PostAsync(path, null);
        Assert.Equal(expected, response.StatusCode);
        return await response.ReadAsync<JsonElement>();
    }

    private Task EventuallyListIsAsync(string listId, IEnumerable<string> emails) =>
        Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, listId).SetEquals(emails)),
            $"list {listId} to hold exactly the expected contacts", TimeSpan.FromSeconds(90),
            () => Task.FromResult($"{Api.SubscribedEmails(fixture, listId).Count} subscribed"));

    private static IEnumerable<string> Emails(string prefix, int count) => Enumerable.Range(0, count).Select(i => $"{prefix}{i}@example.com");

    [Fact]
    public async Task NewExportOfASegmentWithMembers_SendsNothingUntilItsFirstRun_ThenExactlyTheMembers()
    {
        await SeedSegmentAsync("seg-backfill", 300, "bf");
        var connection = await Api.CreateConnectionAsync(fixture);
        var listId = NewList("l-backfill");

        var export = await CreateExportAsync(connection, ["seg-backfill"], listId);

        var status = await Api.GetExportAsync(fixture, export);
        Assert.Equal((300L, 300L, true), (status.GetProperty("members").GetInt64(), status.GetProperty("pending").GetInt64(), status.GetProperty("awaitingFirstRun").GetBoolean()));
        await Task.Delay(TimeSpan.FromSeconds(3)); // three batch delays: anything that would be sent continuously would be by now
        Assert.Empty(fixture.Simulator.State.GetListContacts(listId));

        var run = await Api.RunToEndAsync(fixture, export);

        Assert.Equal(("succeeded", 300L), (run.GetProperty("status").GetString(), run.GetProperty("total").GetInt64()));
        await EventuallyListIsAsync(listId, Emails("bf", 300));
        Assert.False((await Api.GetExportAsync(fixture, export)).GetProperty("awaitingFirstRun").GetBoolean());
        var segment = await (await fixture.Client().GetAsync("/api/segments/seg-backfill")).ReadAsync<JsonElement>();
        Assert.Equal([export], segment.GetProperty("exportIds").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task TwoExportsOfOneSegment_EachGetsEveryMember_AndLaterChangesReachBoth()
    {
        await SeedSegmentAsync("seg-two", 120, "two");
        var connection = await Api.CreateConnectionAsync(fixture);
        var (listA, listB) = (NewList("l-two-a"), NewList("l-two-b"));
        var first = await CreateExportAsync(connection, ["seg-two"], listA);
        var second = await CreateExportAsync(connection, ["seg-two"], listB);
        await Api.RunToEndAsync(fixture, first);
        await Api.RunToEndAsync(fixture, second);

        await Api.PostEventsAsync(fixture, [Api.Left("seg-two", "two0", T0.AddMinutes(1)), Api.Joined("seg-two", "two-new", "two-new@example.com", T0.AddMinutes(1))]);

        var expected = Emails("two", 120).Skip(1).Append("two-new@example.com").ToList();
        await EventuallyListIsAsync(listA, expected);
        await EventuallyListIsAsync(listB, expected);
    }

    [Fact]
    public async Task MappingChange_MakesPendingExactlyTheMembersWhoseDataChanged()
    {
        // Ten of forty members have a nickname: first name from "Nick" changes only theirs.
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 40).Select(i =>
        {
            var joined = Api.Joined("seg-remap", $"rm{i}", $"rm{i}@example.com", T0);
            var attributes = new Dictionary<string, string>(joined.Attributes!) { ["Nick"] = i < 10 ? $"Nick{i}" : "Ann" };
            return joined with { Attributes = attributes };
        }));
        await Api.EventuallyAsync(async () => await SegmentMembersAsync("seg-remap") == 40, "segment seg-remap to hold 40 members");
        var connection = await Api.CreateConnectionAsync(fixture);
        var listId = NewList("l-remap");
        var export = await CreateExportAsync(connection, ["seg-remap"], listId);
        await Api.RunToEndAsync(fixture, export);
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("inSync").GetInt64() == 40, "40 in sync");

        await PostAsync($"/api/exports/{export}/pause");
        var changed = await PatchAsync(export, new { mapping = new { email = "EmailAddress", firstName = "Nick" } });

        Assert.Equal((10L, 30L), (changed.GetProperty("pending").GetInt64(), changed.GetProperty("inSync").GetInt64()));
        Assert.Equal("Nick", changed.GetProperty("mapping").GetProperty("firstName").GetString());
        var history = changed.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(["created", "paused", "updated"], history.Select(h => h.GetProperty("action").GetString()));
        Assert.Equal(("alice", "mapping"), (history[^1].GetProperty("by").GetString(), history[^1].GetProperty("fields")[0].GetString()));

        await PostAsync($"/api/exports/{export}/resume");
        await Api.EventuallyAsync(() => Task.FromResult(fixture.Simulator.State.GetListContacts(listId).Count(c => c.FirstName?.StartsWith("Nick") == true) == 10),
            "the ten nicknames in ActiveCampaign");
        Assert.Equal(40, Api.SubscribedEmails(fixture, listId).Count);
    }

    [Fact]
    public async Task AddedSegmentBringsItsMembers_RemovedSegmentLetsOnlyItsOwnMembersLeave()
    {
        await SeedSegmentAsync("seg-edit-a", 30, "ea");
        await SeedSegmentAsync("seg-edit-b", 20, "eb");
        // ea0..ea4 are in both segments.
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 5).Select(i => Api.Joined("seg-edit-b", $"ea{i}", $"ea{i}@example.com", T0)));
        await Api.EventuallyAsync(async () => await SegmentMembersAsync("seg-edit-b") == 25, "segment seg-edit-b to hold 25 members");
        var connection = await Api.CreateConnectionAsync(fixture);
        var listId = NewList("l-edit");
        var export = await CreateExportAsync(connection, ["seg-edit-a"], listId);
        await Api.RunToEndAsync(fixture, export);
        await EventuallyListIsAsync(listId, Emails("ea", 30));

        var added = await PatchAsync(export, new { segmentIds = new[] { "seg-edit-a", "seg-edit-b" } });
        Assert.Equal(50, added.GetProperty("members").GetInt64());
        await EventuallyListIsAsync(listId, Emails("ea", 30).Concat(Emails("eb", 20)));

        var removed = await PatchAsync(export, new { segmentIds = new[] { "seg-edit-b" } });
        Assert.Equal(25, removed.GetProperty("members").GetInt64());
        await EventuallyListIsAsync(listId, Emails("ea", 5).Concat(Emails("eb", 20)));
    }

    [Fact]
    public async Task NewList_GetsEveryMember_AndTheOldListIsLeftAsItIs()
    {
        await SeedSegmentAsync("seg-move", 60, "mv");
        var connection = await Api.CreateConnectionAsync(fixture);
        var (oldList, newList) = (NewList("l-move-old"), NewList("l-move-new"));
        var export = await CreateExportAsync(connection, ["seg-move"], oldList);
        await Api.RunToEndAsync(fixture, export);
        await EventuallyListIsAsync(oldList, Emails("mv", 60));

        var moved = await PatchAsync(export, new { listId = newList, displayName = "Moved" });

        Assert.Equal(("Moved", newList), (moved.GetProperty("displayName").GetString(), moved.GetProperty("listId").GetString()));
        await EventuallyListIsAsync(newList, Emails("mv", 60));
        Assert.Equal(60, Api.SubscribedEmails(fixture, oldList).Count);
    }

    [Fact]
    public async Task Patch_IsValidatedLikeCreate_AndRefusedWhileARunIsQueuedOrRunning()
    {
        await SeedSegmentAsync("seg-patch-409", 600, "p409");
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await CreateExportAsync(connection, ["seg-patch-409"], NewList("l-patch-409"));

        var missingList = await PatchAsync(export, new { listId = "999999999" }, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("listId", missingList.GetProperty("field").GetString());
        var noSegments = await PatchAsync(export, new { segmentIds = Array.Empty<string>() }, HttpStatusCode.BadRequest);
        Assert.Equal("segmentIds", noSegments.GetProperty("field").GetString());
        var connectionChange = await PatchAsync(export, new { connectionId = "con-other" }, HttpStatusCode.BadRequest);
        Assert.Contains("connectionId", connectionChange.GetProperty("detail").GetString());

        await PostAsync($"/api/exports/{export}/runs", HttpStatusCode.Accepted);
        var during = await PatchAsync(export, new { displayName = "During the run" }, HttpStatusCode.Conflict);
        Assert.Contains("run", during.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task PausedExport_KeepsApplyingEvents_SendsNothing_RefusesRuns_UntilResumed()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var listId = NewList("l-pause");
        var export = await Api.CreateExportAsync(fixture, connection, "seg-pause", listId);

        var paused = await PostAsync($"/api/exports/{export}/pause");
        Assert.Contains("alice", paused.GetProperty("paused").GetString());
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 50).Select(i => Api.Joined("seg-pause", $"ps{i}", $"ps{i}@example.com", T0)));
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("members").GetInt64() == 50, "50 members while paused");
        await PostAsync($"/api/exports/{export}/runs", HttpStatusCode.Conflict);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Empty(fixture.Simulator.State.GetListContacts(listId));

        var resumed = await PostAsync($"/api/exports/{export}/resume");

        Assert.Equal(JsonValueKind.Null, resumed.GetProperty("paused").ValueKind);
        await EventuallyListIsAsync(listId, Emails("ps", 50));
    }

    [Fact]
    public async Task ExcludeAutomations_IsSentWithEveryBulkImport_AndCanBeChanged()
    {
        await SeedSegmentAsync("seg-no-automations", 260, "na");
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await CreateExportAsync(connection, ["seg-no-automations"], NewList("l-no-automations"), excludeAutomations: true);
        var before = fixture.Simulator.State.GetStats().ImportsExcludingAutomations;

        await Api.RunToEndAsync(fixture, export);

        Assert.True(fixture.Simulator.State.GetStats().ImportsExcludingAutomations > before, "no bulk import said exclude_automations");
        Assert.True((await Api.GetExportAsync(fixture, export)).GetProperty("excludeAutomations").GetBoolean());
        var changed = await PatchAsync(export, new { excludeAutomations = false });
        Assert.False(changed.GetProperty("excludeAutomations").GetBoolean());
        Assert.Equal("excludeAutomations", changed.GetProperty("history").EnumerateArray().Last().GetProperty("fields")[0].GetString());
    }

    [Fact]
    public async Task Segments_AreListedWithMembersLastEventAndExports_AndAnUnknownOneIs404()
    {
        await SeedSegmentAsync("seg-listed", 7, "ls");

        var segments = await (await fixture.Client().GetAsync("/api/segments")).ReadAsync<JsonElement>();
        var listed = segments.EnumerateArray().Single(s => s.GetProperty("segmentId").GetString() == "seg-listed");

        Assert.Equal((7L, T0), (listed.GetProperty("members").GetInt64(), listed.GetProperty("lastEventAt").GetDateTimeOffset()));
        Assert.Equal(0, listed.GetProperty("exportIds").GetArrayLength());
        var unknown = await fixture.Client().GetAsync("/api/segments/never-seen");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }
}
