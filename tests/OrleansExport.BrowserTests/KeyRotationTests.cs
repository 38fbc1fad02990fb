using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansExport.BrowserTests;

/// <summary>
/// The connection page: a key the account refuses pauses its exports and is shown as refused; the export form
/// falls back to typed ids; rotating the key in the console (a wrong one refused with its reason) resumes them.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class KeyRotationTests(ConsoleFixture fixture, ITestOutputHelper output)
{
    private const float Timeout = 60_000;
    private const string ListId = "1";

    [Fact]
    public async Task RevokedKey_PausesTheExport_AWrongNewKeyShowsWhy_TheRightOneResumesIt()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var (oldKey, newKey) = ($"rotate-old-{suffix}-{Guid.NewGuid():N}", $"rotate-new-{suffix}-{Guid.NewGuid():N}");
        var segmentId = $"rotated-{suffix}";
        var connectionName = $"Rotated {suffix}";
        using var simulator = new HttpClient { BaseAddress = new Uri($"http://{fixture.Simulator.Hostname}/") };
        using var api = fixture.ApiClient(ConsoleFixture.AdminKey);
        Assert.Equal(HttpStatusCode.Created, (await simulator.PostAsJsonAsync("_sim/keys", new { key = oldKey })).StatusCode);
        var connectionId = await fixture.CreateConnectionAsync(connectionName, oldKey);

        // An export that has had its first run, so that it sends each change as it comes.
        await SegmentEvents.PostAsync(api, [SegmentEvents.Joined(segmentId, $"p-{suffix}-1", $"rotated1.{suffix}@example.com", "gold")]);
        await SegmentEvents.WaitForMembersAsync(api, segmentId, 1);
        using var created = await api.PostAsJsonAsync("api/exports", new
        {
            displayName = $"Rotated {suffix}", connectionId, listId = ListId, segmentIds = new[] { segmentId }, mapping = new { email = "EmailAddress" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var exportId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"api/exports/{exportId}/runs", null)).StatusCode);
        await WaitUntilOnListAsync(suffix, 1);

        // The account revokes the key; the next change the export sends is refused.
        Assert.Equal(HttpStatusCode.NoContent, (await simulator.DeleteAsync($"_sim/keys/{Uri.EscapeDataString(oldKey)}")).StatusCode);
        await SegmentEvents.PostAsync(api, [SegmentEvents.Joined(segmentId, $"p-{suffix}-2", $"rotated2.{suffix}@example.com", "gold")]);

        var page = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(page, ConsoleFixture.AdminKey);
        await page.GotoAsync($"/#/exports/{exportId}");
        var paused = page.Locator("[data-paused]");
        await Expect(paused).ToContainTextAsync($"ActiveCampaign refused the API key of connection {connectionId}: rotate the key", new() { Timeout = Timeout });
        await Expect(ConsolePage.Counter(page, "pending")).ToHaveTextAsync("1");
        await fixture.ScreenshotAsync(page, "60-export-paused-key-refused", output);

        // Its form cannot read the account: it says why and takes typed ids instead.
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit", Exact = true }).ClickAsync();
        var accountStatus = page.Locator("[data-account-status]");
        await Expect(accountStatus).ToContainTextAsync("ActiveCampaign refused this connection’s API key");
        await Expect(accountStatus).ToContainTextAsync("Type the IDs");
        await Expect(page.GetByRole(AriaRole.Textbox, new() { Name = "List ID" })).ToHaveValueAsync(ListId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add attribute" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Spinbutton, new() { Name = "ActiveCampaign field ID" })).ToBeVisibleAsync();
        await fixture.ScreenshotAsync(page, "61-edit-export-key-refused", output);

        // The connection page warns, and takes a new key.
        await accountStatus.GetByRole(AriaRole.Link, new() { Name = "Rotate the key on the connection’s page." }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = connectionName, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-key-refused]")).ToContainTextAsync("ActiveCampaign refused this connection’s API key");
        await Expect(page.Locator("[data-key-hint]")).ToContainTextAsync($"****{oldKey[^4..]} (version 1)");
        await fixture.ScreenshotAsync(page, "62-connection-key-refused", output);

        // A key the account refuses: its reason next to the key field, nothing changed.
        var keyField = page.GetByLabel("New API key");
        await keyField.FillAsync($"not-a-key-{suffix}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and save key" }).ClickAsync();
        await Expect(ConsolePage.ErrorOf(page, "new-api-key")).ToContainTextAsync("refused the API key");
        await Expect(keyField).ToBeFocusedAsync();
        await Expect(keyField).ToHaveAttributeAsync("aria-invalid", "true");
        await fixture.ScreenshotAsync(page, "63-rotate-key-refused", output);
        Assert.Equal(1, (await api.GetFromJsonAsync<JsonElement>($"api/connections/{connectionId}")).GetProperty("keyVersion").GetInt32());

        // The right key: saved, never shown, the warning gone.
        Assert.Equal(HttpStatusCode.Created, (await simulator.PostAsJsonAsync("_sim/keys", new { key = newKey })).StatusCode);
        await keyField.FillAsync(newKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and save key" }).ClickAsync();
        await Expect(page.Locator("[data-flash]")).ToContainTextAsync($"ActiveCampaign accepted the new key (****{newKey[^4..]})");
        await Expect(page.Locator("[data-key-hint]")).ToContainTextAsync("(version 2)");
        await Expect(page.Locator("[data-key-refused]")).ToHaveCountAsync(0);
        await Expect(page.GetByLabel("New API key")).ToHaveValueAsync("");
        Assert.DoesNotContain(newKey, await page.ContentAsync(), StringComparison.Ordinal);
        await fixture.ScreenshotAsync(page, "64-connection-key-rotated", output);

        // The export resumes by itself and delivers what waited.
        await page.GotoAsync($"/#/exports/{exportId}");
        await Expect(paused).ToBeEmptyAsync(new() { Timeout = Timeout });
        await Expect(ConsolePage.Counter(page, "inSync")).ToHaveTextAsync("2", new() { Timeout = Timeout });
        await WaitUntilOnListAsync(suffix, 2);
        await fixture.ScreenshotAsync(page, "65-export-resumed", output);
    }

    [Fact]
    public async Task ConnectionPage_ChangesNameAccessAndCap_ForAdminsOnly()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var connectionId = await fixture.CreateConnectionAsync($"Editable {suffix}");
        var page = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(page, ConsoleFixture.AdminKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Connections", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = $"Editable {suffix}" }).ClickAsync();
        await Expect(page.Locator("[data-key-verified]")).ToContainTextAsync("ActiveCampaign accepted it");

        await page.GetByLabel("Display name").FillAsync($"Edited {suffix}");
        await page.GetByRole(AriaRole.Radio, new() { Name = "Admins and contributors" }).CheckAsync();
        await page.GetByLabel("Profile cap").FillAsync("500");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("[data-flash]")).ToHaveTextAsync("Connection updated: name, who can use it, profile cap.");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Edited {suffix}", Level = 1 })).ToBeVisibleAsync();
        await fixture.ScreenshotAsync(page, "66-connection-edited", output);

        using var api = fixture.ApiClient(ConsoleFixture.AdminKey);
        var connection = await api.GetFromJsonAsync<JsonElement>($"api/connections/{connectionId}");
        Assert.Equal(($"Edited {suffix}", true, 500L),
            (connection.GetProperty("displayName").GetString(), connection.GetProperty("allowContributors").GetBoolean(), connection.GetProperty("profileCap").GetInt64()));

        // A contributor sees the connection and its key's state, with nothing to change.
        var contributor = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(contributor, ConsoleFixture.ContributorKey);
        await contributor.GotoAsync($"/#/connections/{connectionId}");
        await Expect(contributor.Locator("[data-key-verified]")).ToBeVisibleAsync();
        await Expect(contributor.Locator("form")).ToHaveCountAsync(0);
    }

    private async Task WaitUntilOnListAsync(string suffix, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (fixture.Simulator.State.GetListContacts(ListId).Count(c => c.Email.EndsWith($".{suffix}@example.com", StringComparison.Ordinal)) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{count} contacts did not reach list {ListId} within 60 s");
            await Task.Delay(250);
        }
    }
}
