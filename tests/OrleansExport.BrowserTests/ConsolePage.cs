using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansExport.BrowserTests;

/// <summary>Steps the tests share: signing in, saving screenshots, setting up data through the API.</summary>
public static class ConsolePage
{
    /// <summary>Signs in the way a person does: paste the key, press Enter. Ends on the exports page.</summary>
    public static async Task SignInAsync(IPage page, string key)
    {
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByLabel("API key").PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Exports", Level = 1 })).ToBeVisibleAsync();
    }

    /// <summary>
    /// Saves a screenshot as TestResults/screenshots/{name}.png and says where: the whole page, or only the
    /// viewport (for a modal dialog, whose backdrop covers only the viewport).
    /// </summary>
    public static async Task ScreenshotAsync(this ConsoleFixture fixture, IPage page, string name, ITestOutputHelper output, bool fullPage = true)
    {
        var path = Path.Combine(fixture.ScreenshotDirectory, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        output.WriteLine($"screenshot: {path}");
    }

    /// <summary>The error shown next to a form control, found through the control's aria-describedby.</summary>
    public static ILocator ErrorOf(IPage page, string controlId) => page.Locator($"#{controlId}-error");

    public static ILocator Counter(IPage page, string name) => page.Locator($"[data-counter=\"{name}\"]");

    /// <summary>The list, custom field or connection chosen from a picker (a select), by its accessible name.</summary>
    public static ILocator Picker(IPage page, string name) => page.GetByRole(AriaRole.Combobox, new() { Name = name });

    /// <summary>Creates a connection to the simulator through the API (with the simulator's key unless told another); returns its id.</summary>
    public static async Task<string> CreateConnectionAsync(this ConsoleFixture fixture, string displayName, string apiKey = ConsoleFixture.SimulatorApiKey)
    {
        using var admin = fixture.ApiClient(ConsoleFixture.AdminKey);
        using var response = await admin.PostAsJsonAsync("api/connections", new
        {
            displayName, hostname = fixture.Simulator.Hostname, apiKey, dataPrivacyConsent = true,
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
