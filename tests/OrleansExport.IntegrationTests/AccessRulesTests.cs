using System.Net;
using System.Text.Json;

namespace OrleansExport.IntegrationTests;

/// <summary>
/// Issue "Security, round three": what a Contributor may not point an export at, what a Viewer reads of an
/// alert webhook, and what a segment-scoped Admin may change and read (docs/api.md, "Who may do what").
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class AccessRulesTests(SiloFixture fixture)
{
    private static object ExportBody(string connectionId, string segmentId, string listId, string? onErase = null, string? alertWebhook = null) => new
    {
        displayName = "Access rules export",
        connectionId,
        listId,
        segmentIds = new[] { segmentId },
        mapping = new { email = "EmailAddress" },
        onErase,
        alertWebhook,
    };

    private static async Task AssertForbiddenFieldAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{(int)response.StatusCode}: {text}");
        Assert.Equal(field, JsonDocument.Parse(text).RootElement.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Contributor_MayNotTakeAListAnAdminOnlyExportUses_NorMoveThere_NorChooseOnEraseDelete()
    {
        var segment = $"acc-{Guid.NewGuid():N}";
        var takenList = fixture.Simulator.State.NewList($"taken-{segment}");
        var ownList = fixture.Simulator.State.NewList($"own-{segment}");
        var adminOnly = await Api.CreateConnectionAsync(fixture);
        var shared = await Api.CreateConnectionAsync(fixture, allowContributors: true);
        Assert.Equal(HttpStatusCode.Created, (await fixture.Client().PostJsonAsync("/api/exports", ExportBody(adminOnly, segment, takenList))).StatusCode);
        var contributor = fixture.Client(SiloFixture.ContributorKey);

        await AssertForbiddenFieldAsync(await contributor.PostJsonAsync("/api/exports", ExportBody(shared, segment, takenList)), "listId");

        var created = await contributor.PostJsonAsync("/api/exports", ExportBody(shared, segment, ownList));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var own = (await created.ReadAsync<JsonElement>()).GetProperty("id").GetString();
        await AssertForbiddenFieldAsync(await contributor.PatchJsonAsync($"/api/exports/{own}", new { listId = takenList }), "listId");
        await AssertForbiddenFieldAsync(await contributor.PatchJsonAsync($"/api/exports/{own}", new { onErase = "delete" }), "onErase");
        await AssertForbiddenFieldAsync(await contributor.PostJsonAsync("/api/exports", ExportBody(shared, segment, ownList, onErase: "delete")), "onErase");

        // A leading zero names the same list: it does not dodge the rule.
        await AssertForbiddenFieldAsync(await contributor.PostJsonAsync("/api/exports", ExportBody(shared, segment, "0" + takenList)), "listId");
        await AssertForbiddenFieldAsync(await contributor.PatchJsonAsync($"/api/exports/{own}", new { listId = "00" + takenList }), "listId");

        // An admin may do all three.
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client().PatchJsonAsync($"/api/exports/{own}", new { listId = takenList, onErase = "delete" })).StatusCode);
    }

    [Fact]
    public async Task AListIdWithLeadingZeros_IsStoredWithout()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var list = fixture.Simulator.State.NewList($"zeros-{Guid.NewGuid():N}");
        var created = await fixture.Client().PostJsonAsync("/api/exports", ExportBody(connection, $"acc-{Guid.NewGuid():N}", "000" + list));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(list, (await created.ReadAsync<JsonElement>()).GetProperty("listId").GetString());
    }

    /// <summary>Ingest:MaxSegments counts every segment ever registered: a write refused anyway must register none.</summary>
    [Fact]
    public async Task AnExportWriteRefusedForItsDefinition_RegistersNoSegment()
    {
        var prefix = $"unreg-{Guid.NewGuid():N}";
        var connection = await Api.CreateConnectionAsync(fixture);
        var tooMany = Enumerable.Range(0, 100).Select(i => $"{prefix}-{i:D3}").ToArray();
        var body = new { displayName = "too many", connectionId = connection, listId = "1", segmentIds = tooMany, mapping = new { email = "EmailAddress" } };
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Client().PostJsonAsync("/api/exports", body)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Client().PostJsonAsync("/api/exports", ExportBody(connection, $"{prefix}-badlist", "list-1"))).StatusCode);

        var created = await fixture.Client().PostJsonAsync("/api/exports", ExportBody(connection, $"{prefix}-kept", "1"));
        var id = (await created.ReadAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Client().PatchJsonAsync($"/api/exports/{id}", new { segmentIds = tooMany })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Client().PatchJsonAsync($"/api/exports/{id}", new { segmentIds = new[] { $"{prefix}-patched" }, listId = "x" })).StatusCode);

        var registered = await SegmentIndex.ListAsync(fixture.Grains);
        Assert.Equal([$"{prefix}-kept"], registered.Where(s => s.StartsWith(prefix, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Viewer_ReadsTheAlertWebhookAsSchemeAndHostOnly()
    {
        var segment = $"acc-{Guid.NewGuid():N}";
        var connection = await Api.CreateConnectionAsync(fixture);
        const string webhook = "https://hooks.example.com/services/T000/B000/secret-path-token";
        var created = await fixture.Client().PostJsonAsync("/api/exports", ExportBody(connection, segment, "1", alertWebhook: webhook));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.ReadAsync<JsonElement>()).GetProperty("id").GetString();

        var asViewer = await (await fixture.Client(SiloFixture.ViewerKey).GetAsync($"/api/exports/{id}")).Content.ReadAsStringAsync();
        var listed = await (await fixture.Client(SiloFixture.ViewerKey).GetAsync("/api/exports")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret-path-token", asViewer);
        Assert.DoesNotContain("secret-path-token", listed);
        Assert.StartsWith("https://hooks.example.com/", JsonDocument.Parse(asViewer).RootElement.GetProperty("alertWebhook").GetString());
        var asAdmin = await (await fixture.Client().GetAsync($"/api/exports/{id}")).ReadAsync<JsonElement>();
        Assert.Equal(webhook, asAdmin.GetProperty("alertWebhook").GetString());
    }

    [Fact]
    public async Task ScopedAdmin_MayNotDeleteOrChangeAConnectionWithExportsOutsideItsScope_AndReadsOnlyItsAudit()
    {
        var outside = $"vip-{Guid.NewGuid():N}";
        var inside = $"{SiloFixture.ScopePrefix}{Guid.NewGuid():N}";
        var connection = await Api.CreateConnectionAsync(fixture);
        var hidden = (await (await fixture.Client().PostJsonAsync("/api/exports", ExportBody(connection, outside, "1"))).ReadAsync<JsonElement>()).GetProperty("id").GetString()!;
        var visible = (await (await fixture.Client().PostJsonAsync("/api/exports", ExportBody(connection, inside, "1"))).ReadAsync<JsonElement>()).GetProperty("id").GetString()!;
        var scopedAdmin = fixture.Client(SiloFixture.ScopedAdminKey);

        Assert.Equal(HttpStatusCode.Forbidden, (await scopedAdmin.DeleteAsync($"/api/connections/{connection}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await scopedAdmin.PatchJsonAsync($"/api/connections/{connection}", new { displayName = "renamed" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client().GetAsync($"/api/connections/{connection}")).StatusCode);

        var audit = await (await scopedAdmin.GetAsync("/api/audit?limit=1000")).Content.ReadAsStringAsync();
        Assert.Contains(visible, audit);
        Assert.DoesNotContain(hidden, audit);
        Assert.Contains(hidden, await (await fixture.Client().GetAsync("/api/audit?limit=1000")).Content.ReadAsStringAsync());

        // With the outside export gone, the scoped admin may delete the connection.
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client().DeleteAsync($"/api/exports/{hidden}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await scopedAdmin.DeleteAsync($"/api/connections/{connection}")).StatusCode);
    }

    [Fact]
    public async Task ExportsList_PagesWithLimitAndOffset_InIdOrder_AndRefusesABadLimit()
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await fixture.Client().PostJsonAsync("/api/exports", ExportBody(connection, $"page-{Guid.NewGuid():N}", "1"))).StatusCode);
        }

        var all = (await (await fixture.Client().GetAsync("/api/exports")).ReadAsync<JsonElement[]>()).Select(e => e.GetProperty("id").GetString()).ToList();
        var second = (await (await fixture.Client().GetAsync("/api/exports?limit=2&offset=2")).ReadAsync<JsonElement[]>()).Select(e => e.GetProperty("id").GetString()).ToList();

        Assert.Equal(all.Order(StringComparer.Ordinal), all);
        Assert.Equal(all.Skip(2).Take(2), second);
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Client().GetAsync("/api/exports?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Client().GetAsync("/api/exports?limit=1001")).StatusCode);
    }

    [Fact]
    public async Task ReadinessProbes_AreRateLimitedLikeAnyCallWithoutAKey_LivenessIsNot()
    {
        using var client = new HttpClient { BaseAddress = fixture.BaseAddress };
        var ready = await Task.WhenAll(Enumerable.Range(0, 400).Select(_ => client.GetAsync("/health/ready")));
        var live = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.GetAsync("/health/live")));

        Assert.Contains(ready, r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Contains(ready, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(live, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await Task.Delay(TimeSpan.FromSeconds(5)); // the address's bucket fills again for the tests after this one
    }
}
