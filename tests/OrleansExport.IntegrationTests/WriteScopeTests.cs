using System.Net;
using System.Text.Json;

namespace OrleansExport.IntegrationTests;

/// <summary>
/// Who may write what (issue: a Contributor's forged snapshot, dated 50 minutes ahead, unsubscribed a whole
/// list): events come from Admin and Ingest keys only, within the key's segment scope and a few minutes of
/// the server clock; a scoped key sees and exports only its segments; one request's answer is bounded.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class WriteScopeTests(SiloFixture fixture)
{
    private static object Snapshot(string type, string segment, string snapshotId, DateTimeOffset at) =>
        new { eventId = Guid.NewGuid().ToString("N"), segmentId = segment, snapshotId, type, occurredAt = at };

    private async Task<long> SegmentMembersAsync(string segment)
    {
        var response = await fixture.Client().GetAsync($"/api/segments/{segment}");
        return response.StatusCode == HttpStatusCode.OK ? (await response.ReadAsync<JsonElement>()).GetProperty("members").GetInt64() : -1;
    }

    [Fact]
    public async Task ForgedSnapshot_FromAContributorOrDatedAhead_UnsubscribesNobody()
    {
        var segment = $"vip-{Guid.NewGuid():N}";
        var listId = fixture.Simulator.State.NewList($"list-{segment}");
        var now = DateTimeOffset.UtcNow;
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 30).Select(i => Api.Joined(segment, $"{segment}-p{i}", $"{segment}-{i}@example.com", now.AddMinutes(-1))));
        await Api.EventuallyAsync(async () => await SegmentMembersAsync(segment) == 30, "the segment to hold 30 members");
        var connection = await Api.CreateConnectionAsync(fixture, allowContributors: true);
        await Api.CreateExportAsync(fixture, connection, segment, listId);
        Assert.Equal(30, Api.SubscribedEmails(fixture, listId).Count);

        var forged = new[] { Snapshot("snapshotStarted", segment, "forged", now.AddMinutes(50)), Snapshot("snapshotCompleted", segment, "forged", now.AddMinutes(50)) };
        var asContributor = await fixture.Client(SiloFixture.ContributorKey).PostJsonAsync("/api/events", forged);
        Assert.Equal(HttpStatusCode.Forbidden, asContributor.StatusCode);
        Assert.Equal("application/problem+json", asContributor.Content.Headers.ContentType?.MediaType);

        var asIngest = await (await fixture.Client(SiloFixture.IngestKey).PostJsonAsync("/api/events", forged)).ReadAsync<JsonElement>();
        Assert.Equal(0, asIngest.GetProperty("accepted").GetInt32());
        Assert.All(asIngest.GetProperty("rejected").EnumerateArray(), r => Assert.Contains("ahead of the server clock", r.GetProperty("reason").GetString()));

        // A genuine change after the forgery still applies: nothing dated ahead won it.
        await Api.PostEventsAsync(fixture, [Api.Left(segment, $"{segment}-p0", DateTimeOffset.UtcNow)]);
        await Api.EventuallyAsync(async () => await SegmentMembersAsync(segment) == 29, "the genuine leave to apply");
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, listId).Count == 29), "the list to hold the 29 members");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(29, Api.SubscribedEmails(fixture, listId).Count);
    }

    [Fact]
    public async Task ScopedIngestKey_EventOutsideItsScope_IsRejectedOnItsOwnAndDeadLettered()
    {
        var inside = $"{SiloFixture.ScopePrefix}{Guid.NewGuid():N}";
        var outside = $"other-{Guid.NewGuid():N}";
        var now = DateTimeOffset.UtcNow;
        var outsideEvent = Api.Joined(outside, "p-out", "out@example.com", now);
        var response = await fixture.Client(SiloFixture.ScopedIngestKey).PostJsonAsync("/api/events",
            new[] { Api.Joined(inside, "p-in", "in@example.com", now), outsideEvent, Api.Joined(inside, "p-in-2", "in2@example.com", now) }.Select(Api.Json));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = await response.ReadAsync<JsonElement>();
        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        var rejection = Assert.Single(result.GetProperty("rejected").EnumerateArray());
        Assert.Equal(1, rejection.GetProperty("index").GetInt32());
        Assert.Contains($"segment '{outside}' is outside this key's segment scope", rejection.GetProperty("reason").GetString());
        Assert.Equal(1, result.GetProperty("deadLettered").GetInt64());

        await Api.EventuallyAsync(async () => await SegmentMembersAsync(inside) == 2, "the in-scope events to apply");
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Client().GetAsync($"/api/segments/{outside}")).StatusCode);
        var letters = await (await fixture.Client().GetAsync("/api/deadletters?limit=1000")).ReadAsync<JsonElement>();
        var letter = Assert.Single(letters.GetProperty("recent").EnumerateArray(), l => l.GetProperty("eventId").GetString() == outsideEvent.EventId);
        Assert.Equal("outOfScope", letter.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task ScopedKeys_SeeAndExportOnlyTheirSegments()
    {
        var inside = $"{SiloFixture.ScopePrefix}{Guid.NewGuid():N}";
        var outside = $"other-{Guid.NewGuid():N}";
        var now = DateTimeOffset.UtcNow;
        await Api.PostEventsAsync(fixture, [Api.Joined(inside, "p1", "p1@example.com", now), Api.Joined(outside, "p2", "p2@example.com", now)]);
        await Api.EventuallyAsync(async () => await SegmentMembersAsync(inside) == 1 && await SegmentMembersAsync(outside) == 1, "both segments to hold their member");

        var viewer = fixture.Client(SiloFixture.ScopedViewerKey);
        var listed = (await (await viewer.GetAsync("/api/segments")).ReadAsync<JsonElement>()).EnumerateArray().Select(s => s.GetProperty("segmentId").GetString()).ToList();
        Assert.Contains(inside, listed);
        Assert.All(listed, id => Assert.StartsWith(SiloFixture.ScopePrefix, id));
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/segments/{inside}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync($"/api/segments/{outside}")).StatusCode);

        var connection = await Api.CreateConnectionAsync(fixture, allowContributors: true);
        var contributor = fixture.Client(SiloFixture.ScopedContributorKey);
        var mixed = await contributor.PostJsonAsync("/api/exports", ExportBody(connection, inside, outside));
        Assert.Equal(HttpStatusCode.Forbidden, mixed.StatusCode);
        Assert.Contains($"Segment '{outside}' is outside this key's segment scope", (await mixed.ReadAsync<JsonElement>()).GetProperty("detail").GetString());

        var created = await contributor.PostJsonAsync("/api/exports", ExportBody(connection, inside));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var mine = (await created.ReadAsync<JsonElement>()).GetProperty("id").GetString()!;
        var widened = await contributor.PatchJsonAsync($"/api/exports/{mine}", new { segmentIds = new[] { inside, outside } });
        Assert.Equal(HttpStatusCode.Forbidden, widened.StatusCode);
        Assert.Contains($"Segment '{outside}'", (await widened.ReadAsync<JsonElement>()).GetProperty("detail").GetString());

        var theirs = await Api.CreateExportAsync(fixture, connection, outside, firstRun: false);
        var visible = (await (await contributor.GetAsync("/api/exports")).ReadAsync<JsonElement>()).EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Contains(mine, visible);
        Assert.DoesNotContain(theirs, visible);
        Assert.Equal(HttpStatusCode.NotFound, (await contributor.GetAsync($"/api/exports/{theirs}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await contributor.PatchJsonAsync($"/api/exports/{theirs}", new { displayName = "Mine now" })).StatusCode);
    }

    [Fact]
    public async Task OverMaxEventsPerRequest_Answers413()
    {
        var response = await fixture.Client(SiloFixture.IngestKey).PostJsonAsync("/api/events", Enumerable.Range(0, 10_001).Select(_ => new { }));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("Ingest:MaxEventsPerRequest (10000)", (await response.ReadAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ManyRejections_AnswerListsTheFirstHundredAndCountsTheRest()
    {
        var before = await (await fixture.Client().GetAsync("/api/deadletters?limit=1")).ReadAsync<JsonElement>();
        var response = await fixture.Client(SiloFixture.IngestKey).PostJsonAsync("/api/events", Enumerable.Range(0, 10_000).Select(i => new { eventId = $"bad-{i}" }));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var result = await response.ReadAsync<JsonElement>();
        Assert.Equal(100, result.GetProperty("rejected").GetArrayLength());
        Assert.Equal(10_000, result.GetProperty("rejectedCount").GetInt32());
        Assert.Equal(10_000, result.GetProperty("deadLettered").GetInt64());
        var after = await (await fixture.Client().GetAsync("/api/deadletters?limit=1000")).ReadAsync<JsonElement>();
        Assert.Equal(before.GetProperty("malformed").GetInt64() + 10_000, after.GetProperty("malformed").GetInt64());
        Assert.Equal(1000, after.GetProperty("recent").GetArrayLength());
    }

    private static object ExportBody(string connectionId, params string[] segmentIds) => new
    {
        displayName = "Scoped export",
        connectionId,
        listId = "1",
        segmentIds,
        mapping = new { email = "EmailAddress" },
        onLeave = "unsubscribe",
    };
}
