using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace OrleansExport.BrowserTests;

/// <summary>
/// The export form's pickers: the list and the custom fields are chosen by name from the connection's account
/// (GET /api/connections/{id}/lists and .../fields), tags are suggested from .../tags; the export stores ids.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class AccountPickerTests(ConsoleFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task AddDestination_ListByName_FieldByTitle_TagSuggested_TheExportHoldsTheirIds()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var state = fixture.Simulator.State;
        // Enough lists that the list picker gets its search box; the one to choose is among them.
        for (var i = 1; i <= 30; i++)
        {
            state.NewList($"Campaign {suffix} {i}");
        }

        var listName = $"Newsletter {suffix}";
        var listId = state.NewList(listName);
        state.AddField($"Birthday {suffix}", "date");
        var loyalty = state.AddField($"Loyalty tier {suffix}");
        var tag = state.AddTag($"vip-{suffix}");
        var connectionName = $"Pickers {suffix}";
        await fixture.CreateConnectionAsync(connectionName);

        var page = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(page, ConsoleFixture.AdminKey);
        await page.GotoAsync("/#/exports/new");
        var list = ConsolePage.Picker(page, "List");
        await Expect(list).ToBeDisabledAsync();
        await Expect(page.Locator("[data-account-status]")).ToContainTextAsync("Choose a connection");

        await page.GetByLabel("Export name").FillAsync($"Picked {suffix}");
        await page.GetByLabel("Connection").SelectOptionAsync(new SelectOptionValue { Label = $"{connectionName} ({fixture.Simulator.Hostname})" });
        await Expect(page.Locator("[data-account-status]")).ToContainTextAsync("From the account");

        // The list: found by name with the keyboard (type in the search box, Tab to the list, arrow to the one match).
        var find = page.GetByRole(AriaRole.Searchbox, new() { Name = "Find a list by name" });
        await find.FillAsync(listName);
        await Expect(page.Locator("#list-id-count")).ToHaveTextAsync(new Regex($"^1 of \\d+ lists match “{listName}”\\.$"));
        await Expect(list.Locator("option")).ToHaveTextAsync(["Choose a list…", $"{listName} (ID {listId})"]);
        await page.Keyboard.PressAsync("Tab");
        await Expect(list).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(list).ToHaveValueAsync(listId);

        await page.GetByLabel("Other segment ids").FillAsync($"picked-{suffix}");
        await page.GetByLabel("Email").FillAsync("EmailAddress");

        // The custom field: by its title, the id shown beside it.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add attribute" }).ClickAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Profile attribute 1" }).FillAsync("Tier");
        await ConsolePage.Picker(page, "ActiveCampaign field").SelectOptionAsync(new SelectOptionValue { Label = $"{loyalty.Title} (ID {loyalty.Id})" });

        // Tags: the account's tags are suggested; a new one may still be typed.
        await page.GetByRole(AriaRole.Button, new() { Name = "Add tag" }).ClickAsync();
        var tag1 = page.GetByRole(AriaRole.Combobox, new() { Name = "Tag 1" });
        await Expect(tag1).ToHaveAttributeAsync("list", "tag-suggestions");
        await Expect(page.Locator($"#tag-suggestions option[value=\"{tag.Tag}\"]")).ToHaveCountAsync(1);
        await tag1.FillAsync(tag.Tag);
        await page.Keyboard.PressAsync("Tab");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add tag" }).ClickAsync();
        await page.GetByRole(AriaRole.Combobox, new() { Name = "Tag 2" }).FillAsync($"brand-new-{suffix}");
        await page.Keyboard.PressAsync("Tab");
        await fixture.ScreenshotAsync(page, "50-add-destination-pickers", output);

        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Picked {suffix}", Level = 1 })).ToBeVisibleAsync();

        // The export holds the ids of what was chosen by name.
        var exportId = page.Url.Split("#/exports/")[1];
        using var api = fixture.ApiClient(ConsoleFixture.AdminKey);
        var export = await api.GetFromJsonAsync<JsonElement>($"api/exports/{exportId}");
        Assert.Equal(listId, export.GetProperty("listId").GetString());
        var mapping = export.GetProperty("mapping");
        var field = Assert.Single(mapping.GetProperty("fields").EnumerateArray());
        Assert.Equal(("Tier", int.Parse(loyalty.Id, System.Globalization.CultureInfo.InvariantCulture)),
            (field.GetProperty("attribute").GetString(), field.GetProperty("fieldId").GetInt32()));
        Assert.Equal([tag.Tag, $"brand-new-{suffix}"], mapping.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        // Edit starts from them, shown by name.
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit", Exact = true }).ClickAsync();
        await Expect(page.Locator("[data-account-status]")).ToContainTextAsync("From the account");
        await Expect(list).ToHaveValueAsync(listId);
        await Expect(list.Locator("option:checked")).ToHaveTextAsync($"{listName} (ID {listId})");
        await Expect(ConsolePage.Picker(page, "ActiveCampaign field").Locator("option:checked")).ToHaveTextAsync($"{loyalty.Title} (ID {loyalty.Id})");
        await fixture.ScreenshotAsync(page, "51-edit-export-pickers", output);
    }
}
