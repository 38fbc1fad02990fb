using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrleansExport.BrowserTests;

/// <summary>API errors on grouped controls land next to their group, not at the top of the form.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class FormErrorTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task AddDestination_ShowsCustomFieldAndScheduleErrorsNextToThem()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var connectionName = $"Errors {suffix}";
        var field = fixture.Simulator.State.AddField($"Errors {suffix}");
        using (var admin = fixture.ApiClient(ConsoleFixture.AdminKey))
        {
            using var created = await admin.PostAsJsonAsync("api/connections", new
            {
                displayName = connectionName, hostname = fixture.Simulator.Hostname, apiKey = ConsoleFixture.SimulatorApiKey, dataPrivacyConsent = true,
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var page = await fixture.NewPageAsync();
        await ConsolePage.SignInAsync(page, ConsoleFixture.AdminKey);
        await page.GotoAsync("/#/exports/new");
        await page.GetByLabel("Export name").FillAsync("Errors");
        await page.GetByLabel("Connection").SelectOptionAsync(new SelectOptionValue { Label = $"{connectionName} ({fixture.Simulator.Hostname})" });
        await ConsolePage.Picker(page, "List").SelectOptionAsync("1");
        await page.GetByLabel("Other segment ids").FillAsync("errors");
        await page.GetByLabel("Email").FillAsync("EmailAddress");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add attribute" }).ClickAsync();
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Profile attribute 1" }).FillAsync("Tier");
        await page.GetByLabel("Schedule").SelectOptionAsync(new SelectOptionValue { Label = "Custom cron expression…" });
        await Expect(page.GetByLabel("Cron expression (UTC)")).ToBeFocusedAsync();
        await page.GetByLabel("Cron expression (UTC)").FillAsync("every day at noon");

        // No custom field is chosen for the attribute: the error sits in the custom fields group.
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        var fieldsError = page.Locator("[data-field='mapping.fields'] > .field-error");
        await Expect(fieldsError).ToContainTextAsync("positive ActiveCampaign fieldId");
        await Expect(page.Locator(".form-alert")).ToBeEmptyAsync();

        // With the field chosen, the cron expression is next in line: its error sits under the schedule.
        await ConsolePage.Picker(page, "ActiveCampaign field").SelectOptionAsync(field.Id);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("#schedule-error")).ToContainTextAsync("not a valid cron expression");
        await Expect(fieldsError).ToBeEmptyAsync();
        await Expect(page.GetByLabel("Schedule")).ToHaveAttributeAsync("aria-invalid", "true");
    }
}
