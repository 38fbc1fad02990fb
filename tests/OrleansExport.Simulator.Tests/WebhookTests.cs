using System.Diagnostics;

namespace OrleansExport.Simulator.Tests;

/// <summary><c>/api/3/webhooks</c>, and the form posts the simulator delivers when people change a list.</summary>
public sealed class WebhookTests
{
    private static readonly string[] PeopleSources = ["public", "admin", "system"];

    [Fact]
    public async Task Webhook_IsCreated201_ReadListedAndDeleted()
    {
        await using var sim = await TestSimulator.StartAsync();

        using var created = await sim.PostJsonAsync("api/3/webhooks", Hook("http://127.0.0.1:9/hook", ["unsubscribe", "bounce"], PeopleSources, "1"));
        var webhook = (await TestSimulator.ReadJsonAsync(created))["webhook"]!;
        string id = webhook["id"]!.GetValue<string>();
        using var read = await sim.Client.GetAsync($"api/3/webhooks/{id}");
        using var all = await sim.Client.GetAsync("api/3/webhooks");
        using var deleted = await sim.Client.DeleteAsync($"api/3/webhooks/{id}");
        using var gone = await sim.Client.GetAsync($"api/3/webhooks/{id}");
        using var deletedAgain = await sim.Client.DeleteAsync($"api/3/webhooks/{id}");

        Assert.Equal(201, (int)created.StatusCode);
        Assert.Equal(("1", "http://127.0.0.1:9/hook"), (webhook["listid"]!.GetValue<string>(), webhook["url"]!.GetValue<string>()));
        Assert.Equal(new[] { "unsubscribe", "bounce" }, webhook["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal(200, (int)read.StatusCode);
        Assert.Equal("1", (await TestSimulator.ReadJsonAsync(all))["meta"]!["total"]!.GetValue<string>());
        Assert.Equal((200, 404, 404), ((int)deleted.StatusCode, (int)gone.StatusCode, (int)deletedAgain.StatusCode));
        Assert.Empty(sim.State.GetWebhooks());
    }

    [Theory]
    [InlineData("", "unsubscribe", "public", "1", 422)]
    [InlineData("ftp://127.0.0.1/hook", "unsubscribe", "public", "1", 422)]
    [InlineData("http://127.0.0.1/hook", "explode", "public", "1", 422)]
    [InlineData("http://127.0.0.1/hook", "unsubscribe", "everyone", "1", 422)]
    [InlineData("http://127.0.0.1/hook", "unsubscribe", "public", "404", 404)]
    public async Task Webhook_WithABadMember_IsRefused(string url, string eventName, string source, string listId, int expected)
    {
        await using var sim = await TestSimulator.StartAsync();

        using var response = await sim.PostJsonAsync("api/3/webhooks", Hook(url, [eventName], [source], listId));

        Assert.Equal(expected, (int)response.StatusCode);
        Assert.Empty(sim.State.GetWebhooks());
    }

    [Fact]
    public async Task APersonsUnsubscribe_IsPostedAsAFormToTheMatchingWebhook_AndAnApiChangeOnlyToAHookThatAsksForApi()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"), TestSimulator.Contact("bob@example.com"));
        await CreateAsync(sim, Hook($"{receiver.BaseUrl}/people", ["unsubscribe", "bounce", "subscribe"], PeopleSources, "1"));
        await CreateAsync(sim, Hook($"{receiver.BaseUrl}/other-list", ["unsubscribe"], PeopleSources, "2"));
        await CreateAsync(sim, Hook($"{receiver.BaseUrl}/api", ["unsubscribe"], ["api"], "0"));

        sim.State.Unsubscribe("ann@example.com", "1", campaignId: "12", reason: "Not interested");
        var byLink = await receiver.NextAsync();
        using var apiUnsubscribe = await sim.PostJsonAsync("api/3/contactLists", new { contactList = new { list = "1", contact = "2", status = 2 } });
        var byApi = await receiver.NextAsync();
        sim.State.Bounce("bob@example.com", "1");
        var bounce = await receiver.NextAsync();

        Assert.Equal("/people", byLink.Path);
        Assert.StartsWith("application/x-www-form-urlencoded", byLink.ContentType);
        Assert.Equal("unsubscribe", byLink.Form["type"]);
        Assert.Equal(("public", "1", "1", "ann@example.com", "First"),
            (byLink.Form["initiated_from"], byLink.Form["list"], byLink.Form["contact[id]"], byLink.Form["contact[email]"], byLink.Form["contact[first_name]"]));
        Assert.Equal(("12", "Not interested"), (byLink.Form["campaign[id]"], byLink.Form["unsubscribe[reason]"]));
        Assert.True(DateTimeOffset.TryParse(byLink.Form["date_time"], out _));
        Assert.Equal(("/api", "api", "bob@example.com"), (byApi.Path, byApi.Form["initiated_from"], byApi.Form["contact[email]"]));
        Assert.Equal(("/people", "bounce", "system"), (bounce.Path, bounce.Form["type"], bounce.Form["initiated_from"]));
        await DeliveriesRecordedAsync(sim, 3);
        Assert.False(await receiver.ReceivesAnyAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Equal(3, sim.State.GetWebhookDeliveries().Count(d => d.Outcome == "delivered"));
    }

    [Fact]
    public async Task AnEmailEditInTheApp_IsPostedAsAnUpdate()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"));
        await CreateAsync(sim, Hook($"{receiver.BaseUrl}/hook", ["update"], PeopleSources, "1"));

        Assert.Equal(PersonActionOutcome.Done, sim.State.ChangeEmailInApp("ann@example.com", "ann.new@example.com"));
        var update = await receiver.NextAsync();

        Assert.Equal(("update", "admin", "ann.new@example.com"), (update.Form["type"], update.Form["initiated_from"], update.Form["contact[email]"]));
    }

    [Fact]
    public async Task WebhookDropRate_LosesDeliveries_AndCountsThem()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await TestSimulator.StartAsync(o => o.Faults = new SimulatorFaults { WebhookDropRate = 1 });
        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"));
        await CreateAsync(sim, Hook($"{receiver.BaseUrl}/hook", ["unsubscribe"], PeopleSources, "1"));

        sim.State.Unsubscribe("ann@example.com", "1");
        await DeliveriesRecordedAsync(sim, 1);

        Assert.False(await receiver.ReceivesAnyAsync(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(1, sim.State.Faults.View().Injected.DroppedWebhooks);
        using var deliveries = await sim.Client.GetAsync("_sim/webhooks/deliveries");
        var delivery = Assert.Single((await TestSimulator.ReadJsonAsync(deliveries)).AsArray())!;
        Assert.Equal(("dropped", "unsubscribe", "ann@example.com"),
            (delivery["outcome"]!.GetValue<string>(), delivery["type"]!.GetValue<string>(), delivery["email"]!.GetValue<string>()));
    }

    [Fact]
    public async Task WebhookDelay_HoldsDeliveriesBack()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sim = await TestSimulator.StartAsync(o => o.Faults = new SimulatorFaults { WebhookDelay = TimeSpan.FromMilliseconds(400) });
        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"));
        await CreateAsync(sim, Hook($"{receiver.BaseUrl}/hook", ["unsubscribe"], PeopleSources, "1"));

        var clock = Stopwatch.StartNew();
        sim.State.Unsubscribe("ann@example.com", "1");
        await receiver.NextAsync();

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(390), $"delivered after {clock.Elapsed}");
    }

    [Fact]
    public async Task ADeliveryNobodyAnswers_IsRecordedAsFailed_AndChangesNothingElse()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.ImportAsync(TestSimulator.Contact("ann@example.com"));
        await CreateAsync(sim, Hook("http://127.0.0.1:1/nobody", ["unsubscribe"], PeopleSources, "0"));

        sim.State.Unsubscribe("ann@example.com", "1");
        await DeliveriesRecordedAsync(sim, 1);

        Assert.Equal("failed", Assert.Single(sim.State.GetWebhookDeliveries()).Outcome);
        Assert.Equal(2, sim.SingleContact("1").Status);
    }

    /// <summary>
    /// Waits for the background delivery loop to record <paramref name="count"/> deliveries, whatever their outcome,
    /// so a busy machine's slow loop is not mistaken for a missing or extra delivery.
    /// </summary>
    private static async Task DeliveriesRecordedAsync(TestSimulator sim, int count)
    {
        var clock = Stopwatch.StartNew();
        while (sim.State.GetWebhookDeliveries().Count < count)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{sim.State.GetWebhookDeliveries().Count} of {count} webhook deliveries recorded after {clock.Elapsed}");
            await Task.Delay(20);
        }
    }

    private static object Hook(string url, string[] events, string[] sources, string listId) =>
        new { webhook = new { name = "OrleansExport", url, events, sources, listid = listId } };

    private static async Task CreateAsync(TestSimulator sim, object hook)
    {
        using var response = await sim.PostJsonAsync("api/3/webhooks", hook);
        Assert.Equal(201, (int)response.StatusCode);
    }
}
