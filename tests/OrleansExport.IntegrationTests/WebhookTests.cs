using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using OrleansExport.Grains.Webhooks;
using OrleansExport.TestSupport;

namespace OrleansExport.IntegrationTests;

/// <summary>A host that ActiveCampaign (the simulator) reaches at <c>ActiveCampaign:WebhookBaseUrl</c>: exports register webhooks.</summary>
public sealed class WebhookFixture : SiloFixture
{
    private readonly int _port = FreePorts.Next();

    protected override IEnumerable<string> ExtraArgs() =>
        [$"--urls=http://127.0.0.1:{_port}", $"--ActiveCampaign:WebhookBaseUrl=http://127.0.0.1:{_port}"];
}

/// <remarks>
/// Not run alongside other collections: starting and stopping a second host in the process while the shared one is
/// scraped took Orleans' own meters out of <c>MetricsTests</c>' scrape. Collections that disable parallelization run
/// after the others.
/// </remarks>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WebhookCollection : ICollectionFixture<WebhookFixture>
{
    public const string Name = "webhooks";
}

/// <summary>ActiveCampaign's webhooks, delivered by the simulator over real HTTP to the host's receiving route.</summary>
[Collection(WebhookCollection.Name)]
public sealed class WebhookTests(WebhookFixture fixture)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private async Task<(string Export, string ListId)> NewExportAsync(string segment)
    {
        var listId = fixture.Simulator.State.NewList($"l-{segment}");
        var connection = await Api.CreateConnectionAsync(fixture);
        return (await Api.CreateExportAsync(fixture, connection, segment, listId), listId);
    }

    private async Task<long> OptedOutAsync(string export) => (await Api.GetExportAsync(fixture, export)).GetProperty("optedOut").GetInt64();

    [Fact]
    public async Task FirstRun_RegistersOneWebhookOnTheList_ForEverySourceButTheApi()
    {
        var (export, listId) = await NewExportAsync("seg-hook-register");

        var hook = Assert.Single(fixture.Simulator.State.GetWebhooks(), h => h.ListId == listId);
        Assert.Equal(["bounce", "subscribe", "unsubscribe"], hook.Events.Order());
        Assert.Equal(["admin", "public", "system"], hook.Sources.Order());
        var secret = hook.Url[(hook.Url.LastIndexOf('/') + 1)..];
        Assert.True(secret.Length >= 32);
        Assert.StartsWith($"{fixture.BaseAddress.ToString().TrimEnd('/')}/api/activecampaign/webhooks/", hook.Url);
        Assert.DoesNotContain(fixture.LogLines, line => line.Contains(secret, StringComparison.Ordinal));

        // Another list: the webhook moves; deleting the export removes it.
        var newList = fixture.Simulator.State.NewList("l-seg-hook-register-2");
        var patched = await fixture.Client().PatchAsync($"/api/exports/{export}", System.Net.Http.Json.JsonContent.Create(new { listId = newList }));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.DoesNotContain(fixture.Simulator.State.GetWebhooks(), h => h.ListId == listId);
        Assert.Single(fixture.Simulator.State.GetWebhooks(), h => h.ListId == newList);

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client().DeleteAsync($"/api/exports/{export}")).StatusCode);
        Assert.DoesNotContain(fixture.Simulator.State.GetWebhooks(), h => h.ListId == newList);
    }

    [Fact]
    public async Task PersonUnsubscribesByLink_TheWebhookMarksTheContactOptedOutWithinSeconds_AndASubscribeLiftsIt()
    {
        const string segment = "seg-hook-optout";
        var (export, listId) = await NewExportAsync(segment);
        await Api.PostEventsAsync(fixture, [Api.Joined(segment, "h1", "hooked@example.com", T0)]);
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("inSync").GetInt64() == 1, "the join");

        fixture.Simulator.State.Unsubscribe("hooked@example.com", listId);
        await Api.EventuallyAsync(async () => await OptedOutAsync(export) == 1, "the webhook to mark the contact opted out", TimeSpan.FromSeconds(10));

        fixture.Simulator.State.Resubscribe("hooked@example.com", listId);
        await Api.EventuallyAsync(async () => await OptedOutAsync(export) == 0, "the webhook to lift the opt-out", TimeSpan.FromSeconds(10));
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("inSync").GetInt64() == 1, "in sync again");
    }

    [Fact]
    public async Task ARegistrationRetriedAfterALostAnswer_LeavesNoWebhookBehind_WhenTheExportIsDeleted()
    {
        var (export, listId) = await NewExportAsync("seg-hook-retried");
        var hook = Assert.Single(fixture.Simulator.State.GetWebhooks(), h => h.ListId == listId);

        // The first POST of a retried registration: ActiveCampaign made it, its answer never came back.
        using var account = new HttpClient { BaseAddress = fixture.Simulator.BaseAddress };
        account.DefaultRequestHeaders.Add("Api-Token", SiloFixture.SimulatorApiKey);
        var first = await account.PostAsync("/api/3/webhooks", System.Net.Http.Json.JsonContent.Create(new
        {
            webhook = new { name = hook.Name, url = hook.Url, events = hook.Events, sources = hook.Sources, listid = listId },
        }));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(2, fixture.Simulator.State.GetWebhooks().Count(h => h.Url == hook.Url));

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client().DeleteAsync($"/api/exports/{export}")).StatusCode);

        Assert.DoesNotContain(fixture.Simulator.State.GetWebhooks(), h => h.Url == hook.Url);
    }

    [Fact]
    public async Task DeletingTheConnection_RemovesItsExportsWebhooksFromTheAccount()
    {
        var (export, listId) = await NewExportAsync("seg-hook-connection-delete");
        Assert.Single(fixture.Simulator.State.GetWebhooks(), h => h.ListId == listId);
        var connection = (await Api.GetExportAsync(fixture, export)).GetProperty("connectionId").GetString();

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Client().DeleteAsync($"/api/connections/{connection}")).StatusCode);

        // Else ActiveCampaign would post the list's contacts to the service for ever, and nothing could remove it: the key is gone.
        Assert.DoesNotContain(fixture.Simulator.State.GetWebhooks(), h => h.ListId == listId);
    }

    [Fact]
    public async Task MoveToAnotherListWhoseWebhookCouldNotMove_ADeliveryAboutTheOldListChangesNothing()
    {
        const string segment = "seg-hook-stale-list";
        var key = "stale-list-key-" + Guid.NewGuid().ToString("N");
        fixture.Simulator.State.AddApiKey(key);
        var created = await fixture.Client().PostJsonAsync("/api/connections", Api.ConnectionBody(fixture, apiKey: key));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var connection = (await created.ReadAsync<JsonElement>()).GetProperty("id").GetString()!;
        var oldList = fixture.Simulator.State.NewList("l-stale-old");
        var newList = fixture.Simulator.State.NewList("l-stale-new");
        var export = await Api.CreateExportAsync(fixture, connection, segment, oldList);
        await Api.PostEventsAsync(fixture, [Api.Joined(segment, "st1", "stale@example.com", T0)]);
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("inSync").GetInt64() == 1, "the join");

        // The export moves to another list, and the old webhook cannot be removed (the account refuses the call).
        fixture.Simulator.State.RevokeApiKey(key);
        var webhook = fixture.Grains.GetGrain<IExportWebhookGrain>(export);
        await Assert.ThrowsAnyAsync<Exception>(() => webhook.EnsureRegisteredAsync(connection, newList));

        // A person unsubscribes from the old list: a choice about that list, not the export's (opt-outs are per list).
        var secret = fixture.Simulator.State.GetWebhooks().Single(w => w.ListId == oldList).Url.Split('/')[^1];
        Assert.False(await webhook.ReceiveAsync(WebhookSecrets.GrainKey(secret), oldList, "stale@example.com", ListSignal.Unsubscribed));
        Assert.Equal(0, await OptedOutAsync(export));
    }

    [Fact]
    public async Task TheOldAddress_AfterTheWebhookMovedToAnotherList_ChangesNothing_TheNewOneDoes()
    {
        const string segment = "seg-hook-old-address";
        var connection = await Api.CreateConnectionAsync(fixture);
        var oldList = fixture.Simulator.State.NewList("l-old-address");
        var newList = fixture.Simulator.State.NewList("l-new-address");
        var export = await Api.CreateExportAsync(fixture, connection, segment, oldList);
        await Api.PostEventsAsync(fixture, [Api.Joined(segment, "oa1", "old-address@example.com", T0)]);
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("inSync").GetInt64() == 1, "the join");
        var oldSecret = fixture.Simulator.State.GetWebhooks().Single(w => w.ListId == oldList).Url.Split('/')[^1];

        var webhook = fixture.Grains.GetGrain<IExportWebhookGrain>(export);
        await webhook.EnsureRegisteredAsync(connection, newList);
        var newSecret = fixture.Simulator.State.GetWebhooks().Single(w => w.ListId == newList).Url.Split('/')[^1];

        // Someone who kept the old address posts about the list the export sends to now.
        Assert.False(await webhook.ReceiveAsync(WebhookSecrets.GrainKey(oldSecret), newList, "old-address@example.com", ListSignal.Unsubscribed));
        Assert.Equal(0, await OptedOutAsync(export));
        Assert.True(await webhook.ReceiveAsync(WebhookSecrets.GrainKey(newSecret), newList, "old-address@example.com", ListSignal.Unsubscribed));
    }

    [Fact]
    public async Task ADelivery_PutsTheSecretInNoTraceAndNoLogLine()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        const string segment = "seg-hook-no-trace";
        var (export, listId) = await NewExportAsync(segment);
        await Api.PostEventsAsync(fixture, [Api.Joined(segment, "t1", "traced@example.com", T0)]);
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("inSync").GetInt64() == 1, "the join");
        var hook = Assert.Single(fixture.Simulator.State.GetWebhooks(), h => h.ListId == listId);
        var secret = hook.Url[(hook.Url.LastIndexOf('/') + 1)..];

        fixture.Simulator.State.Unsubscribe("traced@example.com", listId);
        await Api.EventuallyAsync(async () => await OptedOutAsync(export) == 1, "the webhook to mark the contact opted out", TimeSpan.FromSeconds(10));

        // Orleans traces every grain call, the look-up of the secret's export included, and names its target grain.
        Assert.Contains(spans, span => span.DisplayName.Contains("WebhookSecretGrain", StringComparison.Ordinal));
        Assert.DoesNotContain(spans, span => span.DisplayName.Contains(secret, StringComparison.Ordinal) || span.OperationName.Contains(secret, StringComparison.Ordinal)
            || span.TagObjects.Any(tag => tag.Value?.ToString()?.Contains(secret, StringComparison.Ordinal) == true));
        Assert.DoesNotContain(fixture.LogLines, line => line.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASecretStoredUnderItsOwnText_IsStillFound_AndMovesToItsHash()
    {
        const string segment = "seg-hook-stored-secret";
        var (export, listId) = await NewExportAsync(segment);
        await Api.PostEventsAsync(fixture, [Api.Joined(segment, "ss1", "stored@example.com", T0)]);
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("inSync").GetInt64() == 1, "the join");
        var hook = Assert.Single(fixture.Simulator.State.GetWebhooks(), h => h.ListId == listId);
        var secret = hook.Url[(hook.Url.LastIndexOf('/') + 1)..];

        // As a webhook registered before secrets were keyed by their hash left it.
        await fixture.Grains.GetGrain<IWebhookSecretGrain>(OrleansExport.Grains.Webhooks.WebhookSecrets.GrainKey(secret)).ClearAsync();
        await fixture.Grains.GetGrain<IWebhookSecretGrain>(secret).SetAsync(export);

        fixture.Simulator.State.Unsubscribe("stored@example.com", listId);
        await Api.EventuallyAsync(async () => await OptedOutAsync(export) == 1, "the webhook to mark the contact opted out", TimeSpan.FromSeconds(10));

        Assert.Equal(export, await fixture.Grains.GetGrain<IWebhookSecretGrain>(OrleansExport.Grains.Webhooks.WebhookSecrets.GrainKey(secret)).GetExportIdAsync());
        Assert.Null(await fixture.Grains.GetGrain<IWebhookSecretGrain>(secret).GetExportIdAsync());
    }

    [Fact]
    public async Task ForgedCall_UnknownSecret_Is404AndChangesNothing()
    {
        const string segment = "seg-hook-forged";
        var (export, listId) = await NewExportAsync(segment);
        await Api.PostEventsAsync(fixture, [Api.Joined(segment, "f1", "forged@example.com", T0)]);
        await Api.EventuallyAsync(async () => (await Api.GetExportAsync(fixture, export)).GetProperty("inSync").GetInt64() == 1, "the join");
        var body = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["type"] = "unsubscribe", ["list"] = listId, ["contact[id]"] = "1", ["contact[email]"] = "forged@example.com",
            ["initiated_from"] = "public", ["date_time"] = "2026-11-28T12:00:00Z",
        });
        using var anonymous = new HttpClient { BaseAddress = fixture.BaseAddress };

        foreach (var secret in new[] { new string('A', 43), "short", "<script>alert(1)</script>" })
        {
            var response = await anonymous.PostAsync($"/api/activecampaign/webhooks/{Uri.EscapeDataString(secret)}", body);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.DoesNotContain(secret, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        var status = await Api.GetExportAsync(fixture, export);
        Assert.Equal((0L, 1L), (status.GetProperty("optedOut").GetInt64(), status.GetProperty("inSync").GetInt64()));
    }
}
