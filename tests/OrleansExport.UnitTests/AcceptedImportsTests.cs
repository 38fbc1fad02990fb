using Microsoft.Extensions.Logging.Abstractions;
using OrleansExport.Grains.Delivery;
using OrleansExport.Grains.Durability;
using OrleansExport.Grains.Exports;

namespace OrleansExport.UnitTests;

/// <summary>
/// An export's journal of deliveries (<see cref="AcceptedImports"/>): imports ActiveCampaign accepted, outstanding until
/// what they came to is journaled; numbered deliveries journaled once for every shard (group commit); what is outstanding
/// and delivered after a crash; and how the journal starts a new generation keeping what some shard may lack.
/// </summary>
public sealed class AcceptedImportsTests
{
    private readonly ExportState _state = new();
    private readonly MemoryJournal _journal = new();
    private int _shardPersists;
    private bool _shardsCannotPersist;

    /// <summary>The last delivery every shard's snapshot holds, as the shards answer when asked to persist.</summary>
    private long _heldByAllShards;

    private AcceptedImports NewImports(long contactsPerGeneration = 100_000) =>
        new("exp-1", _journal, () => _state, () => Task.CompletedTask, () =>
        {
            if (_shardsCannotPersist)
            {
                throw new TimeoutException("Injected: a shard did not answer.");
            }

            _shardPersists++;
            return Task.FromResult(_heldByAllShards);
        }, () => contactsPerGeneration, NullLogger.Instance);

    private static AcceptedImport Import(string batchId, params int[] profiles) =>
        new(batchId, [.. profiles.Select(p => new ImportedContact($"p{p}", ContactAction.Upsert, (ulong)p + 100, null, 0, ImportedContact.EmailKey($"p{p}@example.com")))]);

    private static ShardJournalEntry Accepted(AcceptedImport[] imports) => new(0, [], ImportsAccepted: imports);

    private static CompletedImport Completed(string batchId, IEnumerable<string> failedEmails) => new(batchId, [.. failedEmails.Select(ImportedContact.EmailKey)]);

    /// <summary>What <see cref="OutcomeHandover.HandAsync"/> journals for an import's delivery.</summary>
    private static async Task<long> DeliverAsync(AcceptedImports imports, string batchId, int contacts, params string[] failedEmails)
    {
        var sequence = imports.NextSequence();
        await imports.DeliveredAsync(new DeliveredOutcomes([Completed(batchId, failedEmails)], [], sequence), contacts);
        return sequence;
    }

    private static List<(string ProfileId, OutcomeKind Kind)> Outcomes(JournalContents journal) =>
        [.. journal.Deliveries.Values.SelectMany(d => journal.OutcomesOf(d, importFailureRetries: 3)).Select(o => (o.ProfileId, o.Kind))];

    [Fact]
    public void Outstanding_AreTheAcceptedNotDelivered_InTheOrderAccepted_EachOnce_AndAnOlderJournalsConfirmationsCount()
    {
        ShardJournalEntry[] entries =
        [
            Accepted([Import("b1", 1)]),
            Accepted([Import("b2", 2)]),
            Accepted([Import("b3", 3)]),
            new(0, [], Delivered: [new DeliveredOutcomes([Completed("b2", [])], [], 1)]),
            Accepted([Import("b1", 1)]),
            new(0, [], ImportsConfirmed: ["b3", "b9"]),
        ];

        Assert.Equal(["b1"], ImportOutcomes.Read(entries).Outstanding.Select(i => i.BatchId));
    }

    [Fact]
    public void Deliveries_AreReadBySequence_EachOnce_WithTheOutcomesOfTheirImportsAnswersAndTheOthers()
    {
        var other = new ContactOutcome("p7", ContactAction.Upsert, 7, OutcomeKind.Failed, null, RejectionKind.RefusedByActiveCampaign);
        var first = new DeliveredOutcomes([Completed("b1", ["P2@Example.com"]), CompletedImport.NotConfirmed("b2")], [other], 4);
        ShardJournalEntry[] entries =
        [
            Accepted([Import("b1", 1, 2), Import("b2", 3), Import("b3", 5)]),
            new(0, [], Delivered: [new DeliveredOutcomes([Completed("b3", [])], [], 9)]),
            new(0, [], Delivered: [first]),
            // A carried copy in a newer generation counts once.
            new(0, [], Delivered: [first]),
        ];

        var journal = ImportOutcomes.Read(entries);

        Assert.Empty(journal.Outstanding);
        Assert.Equal([4L, 9L], journal.Deliveries.Keys);
        Assert.Equal(9, journal.LastSequence);
        Assert.Equal([("p7", OutcomeKind.Failed), ("p1", OutcomeKind.Accepted), ("p2", OutcomeKind.FailedInImport), ("p3", OutcomeKind.Unconfirmed), ("p5", OutcomeKind.Accepted)],
            Outcomes(journal));
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

        var completed = CompletedImport.Of(import, ["P2@Example.com", "p3@EXAMPLE.com", "someone-else@example.com"]);
        var outcomes = ImportOutcomes.Of(import, completed, importFailureRetries: 3);

        Assert.Equal([("p1", OutcomeKind.Accepted, 11UL), ("p2", OutcomeKind.FailedInImport, 12UL), ("p3", OutcomeKind.Failed, 13UL)],
            outcomes.Select(o => (o.ProfileId, o.Kind, o.Hash)));
        Assert.Equal(ContactAction.Unsubscribe, outcomes[2].Action);
        Assert.Equal(RejectionKind.FailedInImport, outcomes[2].RejectionKind);
        Assert.Contains("4 times in a row", outcomes[2].Reason);
        Assert.All(ImportOutcomes.Unconfirmed(import), o => Assert.Equal(OutcomeKind.Unconfirmed, o.Kind));
        Assert.Equal(2, completed.FailedEmailKeys.Length);
        Assert.Null(Assert.Single(ImportOutcomes.WithoutEmails(import).Contacts, c => c.ProfileId == "p3").Email);
    }

    [Fact]
    public async Task AnImportAcceptedAndNotDelivered_IsOutstandingForTheNextActivation_ADeliveredOneIsReadBackAndNumbersGoOn()
    {
        var imports = NewImports();
        Assert.Empty((await imports.RecoverAsync()).Outstanding);
        await imports.AcceptedAsync(Import("b1", 1, 2));
        await imports.AcceptedAsync(Import("b2", 3));
        var delivered = await DeliverAsync(imports, "b1", 2);

        var next = NewImports();
        var journal = await next.RecoverAsync();

        var import = Assert.Single(journal.Outstanding);
        Assert.Equal("b2", import.BatchId);
        Assert.Equal(Import("b2", 3).Contacts, import.Contacts);
        Assert.Equal([("p1", OutcomeKind.Accepted), ("p2", OutcomeKind.Accepted)], Outcomes(journal));

        // Numbers the gone activation gave but never journaled may be held by a shard: the next activation starts past them.
        Assert.Equal(delivered + AcceptedImports.SequencesPerActivation + 1, next.NextSequence());
        Assert.Equal(delivered + AcceptedImports.SequencesPerActivation, _state.DeliveriesSequence);
    }

    [Fact]
    public async Task TheJournalKeepsNoEmail_NorTheWordsOfARejection()
    {
        var tally = new ImportTally { Journal = NewImports() };
        var ann = new OutgoingContact("p1", ContactAction.Upsert, new ContactData("ann@example.com", null, null, null, []), 1, AlreadySubscribed: false, InRun: false);
        await tally.AcceptedAsync(AcceptedImport.Of("b1", [ann]), [ann]);
        var refused = new ContactOutcome("p2", ContactAction.Upsert, 2, OutcomeKind.Failed, "ActiveCampaign refused the contact: bob@example.com is invalid", RejectionKind.RefusedByActiveCampaign);

        var delivery = tally.Record([.. tally.Completed(tally.Accepted[0], Completed("b1", ["ann@example.com"]), 3), refused]);
        await tally.Journal!.DeliveredAsync(delivery with { Sequence = tally.Journal.NextSequence() }, 2);

        var bytes = _journal.Blobs.Values.SelectMany(b => b).SelectMany(b => b).ToArray();
        Assert.Equal(-1, bytes.AsSpan().IndexOf("ann@example.com"u8));
        Assert.Equal(-1, bytes.AsSpan().IndexOf("bob@example.com"u8));
        var other = Assert.Single(delivery.Others);
        Assert.Equal(("p2", OutcomeKind.Failed, (string?)null), (other.ProfileId, other.Kind, other.Reason));
        Assert.Equal(OutcomeKind.FailedInImport, tally.Unanswered(ann).Kind);
    }

    [Fact]
    public async Task WhatIsAddedWhileAnAppendIsUnderWay_GoesInOneAppend_AndEachCallerReturnsOnceItIsDurable()
    {
        var imports = NewImports();
        await imports.RecoverAsync();
        _journal.Gate = new TaskCompletionSource();
        var first = imports.AcceptedAsync(Import("b1", 1));
        var second = imports.AcceptedAsync(Import("b2", 2));
        var delivered = DeliverAsync(imports, "b1", 1);
        var third = imports.AcceptedAsync(Import("b3", 3));
        Assert.False(second.IsCompleted || third.IsCompleted || delivered.IsCompleted);

        _journal.Gate.SetResult();
        await Task.WhenAll(first, second, delivered, third);

        Assert.Equal(2, Assert.Single(_journal.Blobs).Value.Count);
        Assert.Equal(["b2", "b3"], imports.Outstanding.Select(i => i.BatchId));
        Assert.Equal(["b2", "b3"], (await NewImports().RecoverAsync()).Outstanding.Select(i => i.BatchId));
    }

    [Fact]
    public async Task AGenerationOfEnoughContacts_HasTheShardsWriteTheirSnapshots_ThenKeepsTheOutstandingAndWhatSomeShardMayLack()
    {
        var imports = NewImports(contactsPerGeneration: 4);
        await imports.RecoverAsync();
        await imports.AcceptedAsync(Import("b0", 0));
        var sequences = new List<long>();
        for (var i = 1; i <= 4; i++)
        {
            await imports.AcceptedAsync(Import($"b{i}", i));
            sequences.Add(await DeliverAsync(imports, $"b{i}", 1));
        }

        // Every shard holds the first two deliveries; some shard lacks the last two.
        _heldByAllShards = sequences[1];
        Assert.Equal(0, _shardPersists);
        await imports.AcceptedAsync(Import("b5", 5));

        Assert.Equal(1, _shardPersists);
        Assert.NotNull(_state.AcceptedImportsGeneration);
        Assert.Equal(sequences[3], _state.DeliveriesSequence);
        var blob = Assert.Single(_journal.Blobs);
        Assert.Equal(_state.AcceptedImportsGeneration, blob.Key.Generation);
        Assert.Equal(AcceptedImports.JournalKey("exp-1"), blob.Key.Key);
        var next = NewImports();
        var journal = await next.RecoverAsync();
        Assert.Equal(["b0", "b5"], journal.Outstanding.Select(i => i.BatchId));
        Assert.Equal(sequences[2..], journal.Deliveries.Keys);
        Assert.Equal([("p3", OutcomeKind.Accepted), ("p4", OutcomeKind.Accepted)], Outcomes(journal));
        Assert.True(next.NextSequence() > sequences[3]);
    }

    [Fact]
    public async Task ANewGenerationWithNothingToCarry_StillNumbersTheNextDeliveryAfterTheLast()
    {
        var imports = NewImports(contactsPerGeneration: 1);
        await imports.RecoverAsync();
        await imports.AcceptedAsync(Import("b1", 1));
        _heldByAllShards = await DeliverAsync(imports, "b1", 1);
        await imports.AcceptedAsync(Import("b2", 2));

        Assert.Empty((await NewImports().RecoverAsync()).Deliveries);
        var next = NewImports();
        await next.RecoverAsync();
        Assert.True(next.NextSequence() > _heldByAllShards);
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
            await DeliverAsync(imports, $"b{i}", 1);
        }

        Assert.Null(_state.AcceptedImportsGeneration);
        Assert.Equal(["p0", "p1", "p2", "p3"], Outcomes(await NewImports().RecoverAsync()).Select(o => o.ProfileId));
    }

    [Fact]
    public async Task AfterAFailedAppend_TheNextGoesOn_AndNothingAcceptedIsLost()
    {
        var imports = NewImports();
        await imports.RecoverAsync();
        await imports.AcceptedAsync(Import("b1", 1));
        _journal.FailNextAppend = true;
        await Assert.ThrowsAsync<IOException>(() => imports.AcceptedAsync(Import("b2", 2)));

        await imports.AcceptedAsync(Import("b3", 3));

        Assert.Equal(["b1", "b3"], (await NewImports().RecoverAsync()).Outstanding.Select(i => i.BatchId));
    }

    [Fact]
    public async Task ADeliveryThatCannotBeJournaled_Throws_SoThatTheShardsJournalIt_ThenItsImportIsSettled()
    {
        var imports = NewImports();
        await imports.RecoverAsync();
        await imports.AcceptedAsync(Import("b1", 1));
        _journal.FailNextAppend = true;

        await Assert.ThrowsAsync<IOException>(() => DeliverAsync(imports, "b1", 1));
        Assert.Equal(["b1"], (await NewImports().RecoverAsync()).Outstanding.Select(i => i.BatchId));

        imports.Settled(["b1"]);
        Assert.Empty(imports.Outstanding);
    }

    [Fact]
    public async Task WithoutAJournal_NothingIsKept()
    {
        var imports = new AcceptedImports("exp-1", null, () => _state, () => Task.CompletedTask, () => Task.FromResult(0L), () => 1, NullLogger.Instance);

        await imports.AcceptedAsync(Import("b1", 1));
        await imports.DeliveredAsync(new DeliveredOutcomes([Completed("b1", [])], []), 1);

        Assert.False(imports.Durable);
        Assert.Equal(0, imports.NextSequence());
        Assert.Empty(imports.Outstanding);
        Assert.Empty((await imports.RecoverAsync()).Outstanding);
        Assert.Null(_state.AcceptedImportsGeneration);
    }
}
