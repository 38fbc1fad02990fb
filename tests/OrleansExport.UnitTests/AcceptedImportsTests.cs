using Microsoft.Extensions.Logging.Abstractions;
using OrleansExport.Grains.Delivery;
using OrleansExport.Grains.Durability;
using OrleansExport.Grains.Exports;

namespace OrleansExport.UnitTests;

/// <summary>
/// An export's journal of deliveries (<see cref="AcceptedImports"/>): imports ActiveCampaign accepted, outstanding until
/// what they came to is journaled; deliveries journaled once for every shard (group commit); which are outstanding and
/// what was delivered after a crash; and how the journal starts a new generation without losing either.
/// </summary>
public sealed class AcceptedImportsTests
{
    private readonly ExportState _state = new();
    private readonly MemoryJournal _journal = new();
    private int _stateWrites;
    private int _shardPersists;
    private bool _shardsCannotPersist;

    private AcceptedImports NewImports(long contactsPerGeneration = 100_000) =>
        new("exp-1", _journal, () => _state, () =>
        {
            _stateWrites++;
            return Task.CompletedTask;
        }, () =>
        {
            if (_shardsCannotPersist)
            {
                throw new TimeoutException("Injected: a shard did not answer.");
            }

            _shardPersists++;
            return Task.CompletedTask;
        }, () => contactsPerGeneration, importFailureRetries: 3, NullLogger.Instance);

    private static AcceptedImport Import(string batchId, params int[] profiles) =>
        new(batchId, [.. profiles.Select(p => new ImportedContact($"p{p}", ContactAction.Upsert, (ulong)p + 100, null, 0, ImportedContact.EmailKey($"p{p}@example.com")))]);

    private static DeliveredOutcomes Delivered(string batchId, params string[] failedEmails) => new([new CompletedImport(batchId, failedEmails)], []);

    [Fact]
    public void Outstanding_AreTheAcceptedNotDelivered_InTheOrderAccepted_EachOnce_AndAnOlderJournalsConfirmationsCount()
    {
        ShardJournalEntry[] entries =
        [
            ShardJournalEntry.Accepted([Import("b1", 1)]),
            ShardJournalEntry.Accepted([Import("b2", 2)]),
            ShardJournalEntry.Accepted([Import("b3", 3)]),
            new(0, [], Delivered: [Delivered("b2")]),
            ShardJournalEntry.Accepted([Import("b1", 1)]),
            new(0, [], ImportsConfirmed: ["b3", "b9"]),
        ];

        Assert.Equal(["b1"], ImportOutcomes.Outstanding(entries).Select(i => i.BatchId));
    }

    [Fact]
    public void Delivered_AreTheOutcomesOfEachJournaledDelivery_FromItsImportsAnswer_AndTheOthersAsJournaled()
    {
        var other = new ContactOutcome("p7", ContactAction.Upsert, 7, OutcomeKind.Failed, null, RejectionKind.RefusedByActiveCampaign);
        ShardJournalEntry[] entries =
        [
            ShardJournalEntry.Accepted([Import("b1", 1, 2), Import("b2", 3)]),
            new(0, [], Delivered: [new DeliveredOutcomes([new CompletedImport("b1", ["P2@Example.com"]), CompletedImport.NotConfirmed("b2")], [other])]),
        ];

        var (outstanding, delivered) = ImportOutcomes.Read(entries, importFailureRetries: 3);

        Assert.Empty(outstanding);
        Assert.Equal([("p7", OutcomeKind.Failed), ("p1", OutcomeKind.Accepted), ("p2", OutcomeKind.FailedInImport), ("p3", OutcomeKind.Unconfirmed)],
            delivered.Select(o => (o.ProfileId, o.Kind)));
    }

    [Fact]
    public void Completed_ListedAsFailed_GoesBackToPending_UntilTheLastTry_EveryOtherContactIsAccepted_InOldJournalsToo()
    {
        var import = new AcceptedImport("b1",
        [
            new ImportedContact("p1", ContactAction.Upsert, 11, null, 0, ImportedContact.EmailKey("p1@example.com")),
            new ImportedContact("p2", ContactAction.Upsert, 12, null, 0, ImportedContact.EmailKey("p2@example.com")),
            // Written before the journal kept hashes only.
            new ImportedContact("p3", ContactAction.Unsubscribe, 13, "p3@example.com", 3),
        ]);

        var outcomes = ImportOutcomes.Completed(import, ["P2@Example.com", "p3@EXAMPLE.com"], importFailureRetries: 3);

        Assert.Equal([("p1", OutcomeKind.Accepted, 11UL), ("p2", OutcomeKind.FailedInImport, 12UL), ("p3", OutcomeKind.Failed, 13UL)],
            outcomes.Select(o => (o.ProfileId, o.Kind, o.Hash)));
        Assert.Equal(ContactAction.Unsubscribe, outcomes[2].Action);
        Assert.Equal(RejectionKind.FailedInImport, outcomes[2].RejectionKind);
        Assert.Contains("4 times in a row", outcomes[2].Reason);
        Assert.All(ImportOutcomes.Unconfirmed(import), o => Assert.Equal(OutcomeKind.Unconfirmed, o.Kind));
    }

    [Fact]
    public async Task AnImportAcceptedAndNotDelivered_IsOutstandingForTheNextActivation_ADeliveredOnesOutcomesAreHandedAgain()
    {
        var imports = NewImports();
        Assert.Empty((await imports.RecoverAsync()).Outstanding);
        await imports.AcceptedAsync(Import("b1", 1, 2));
        await imports.AcceptedAsync(Import("b2", 3));
        await imports.DeliveredAsync(Delivered("b1"), [Import("b1", 1, 2)]);

        var (outstanding, delivered) = await NewImports().RecoverAsync();

        var import = Assert.Single(outstanding);
        Assert.Equal("b2", import.BatchId);
        Assert.Equal(Import("b2", 3).Contacts, import.Contacts);
        Assert.Equal([("p1", OutcomeKind.Accepted, 101UL), ("p2", OutcomeKind.Accepted, 102UL)], delivered.Select(o => (o.ProfileId, o.Kind, o.Hash)));
    }

    [Fact]
    public async Task TheJournalKeepsNoEmail_NorTheWordsOfARejection()
    {
        var tally = new ImportTally { Journal = NewImports() };
        var contact = new OutgoingContact("p1", ContactAction.Upsert, new ContactData("ann@example.com", null, null, null, []), 1, AlreadySubscribed: false, InRun: false);
        await tally.AcceptedAsync(AcceptedImport.Of("b1", [contact]));
        var refused = new ContactOutcome("p2", ContactAction.Upsert, 2, OutcomeKind.Failed, "ActiveCampaign refused the contact: bob@example.com is invalid", RejectionKind.RefusedByActiveCampaign);

        var delivery = tally.Record([.. tally.Completed(tally.Accepted[0], new CompletedImport("b1", []), 3), refused]);
        await tally.Journal!.DeliveredAsync(delivery, tally.Accepted);

        var bytes = _journal.Blobs.Values.SelectMany(b => b).SelectMany(b => b).ToArray();
        Assert.Equal(-1, bytes.AsSpan().IndexOf("ann@example.com"u8));
        Assert.Equal(-1, bytes.AsSpan().IndexOf("bob@example.com"u8));
        var other = Assert.Single(delivery.Others);
        Assert.Equal(("p2", OutcomeKind.Failed, (string?)null), (other.ProfileId, other.Kind, other.Reason));
    }

    [Fact]
    public async Task WhatIsAddedWhileAnAppendIsUnderWay_GoesInOneAppend_AndEachCallerReturnsOnceItIsDurable()
    {
        var imports = NewImports();
        await imports.RecoverAsync();
        _journal.Gate = new TaskCompletionSource();
        var first = imports.AcceptedAsync(Import("b1", 1));
        var second = imports.AcceptedAsync(Import("b2", 2));
        var delivered = imports.DeliveredAsync(Delivered("b1"), [Import("b1", 1)]);
        var third = imports.AcceptedAsync(Import("b3", 3));
        Assert.False(second.IsCompleted || third.IsCompleted || delivered.IsCompleted);

        _journal.Gate.SetResult();
        await Task.WhenAll(first, second, delivered, third);

        Assert.Equal(2, Assert.Single(_journal.Blobs).Value.Count);
        Assert.Equal(["b2", "b3"], imports.Outstanding.Select(i => i.BatchId));
        Assert.Equal(["b2", "b3"], (await NewImports().RecoverAsync()).Outstanding.Select(i => i.BatchId));
    }

    [Fact]
    public async Task AGenerationOfEnoughContacts_HasTheShardsWriteTheirSnapshots_ThenKeepsOnlyTheOutstandingAndTheUnhanded()
    {
        var imports = NewImports(contactsPerGeneration: 4);
        await imports.RecoverAsync();
        var unhanded = Delivered("b1");
        await imports.AcceptedAsync(Import("b0", 0));
        await imports.AcceptedAsync(Import("b1", 1, 2));
        await imports.DeliveredAsync(unhanded, [Import("b1", 1, 2)]);
        for (var i = 3; i < 5; i++)
        {
            await imports.AcceptedAsync(Import($"b{i}", i));
            var delivery = Delivered($"b{i}");
            await imports.DeliveredAsync(delivery, [Import($"b{i}", i)]);
            imports.Handed(delivery);
        }

        Assert.Equal(0, _shardPersists);
        await imports.AcceptedAsync(Import("b6", 6));

        Assert.Equal(1, _shardPersists);
        Assert.NotNull(_state.AcceptedImportsGeneration);
        var blob = Assert.Single(_journal.Blobs);
        Assert.Equal(_state.AcceptedImportsGeneration, blob.Key.Generation);
        Assert.Equal(AcceptedImports.JournalKey("exp-1"), blob.Key.Key);
        var (outstanding, delivered) = await NewImports().RecoverAsync();
        Assert.Equal(["b0", "b6"], outstanding.Select(i => i.BatchId));
        Assert.Equal(["p1", "p2"], delivered.Select(o => o.ProfileId));
    }

    [Fact]
    public async Task WhenAShardCannotWriteItsSnapshot_TheGenerationGoesOn_AndNothingDeliveredIsDropped()
    {
        var imports = NewImports(contactsPerGeneration: 2);
        await imports.RecoverAsync();
        _shardsCannotPersist = true;
        for (var i = 0; i < 4; i++)
        {
            await imports.AcceptedAsync(Import($"b{i}", i));
            var delivery = Delivered($"b{i}");
            await imports.DeliveredAsync(delivery, [Import($"b{i}", i)]);
            imports.Handed(delivery);
        }

        Assert.Null(_state.AcceptedImportsGeneration);
        Assert.Equal(["p0", "p1", "p2", "p3"], (await NewImports().RecoverAsync()).Delivered.Select(o => o.ProfileId));
    }

    [Fact]
    public async Task AfterAFailedAppend_TheNextStartsANewGeneration_AndNothingAcceptedIsLost()
    {
        var imports = NewImports();
        await imports.RecoverAsync();
        await imports.AcceptedAsync(Import("b1", 1));
        _journal.FailNextAppend = true;
        await Assert.ThrowsAsync<IOException>(() => imports.AcceptedAsync(Import("b2", 2)));
        var generationBefore = _state.AcceptedImportsGeneration;

        await imports.AcceptedAsync(Import("b3", 3));

        Assert.NotEqual(generationBefore, _state.AcceptedImportsGeneration);
        Assert.Equal(["b1", "b3"], (await NewImports().RecoverAsync()).Outstanding.Select(i => i.BatchId));
    }

    [Fact]
    public async Task ADeliveryThatCannotBeJournaled_Throws_SoThatTheShardsJournalIt_AndItsImportStaysOutstanding()
    {
        var imports = NewImports();
        await imports.RecoverAsync();
        await imports.AcceptedAsync(Import("b1", 1));
        _journal.FailNextAppend = true;

        await Assert.ThrowsAsync<IOException>(() => imports.DeliveredAsync(Delivered("b1"), [Import("b1", 1)]));

        Assert.Equal(["b1"], (await NewImports().RecoverAsync()).Outstanding.Select(i => i.BatchId));
    }

    [Fact]
    public async Task WithoutAJournal_NothingIsKept()
    {
        var imports = new AcceptedImports("exp-1", null, () => _state, () => Task.CompletedTask, () => Task.CompletedTask, () => 1, 3, NullLogger.Instance);

        await imports.AcceptedAsync(Import("b1", 1));
        await imports.DeliveredAsync(Delivered("b1"), [Import("b1", 1)]);

        Assert.False(imports.Durable);
        Assert.Empty(imports.Outstanding);
        Assert.Empty((await imports.RecoverAsync()).Outstanding);
        Assert.Null(_state.AcceptedImportsGeneration);
    }
}
