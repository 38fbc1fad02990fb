using OrleansExport.Simulator;

namespace OrleansExport.ActiveCampaign.Tests;

/// <summary>
/// The calls that read what people did to the account, against the project's simulator over real HTTP: each is one paced
/// request, like every other.
/// </summary>
public sealed class ListeningClientTests : IAsyncLifetime
{
    private const string ApiKey = SimulatedAccount.ApiKey;

    private readonly RecordingPacer pacer = new();
    private readonly CapturingLoggerProvider logs = new();
    private SimulatedAccount account = null!;

    private ActiveCampaignSimulator Simulator => account.Simulator;

    private ActiveCampaignAccount Account => account.Account;

    private IActiveCampaignClient Client => account.Client;

    public async Task InitializeAsync() => account = await SimulatedAccount.StartAsync(pacer, logs, "1", "2");

    public async Task DisposeAsync() => await account.DisposeAsync();

    [Fact]
    public async Task ListStatus_SaysWhetherOurApiOrSomeoneElseSetIt_AndTellsNotOnTheListFromNoSuchContact()
    {
        await ImportAsync("ann@example.com", "bob@example.com");
        var annId = await Client.FindContactIdAsync(Account, "ANN@example.com", CancellationToken.None);
        var acquiredBefore = pacer.Acquired.Count;

        var imported = await Client.GetListStatusAsync(Account, annId!, "1", CancellationToken.None);
        Simulator.State.Unsubscribe("ann@example.com", "1", campaignId: "5");
        var byLink = await Client.GetListStatusAsync(Account, annId!, "1", CancellationToken.None);
        Simulator.State.Bounce("bob@example.com", "1");
        var bounced = await Client.GetListStatusAsync(Account, "2", "1", CancellationToken.None);
        var otherList = await Client.GetListStatusAsync(Account, annId!, "2", CancellationToken.None);
        Simulator.State.DeleteInApp("ann@example.com");
        var deleted = await Client.GetListStatusAsync(Account, annId!, "1", CancellationToken.None);

        Assert.Equal(new ListStatusLookup.OnList(ContactListStatus.Active, SetThroughApi: true, "0", null), imported);
        Assert.Equal(new ListStatusLookup.OnList(ContactListStatus.Unsubscribed, SetThroughApi: false, "4", "5"), byLink);
        Assert.True(((ListStatusLookup.OnList)byLink).IsUnsubscribedOrBounced);
        Assert.Equal(ContactListStatus.Bounced, Assert.IsType<ListStatusLookup.OnList>(bounced).Status);
        Assert.False(((ListStatusLookup.OnList)bounced).SetThroughApi);
        Assert.IsType<ListStatusLookup.NotOnList>(otherList);
        Assert.IsType<ListStatusLookup.NoSuchContact>(deleted);
        Assert.Equal(5, pacer.Acquired.Count - acquiredBefore);
        Assert.All(pacer.Acquired.Skip(acquiredBefore), permit => Assert.Equal((Simulator.Hostname, RequestKind.Other), permit));
    }

    [Fact]
    public async Task ResubscribingThroughContactLists_IsSeenAsOurApisChangeAgain()
    {
        await ImportAsync("ann@example.com");
        Simulator.State.Unsubscribe("ann@example.com", "1", byUser: true);
        var id = (await Client.FindContactIdAsync(Account, "ann@example.com", CancellationToken.None))!;

        var byUser = await Client.GetListStatusAsync(Account, id, "1", CancellationToken.None);
        await Client.SetListStatusAsync(Account, "1", id, 1, CancellationToken.None);
        var afterApi = await Client.GetListStatusAsync(Account, id, "1", CancellationToken.None);

        Assert.Equal(new ListStatusLookup.OnList(ContactListStatus.Unsubscribed, false, "1", null), byUser);
        Assert.Equal(new ListStatusLookup.OnList(ContactListStatus.Active, true, "0", null), afterApi);
    }

    [Fact]
    public async Task ListContactsPage_UpdatedAfter_ListsOnlyContactsChangedSince()
    {
        await ImportAsync("c1@example.com", "c2@example.com");
        Simulator.State.Bounce("c2@example.com", "1");
        var now = DateTimeOffset.UtcNow;

        var recent = await Client.GetListContactsPageAsync(Account, "1", ContactListStatus.Bounced, 0, CancellationToken.None, now - TimeSpan.FromMinutes(1));
        var later = await Client.GetListContactsPageAsync(Account, "1", ContactListStatus.Bounced, 0, CancellationToken.None, now + TimeSpan.FromMinutes(1));

        Assert.Equal("c2@example.com", Assert.Single(recent.Contacts).Email);
        Assert.Equal((0, 0), (later.Contacts.Count, later.Total));
    }

    [Fact]
    public async Task ListContactsPages_ReadAListStatusByStatus_AHundredAPaceRequestAtATime()
    {
        await ImportAsync([.. Enumerable.Range(0, 230).Select(i => $"c{i}@example.com")]);
        Simulator.State.Unsubscribe("c7@example.com", "1");
        Simulator.State.Bounce("c8@example.com", "1");
        var acquiredBefore = pacer.Acquired.Count;

        var active = new List<ListedContact>();
        var pages = 0;
        int? offset = 0;
        while (offset is { } next)
        {
            var page = await Client.GetListContactsPageAsync(Account, "1", ContactListStatus.Active, next, CancellationToken.None);
            Assert.Equal(228, page.Total);
            active.AddRange(page.Contacts);
            pages++;
            offset = page.NextOffset;
        }

        var unsubscribed = await Client.GetListContactsPageAsync(Account, "1", ContactListStatus.Unsubscribed, 0, CancellationToken.None);
        var bounced = await Client.GetListContactsPageAsync(Account, "1", ContactListStatus.Bounced, 0, CancellationToken.None);
        var any = await Client.GetListContactsPageAsync(Account, "1", null, 200, CancellationToken.None);

        Assert.Equal(3, pages);
        Assert.Equal(228, active.Select(c => c.Email).Distinct().Count());
        Assert.DoesNotContain(active, c => c.Email is "c7@example.com" or "c8@example.com");
        Assert.Equal([new ListedContact("8", "c7@example.com")], unsubscribed.Contacts);
        Assert.Equal("c8@example.com", Assert.Single(bounced.Contacts).Email);
        Assert.Equal((30, 230, (int?)null), (any.Contacts.Count, any.Total, any.NextOffset));
        Assert.Equal(6, pacer.Acquired.Count - acquiredBefore);
    }

    [Fact]
    public async Task FindContactId_IsTheIdOrNull()
    {
        await ImportAsync("ann@example.com");

        Assert.Equal("1", await Client.FindContactIdAsync(Account, "ann@example.com", CancellationToken.None));
        Assert.Null(await Client.FindContactIdAsync(Account, "nobody@example.com", CancellationToken.None));
    }

    [Fact]
    public async Task Webhook_IsRegisteredAsAsked_ThenDeleted_AndASecondDeleteIsFalse()
    {
        var url = "http://127.0.0.1:9/api/activecampaign/webhooks/s3cret-0123456789abcdef0123456789abcdef";

        var id = await Client.CreateWebhookAsync(Account,
            new WebhookRegistration("OrleansExport export 7", url, ["unsubscribe", "bounce", "subscribe"], ["public", "admin", "system"], "1"),
            CancellationToken.None);
        var registered = Assert.Single(Simulator.State.GetWebhooks());
        var deleted = await Client.DeleteWebhookAsync(Account, id, CancellationToken.None);
        var again = await Client.DeleteWebhookAsync(Account, id, CancellationToken.None);

        Assert.Equal((id, url, "1"), (registered.Id, registered.Url, registered.ListId));
        Assert.Equal(["unsubscribe", "bounce", "subscribe"], registered.Events);
        Assert.Equal(["public", "admin", "system"], registered.Sources);
        Assert.True(deleted);
        Assert.False(again);
        Assert.Empty(Simulator.State.GetWebhooks());
    }

    [Fact]
    public async Task Webhooks_AreListedWithTheirUrls()
    {
        var urls = new[] { "http://127.0.0.1:9/api/activecampaign/webhooks/one", "http://127.0.0.1:9/api/activecampaign/webhooks/two" };
        var ids = new List<string>();
        foreach (var url in urls)
        {
            ids.Add(await Client.CreateWebhookAsync(Account, new WebhookRegistration("OrleansExport", url, ["unsubscribe"], ["public"], "1"), CancellationToken.None));
        }

        var listed = await Client.GetWebhooksAsync(Account, CancellationToken.None);

        Assert.Equal(ids.Zip(urls, (id, url) => new AccountWebhook(id, url)).OrderBy(w => w.Id), listed.OrderBy(w => w.Id));
    }

    [Fact]
    public async Task ARefusedWebhook_ThrowsWithoutItsUrlOrTheKey()
    {
        var url = "ftp://127.0.0.1/hooks/s3cret-0123456789abcdef0123456789abcdef";

        var refused = await Assert.ThrowsAsync<ActiveCampaignException>(() => Client.CreateWebhookAsync(Account,
            new WebhookRegistration("OrleansExport", url, ["unsubscribe"], ["public"], "1"), CancellationToken.None));

        Assert.Equal(422, refused.StatusCode);
        Assert.DoesNotContain("s3cret", refused.ToString());
        Assert.DoesNotContain(ApiKey, refused.ToString());
    }

    private async Task ImportAsync(params string[] emails)
    {
        foreach (var chunk in emails.Chunk(250))
        {
            var result = await Client.BulkImportAsync(Account,
                [.. chunk.Select(email => new BulkContact(email, null, null, null, [], [], SubscribeListId: "1", UnsubscribeListId: null))],
                CancellationToken.None);
            Assert.IsType<BulkImportResult.Queued>(result);
        }
    }
}
