using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansExport.Simulator;

namespace OrleansExport.IntegrationTests;

/// <summary>
/// What an admin sees without reading logs (docs/api.md sections 2.3, 2.4 and 2.11): an export's delivery per minute
/// against the account's ceiling, the exports that share an account's budget, and alerts posted to a webhook
/// (a loopback receiver here) when a run fails and when an export pauses itself and resumes.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class ActivityAndAlertsTests(SiloFixture fixture) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private AlertReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await AlertReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private async Task<JsonElement> GetJsonAsync(string url, string key = SiloFixture.ViewerKey)
    {
        var response = await fixture.Client(key).GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsync<JsonElement>();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail, string field)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadAsync<JsonElement>();
        Assert.Contains(detail, problem.GetProperty("detail").GetString());
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    private async Task<string> CreateConnectionAsync(string apiKey)
    {
        var response = await fixture.Client().PostJsonAsync("/api/connections", Api.ConnectionBody(fixture, apiKey: apiKey));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task Activity_CountsAcceptedContactsAndImportsPerMinute_AgainstTheAccountsCeiling()
    {
        var listId = $"l-activity-{Guid.NewGuid():N}";
        fixture.Simulator.State.AddList(listId);
        var segment = $"seg-activity-{Guid.NewGuid():N}";
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await Api.CreateExportAsync(fixture, connection, segment, listId);
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 60).Select(i => Api.Joined(segment, $"a{i}", $"activity{i}@example.com", T0)));
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("inSync").GetInt64() == 60, "60 contacts confirmed in sync");

        var activity = await GetJsonAsync($"/api/exports/{export}/activity?minutes=60");
        var buckets = activity.GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(60, buckets.Count);
        Assert.Equal(buckets.Select(b => b.GetProperty("minute").GetDateTimeOffset()).Order(), buckets.Select(b => b.GetProperty("minute").GetDateTimeOffset()));
        Assert.Equal(60, buckets.Sum(b => b.GetProperty("accepted").GetInt64()));
        Assert.Equal(60, buckets.Sum(b => b.GetProperty("sent").GetInt64()));
        Assert.Equal(0, buckets.Sum(b => b.GetProperty("rejected").GetInt64()));
        var imports = activity.GetProperty("importsUsed").GetInt64();
        Assert.Equal(imports, buckets.Sum(b => b.GetProperty("imports").GetInt64()));
        Assert.InRange(imports, 1, 60);
        Assert.Equal((25_000.0, 100.0, 6000.0), (activity.GetProperty("ceilingContactsPerMinute").GetDouble(),
            activity.GetProperty("ceilingImportsPerMinute").GetDouble(), activity.GetProperty("importBudget").GetDouble()));
        Assert.Equal(imports / 6000.0, activity.GetProperty("budgetShare").GetDouble(), 9);
        Assert.Equal(JsonValueKind.Null, activity.GetProperty("eta").ValueKind);
        Assert.Equal(5, (await GetJsonAsync($"/api/exports/{export}/activity?minutes=5")).GetProperty("buckets").GetArrayLength());

        await AssertProblemAsync(await fixture.Client().GetAsync($"/api/exports/{export}/activity?minutes=0"), HttpStatusCode.BadRequest, "between 1 and 1440", "minutes");
        await AssertProblemAsync(await fixture.Client().GetAsync($"/api/exports/{export}/activity?minutes=1441"), HttpStatusCode.BadRequest, "between 1 and 1440", "minutes");
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Client().GetAsync("/api/exports/exp-doesnotexist/activity")).StatusCode);
    }

    [Fact]
    public async Task Usage_ListsEveryExportOfTheAccount_WithTheImportsEachUsed_AcrossConnections()
    {
        var (listA, listB) = ($"l-usage-a-{Guid.NewGuid():N}", $"l-usage-b-{Guid.NewGuid():N}");
        fixture.Simulator.State.AddList(listA);
        fixture.Simulator.State.AddList(listB);
        var (segmentA, segmentB) = ($"seg-usage-a-{Guid.NewGuid():N}", $"seg-usage-b-{Guid.NewGuid():N}");
        var first = await Api.CreateConnectionAsync(fixture);
        var second = await Api.CreateConnectionAsync(fixture);
        var exportA = await Api.CreateExportAsync(fixture, first, segmentA, listA);
        var exportB = await Api.CreateExportAsync(fixture, second, segmentB, listB);
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 40).Select(i => Api.Joined(segmentA, $"ua{i}", $"usage-a{i}@example.com", T0))
            .Concat(Enumerable.Range(0, 20).Select(i => Api.Joined(segmentB, $"ub{i}", $"usage-b{i}@example.com", T0))));
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, exportA)).GetProperty("inSync").GetInt64() == 40
            && (await Api.GetExportAsync(fixture, exportB)).GetProperty("inSync").GetInt64() == 20, "both exports confirmed in sync");

        var usage = await GetJsonAsync($"/api/connections/{first}/usage");
        var exports = usage.GetProperty("exports").EnumerateArray().ToDictionary(e => e.GetProperty("exportId").GetString()!);
        Assert.Equal((fixture.Simulator.Hostname, 60), (usage.GetProperty("hostname").GetString(), usage.GetProperty("minutes").GetInt32()));
        Assert.Contains(exportA, exports.Keys);
        Assert.Contains(exportB, exports.Keys); // another connection to the same account shares its budget
        Assert.Equal((40L, 40L), (exports[exportA].GetProperty("accepted").GetInt64(), exports[exportA].GetProperty("sent").GetInt64()));
        Assert.Equal(20, exports[exportB].GetProperty("accepted").GetInt64());
        Assert.Equal(second, exports[exportB].GetProperty("connectionId").GetString());
        Assert.True(exports[exportA].GetProperty("imports").GetInt64() >= 1);
        Assert.Equal(exports.Values.Sum(e => e.GetProperty("imports").GetInt64()), usage.GetProperty("importsUsed").GetInt64());
        Assert.Equal(usage.GetProperty("importsUsed").GetInt64() / 6000.0, usage.GetProperty("budgetShare").GetDouble(), 9);

        await AssertProblemAsync(await fixture.Client().GetAsync($"/api/connections/{first}/usage?minutes=2000"), HttpStatusCode.BadRequest, "between 1 and 1440", "minutes");
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Client().GetAsync("/api/connections/con-doesnotexist/usage")).StatusCode);
    }

    [Fact]
    public async Task AnExportThatPausesItself_AlertsItsWebhookOnce_ShowsTheRunsEta_AndAlertsAgainWhenItResumes()
    {
        var key = $"alert-key-{Guid.NewGuid():N}";
        fixture.Simulator.State.AddApiKey(key);
        var listId = $"l-alert-{Guid.NewGuid():N}";
        fixture.Simulator.State.AddList(listId);
        var segment = $"seg-alert-{Guid.NewGuid():N}";
        var connection = await CreateConnectionAsync(key);
        var export = await Api.CreateExportAsync(fixture, connection, segment, listId);
        var hook = $"pause-{Guid.NewGuid():N}";
        _receiver.FailFirst = 1; // the first delivery attempt meets a 503: the alert arrives on the retry

        var patched = await fixture.Client().PatchJsonAsync($"/api/exports/{export}", new { alertWebhook = _receiver.Url(hook) });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(_receiver.Url(hook), (await Api.GetExportAsync(fixture, export)).GetProperty("alertWebhook").GetString());

        fixture.Simulator.State.RevokeApiKey(key);
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 30).Select(i => Api.Joined(segment, $"al{i}", $"alerted{i}@example.com", T0)));
        await Api.EventuallyAsync(() => Task.FromResult(_receiver.Alerts(hook).Count == 1), "the paused alert", TimeSpan.FromSeconds(30));

        var started = await fixture.Client().PostAsync($"/api/exports/{export}/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var runId = (await started.ReadAsync<JsonElement>()).GetProperty("runId").GetString();
        JsonElement activity = default;
        await Api.EventuallyAsync(async () =>
        {
            activity = await GetJsonAsync($"/api/exports/{export}/activity");
            return activity.GetProperty("eta").ValueKind == JsonValueKind.String;
        }, "the running run's ETA", describe: () => Task.FromResult(activity.ToString()));
        Assert.Equal(runId, activity.GetProperty("runId").GetString());
        Assert.True(activity.GetProperty("eta").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));

        var newKey = $"alert-new-{Guid.NewGuid():N}";
        fixture.Simulator.State.AddApiKey(newKey);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client().PatchJsonAsync($"/api/connections/{connection}", new { apiKey = newKey })).StatusCode);
        await Api.EventuallyAsync(() => Task.FromResult(_receiver.Alerts(hook).Count == 2), "the resumed alert", TimeSpan.FromSeconds(30));
        await Api.EventuallyAsync(async () =>
            (await GetJsonAsync($"/api/exports/{export}/runs/{runId}")).GetProperty("status").GetString() == "succeeded", "the run to succeed");

        var alerts = _receiver.Alerts(hook);
        Assert.Equal(["paused", "resumed"], alerts.Select(a => a.GetProperty("event").GetString()));
        Assert.All(alerts, a => Assert.Equal((export, "Test export"), (a.GetProperty("exportId").GetString(), a.GetProperty("displayName").GetString())));
        Assert.Contains("refused the API key", alerts[0].GetProperty("reason").GetString());
        Assert.True(_receiver.Requests >= 3, "the first attempt failed and was retried");
        var bodies = string.Join("\n", _receiver.Received.Select(r => r.Body));
        Assert.DoesNotContain(key, bodies);
        Assert.DoesNotContain(newKey, bodies);
        Assert.DoesNotContain("@example.com", bodies);
        Assert.DoesNotContain(fixture.LogLines, line => line.Contains($"hooks/{hook}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARunThatFails_AlertsTheWebhookGivenAtCreation_WithTheRunAndWhy()
    {
        var listId = $"l-failrun-{Guid.NewGuid():N}";
        fixture.Simulator.State.AddList(listId);
        var segment = $"seg-failrun-{Guid.NewGuid():N}";
        var connection = await Api.CreateConnectionAsync(fixture);
        var hook = $"run-{Guid.NewGuid():N}";
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 20).Select(i => Api.Joined(segment, $"fr{i}", $"failrun{i}@example.com", T0)));
        await Api.WaitForSegmentEventsAsync(fixture, segment, 20);
        var body = JsonSerializer.SerializeToElement(Api.ExportBody(connection, segment, listId), SiloFixture.Json).Deserialize<Dictionary<string, object?>>(SiloFixture.Json)!;
        body["alertWebhook"] = _receiver.Url(hook);
        var created = await fixture.Client().PostJsonAsync("/api/exports", body);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var export = (await created.ReadAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal(_receiver.Url(hook), (await Api.GetExportAsync(fixture, export)).GetProperty("alertWebhook").GetString());

        using var control = new HttpClient { BaseAddress = fixture.Simulator.BaseAddress };
        (await control.PostAsJsonAsync("_sim/faults", new SimulatorFaults { FailedContactRate = 1 })).EnsureSuccessStatusCode();
        JsonElement run;
        try
        {
            run = await Api.RunToEndAsync(fixture, export);
        }
        finally
        {
            (await control.DeleteAsync("_sim/faults")).EnsureSuccessStatusCode();
        }

        Assert.Equal("failed", run.GetProperty("status").GetString());
        await Api.EventuallyAsync(() => Task.FromResult(_receiver.Alerts(hook).Count == 1), "the runFailed alert", TimeSpan.FromSeconds(30));
        var alert = _receiver.Alerts(hook)[0];
        Assert.Equal(("runFailed", run.GetProperty("runId").GetString(), export), (alert.GetProperty("event").GetString(), alert.GetProperty("runId").GetString(), alert.GetProperty("exportId").GetString()));
        Assert.Contains("20 of 20 contacts were rejected", alert.GetProperty("reason").GetString());
        Assert.True(alert.GetProperty("at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.DoesNotContain("@example.com", _receiver.Received.Single(r => r.Name == hook).Body);
    }

    [Theory]
    [InlineData("http://hooks.example.com/a", "https")]
    [InlineData("https://10.1.2.3/a", "IP addresses")]
    [InlineData("https://user:secret@hooks.example.com/a", "user name and password")]
    public async Task AWebhookOutsideTheHostRules_Is400NamingTheField_AndNothingIsSaved(string url, string detail)
    {
        var connection = await Api.CreateConnectionAsync(fixture);
        var body = JsonSerializer.SerializeToElement(Api.ExportBody(connection, "seg-bad-hook"), SiloFixture.Json).Deserialize<Dictionary<string, object?>>(SiloFixture.Json)!;
        body["alertWebhook"] = url;
        await AssertProblemAsync(await fixture.Client().PostJsonAsync("/api/exports", body), HttpStatusCode.BadRequest, detail, "alertWebhook");

        var export = await Api.CreateExportAsync(fixture, connection, "seg-bad-hook", firstRun: false);
        await AssertProblemAsync(await fixture.Client().PatchJsonAsync($"/api/exports/{export}", new { alertWebhook = url }), HttpStatusCode.BadRequest, detail, "alertWebhook");
        Assert.Equal(JsonValueKind.Null, (await Api.GetExportAsync(fixture, export)).GetProperty("alertWebhook").ValueKind);
    }
}
