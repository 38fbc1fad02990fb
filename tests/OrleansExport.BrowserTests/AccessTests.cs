using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansExport.BrowserTests;

/// <summary>What each role sees: the console offers only what the API lets that role do.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class AccessTests(ConsoleFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Contributor_PicksOnlyConnectionsThatAllowContributors()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var adminsOnly = await CreateConnectionAsync($"Admins only {suffix}", allowContributors: false);
        var shared = await CreateConnectionAsync($"Shared {suffix}", allowContributors: true);
        var page = await fixture.NewPageAsync();

        await ConsolePage.SignInAsync(page, ConsoleFixture.ContributorKey);
        await Expect(page.Locator("#user-role")).ToHaveTextAsync("Contributor");
        await page.GetByRole(AriaRole.Link, new() { Name = "Add destination" }).ClickAsync();
        var options = await page.GetByLabel("Connection").Locator("option").AllTextContentsAsync();
        Assert.Contains($"{shared} ({fixture.Simulator.Hostname})", options);
        Assert.DoesNotContain(options, o => o.StartsWith(adminsOnly, StringComparison.Ordinal));
        await fixture.ScreenshotAsync(page, "20-contributor-add-destination", output);

        await page.GetByRole(AriaRole.Link, new() { Name = "Connections", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = shared })).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = adminsOnly })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Add connection" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Viewer_SeesExportsButCannotChangeThem()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var connectionId = await CreateConnectionIdAsync($"Viewed {suffix}", allowContributors: false);
        using var admin = fixture.ApiClient(ConsoleFixture.AdminKey);
        using var created = await admin.PostAsJsonAsync("api/exports", new
        {
            displayName = $"Watched {suffix}", connectionId, listId = "3", segmentIds = new[] { $"watched-{suffix}" },
            mapping = new { email = "EmailAddress" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var page = await fixture.NewPageAsync();

        await ConsolePage.SignInAsync(page, ConsoleFixture.ViewerKey);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Add destination" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = $"Watched {suffix}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Watched {suffix}", Level = 1 })).ToBeVisibleAsync();
        await Expect(ConsolePage.Counter(page, "inSync")).ToHaveTextAsync("0");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Run now" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete export" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task SignOut_ForgetsTheKey()
    {
        var page = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(page, ConsoleFixture.AdminKey);
        Assert.Equal(ConsoleFixture.AdminKey, await page.EvaluateAsync<string>("sessionStorage.getItem('orleansExport.apiKey')"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('orleansExport.apiKey')"));
        await page.GotoAsync("/#/connections");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    private async Task<string> CreateConnectionAsync(string displayName, bool allowContributors)
    {
        await CreateConnectionIdAsync(displayName, allowContributors);
        return displayName;
    }

    private async Task<string> CreateConnectionIdAsync(string displayName, bool allowContributors)
    {
        using var admin = fixture.ApiClient(ConsoleFixture.AdminKey);
        using var response = await admin.PostAsJsonAsync("api/connections", new
        {
            displayName, hostname = fixture.Simulator.Hostname, apiKey = ConsoleFixture.SimulatorApiKey, allowContributors, dataPrivacyConsent = true,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
