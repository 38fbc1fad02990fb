using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using OrleansExport.TestSupport;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansExport.BrowserTests;

/// <summary>
/// The export page's guardrails: the run preview next to Run now, the banner of held unsubscribes with Release (after a
/// confirmation naming the count), and the search box that tells one contact's story.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class GuardrailsConsoleTests(ConsoleFixture fixture, ITestOutputHelper output)
{
    private const int Members = 120;
    private const int Leaving = 110;

    private static object Left(string segmentId, string profileId) => new
    {
        eventId = Guid.NewGuid().ToString("N"), segmentId, profileId, type = "left", occurredAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task AMassLeave_ShowsTheHeldBanner_TheRunPreviewAndReleaseSendIt_AndTheSearchBoxTellsAContactsStory()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var segmentId = $"guard-{suffix}";
        var listId = fixture.Simulator.State.NewList($"Guard {suffix}");
        var connectionId = await fixture.CreateConnectionAsync($"Guard {suffix}");
        using var api = fixture.ApiClient(ConsoleFixture.AdminKey);
        await SegmentEvents.PostAsync(api, [.. Enumerable.Range(0, Members).Select(i => SegmentEvents.Joined(segmentId, $"g-{suffix}-{i}", $"g{i}.{suffix}@example.com", "gold"))]);
        await SegmentEvents.WaitForMembersAsync(api, segmentId, Members);
        using var created = await api.PostAsJsonAsync("api/exports", new
        {
            displayName = $"Guarded {suffix}", connectionId, listId, segmentIds = new[] { segmentId }, mapping = new { email = "EmailAddress" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var exportId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var page = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(page, ConsoleFixture.AdminKey);
        await page.GotoAsync($"/#/exports/{exportId}");

        // Before Run now: what the run would send.
        await Expect(page.Locator("[data-run-preview]")).ToHaveTextAsync($"Run now: this run will subscribe {Members}.");
        await Expect(page.Locator(".definition")).ToContainTextAsync("Holds unsubscribes above 20% of the list (and over 100)");
        await fixture.ScreenshotAsync(page, "60-guard-run-preview", output);
        await page.GetByRole(AriaRole.Button, new() { Name = "Run now", Exact = true }).ClickAsync();
        await Eventually.UntilAsync(() => Task.FromResult(Subscribed(listId) == Members), $"{Members} subscribed");

        // Upstream drops 110 of the 120: held, with examples, nothing unsubscribed.
        await SegmentEvents.PostAsync(api, [.. Enumerable.Range(0, Leaving).Select(i => Left(segmentId, $"g-{suffix}-{i}"))]);
        var banner = page.Locator("[data-held]");
        await Expect(banner).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(banner.Locator("[data-held-reason]")).ToContainTextAsync($"{Leaving} unsubscribes are held");
        await Expect(banner.Locator("[data-examples] li")).ToHaveCountAsync(20);
        await Expect(page.Locator("[data-run-preview]")).ToContainTextAsync($"({Leaving} unsubscribes stay held)", new() { Timeout = 15_000 });
        Assert.Equal(0, Unsubscribed(listId));
        await fixture.ScreenshotAsync(page, "61-guard-held-banner", output);

        // Release asks first, naming the count; then the held unsubscribes go out and the banner goes.
        await banner.GetByRole(AriaRole.Button, new() { Name = "Release" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByRole(AriaRole.Heading)).ToHaveTextAsync($"Unsubscribe {Leaving} contacts?");
        await fixture.ScreenshotAsync(page, "62-guard-release-confirm", output, fullPage: false);
        await dialog.GetByRole(AriaRole.Button, new() { Name = $"Unsubscribe {Leaving}" }).ClickAsync();
        await Expect(banner).ToBeHiddenAsync(new() { Timeout = 15_000 });
        await Expect(page.Locator("[data-run-preview]")).Not.ToContainTextAsync("stay held");
        await Eventually.UntilAsync(() => Task.FromResult(Unsubscribed(listId) == Leaving), $"{Leaving} unsubscribed");

        // The search box: by email in any case, and by profile id.
        var search = page.GetByRole(AriaRole.Searchbox, new() { Name = "Email or profile id" });
        await search.FillAsync($"G3.{suffix}@EXAMPLE.com");
        // The list shows the unsubscribe once ActiveCampaign applied it; the export knows once import/info confirmed it.
        await Eventually.UntilAsync(async () =>
        {
            await search.PressAsync("Enter");
            await Expect(page.Locator("[data-member-state]")).ToBeVisibleAsync();
            return await page.Locator("[data-member-state]").TextContentAsync() == "Unsubscribed";
        }, "the search box tells the unsubscribe", describe: async () => await page.Locator("[data-member-state]").TextContentAsync() ?? "");
        await Expect(page.Locator("[data-member]")).ToHaveAttributeAsync("data-member", $"g-{suffix}-3");
        await search.FillAsync($"g-{suffix}-{Members - 1}");
        await search.PressAsync("Enter");
        await Expect(page.Locator("[data-member-state]")).ToHaveTextAsync("In sync");
        await Expect(page.Locator("[data-member-reason]")).ToContainTextAsync("ActiveCampaign has its current data");
        await fixture.ScreenshotAsync(page, "63-guard-member-lookup", output);
        await search.FillAsync("nobody@example.com");
        await search.PressAsync("Enter");
        await Expect(page.Locator("[data-member-missing]")).ToContainTextAsync("never held nobody@example.com");

        // The export form says what the guard protects.
        await page.GotoAsync($"/#/exports/{exportId}/edit");
        await Expect(page.GetByLabel("Hold mass unsubscribes above (%)")).ToHaveValueAsync("20");
        await Expect(page.Locator("#max-unsubscribe-percent-hint")).ToContainTextAsync("broken upstream snapshot");
    }

    private int Subscribed(string listId) => fixture.Simulator.State.GetListContacts(listId).Count(c => c.Status == 1);

    private int Unsubscribed(string listId) => fixture.Simulator.State.GetListContacts(listId).Count(c => c.Status == 2);
}
