using System.Net;
using System.Text.Json;

namespace OrleansExport.IntegrationTests;

/// <summary>PATCH /api/connections/{id} (key rotation above all) and the pickers, against the simulator over loopback.</summary>
[Collection(SiloCollection.Name)]
public sealed class ConnectionKeyAndPickerTests(SiloFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RevokedKey_IsRecorded_AWrongNewKeyIs422AndChangesNothing_TheRightOneIsSavedAndUsed()
    {
        var (oldKey, newKey) = ($"rotate-old-{Guid.NewGuid():N}", $"rotate-new-{Guid.NewGuid():N}");
        fixture.Simulator.State.AddApiKey(oldKey);
        var connection = await CreateConnectionAsync(oldKey);
        var created = await GetConnectionAsync(connection);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client().GetAsync($"/api/connections/{connection}/lists")).StatusCode);

        // The pickers keep an answer a minute: the fields, not read yet, meet the revoked key.
        fixture.Simulator.State.RevokeApiKey(oldKey);
        var refused = await fixture.Client().GetAsync($"/api/connections/{connection}/fields");
        await ProblemAsync(refused, HttpStatusCode.UnprocessableEntity, "refused this connection's API key", "apiKey");
        Assert.NotEqual(JsonValueKind.Null, (await GetConnectionAsync(connection)).GetProperty("keyRefusedAt").ValueKind);

        var wrong = await Patch(connection, new { apiKey = "not-a-key-of-this-account" });
        await ProblemAsync(wrong, HttpStatusCode.UnprocessableEntity, "refused the API key", "apiKey");
        var unchanged = await GetConnectionAsync(connection);
        Assert.Equal((1, created.GetProperty("apiKeyHint").GetString()), (unchanged.GetProperty("keyVersion").GetInt32(), unchanged.GetProperty("apiKeyHint").GetString()));

        fixture.Simulator.State.AddApiKey(newKey);
        var rotated = await Patch(connection, new { apiKey = newKey });
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var body = await rotated.Content.ReadAsStringAsync();
        Assert.DoesNotContain(newKey, body);
        var view = JsonDocument.Parse(body).RootElement;
        Assert.Equal(2, view.GetProperty("keyVersion").GetInt32());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("keyRefusedAt").ValueKind);
        Assert.Equal("****" + newKey[^4..], view.GetProperty("apiKeyHint").GetString());
        Assert.True(view.GetProperty("keyVerifiedAt").GetDateTimeOffset() > created.GetProperty("keyVerifiedAt").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client().GetAsync($"/api/connections/{connection}/lists")).StatusCode);
        Assert.DoesNotContain(fixture.LogLines, line => line.Contains(newKey, StringComparison.Ordinal) || line.Contains(oldKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Patch_ChangesNameContributorsAndCap_RefusesAHostname_AndUnknownIds()
    {
        var connection = await Api.CreateConnectionAsync(fixture, profileCap: 10);

        var changed = await Patch(connection, new { displayName = "Renamed", allowContributors = true, profileCap = (long?)null });
        var hostname = await Patch(connection, new { hostname = "other.api-us1.com" });
        var badCap = await Patch(connection, new { profileCap = "lots" });
        var unknown = await Patch("con-doesnotexist", new { displayName = "x" });

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var view = await changed.ReadAsync<JsonElement>();
        Assert.Equal(("Renamed", true, JsonValueKind.Null, 1),
            (view.GetProperty("displayName").GetString(), view.GetProperty("allowContributors").GetBoolean(), view.GetProperty("profileCap").ValueKind, view.GetProperty("keyVersion").GetInt32()));
        await ProblemAsync(hostname, HttpStatusCode.BadRequest, "hostname cannot change", "hostname");
        await ProblemAsync(badCap, HttpStatusCode.BadRequest, "profileCap", "profileCap");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(10, (await (await Patch(connection, new { profileCap = 10 })).ReadAsync<JsonElement>()).GetProperty("profileCap").GetInt64());
    }

    [Fact]
    public async Task Pickers_ReturnEveryPageOfAnAccountWith250Lists_AndFieldsAndTags_FilteredBySearch()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var listIds = Enumerable.Range(1, 250).Select(i => fixture.Simulator.State.NewList($"Picker {run} list {i}")).ToList();

        for (var i = 1; i <= 120; i++)
        {
            fixture.Simulator.State.AddField($"Picker {run} field {i}", "text");
        }

        for (var i = 1; i <= 130; i++)
        {
            fixture.Simulator.State.AddTag($"picker-{run}-tag-{i}");
        }

        var connection = await Api.CreateConnectionAsync(fixture);
        var lists = await GetArrayAsync($"/api/connections/{connection}/lists?search=PICKER {run} LIST");
        var fields = await GetArrayAsync($"/api/connections/{connection}/fields?search=picker {run} field");
        var tags = await GetArrayAsync($"/api/connections/{connection}/tags?search=picker-{run}-tag");
        var all = await GetArrayAsync($"/api/connections/{connection}/lists");

        Assert.Equal(250, lists.Length);
        Assert.Equal((listIds[^1], $"Picker {run} list 250"), (lists[^1].GetProperty("id").GetString(), lists[^1].GetProperty("name").GetString()));
        Assert.Equal(120, fields.Length);
        Assert.Equal(("text", $"Picker {run} field 1"), (fields[0].GetProperty("type").GetString(), fields[0].GetProperty("title").GetString()));
        Assert.Equal(130, tags.Length);
        Assert.All(tags, tag => Assert.StartsWith($"picker-{run}-tag-", tag.GetProperty("tag").GetString()));
        Assert.True(all.Length >= 253, $"every list of the account, not one page: {all.Length}");
    }

    [Fact]
    public async Task PickerStorm_CostsTheAccountOneReadPerKindAMinute_NotItsRequestBudget()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        fixture.Simulator.State.AddTag($"storm-{run}");
        var connection = await Api.CreateConnectionAsync(fixture);
        var before = fixture.Simulator.State.GetStats().Requests;

        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => fixture.Client().GetAsync(
            i % 2 == 0 ? $"/api/connections/{connection}/tags" : $"/api/connections/{connection}/tags?search=storm-{run}")));

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
        Assert.Equal($"storm-{run}", Assert.Single(await answers[1].ReadAsync<JsonElement[]>()).GetProperty("tag").GetString());
        var spent = fixture.Simulator.State.GetStats().Requests - before;
        Assert.True(spent <= 10, $"100 picker requests cost the account {spent} requests; each kind is read once a minute");
    }

    [Fact]
    public async Task TagsArrive_OnATinyBatchThroughContactSync_AndOnABulkImport()
    {
        var listId = fixture.Simulator.State.NewList("l-tags");
        var connection = await Api.CreateConnectionAsync(fixture);
        var segment = $"seg-tags-{Guid.NewGuid():N}";
        var export = await Api.CreateExportAsync(fixture, connection, segment, listId);
        Assert.Equal(HttpStatusCode.Accepted, (await fixture.Client().PostAsync($"/api/exports/{export}/runs", null)).StatusCode);
        var syncsBefore = fixture.Simulator.State.GetStats().ContactSyncs;

        await Api.PostEventsAsync(fixture, [Api.Joined(segment, "t0", "tiny@example.com", T0)]);
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, listId).Contains("tiny@example.com")), "the tiny batch");
        await Api.PostEventsAsync(fixture, Enumerable.Range(1, 40).Select(i => Api.Joined(segment, $"t{i}", $"bulk{i}@example.com", T0)));
        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, listId).Count == 41), "the bulk import");

        Assert.True(fixture.Simulator.State.GetStats().ContactSyncs > syncsBefore, "the tiny batch went through contact/sync");
        Assert.All(fixture.Simulator.State.GetListContacts(listId), contact => Assert.Equal(["from-ci"], contact.Tags));
    }

    [Fact]
    public async Task RevokedKey_PausesTheExportWithAReason_RejectsNoContact_AndRotationResumesIt()
    {
        var key = $"revoke-{Guid.NewGuid():N}";
        fixture.Simulator.State.AddApiKey(key);
        var listId = fixture.Simulator.State.NewList("l-revoke");
        var connection = await CreateConnectionAsync(key);
        var segment = $"seg-revoke-{Guid.NewGuid():N}";
        var export = await Api.CreateExportAsync(fixture, connection, segment, listId);
        Assert.Equal(HttpStatusCode.Accepted, (await fixture.Client().PostAsync($"/api/exports/{export}/runs", null)).StatusCode);
        fixture.Simulator.State.RevokeApiKey(key);

        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 30).Select(i => Api.Joined(segment, $"rv{i}", $"revoked{i}@example.com", T0)));
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("paused").ValueKind == JsonValueKind.String, "the export to pause");

        var status = await Api.GetExportAsync(fixture, export);
        Assert.Contains("API key", status.GetProperty("paused").GetString());
        Assert.Equal((30L, 0L), (status.GetProperty("pending").GetInt64(), status.GetProperty("rejected").GetInt64()));
        Assert.Contains($"PATCH /api/connections/{connection}", status.GetProperty("paused").GetString());
        Assert.Empty(fixture.Simulator.State.GetListContacts(listId));

        var newKey = $"rotated-{Guid.NewGuid():N}";
        fixture.Simulator.State.AddApiKey(newKey);
        Assert.Equal(HttpStatusCode.OK, (await Patch(connection, new { apiKey = newKey })).StatusCode);

        await Api.EventuallyAsync(() => Task.FromResult(Api.SubscribedEmails(fixture, listId).Count == 30), "the 30 contacts after the rotation");
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("paused").ValueKind == JsonValueKind.Null, "the export to resume");
    }

    private async Task<string> CreateConnectionAsync(string apiKey)
    {
        var response = await fixture.Client().PostJsonAsync("/api/connections", Api.ConnectionBody(fixture, apiKey: apiKey));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<JsonElement> GetConnectionAsync(string id) =>
        await (await fixture.Client().GetAsync($"/api/connections/{id}")).ReadAsync<JsonElement>();

    private Task<HttpResponseMessage> Patch(string id, object body) =>
        fixture.Client().PatchAsync($"/api/connections/{id}",
            new StringContent(JsonSerializer.Serialize(body, SiloFixture.Json), System.Text.Encoding.UTF8, "application/json"));

    private async Task<JsonElement[]> GetArrayAsync(string url)
    {
        var response = await fixture.Client().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.ReadAsync<JsonElement>()).EnumerateArray()];
    }

    private static async Task ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail, string field)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadAsync<JsonElement>();
        Assert.Contains(detail, problem.GetProperty("detail").GetString());
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }
}
