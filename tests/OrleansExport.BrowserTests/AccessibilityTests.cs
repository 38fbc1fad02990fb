using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansExport.BrowserTests;

/// <summary>Labels, contrast and keyboard use, checked with axe-core (WCAG 2.1 A and AA rules) and by pressing keys.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class AccessibilityTests(ConsoleFixture fixture, ITestOutputHelper output)
{
    private static readonly AxeRunOptions WcagAa = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    };

    [Fact]
    public async Task EveryPage_HasNoWcagAaViolations()
    {
        var (exportName, connectionName) = await CreateExportAsync();
        var page = await fixture.NewPageAsync();

        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "sign-in");

        await ConsolePage.SignInAsync(page, ConsoleFixture.AdminKey);
        await AssertAccessibleAsync(page, "exports");

        await page.GotoAsync("/#/connections");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Connections", Level = 1 })).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "connections");

        await page.GetByRole(AriaRole.Link, new() { Name = connectionName }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = connectionName, Level = 1 })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and save key" }).ClickAsync();
        await Expect(ConsolePage.ErrorOf(page, "new-api-key")).Not.ToBeEmptyAsync();
        await AssertAccessibleAsync(page, "connection-with-error");

        await page.GotoAsync("/#/connections/new");
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect and save" }).ClickAsync();
        await Expect(ConsolePage.ErrorOf(page, "display-name")).Not.ToBeEmptyAsync();
        await AssertAccessibleAsync(page, "add-connection-with-error");

        await page.GotoAsync("/#/exports/new");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add attribute" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add tag" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(ConsolePage.ErrorOf(page, "connection")).Not.ToBeEmptyAsync();
        await AssertAccessibleAsync(page, "add-destination-with-error");

        // With a connection chosen: the list, custom field and tag pickers of its account, the list with its search box.
        await page.GetByLabel("Connection").SelectOptionAsync(new SelectOptionValue { Label = $"{connectionName} ({fixture.Simulator.Hostname})" });
        await Expect(page.Locator("[data-account-status]")).ToContainTextAsync("From the account");
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Find a list by name" }).FillAsync("Checked");
        await AssertAccessibleAsync(page, "add-destination-with-pickers");

        await page.GotoAsync("/#/exports");
        await page.GetByRole(AriaRole.Link, new() { Name = exportName }).ClickAsync();
        await Expect(page.Locator("[data-runs]")).ToContainTextAsync("No runs yet");
        await AssertAccessibleAsync(page, "export");

        await page.GetByRole(AriaRole.Link, new() { Name = "Edit", Exact = true }).ClickAsync();
        await Expect(page.GetByLabel("Export name")).ToHaveValueAsync(exportName);
        await AssertAccessibleAsync(page, "edit-export");

        await page.GetByRole(AriaRole.Link, new() { Name = "Cancel" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause", Exact = true }).ClickAsync();
        await Expect(page.Locator("[data-paused]")).Not.ToBeEmptyAsync();
        await Expect(page.Locator("[data-history] tbody tr")).ToHaveCountAsync(2);
        await AssertAccessibleAsync(page, "export-paused-with-history");

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete export" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "delete-dialog", fullPage: false);

        await page.Keyboard.PressAsync("Escape");
        await page.GotoAsync("/#/audit");
        await Expect(page.Locator("[data-audit] tbody tr").First).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "audit");
    }

    [Fact]
    public async Task AddConnection_CanBeFilledWithTheKeyboardAlone()
    {
        var page = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(page, ConsoleFixture.AdminKey);
        await page.GotoAsync("/#/connections/new");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Add connection", Level = 1 })).ToBeFocusedAsync();

        // Tab walks the form in reading order; arrows move within the radio group; Space ticks the box; Enter submits.
        string[] expectedOrder = ["display-name", "access-admins", "profile-cap", "hostname", "api-key", "consent"];
        foreach (var id in expectedOrder)
        {
            await page.Keyboard.PressAsync("Tab");
            await Expect(page.Locator($"#{id}")).ToBeFocusedAsync();
            switch (id)
            {
                case "access-admins":
                    await page.Keyboard.PressAsync("ArrowDown");
                    await Expect(page.Locator("#access-contributors")).ToBeCheckedAsync();
                    break;
                case "consent":
                    await page.Keyboard.PressAsync("Space");
                    await Expect(page.Locator("#consent")).ToBeCheckedAsync();
                    break;
                default:
                    break;
            }
        }

        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Connect and save" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(ConsolePage.ErrorOf(page, "display-name")).ToContainTextAsync("displayName is required");
        await Expect(page.Locator("#display-name")).ToBeFocusedAsync();
    }

    private async Task AssertAccessibleAsync(IPage page, string name, bool fullPage = true)
    {
        await fixture.ScreenshotAsync(page, $"a11y-{name}", output, fullPage);
        var result = await page.RunAxe(WcagAa);
        var violations = result.Violations
            .SelectMany(v => v.Nodes.Select(n => $"{v.Id} ({v.Impact}): {v.Help} at {n.Target} {n.Html}"))
            .ToList();
        Assert.True(violations.Count == 0, $"axe found on the {name} page:\n{string.Join("\n", violations)}");

        // Proof that the checks ran rather than found nothing to check.
        Assert.Contains(result.Passes, rule => rule.Id == "color-contrast");

        // axe 4.7+ no longer reports duplicate ids under WCAG tags, yet a duplicate breaks label and error references.
        var duplicateIds = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('[id]')].map(e => e.id).filter((id, i, all) => all.indexOf(id) !== i)");
        Assert.True(duplicateIds.Length == 0, $"duplicate ids on the {name} page: {string.Join(", ", duplicateIds)}");
    }

    /// <summary>
    /// An export of a segment with one member, so that the segment picker lists it, on a connection whose account
    /// has enough lists for the list picker's search box. Returns the export's and the connection's names.
    /// </summary>
    private async Task<(string Export, string Connection)> CreateExportAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        for (var i = 1; i <= 12; i++)
        {
            fixture.Simulator.State.NewList($"Checked {suffix} {i}");
        }

        using var admin = fixture.ApiClient(ConsoleFixture.AdminKey);
        await SegmentEvents.PostAsync(admin, [SegmentEvents.Joined($"checked-{suffix}", $"p-{suffix}", $"checked.{suffix}@example.com", "gold")]);
        await SegmentEvents.WaitForMembersAsync(admin, $"checked-{suffix}", 1);
        using var connection = await admin.PostAsJsonAsync("api/connections", new
        {
            displayName = $"Checked {suffix}", hostname = fixture.Simulator.Hostname, apiKey = ConsoleFixture.SimulatorApiKey, dataPrivacyConsent = true,
        });
        Assert.Equal(HttpStatusCode.Created, connection.StatusCode);
        var connectionId = (await connection.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var exportName = $"Checked export {suffix}";
        using var export = await admin.PostAsJsonAsync("api/exports", new
        {
            displayName = exportName, connectionId, listId = "3", segmentIds = new[] { $"checked-{suffix}" },
            mapping = new { email = "EmailAddress", fields = new[] { new { attribute = "Tier", fieldId = 1 } }, tags = new[] { "checked" } },
            schedule = "0 2 * * *",
        });
        Assert.Equal(HttpStatusCode.Created, export.StatusCode);
        return (exportName, $"Checked {suffix}");
    }
}
