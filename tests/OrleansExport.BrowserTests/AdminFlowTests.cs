using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansExport.BrowserTests;

/// <summary>The admin's whole journey through the console, against the real silo and the simulator.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class AdminFlowTests(ConsoleFixture fixture, ITestOutputHelper output)
{
    /// <summary>How long delivery and runs may take on a busy 2-core machine; they take a few seconds.</summary>
    private const float Timeout = 60_000;

    [Fact]
    public async Task Admin_ConnectsExportsRunsToInSyncAndDeletes()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var connectionName = $"Marketing EU {suffix}";
        var exportName = $"VIP customers {suffix}";
        var segmentId = $"vip-{suffix}";
        const string listId = "2";
        using var api = fixture.ApiClient(ConsoleFixture.AdminKey);
        var page = await fixture.NewPageAsync();

        // Sign in: a wrong key is refused next to the key field; the right one lands on the exports page.
        await page.GotoAsync("/");
        await fixture.ScreenshotAsync(page, "01-sign-in", output);
        await page.GetByLabel("API key").FillAsync("not-a-configured-key-000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(ConsolePage.ErrorOf(page, "api-key")).ToContainTextAsync("not accepted");
        await Expect(page.GetByLabel("API key")).ToHaveAttributeAsync("aria-invalid", "true");
        await fixture.ScreenshotAsync(page, "02-sign-in-wrong-key", output);
        await ConsolePage.SignInAsync(page, ConsoleFixture.AdminKey);
        await Expect(page.Locator("#user-name")).ToHaveTextAsync("alice");
        await Expect(page.Locator("#user-role")).ToHaveTextAsync("Admin");

        // Admin > Connections > Add connection.
        await page.GetByRole(AriaRole.Link, new() { Name = "Connections", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Add connection" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Add connection" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Admins only" })).ToBeCheckedAsync();
        await Expect(page.Locator("[data-export-user]")).ToHaveTextAsync("alice");
        await page.GetByLabel("Display name").FillAsync(connectionName);
        await page.GetByLabel("REST endpoint hostname").FillAsync(fixture.Simulator.Hostname);
        await page.GetByLabel("API key").FillAsync("sim-key-that-is-wrong");
        await page.GetByLabel("I agree to the data privacy and compliance notice").CheckAsync();
        await fixture.ScreenshotAsync(page, "03-add-connection", output);

        // A key ActiveCampaign refuses: the error is next to the key field, focus goes there, nothing is saved.
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect and save" }).ClickAsync();
        await Expect(ConsolePage.ErrorOf(page, "api-key")).ToContainTextAsync("refused the API key");
        await Expect(page.GetByLabel("API key")).ToBeFocusedAsync();
        await fixture.ScreenshotAsync(page, "04-add-connection-wrong-key", output);
        Assert.DoesNotContain(await ConnectionNamesAsync(api), n => n == connectionName);

        // The right key but no consent: the error is next to the consent box, nothing is saved.
        await page.GetByLabel("API key").FillAsync(ConsoleFixture.SimulatorApiKey);
        await page.GetByLabel("I agree to the data privacy and compliance notice").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect and save" }).ClickAsync();
        await Expect(ConsolePage.ErrorOf(page, "consent")).ToContainTextAsync("agree to the data privacy and compliance notice");
        await Expect(ConsolePage.ErrorOf(page, "api-key")).ToBeEmptyAsync();
        await Expect(page.GetByLabel("I agree to the data privacy and compliance notice")).ToBeFocusedAsync();
        await fixture.ScreenshotAsync(page, "05-add-connection-missing-consent", output);
        Assert.DoesNotContain(await ConnectionNamesAsync(api), n => n == connectionName);

        // Consent given (with the keyboard): connected and saved, listed with a masked key and alice as export user.
        await page.GetByLabel("I agree to the data privacy and compliance notice").PressAsync("Space");
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect and save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Connections", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-flash]")).ToContainTextAsync("ActiveCampaign accepted the API key");
        var connectionRow = page.GetByRole(AriaRole.Row).Filter(new() { HasText = connectionName });
        await Expect(connectionRow).ToContainTextAsync("Admins only");
        await Expect(connectionRow.Locator("[data-col=users]")).ToHaveTextAsync("alice");
        await Expect(connectionRow.Locator("[data-col=key]")).Not.ToContainTextAsync(ConsoleFixture.SimulatorApiKey);
        await fixture.ScreenshotAsync(page, "06-connections", output);

        // Upstream has already posted the segment's events: 19 valid members and one invalid email.
        var events = Enumerable.Range(1, 20)
            .Select(i => SegmentEvents.Joined(segmentId, $"p-{i:D3}", i == 7 ? "not-an-email" : $"vip{i}.{suffix}@example.com", "gold"))
            .ToList();
        await SegmentEvents.PostAsync(api, events);
        await SegmentEvents.WaitForMembersAsync(api, segmentId, 20);
        var tier = fixture.Simulator.State.AddField($"Tier {suffix}");

        // Data > Exports > Add destination: the list and the custom field are picked from the account, the segment from the segments with their members.
        await page.GetByRole(AriaRole.Link, new() { Name = "Exports", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Add destination" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Add destination" })).ToBeVisibleAsync();
        await page.GetByLabel("Export name").FillAsync(exportName);
        await page.GetByLabel("Connection").SelectOptionAsync(new SelectOptionValue { Label = $"{connectionName} ({fixture.Simulator.Hostname})" });
        await Expect(page.Locator("[data-account-status]")).ToContainTextAsync("From the account");
        await ConsolePage.Picker(page, "List").SelectOptionAsync(new SelectOptionValue { Label = $"List {listId} (ID {listId})" });
        await page.GetByRole(AriaRole.Checkbox, new() { Name = segmentId, Exact = true }).CheckAsync();
        await Expect(page.Locator("[data-member-estimate]")).ToHaveTextAsync("The first run will send 20 members.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(ConsolePage.ErrorOf(page, "map-email")).ToContainTextAsync("mapping.email is required");
        await page.GetByLabel("Email").FillAsync("EmailAddress");
        await page.GetByLabel("First name").FillAsync("FirstName");
        await page.GetByLabel("Last name").FillAsync("LastName");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add attribute" }).ClickAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Profile attribute 1" }).FillAsync("Tier");
        await ConsolePage.Picker(page, "ActiveCampaign field").SelectOptionAsync(new SelectOptionValue { Label = $"{tier.Title} (ID {tier.Id})" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Add tag" }).ClickAsync();
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Tag 1" }).FillAsync("from-console");
        // Tab on, as a person does: it also closes the tag suggestions, which would otherwise take the next click.
        await page.Keyboard.PressAsync("Tab");
        await fixture.ScreenshotAsync(page, "07-add-destination-filled", output);

        // Saved: the export has the segment's members, and the page says nothing is sent before the first run.
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = exportName, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-flash]")).ToContainTextAsync("Nothing is sent until its first run");
        var awaitingFirstRun = page.Locator("[data-awaiting-first-run]");
        await Expect(awaitingFirstRun).ToContainTextAsync("Nothing has been sent to ActiveCampaign yet");
        await Expect(page.Locator("[data-runs]")).ToContainTextAsync("No runs yet");
        await Expect(ConsolePage.Counter(page, "members")).ToHaveTextAsync("19", new() { Timeout = Timeout });
        await Expect(ConsolePage.Counter(page, "inSync")).ToHaveTextAsync("0");
        await Expect(page.Locator("[data-live-status]")).ToContainTextAsync("19 members wait for the first run");
        await fixture.ScreenshotAsync(page, "08-export-saved", output);
        Assert.DoesNotContain(fixture.Simulator.State.GetListContacts(listId), c => c.Email.EndsWith($".{suffix}@example.com", StringComparison.Ordinal));

        // Run now sends every member.
        await page.GetByRole(AriaRole.Button, new() { Name = "Run now" }).ClickAsync();
        var run = page.Locator("[data-runs] tbody tr");
        await Expect(run).ToHaveCountAsync(1);
        await fixture.ScreenshotAsync(page, "09-export-run-started", output);
        await Expect(run.Locator("[data-status]")).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = Timeout });
        await Expect(run.Locator("[data-col=total]")).ToHaveTextAsync("19");
        await Expect(run.Locator("[data-col=sent]")).ToHaveTextAsync("19");
        await Expect(run.Locator("[data-col=failed]")).ToHaveTextAsync("0");
        await Expect(run.Locator("[data-col=trigger]")).ToContainTextAsync("alice");
        await Expect(ConsolePage.Counter(page, "inSync")).ToHaveTextAsync("19", new() { Timeout = Timeout });
        await Expect(ConsolePage.Counter(page, "pending")).ToHaveTextAsync("0");
        await Expect(ConsolePage.Counter(page, "rejected")).ToHaveTextAsync("1");
        await Expect(ConsolePage.Counter(page, "eventsReceived")).ToHaveTextAsync("20");
        await Expect(page.Locator("[data-live-status]")).ToContainTextAsync("All 19 members are in sync");
        await Expect(run.Locator("[data-col=progress]")).ToContainTextAsync("100%");
        await Expect(awaitingFirstRun).ToBeHiddenAsync();
        var rejection = page.Locator("[data-rejections] tbody tr");
        await Expect(rejection).ToHaveCountAsync(1);
        await Expect(rejection).ToContainTextAsync("p-007");
        await Expect(rejection).ToContainTextAsync("not a valid email address");
        await fixture.ScreenshotAsync(page, "10-export-in-sync", output);

        // What the console showed is what ActiveCampaign holds: 19 subscribed contacts, mapped as configured.
        var contacts = fixture.Simulator.State.GetListContacts(listId).Where(c => c.Email.EndsWith($".{suffix}@example.com", StringComparison.Ordinal)).ToList();
        Assert.Equal(19, contacts.Count);
        Assert.All(contacts, c =>
        {
            Assert.Equal(1, c.Status);
            Assert.StartsWith("First p-", c.FirstName);
            Assert.Equal("gold", c.Fields[tier.Id]);
            Assert.Contains("from-console", c.Tags);
        });

        // Delete asks first; Cancel keeps the export, confirming deletes it.
        var exportId = page.Url.Split("#/exports/")[1];
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete export" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = $"Delete export “{exportName}”?" });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync();
        await fixture.ScreenshotAsync(page, "11-delete-confirmation", output, fullPage: false);
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"api/exports/{exportId}")).StatusCode);

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete export" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete export" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Exports", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-flash]")).ToContainTextAsync($"Export “{exportName}” deleted");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = exportName })).ToHaveCountAsync(0);
        await fixture.ScreenshotAsync(page, "12-exports-after-delete", output);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"api/exports/{exportId}")).StatusCode);
    }

    [Fact]
    public async Task Admin_DeletesAConnectionOnlyAfterConfirming()
    {
        var connectionName = $"Retired {Guid.NewGuid().ToString("N")[..6]}";
        using var api = fixture.ApiClient(ConsoleFixture.AdminKey);
        using (var created = await api.PostAsJsonAsync("api/connections", new
        {
            displayName = connectionName, hostname = fixture.Simulator.Hostname, apiKey = ConsoleFixture.SimulatorApiKey, dataPrivacyConsent = true,
        }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var page = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(page, ConsoleFixture.AdminKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Connections", Exact = true }).ClickAsync();
        var delete = page.GetByRole(AriaRole.Button, new() { Name = $"Delete connection {connectionName}" });
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = $"Delete connection “{connectionName}”?" });

        await delete.ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(delete).ToBeFocusedAsync();
        Assert.Contains(connectionName, await ConnectionNamesAsync(api));

        await delete.ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete connection" }).ClickAsync();
        await Expect(page.Locator("[data-flash]")).ToContainTextAsync($"Connection “{connectionName}” deleted");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = connectionName })).ToHaveCountAsync(0);
        Assert.DoesNotContain(connectionName, await ConnectionNamesAsync(api));
    }

    private static async Task<List<string>> ConnectionNamesAsync(HttpClient api)
    {
        var connections = await api.GetFromJsonAsync<JsonElement>("api/connections");
        return connections.EnumerateArray().Select(c => c.GetProperty("displayName").GetString()!).ToList();
    }
}
