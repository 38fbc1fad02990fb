using Microsoft.Extensions.DependencyInjection;
using OrleansExport.Simulator;

namespace OrleansExport.ActiveCampaign.Tests;

/// <summary>The client against the project's simulator over real HTTP: paging, tags, contactTags and refused keys.</summary>
public sealed class SimulatorClientTests : IAsyncLifetime
{
    private const string ApiKey = SimulatedAccount.ApiKey;

    private readonly HookedPacer pacer = new();
    private readonly CapturingLoggerProvider logs = new();
    private SimulatedAccount account = null!;

    private ActiveCampaignSimulator Simulator => account.Simulator;

    private ActiveCampaignAccount Account => account.Account;

    private IActiveCampaignClient Client => account.Client;

    public async Task InitializeAsync() => account = await SimulatedAccount.StartAsync(pacer, logs);

    public async Task DisposeAsync() => await account.DisposeAsync();

    [Fact]
    public async Task Lists_EveryPageOfAnAccountWith250_InPagesOfAHundred()
    {
        for (var i = 1; i <= 250; i++)
        {
            Simulator.State.AddList($"{i}", $"List number {i}");
        }

        var lists = await Client.GetListsAsync(Account, CancellationToken.None);

        Assert.Equal(Enumerable.Range(1, 250).Select(i => new AccountList($"{i}", $"List number {i}")), lists);
        Assert.Equal(3, pacer.Acquired);
    }

    [Fact]
    public async Task DeleteContact_LooksTheIdUpByEmailAndDeletes_TwoPacedRequests_AndAnUnknownEmailIsFalseWithoutADelete()
    {
        Simulator.State.AddList("1");
        var queued = await Client.BulkImportAsync(Account,
            [new BulkContact("ann@example.com", "Ann", null, null, [], [], SubscribeListId: "1", UnsubscribeListId: null)], CancellationToken.None);
        Assert.IsType<BulkImportResult.Queued>(queued);
        var before = pacer.Acquired;

        var deleted = await Client.DeleteContactAsync(Account, "ann@example.com", CancellationToken.None);
        var afterDelete = pacer.Acquired;
        var again = await Client.DeleteContactAsync(Account, "ann@example.com", CancellationToken.None);

        Assert.True(deleted);
        Assert.False(again);
        Assert.Equal(2, afterDelete - before);
        Assert.Equal(1, pacer.Acquired - afterDelete);
        Assert.Empty(Simulator.State.GetListContacts("1"));
        Assert.Equal(1, Simulator.State.GetStats().ContactsDeleted);
        Assert.DoesNotContain(logs.Lines, line => line.Contains("ann@example.com", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Fields_EveryPage_WithTitleAndType()
    {
        for (var i = 1; i <= 130; i++)
        {
            Simulator.State.AddField($"Field {i}", "dropdown");
        }

        var fields = await Client.GetFieldsAsync(Account, CancellationToken.None);

        Assert.Equal(130, fields.Count);
        Assert.Equal(new AccountField("130", "Field 130", "dropdown"), fields[^1]);
    }

    [Fact]
    public async Task Tags_SearchEveryPage_CreateOnce_ThenDuplicateEntryIsNull()
    {
        for (var i = 0; i < 150; i++)
        {
            Simulator.State.AddTag($"campaign-{i}");
        }

        var found = await Client.GetTagsAsync(Account, "campaign-", CancellationToken.None);
        var created = await Client.CreateTagAsync(Account, "from-ci", CancellationToken.None);
        var duplicate = await Client.CreateTagAsync(Account, "FROM-CI", CancellationToken.None);

        Assert.Equal(150, found.Count);
        Assert.NotNull(created);
        Assert.Null(duplicate);
    }

    [Fact]
    public async Task TagIdCache_LooksATagUpOncePerAccount_AndAttachesItToEveryContact()
    {
        Simulator.State.AddList("1");
        Simulator.State.AddTag("FROM-CI");
        var cache = account.Services.GetRequiredService<TagIdCache>();
        for (var i = 0; i < 5; i++)
        {
            var sync = await Client.SyncContactAsync(Account, new SyncContact($"c{i}@example.com", null, null, null, []), CancellationToken.None);
            await Client.SetListStatusAsync(Account, "1", sync.ContactId!, 1, CancellationToken.None);
            await Client.AddContactTagAsync(Account, sync.ContactId!, await cache.GetOrCreateAsync(Account, "from-ci", CancellationToken.None), CancellationToken.None);
        }

        Assert.All(Simulator.State.GetListContacts("1"), contact => Assert.Equal(["FROM-CI"], contact.Tags));
        Assert.Equal(5 * 3 + 1, Simulator.State.GetStats().Requests);   // 5 x (sync, list status, contactTags) + one look-up
    }

    [Fact]
    public async Task TagIdCache_WhenAnotherSiloCreatesTheTagMeanwhile_LooksItUpAgain()
    {
        var cache = account.Services.GetRequiredService<TagIdCache>();
        // Between our look-up (first request) and our creation (second), someone else creates the tag.
        pacer.BeforeRequest = number =>
        {
            if (number == 2)
            {
                Simulator.State.AddTag("Race");
            }
        };

        var id = await cache.GetOrCreateAsync(Account, "race", CancellationToken.None);

        Assert.Equal(Simulator.State.AddTag("race").Id, id);
        Assert.Equal(3, pacer.Acquired);   // look-up, refused creation ("Duplicate entry"), look-up
    }

    [Fact]
    public async Task RevokedKey_AnsweredWithTheLoginPage_IsARefusedKey_Everywhere()
    {
        Simulator.State.RevokeApiKey(ApiKey);

        await Assert.ThrowsAsync<ActiveCampaignAuthException>(() => Client.VerifyApiKeyAsync(Account, CancellationToken.None));
        await Assert.ThrowsAsync<ActiveCampaignAuthException>(() => Client.GetListsAsync(Account, CancellationToken.None));
        await Assert.ThrowsAsync<ActiveCampaignAuthException>(() => Client.BulkImportAsync(Account,
            [new BulkContact("ann@example.com", null, null, null, [], [], "1", null), new BulkContact("bob@example.com", null, null, null, [], [], "1", null)],
            CancellationToken.None));
        Assert.DoesNotContain(logs.Lines, line => line.Contains(ApiKey, StringComparison.Ordinal));
    }

    /// <summary>Grants every permit at once, counts them, and can act just before a numbered request.</summary>
    private sealed class HookedPacer : IRequestPacer
    {
        private int acquired;

        public int Acquired => acquired;

        public Action<int>? BeforeRequest { get; set; }

        public ValueTask AcquireAsync(string hostname, RequestKind kind, CancellationToken cancellationToken)
        {
            var number = Interlocked.Increment(ref acquired);
            BeforeRequest?.Invoke(number);
            return ValueTask.CompletedTask;
        }

        public ValueTask ReportThrottledAsync(string hostname, TimeSpan retryAfter, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
