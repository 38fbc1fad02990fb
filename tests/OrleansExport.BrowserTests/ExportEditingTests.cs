using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using OrleansExport.Simulator;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansExport.BrowserTests;

/// <summary>The export page's Edit (the Add destination form, prefilled; PATCH on save) and Pause/Resume.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ExportEditingTests(ConsoleFixture fixture, ITestOutputHelper output)
{
    private const float Timeout = 60_000;
    private const string ListId = "3";

    private sealed record Export(string Id, string Name, string SegmentId, string Suffix);

    [Fact]
    public async Task Edit_ChangesNameAndMapping_TheExportShowsThemAndTheHistorySaysWho()
    {
        var export = await CreateExportAsync();
        using var api = fixture.ApiClient(ConsoleFixture.AdminKey);
        await RunToEndAsync(api, export);
        Assert.All(ContactsOf(export), c => Assert.True(string.IsNullOrEmpty(c.FirstName)));

        var page = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(page, ConsoleFixture.AdminKey);
        await page.GotoAsync($"/#/exports/{export.Id}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit", Exact = true }).ClickAsync();

        // The form starts from the export as it is.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Edit “{export.Name}”", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Export name")).ToHaveValueAsync(export.Name);
        await Expect(ConsolePage.Picker(page, "List")).ToHaveValueAsync(ListId);
        await Expect(page.GetByLabel("Email")).ToHaveValueAsync("EmailAddress");
        await Expect(page.GetByLabel("First name")).ToHaveValueAsync("");
        await Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = export.SegmentId, Exact = true })).ToBeCheckedAsync();
        await Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "Tag 1" })).ToHaveValueAsync("edited");
        await Expect(page.Locator("[data-connection]")).ToContainTextAsync(fixture.Simulator.Hostname);

        var renamed = $"Renamed {export.Suffix}";
        await page.GetByLabel("Export name").FillAsync(renamed);
        await page.GetByLabel("First name").FillAsync("FirstName");
        await fixture.ScreenshotAsync(page, "40-edit-export", output);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();

        // Back on the export page: the new name and mapping, and who changed what in the history.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = renamed, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-flash]")).ToContainTextAsync("updated: name, data matching");
        await Expect(page.Locator(".definition")).ToContainTextAsync("First name");
        await Expect(page.Locator(".definition")).ToContainTextAsync("from FirstName");
        var history = page.Locator("[data-history] tbody tr");
        await Expect(history).ToHaveCountAsync(2);
        await Expect(history.First.Locator("[data-col=what]")).ToHaveTextAsync("Changed: name, data matching");
        await Expect(history.First.Locator("[data-col=by]")).ToHaveTextAsync("alice");
        await Expect(history.Last.Locator("[data-col=what]")).ToHaveTextAsync("Created");
        await fixture.ScreenshotAsync(page, "41-export-edited", output);

        // The members whose mapped data changed reach ActiveCampaign with their first names.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!ContactsOf(export).All(c => c.FirstName?.StartsWith("First p-", StringComparison.Ordinal) == true))
        {
            Assert.True(DateTime.UtcNow < deadline, "the contacts did not get their first names within 60 s");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Edit_WhileARunIsGoing_ShowsTheServersReasonAndChangesNothing()
    {
        var export = await CreateExportAsync();
        using var api = fixture.ApiClient(ConsoleFixture.AdminKey);
        using var simulator = new HttpClient { BaseAddress = new Uri($"http://{fixture.Simulator.Hostname}/") };
        var page = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(page, ConsoleFixture.AdminKey);
        await page.GotoAsync($"/#/exports/{export.Id}/edit");
        await page.GetByLabel("Export name").FillAsync($"Not now {export.Suffix}");

        // A slow account keeps the run going while the form is saved.
        (await simulator.PostAsJsonAsync("_sim/faults", new { addedLatency = "00:00:02" })).EnsureSuccessStatusCode();
        try
        {
            Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync($"api/exports/{export.Id}/runs", null)).StatusCode);
            await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
            var alert = page.Locator(".form-alert");
            await Expect(alert).ToContainTextAsync("run");
            await Expect(alert).ToBeFocusedAsync();
            await fixture.ScreenshotAsync(page, "42-edit-during-run", output);
        }
        finally
        {
            (await simulator.DeleteAsync("_sim/faults")).EnsureSuccessStatusCode();
        }

        Assert.Equal(export.Name, (await api.GetFromJsonAsync<JsonElement>($"api/exports/{export.Id}")).GetProperty("displayName").GetString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Edit “{export.Name}”", Level = 1 })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task PauseAndResume_WithTheKeyboard_SayWhoPausedAndRefuseRunsMeanwhile()
    {
        var export = await CreateExportAsync();
        using var api = fixture.ApiClient(ConsoleFixture.AdminKey);
        var page = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(page, ConsoleFixture.AdminKey);
        await page.GotoAsync($"/#/exports/{export.Id}");
        var pause = page.GetByRole(AriaRole.Button, new() { Name = "Pause", Exact = true });
        var resume = page.GetByRole(AriaRole.Button, new() { Name = "Resume", Exact = true });
        var paused = page.Locator("[data-paused]");
        await Expect(resume).ToBeHiddenAsync();

        await pause.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(paused).ToContainTextAsync("alice");
        await Expect(resume).ToBeFocusedAsync();
        await Expect(pause).ToBeHiddenAsync();
        await Expect(page.Locator("[data-live-status]")).ToContainTextAsync("Paused");
        await fixture.ScreenshotAsync(page, "43-export-paused", output);

        // A paused export starts no run: the server's reason is shown.
        await page.GetByRole(AriaRole.Button, new() { Name = "Run now" }).ClickAsync();
        await Expect(page.Locator("[data-action-error]")).Not.ToBeEmptyAsync();
        Assert.Equal(0, (await api.GetFromJsonAsync<JsonElement>($"api/exports/{export.Id}/runs")).GetArrayLength());

        await resume.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(paused).ToBeEmptyAsync();
        await Expect(pause).ToBeFocusedAsync();
        await Expect(resume).ToBeHiddenAsync();
        var history = page.Locator("[data-history] tbody tr [data-col=what]");
        await Expect(history).ToHaveTextAsync(["Resumed", "Paused", "Created"]);
        await Expect(page.Locator("[data-history] tbody tr [data-col=by]")).ToHaveTextAsync(["alice", "alice", "alice"]);
        Assert.True((await api.GetFromJsonAsync<JsonElement>($"api/exports/{export.Id}")).GetProperty("paused").ValueKind == JsonValueKind.Null);
    }

    /// <summary>An export (email and a tag mapped, no names) of a segment that already has two members.</summary>
    private async Task<Export> CreateExportAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var segmentId = $"edited-{suffix}";
        var connectionId = await fixture.CreateConnectionAsync($"Edited {suffix}");
        using var api = fixture.ApiClient(ConsoleFixture.AdminKey);
        await SegmentEvents.PostAsync(api, [.. Enumerable.Range(1, 2).Select(i => SegmentEvents.Joined(segmentId, $"p-{suffix}-{i}", $"edited{i}.{suffix}@example.com", "gold"))]);
        await SegmentEvents.WaitForMembersAsync(api, segmentId, 2);

        var name = $"Edited {suffix}";
        using var created = await api.PostAsJsonAsync("api/exports", new
        {
            displayName = name, connectionId, listId = ListId, segmentIds = new[] { segmentId },
            mapping = new { email = "EmailAddress", tags = new[] { "edited" } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return new Export((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!, name, segmentId, suffix);
    }

    private static async Task RunToEndAsync(HttpClient api, Export export)
    {
        using var started = await api.PostAsync($"api/exports/{export.Id}/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await api.GetFromJsonAsync<JsonElement>($"api/exports/{export.Id}/runs/{runId}")).GetProperty("status").GetString() is not "succeeded")
        {
            Assert.True(DateTime.UtcNow < deadline, $"run {runId} did not succeed within 60 s");
            await Task.Delay(250);
        }
    }

    private List<SimContact> ContactsOf(Export export) => [.. fixture.Simulator.State.GetListContacts(ListId)
        .Where(c => c.Email.EndsWith($".{export.Suffix}@example.com", StringComparison.Ordinal))];
}
