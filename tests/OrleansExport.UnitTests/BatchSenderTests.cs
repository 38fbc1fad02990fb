using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansExport.ActiveCampaign;
using OrleansExport.Grains;
using OrleansExport.Grains.Delivery;

namespace OrleansExport.UnitTests;

public sealed class BatchSenderTests
{
    private static readonly ActiveCampaignAccount Account = new("acme.api-us1.com", "key");
    private static readonly ExportDefinition Export = new("exp-1", "Export", "con-1", "7", ["s1"],
        new ContactMapping("EmailAddress", "FirstName", null, null, [new FieldMapping("Tier", 3)], ["vip"]), LeaveAction.Unsubscribe, null, "alice", DateTimeOffset.UnixEpoch);

    private readonly ScriptedClient _client = new();

    private BatchSender NewSender() => new(_client,
        Options.Create(new ExportOptions { ImportInfoDelay = TimeSpan.FromMilliseconds(1) }),
        Options.Create(new ActiveCampaignOptions()), TimeProvider.System, NullLogger<BatchSender>.Instance);

    private static OutgoingContact Contact(int i, ContactAction action = ContactAction.Upsert, bool subscribed = false) =>
        new($"p{i}", action, new ContactData($"p{i}@example.com", $"First{i}", null, null, ["gold"]), (ulong)i + 1, subscribed, InRun: false);

    [Fact]
    public async Task FullBatch_GoesAsOneBulkImportWithListTagsAndFields()
    {
        var contacts = Enumerable.Range(0, 250).Select(i => Contact(i)).ToList();

        var outcomes = await NewSender().SendAsync(Account, Export, contacts, CancellationToken.None);

        var import = Assert.Single(_client.Imports);
        Assert.Equal(250, import.Count);
        Assert.All(import, c => Assert.Equal(("7", (string?)null, "vip", 3), (c.SubscribeListId!, c.UnsubscribeListId, c.Tags.Single(), c.Fields.Single().FieldId)));
        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Accepted, o.Kind));
    }

    [Fact]
    public async Task BadRequestNamingContacts_QuarantinesThemAndResendsTheRest()
    {
        var contacts = Enumerable.Range(0, 20).Select(i => Contact(i)).ToList();
        _client.NextImportResults.Enqueue(new BulkImportResult.Invalid([new ContactFailure(3, "bad email"), new ContactFailure(11, "bad email")]));

        var outcomes = await NewSender().SendAsync(Account, Export, contacts, CancellationToken.None);

        Assert.Equal(2, _client.Imports.Count);
        Assert.Equal(18, _client.Imports[1].Count);
        Assert.DoesNotContain(_client.Imports[1], c => c.Email is "p3@example.com" or "p11@example.com");
        Assert.Equal(["p11", "p3"], outcomes.Where(o => o.Kind == OutcomeKind.Failed).Select(o => o.ProfileId).Order());
        Assert.Equal(18, outcomes.Count(o => o.Kind == OutcomeKind.Accepted));
    }

    [Fact]
    public async Task ContactsImportInfoListsAsFailed_GoBackToBeSentAgain_AndAreRejectedAfterTheLastTry()
    {
        var contacts = Enumerable.Range(0, 20).Select(i => Contact(i) with { ImportFailures = i == 6 ? 3 : 0 }).ToList();
        _client.FailedEmails.Add("P5@example.com");
        _client.FailedEmails.Add("p6@example.com");

        var outcomes = await NewSender().SendAsync(Account, Export, contacts, CancellationToken.None);

        Assert.Equal("p5", Assert.Single(outcomes, o => o.Kind == OutcomeKind.FailedInImport).ProfileId);
        var failed = Assert.Single(outcomes, o => o.Kind == OutcomeKind.Failed);
        Assert.Equal("p6", failed.ProfileId);
        Assert.Contains("4 times in a row", failed.Reason);
        Assert.Equal(18, outcomes.Count(o => o.Kind == OutcomeKind.Accepted));
        Assert.Equal(2, _client.InfoCalls);   // "processing" once, then "completed"
    }

    [Fact]
    public async Task TinyBatch_UsesContactSyncAndSubscribesOnlyNewMembers()
    {
        OutgoingContact[] contacts = [Contact(1), Contact(2, subscribed: true), Contact(3, ContactAction.Unsubscribe, subscribed: true)];

        var outcomes = await NewSender().SendAsync(Account, Export, contacts, CancellationToken.None);

        Assert.Empty(_client.Imports);
        Assert.Equal(3, _client.Syncs.Count);
        Assert.Equal([("7", "id-p1@example.com", 1), ("7", "id-p3@example.com", 2)], _client.ListStatuses);
        Assert.All(outcomes, o => Assert.Equal(OutcomeKind.Accepted, o.Kind));
    }

    [Fact]
    public async Task Resubscribe_AlwaysGoesThroughContactLists()
    {
        var contacts = Enumerable.Range(0, 30).Select(i => Contact(i)).Append(Contact(99, ContactAction.Resubscribe)).ToList();

        await NewSender().SendAsync(Account, Export, contacts, CancellationToken.None);

        Assert.Equal(30, Assert.Single(_client.Imports).Count);
        Assert.Equal([("7", "id-p99@example.com", 1)], _client.ListStatuses);
    }

    /// <summary>Answers like ActiveCampaign would, and records what it was asked.</summary>
    private sealed class ScriptedClient : IActiveCampaignClient
    {
        public List<IReadOnlyList<BulkContact>> Imports { get; } = [];
        public Queue<BulkImportResult> NextImportResults { get; } = new();
        public HashSet<string> FailedEmails { get; } = new(StringComparer.OrdinalIgnoreCase);
        public List<SyncContact> Syncs { get; } = [];
        public List<(string List, string Contact, int Status)> ListStatuses { get; } = [];
        public int InfoCalls { get; private set; }

        public Task VerifyApiKeyAsync(ActiveCampaignAccount account, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<bool> ListExistsAsync(ActiveCampaignAccount account, string listId, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<BulkImportResult> BulkImportAsync(ActiveCampaignAccount account, IReadOnlyList<BulkContact> contacts, CancellationToken cancellationToken)
        {
            Imports.Add(contacts);
            return Task.FromResult(NextImportResults.TryDequeue(out var result) ? result : new BulkImportResult.Queued($"batch-{Imports.Count}", contacts.Count));
        }

        public Task<ImportInfo> GetImportInfoAsync(ActiveCampaignAccount account, string batchId, CancellationToken cancellationToken)
        {
            InfoCalls++;
            return Task.FromResult(InfoCalls % 2 == 1
                ? new ImportInfo("processing", [], [])
                : new ImportInfo("completed", [], [.. FailedEmails]));
        }

        public Task<SyncResult> SyncContactAsync(ActiveCampaignAccount account, SyncContact contact, CancellationToken cancellationToken)
        {
            Syncs.Add(contact);
            return Task.FromResult(new SyncResult("id-" + contact.Email, null));
        }

        public Task SetListStatusAsync(ActiveCampaignAccount account, string listId, string contactId, int status, CancellationToken cancellationToken)
        {
            ListStatuses.Add((listId, contactId, status));
            return Task.CompletedTask;
        }
    }
}
