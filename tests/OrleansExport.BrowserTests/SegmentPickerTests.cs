using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansExport.BrowserTests;

/// <summary>Add destination picks segments the cluster knows, with their members, and says what the first run sends.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class SegmentPickerTests(ConsoleFixture fixture, ITestOutputHelper output)
{
    private const float Timeout = 60_000;

    [Fact]
    public async Task AddDestination_PicksSegmentsWithTheirMemberCounts_AndTheFirstRunSendsTheMembers()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var connectionName = $"Picker {suffix}";
        await fixture.CreateConnectionAsync(connectionName);
        var (gold, silver, later) = ($"gold-{suffix}", $"silver-{suffix}", $"later-{suffix}");
        const string listId = "1";
        using var api = fixture.ApiClient(ConsoleFixture.AdminKey);

        // gold has profiles 1, 2 and 3; silver has 3 and 4: profile 3 is in both.
        var joins = new[] { (gold, 1), (gold, 2), (gold, 3), (silver, 3), (silver, 4) };
        await SegmentEvents.PostAsync(api, [.. joins.Select(j => SegmentEvents.Joined(j.Item1, $"p-{suffix}-{j.Item2}", Email(j.Item2, suffix), "gold"))]);
        await SegmentEvents.WaitForMembersAsync(api, gold, 3);
        await SegmentEvents.WaitForMembersAsync(api, silver, 2);

        var page = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(page, ConsoleFixture.AdminKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Add destination" }).ClickAsync();
        var estimate = page.Locator("[data-member-estimate]");
        await Expect(page.Locator($"[data-segment-members=\"{gold}\"]")).ToContainTextAsync("3 members");
        await Expect(page.Locator($"[data-segment-members=\"{silver}\"]")).ToContainTextAsync("2 members");
        await Expect(estimate).ToHaveTextAsync("Choose at least one segment.");

        // One segment: its members. Two: their sum, said to be an upper bound. A segment not seen yet: said so.
        await page.GetByRole(AriaRole.Checkbox, new() { Name = gold, Exact = true }).CheckAsync();
        await Expect(estimate).ToHaveTextAsync("The first run will send 3 members.");
        await page.GetByRole(AriaRole.Checkbox, new() { Name = silver, Exact = true }).PressAsync("Space");
        await Expect(estimate).ToContainTextAsync("The first run will send at most 5 members");
        await Expect(estimate).ToContainTextAsync("fewer when they share profiles");
        await page.GetByLabel("Other segment ids").FillAsync(later);
        await Expect(estimate).ToContainTextAsync($"{later} has not received events yet");
        await fixture.ScreenshotAsync(page, "30-add-destination-segment-picker", output);

        await page.GetByLabel("Export name").FillAsync($"Picked {suffix}");
        await page.GetByLabel("Connection").SelectOptionAsync(new SelectOptionValue { Label = $"{connectionName} ({fixture.Simulator.Hostname})" });
        await ConsolePage.Picker(page, "List").SelectOptionAsync(listId);
        await page.GetByLabel("Email").FillAsync("EmailAddress");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        // Saved with the 4 distinct members of both segments, none of them sent yet.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Picked {suffix}", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator(".definition")).ToContainTextAsync($"{gold}, {silver}, {later}");
        await Expect(page.Locator("[data-awaiting-first-run]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-live-status]")).ToContainTextAsync("4 members wait for the first run", new() { Timeout = Timeout });
        await fixture.ScreenshotAsync(page, "31-export-awaiting-first-run", output);
        Assert.Empty(ContactsOf(listId, suffix));

        await page.GetByRole(AriaRole.Button, new() { Name = "Run now" }).ClickAsync();
        var run = page.Locator("[data-runs] tbody tr");
        await Expect(run.Locator("[data-status]")).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = Timeout });
        await Expect(run.Locator("[data-col=sent]")).ToHaveTextAsync("4");
        await Expect(page.Locator("[data-awaiting-first-run]")).ToBeHiddenAsync();
        Assert.Equal([.. Enumerable.Range(1, 4).Select(i => Email(i, suffix))], ContactsOf(listId, suffix));
    }

    private static string Email(int profile, string suffix) => $"picked{profile}.{suffix}@example.com";

    private List<string> ContactsOf(string listId, string suffix) => [.. fixture.Simulator.State.GetListContacts(listId)
        .Where(c => c.Status == 1 && c.Email.EndsWith($".{suffix}@example.com", StringComparison.Ordinal))
        .Select(c => c.Email).Order(StringComparer.Ordinal)];
}
