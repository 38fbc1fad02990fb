using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansExport.BrowserTests;

/// <summary>
/// The demo's flow seen by an admin: an export's delivery chart against the account's ceiling, its alert webhook set in
/// the form, and the connection page's account budget shared by two exports.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ActivityViewsTests(ConsoleFixture fixture, ITestOutputHelper output)
{
    private static async Task<string> CreateExportAsync(HttpClient api, string displayName, string connectionId, string segmentId)
    {
        using var created = await api.PostAsJsonAsync("api/exports", new
        {
            displayName, connectionId, listId = "3", segmentIds = new[] { segmentId }, mapping = new { email = "EmailAddress", firstName = "FirstName" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var exportId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        (await api.PostAsync($"api/exports/{exportId}/runs", null)).EnsureSuccessStatusCode();
        return exportId;
    }

    private static async Task WaitInSyncAsync(HttpClient api, string exportId, long members)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while ((await api.GetFromJsonAsync<JsonElement>($"api/exports/{exportId}")).GetProperty("inSync").GetInt64() != members)
        {
            Assert.True(DateTime.UtcNow < deadline, $"export {exportId} did not get {members} members in sync in 90 s");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task ExportPage_ChartsDeliveryAgainstTheCeiling_AndTheConnectionPageShowsWhoSharesTheBudget()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var (newsletter, vip) = ($"newsletter-{suffix}", $"vip-{suffix}");
        using var api = fixture.ApiClient(ConsoleFixture.AdminKey);
        await SegmentEvents.PostAsync(api, [
            .. Enumerable.Range(0, 1000).Select(i => SegmentEvents.Joined(newsletter, $"n-{suffix}-{i}", $"reader{i}.{suffix}@example.com", "silver")),
            .. Enumerable.Range(0, 300).Select(i => SegmentEvents.Joined(vip, $"v-{suffix}-{i}", $"vip{i}.{suffix}@example.com", "gold")),
        ]);
        await SegmentEvents.WaitForMembersAsync(api, newsletter, 1000);
        await SegmentEvents.WaitForMembersAsync(api, vip, 300);
        var connectionId = await fixture.CreateConnectionAsync($"Demo account {suffix}");
        var newsletterExport = await CreateExportAsync(api, $"Newsletter readers {suffix}", connectionId, newsletter);
        var vipExport = await CreateExportAsync(api, $"VIP customers {suffix}", connectionId, vip);
        await WaitInSyncAsync(api, newsletterExport, 1000);
        await WaitInSyncAsync(api, vipExport, 300);

        var page = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(page, ConsoleFixture.AdminKey);
        await page.GotoAsync($"/#/exports/{newsletterExport}");
        var chart = page.Locator("[data-activity-chart]");
        await Expect(chart.Locator("rect.chart-accepted").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(chart.Locator("[data-ceiling]")).ToContainTextAsync("Account ceiling");
        await Expect(chart.Locator("line.chart-grid")).ToHaveCountAsync(3);
        await Expect(chart).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("1,000 in all"));
        await Expect(page.Locator("[data-activity-summary]")).ToContainTextAsync("1,000 contacts accepted and 0 rejected");
        await Expect(page.Locator("[data-activity-summary]")).ToContainTextAsync("of the account's import budget");
        await Expect(page.Locator("[data-activity-eta]")).ToHaveTextAsync("No run is going.");
        await page.Locator("#activity-title").EvaluateAsync("heading => heading.scrollIntoView()");
        await fixture.ScreenshotAsync(page, "53-delivery-chart", output, fullPage: false);

        // The alert webhook is one more field of the export form.
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit", Exact = true }).ClickAsync();
        await page.GetByLabel("Alert webhook").FillAsync("https://hooks.example.com/orleans-export");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("[data-alert-webhook]")).ToHaveTextAsync("https://hooks.example.com/orleans-export");
        Assert.Equal("https://hooks.example.com/orleans-export",
            (await api.GetFromJsonAsync<JsonElement>($"api/exports/{newsletterExport}")).GetProperty("alertWebhook").GetString());

        await page.GotoAsync($"/#/connections/{connectionId}");
        // Every export to the account shares its budget: other tests' exports to the simulator are listed too.
        var rows = page.Locator("[data-usage] tbody tr");
        var newsletterRow = rows.Filter(new() { HasText = $"Newsletter readers {suffix}" });
        var vipRow = rows.Filter(new() { HasText = $"VIP customers {suffix}" });
        await Expect(newsletterRow.Locator("[data-col=accepted]")).ToHaveTextAsync("1,000");
        await Expect(newsletterRow.Locator("[data-col=imports]")).ToHaveTextAsync("4");
        await Expect(vipRow.Locator("[data-col=accepted]")).ToHaveTextAsync("300");
        await Expect(page.Locator("[data-usage-summary]")).ToContainTextAsync("shares its budget");
        await Expect(newsletterRow.Locator("[data-col=share]")).ToHaveTextAsync("under 0.01%");
        await page.Locator("#usage-title").EvaluateAsync("heading => heading.scrollIntoView()");
        await fixture.ScreenshotAsync(page, "54-account-usage", output, fullPage: false);
    }
}
