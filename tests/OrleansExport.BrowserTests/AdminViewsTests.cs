using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansExport.BrowserTests;

/// <summary>What admins see: an export's rejections by reason (filter, paging, CSV download) and the audit trail.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class AdminViewsTests(ConsoleFixture fixture, ITestOutputHelper output)
{
    private static object WithEmail(string segmentId, string profileId, string? email) => new
    {
        eventId = Guid.NewGuid().ToString("N"), segmentId, profileId, type = "joined", occurredAt = DateTimeOffset.UtcNow,
        attributes = email is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["EmailAddress"] = email },
    };

    [Fact]
    public async Task ExportPage_ShowsOptedOut_AndReconcileShowsTheLastReconciliationsFigures()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var segmentId = $"reconciling-{suffix}";
        var listId = fixture.Simulator.State.NewList($"reconciling-{suffix}");
        using var api = fixture.ApiClient(ConsoleFixture.AdminKey);
        await SegmentEvents.PostAsync(api, [.. Enumerable.Range(0, 5).Select(i => WithEmail(segmentId, $"r-{suffix}-{i}", $"r{i}.{suffix}@example.com"))]);
        await SegmentEvents.WaitForMembersAsync(api, segmentId, 5);
        var connectionId = await fixture.CreateConnectionAsync($"Reconciling {suffix}");
        using var created = await api.PostAsJsonAsync("api/exports", new
        {
            displayName = $"Reconciling {suffix}", connectionId, listId, segmentIds = new[] { segmentId }, mapping = new { email = "EmailAddress" },
        });
        var exportId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using var run = await api.PostAsync($"api/exports/{exportId}/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        await TestSupport.Eventually.UntilAsync(() => Task.FromResult(fixture.Simulator.State.GetListContacts(listId).Count(c => c.Status == 1) == 5), "5 subscribed");

        // A reconciliation is refused while a run goes: the first run must have ended.
        await TestSupport.Eventually.UntilAsync(async () =>
            (await api.GetFromJsonAsync<JsonElement>($"api/exports/{exportId}/runs"))[0].GetProperty("status").GetString() == "succeeded", "the first run to end");

        var page = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(page, ConsoleFixture.AdminKey);
        await page.GotoAsync($"/#/exports/{exportId}");
        await Expect(ConsolePage.Counter(page, "inSync")).ToHaveTextAsync("5", new() { Timeout = 30_000 });
        await Expect(ConsolePage.Counter(page, "optedOut")).ToHaveTextAsync("0");
        await Expect(page.Locator("[data-activecampaign-webhook]")).ToContainTextAsync("Not registered");
        await Expect(page.Locator("[data-reconciliation]")).ToContainTextAsync("No reconciliation yet.");

        fixture.Simulator.State.DeleteInApp($"r0.{suffix}@example.com");
        fixture.Simulator.State.Unsubscribe($"r1.{suffix}@example.com", listId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Reconcile" }).ClickAsync();

        await Expect(page.Locator("[data-reconciliation]")).ToContainTextAsync("Last reconciliation succeeded", new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-reconciliation]")).ToHaveTextAsync(
            new System.Text.RegularExpressions.Regex(@"^Last reconciliation succeeded \([^)]+ UTC\): 4 read, 1 missing, 1 resent, 1 opted out, 0 strangers\.$"));
        await Expect(ConsolePage.Counter(page, "optedOut")).ToHaveTextAsync("1");
        await fixture.ScreenshotAsync(page, "52-export-reconciled", output, fullPage: false);
    }

    [Fact]
    public async Task ExportPage_CountsRejectionsByReason_FiltersPagesAndDownloadsThemAsCsv()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var segmentId = $"rejecting-{suffix}";
        using var api = fixture.ApiClient(ConsoleFixture.AdminKey);
        await SegmentEvents.PostAsync(api, [
            .. Enumerable.Range(0, 120).Select(i => WithEmail(segmentId, $"bad-{suffix}-{i:000}", $"bad{i}-at-example")),
            .. Enumerable.Range(0, 3).Select(i => WithEmail(segmentId, $"none-{suffix}-{i}", null)),
            .. Enumerable.Range(0, 5).Select(i => WithEmail(segmentId, $"ok-{suffix}-{i}", $"ok{i}.{suffix}@example.com")),
        ]);
        await SegmentEvents.WaitForMembersAsync(api, segmentId, 128);
        var connectionId = await fixture.CreateConnectionAsync($"Rejecting {suffix}");
        using var created = await api.PostAsJsonAsync("api/exports", new
        {
            displayName = $"Rejecting {suffix}", connectionId, listId = "3", segmentIds = new[] { segmentId }, mapping = new { email = "EmailAddress" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var exportId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var page = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(page, ConsoleFixture.AdminKey);
        await page.GotoAsync($"/#/exports/{exportId}");

        // Counted by reason, most frequent first, each with its latest examples.
        var reasons = page.Locator("[data-rejection-summary] tbody tr");
        await Expect(reasons).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        await Expect(reasons.First.Locator("[data-col=reason]")).ToHaveTextAsync("Invalid email address");
        await Expect(reasons.First.Locator("[data-col=count]")).ToHaveTextAsync("120");
        await Expect(reasons.First.Locator("[data-col=examples] li")).ToHaveCountAsync(3);
        await Expect(reasons.Last.Locator("[data-col=reason]")).ToHaveTextAsync("Missing email");
        await Expect(reasons.Last.Locator("[data-col=count]")).ToHaveTextAsync("3");
        var rows = page.Locator("[data-rejections] tbody tr");
        await Expect(rows).ToHaveCountAsync(100);
        await Expect(page.Locator("[data-rejection-page]")).ToHaveTextAsync("Showing 1–100 of 123 kept, newest first.");
        await page.Locator("#rejections-title").EvaluateAsync("heading => heading.scrollIntoView()");
        await fixture.ScreenshotAsync(page, "50-rejections-by-reason", output, fullPage: false);

        // Beyond the first 100.
        await page.GetByRole(AriaRole.Button, new() { Name = "Next 100" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(23);
        await Expect(page.Locator("[data-rejection-page]")).ToHaveTextAsync("Showing 101–123 of 123 kept, newest first.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Next 100" })).ToBeDisabledAsync();

        // One reason only.
        await page.GetByLabel("Reason", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Missing email" });
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.First.Locator("[data-col=reason]")).ToContainTextAsync("is missing or empty");
        await Expect(page.Locator("[data-rejection-page]")).ToHaveTextAsync("Showing 1–3 of 3 kept, newest first.");
        await fixture.ScreenshotAsync(page, "51-rejections-one-reason", output);

        // Every kept rejection as CSV, fetched with the key and saved by the browser.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download CSV" }).ClickAsync());
        Assert.Equal($"{exportId}-rejections.csv", download.SuggestedFilename);
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("profileId,email,kind,reason,at", lines[0]);
        Assert.Equal(124, lines.Length);
        Assert.Equal(120, lines.Count(l => l.Contains(",invalidEmail,", StringComparison.Ordinal)));
        Assert.DoesNotContain(ConsoleFixture.SimulatorApiKey, csv);
    }

    [Fact]
    public async Task AuditPage_SaysWhoDidWhat_ForAdminsAndViewers_NotForContributors()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var segmentId = $"audited-{suffix}";
        using var api = fixture.ApiClient(ConsoleFixture.AdminKey);
        await SegmentEvents.PostAsync(api, [SegmentEvents.Joined(segmentId, $"p-{suffix}", $"audited.{suffix}@example.com", "gold")]);
        await SegmentEvents.WaitForMembersAsync(api, segmentId, 1);
        var connectionId = await fixture.CreateConnectionAsync($"Audited {suffix}");
        using (var patched = await api.PatchAsJsonAsync($"api/connections/{connectionId}", new { apiKey = ConsoleFixture.SimulatorApiKey }))
        {
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        }

        var exportName = $"Audited {suffix}";
        using var created = await api.PostAsJsonAsync("api/exports", new
        {
            displayName = exportName, connectionId, listId = "3", segmentIds = new[] { segmentId }, mapping = new { email = "EmailAddress" },
        });
        var exportId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        using (var changed = await api.PatchAsJsonAsync($"api/exports/{exportId}", new { displayName = $"{exportName} renamed", schedule = "0 3 * * *" }))
        {
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        }

        (await api.PostAsync($"api/exports/{exportId}/pause", null)).EnsureSuccessStatusCode();

        var page = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(page, ConsoleFixture.ViewerKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Audit", Level = 1 })).ToBeVisibleAsync();
        var newest = page.Locator("[data-audit] tbody tr");
        await Expect(newest.Nth(0).Locator("[data-col=what]")).ToHaveTextAsync("Paused");
        await Expect(newest.Nth(0).Locator("[data-col=subject]")).ToHaveTextAsync($"Export {exportName} renamed");
        await Expect(newest.Nth(1).Locator("[data-col=what]")).ToHaveTextAsync("Changed: name, schedule");
        await Expect(newest.Nth(2).Locator("[data-col=what]")).ToHaveTextAsync("Created");
        await Expect(newest.Nth(3).Locator("[data-col=what]")).ToHaveTextAsync("Changed: API key");
        await Expect(newest.Nth(3).Locator("[data-col=subject]")).ToHaveTextAsync($"Connection Audited {suffix}");
        await Expect(newest.Nth(3).Locator("[data-col=by]")).ToHaveTextAsync("alice");
        await Expect(page.Locator("[data-audit]")).Not.ToContainTextAsync(ConsoleFixture.SimulatorApiKey);
        await fixture.ScreenshotAsync(page, "52-audit", output);

        await newest.Nth(0).GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"{exportName} renamed", Level = 1 })).ToBeVisibleAsync();

        var contributor = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(contributor, ConsoleFixture.ContributorKey);
        await Expect(contributor.GetByRole(AriaRole.Link, new() { Name = "Audit", Exact = true })).ToBeHiddenAsync();
    }
}
