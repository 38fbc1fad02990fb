using System.Net;
using System.Text.Json;

namespace OrleansExport.IntegrationTests;

/// <summary>
/// What admins see (docs/api.md sections 2.4 and 2.10): an export's rejections by kind, filtered, paged and as CSV;
/// the audit trail of what people did to connections and exports, which never holds an API key.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class AdminViewsTests(SiloFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static SegmentEvent WithEmail(string segment, string profile, string? email) =>
        new(Guid.NewGuid().ToString("N"), segment, profile, SegmentEventType.Joined, T0,
            email is null ? new Dictionary<string, string> { ["FirstName"] = "Ann" } : new Dictionary<string, string> { ["EmailAddress"] = email });

    private async Task<JsonElement> GetJsonAsync(string url, string key = SiloFixture.ViewerKey)
    {
        var response = await fixture.Client(key).GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsync<JsonElement>();
    }

    [Fact]
    public async Task Rejections_CountedByKind_FilteredPagedAndDownloadedAsCsv()
    {
        const string segment = "seg-rejection-kinds";
        var events = Enumerable.Range(0, 130).Select(i => WithEmail(segment, $"bad{i}", $"bad{i}-at-example"))
            .Concat(Enumerable.Range(0, 5).Select(i => WithEmail(segment, $"none{i}", null)))
            .Append(WithEmail(segment, "tricky", "=a,\"b"))
            .Concat(Enumerable.Range(0, 20).Select(i => WithEmail(segment, $"ok{i}", $"ok{i}@example.com")));
        await Api.PostEventsAsync(fixture, events);
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await Api.CreateExportAsync(fixture, connection, segment, firstRun: false);

        JsonElement summary = default;
        await Api.EventuallyAsync(async () =>
        {
            summary = await GetJsonAsync($"/api/exports/{export}/rejections/summary");
            return summary.GetProperty("total").GetInt64() == 136;
        }, "the export to reject 136 profiles", describe: () => Task.FromResult(summary.ToString()));

        var kinds = summary.GetProperty("kinds").EnumerateArray().ToList();
        Assert.Equal(["invalidEmail", "missingEmail"], kinds.Select(k => k.GetProperty("kind").GetString()));
        Assert.Equal([131L, 5L], kinds.Select(k => k.GetProperty("count").GetInt64()));
        Assert.Equal(3, kinds[0].GetProperty("latest").GetArrayLength());
        Assert.All(kinds[1].GetProperty("latest").EnumerateArray(), r => Assert.Equal("missingEmail", r.GetProperty("kind").GetString()));

        var firstPage = await GetJsonAsync($"/api/exports/{export}/rejections?reason=invalidEmail&limit=100");
        var secondPage = await GetJsonAsync($"/api/exports/{export}/rejections?reason=invalidEmail&limit=100&offset=100");
        var profiles = firstPage.EnumerateArray().Concat(secondPage.EnumerateArray()).Select(r => r.GetProperty("profileId").GetString()).ToList();
        Assert.Equal((100, 31), (firstPage.GetArrayLength(), secondPage.GetArrayLength()));
        Assert.Equal(131, profiles.Distinct().Count());
        Assert.DoesNotContain(profiles, p => p!.StartsWith("none", StringComparison.Ordinal));
        var times = firstPage.EnumerateArray().Concat(secondPage.EnumerateArray()).Select(r => r.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);

        var unknown = await fixture.Client().GetAsync($"/api/exports/{export}/rejections?reason=bogus");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        var problem = await unknown.ReadAsync<JsonElement>();
        Assert.Equal("reason", problem.GetProperty("field").GetString());
        Assert.Contains("invalidEmail", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Client().GetAsync($"/api/exports/{export}/rejections?offset=-1")).StatusCode);

        var csv = await fixture.Client(SiloFixture.ViewerKey).GetAsync($"/api/exports/{export}/rejections.csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("rejections.csv", csv.Content.Headers.ContentDisposition?.FileName);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("profileId,email,kind,reason,at", lines[0]);
        Assert.Equal(137, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("tricky,\"'=a,\"\"b\",invalidEmail,\"'=a,\"\"b' in attribute 'EmailAddress' is not a valid email address\",", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("none0,,missingEmail,", StringComparison.Ordinal));
        Assert.DoesNotContain(SiloFixture.SimulatorApiKey, string.Join("\n", lines));
    }

    [Fact]
    public async Task Audit_SaysWhoDidWhatToWhichConnectionAndExport_NewestFirst_AndNeverHoldsAKey()
    {
        const string segment = "seg-audit";
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 10).Select(i => Api.Joined(segment, $"au{i}", $"au{i}@example.com", T0)));
        var connection = await Api.CreateConnectionAsync(fixture);
        var patched = await fixture.Client().PatchJsonAsync($"/api/connections/{connection}",
            new { displayName = "Renamed account", apiKey = SiloFixture.SimulatorApiKey });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var export = await Api.CreateExportAsync(fixture, connection, segment);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client().PatchJsonAsync($"/api/exports/{export}", new { displayName = "Renamed", onLeave = "keep" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client().PostAsync($"/api/exports/{export}/pause", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client().PostAsync($"/api/exports/{export}/resume", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client().DeleteAsync($"/api/exports/{export}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client().DeleteAsync($"/api/connections/{connection}")).StatusCode);

        var response = await fixture.Client(SiloFixture.ViewerKey).GetAsync("/api/audit?limit=1000");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(SiloFixture.SimulatorApiKey, body);
        var entries = JsonDocument.Parse(body).RootElement.EnumerateArray()
            .Where(e => e.GetProperty("subjectId").GetString() is { } id && (id == connection || id == export))
            .Reverse()
            .Select(e => (Subject: e.GetProperty("subject").GetString(), Action: e.GetProperty("action").GetString(), By: e.GetProperty("by").GetString(),
                Fields: string.Join(",", e.GetProperty("fields").EnumerateArray().Select(f => f.GetString())), HasRun: e.GetProperty("runId").ValueKind == JsonValueKind.String))
            .ToList();
        Assert.Equal(
        [
            ("connection", "created", "alice", "", false),
            ("connection", "updated", "alice", "displayName,apiKey", false),
            ("export", "created", "alice", "", false),
            ("export", "runStarted", "alice", "", true),
            ("export", "updated", "alice", "displayName,onLeave", false),
            ("export", "paused", "alice", "", false),
            ("export", "resumed", "alice", "", false),
            ("export", "deleted", "alice", "", false),
            ("connection", "deleted", "alice", "", false),
        ], entries);

        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Client(SiloFixture.ContributorKey).GetAsync("/api/audit")).StatusCode);
        var tooMany = await fixture.Client().GetAsync("/api/audit?limit=1001");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal("limit", (await tooMany.ReadAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Audit_RecordsACancelledRun()
    {
        const string segment = "seg-audit-cancel";
        await Api.PostEventsAsync(fixture, Enumerable.Range(0, 3000).Select(i => Api.Joined(segment, $"ac{i}", $"ac{i}@example.com", T0)));
        await Api.WaitForSegmentEventsAsync(fixture, segment, 3000);
        var connection = await Api.CreateConnectionAsync(fixture);
        var export = await Api.CreateExportAsync(fixture, connection, segment, firstRun: false);
        var started = await fixture.Client().PostAsync($"/api/exports/{export}/runs", null);
        var runId = (await started.ReadAsync<JsonElement>()).GetProperty("runId").GetString();
        Assert.Equal(HttpStatusCode.OK, (await fixture.Client().PostAsync($"/api/exports/{export}/runs/{runId}/cancel", null)).StatusCode);

        var audit = await GetJsonAsync("/api/audit?limit=1000");
        var cancelled = Assert.Single(audit.EnumerateArray(), e => e.GetProperty("subjectId").GetString() == export && e.GetProperty("action").GetString() == "runCancelled");
        Assert.Equal((runId, "alice"), (cancelled.GetProperty("runId").GetString(), cancelled.GetProperty("by").GetString()));
    }
}
